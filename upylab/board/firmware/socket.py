# socket for the virtual board: the unix port's socket, addressed as on an ESP32.
#
# Board code binds ('', 80) or ('0.0.0.0', 80) and gets tuple addresses back
# from getaddrinfo() and accept(); the unix port wants packed sockaddr bytes.
# On top of that the virtual board must not need root or open the host to
# the network, so:
#   - a privileged port P (below 1024) is served on host port BASE + P, BASE
#     being chosen per board by the host (`upylab board status` shows it);
#   - a wildcard bind listens on 127.0.0.1 unless the board was started with
#     --expose;
#   - connecting to this board's own address on a privileged port reaches the
#     same mapped port, so a board can request its own pages;
#   - with UPYLAB_SOCKET_DIR set (a class hub's boards: `upylab board start
#     --unix-sockets`), no port of the board is on TCP at all: the board's own
#     port P is the unix socket DIR/P, in a folder only its owner can enter.
#     Loopback TCP is shared by every user of the host; a unix socket is
#     guarded by file permissions, so another student cannot reach it;
#   - errors carry the ESP32's numbers (see _ESP32_ERRNO), so code that tests
#     `error.errno` (asyncio, Microdot) takes the path it takes on a board.
from usocket import *  # noqa: F401,F403  (everything else is the real module)
import usocket as _usocket
import io as _io
import select as _select
import struct as _struct
import uos as _uos
import uerrno as _host_errno  # the interpreter's own table, for printing
import errno as _errno       # the firmware's: the ESP32's numbers
from uos import getenv as _getenv

# Stream ioctl requests (py/stream.h).
_POLL = 3
_CLOSE = 4
_GET_FILENO = 10

_PORT_BASE = int(_getenv("UPYLAB_PORT_BASE") or 0)
_EXPOSE = _getenv("UPYLAB_EXPOSE") == "1"
_OWN_ADDRESSES = ("", "0.0.0.0", "localhost", _getenv("UPYLAB_IP") or "127.0.0.1")
_SOCKET_DIR = _getenv("UPYLAB_SOCKET_DIR")
_SOCKETS = _uos.VfsPosix(_SOCKET_DIR) if _SOCKET_DIR else None  # removes left sockets
del _getenv, _uos
_ENOENT = 2

# The host's (Linux) number of a socket error -> what an ESP32 raises there.
# The ESP32's sockets are lwIP's: its err_to_errno() (esp-lwip,
# src/api/err.c) gives newlib's numbers (espressif/newlib-esp32,
# newlib/libc/include/sys/errno.h).  lwIP has no ECONNREFUSED and no EPIPE:
# a connection refused is a reset (ERR_RST: ECONNRESET), and a write on a
# connection that is gone fails ERR_CONN/ERR_CLSD (ENOTCONN).
_ESP32_ERRNO = {
    32: 128,   # EPIPE -> ENOTCONN
    88: 108,   # ENOTSOCK
    89: 121,   # EDESTADDRREQ
    90: 122,   # EMSGSIZE
    91: 107,   # EPROTOTYPE
    92: 109,   # ENOPROTOOPT
    93: 123,   # EPROTONOSUPPORT
    97: 106,   # EAFNOSUPPORT
    98: 112,   # EADDRINUSE
    99: 125,   # EADDRNOTAVAIL
    100: 115,  # ENETDOWN
    101: 118,  # ENETUNREACH -> EHOSTUNREACH (lwIP's ERR_RTE)
    102: 126,  # ENETRESET
    103: 113,  # ECONNABORTED
    106: 127,  # EISCONN
    107: 128,  # ENOTCONN
    108: 128,  # ESHUTDOWN -> ENOTCONN (ERR_CLSD)
    110: 116,  # ETIMEDOUT
    111: 104,  # ECONNREFUSED -> ECONNRESET (ERR_RST)
    112: 118,  # EHOSTDOWN -> EHOSTUNREACH
    113: 118,  # EHOSTUNREACH
    114: 120,  # EALREADY
    115: 119,  # EINPROGRESS
}


# What `errno.NAME` is in compiled code here: MicroPython's compiler folds
# the attributes of its built-in errno at compile time (MICROPY_COMP_MODULE_CONST,
# py/compile.c), so `errno.EADDRINUSE` in board code is the unix port's 98,
# whatever module `import errno` gives.  ESP32 number -> that number.
_FOLDED = {112: 98, 113: 103, 116: 110, 118: 113, 119: 115, 120: 114, 128: 107}


class _Errno(int):
    """An ESP32 errno number that also equals what `errno.NAME` compiles to here.

    It prints, hashes and counts as the ESP32's number (112), and compares
    equal to the folded constant of the same name (98) as well, so that
    `error.errno == errno.EADDRINUSE` holds as it does on a board.  Being
    no small int, it is also not looked up in the interpreter's own table
    of names, which would misname it (its 113 is EHOSTUNREACH).
    """

    def __eq__(self, other):
        return other in self.numbers

    def __ne__(self, other):
        return other not in self.numbers

    def __hash__(self):
        return self.numbers[0]


def _esp32_error(error):
    """The OSError an ESP32 raises where the host raised ``error``."""
    number = error.errno
    if type(number) is not int:
        return error
    number = _ESP32_ERRNO.get(number, number)
    if number in _FOLDED or _host_errno.errorcode.get(number) not in (None, _errno.errorcode.get(number)):
        special = _Errno(number)
        special.numbers = (number, _FOLDED.get(number, number))
        return OSError(special)
    return OSError(number)


def _raise(number):
    raise _esp32_error(OSError(number))


def _as_tuple(address):
    """An AF_INET sockaddr (bytes) as (host, port); tuples pass through."""
    if isinstance(address, tuple):
        return address
    if len(address) >= 8 and address[0] == AF_INET:
        host = "%d.%d.%d.%d" % (address[4], address[5], address[6], address[7])
        return host, address[2] << 8 | address[3]
    return None


def _is_own(host):
    return host in _OWN_ADDRESSES or host.startswith("127.")


def _unix_path(address):
    """DIR/PORT for the board's own address in unix-socket mode, else None."""
    pair = _as_tuple(address)
    if _SOCKET_DIR and pair and _is_own(pair[0]):
        return "%s/%d" % (_SOCKET_DIR, pair[1])
    return None


def _unix_sockaddr(path):
    # struct sockaddr_un: the family as a native short, then the path.
    return _struct.pack("H", AF_UNIX) + path.encode() + b"\0"


def _claim(path):
    """Free PATH for a bind, as TCP frees a closed port: EADDRINUSE while served."""
    probe = _usocket.socket(AF_UNIX, SOCK_STREAM)
    try:
        probe.connect(_unix_sockaddr(path))
    except OSError as error:
        if error.errno == _ENOENT:
            return
        _SOCKETS.remove(path[len(_SOCKET_DIR):])  # left by a closed server
        return
    finally:
        probe.close()
    _raise(98)


def _mapped_port(host, port):
    if _is_own(host) and 0 < port < 1024 and _PORT_BASE:
        return _PORT_BASE + port
    return port


def _sockaddr(address, binding):
    pair = _as_tuple(address)
    if pair is None:  # IPv6 or other families: as the unix port takes them
        return address
    host, port = pair
    port = _mapped_port(host, port)
    if binding and host in ("", "0.0.0.0") and not _EXPOSE:
        host = "127.0.0.1"
    return _usocket.getaddrinfo(host or "0.0.0.0", port)[0][-1]


def getaddrinfo(host, port, af=0, type=0, proto=0, flags=0):
    """As on an ESP32: the address of each entry is a (host, port) tuple."""
    entries = _usocket.getaddrinfo(host, port, af, type, proto, flags)
    return [entry[:4] + (_as_tuple(entry[4]) or entry[4],) for entry in entries]


class socket(_io.IOBase):
    """A unix-port socket that takes ESP32-style addresses and raises ESP32 errors.

    A wrapper, not a subclass: select.poll() and asyncio find a native
    socket's file descriptor only through the stream protocol, which a
    subclass of the native type does not pass on correctly.  Every call
    that reaches the host goes through ``_call``, which turns the host's
    error numbers into the ESP32's.
    """

    def __init__(self, af=AF_INET, type=SOCK_STREAM, proto=0, *, _native=None):
        self._socket = _native or self._call(_usocket.socket, af, type, proto)
        self._settings = []  # (name, args): replayed on a unix socket that replaces it
        self._path = None    # the unix socket this one serves, removed at close

    @staticmethod
    def _call(function, *args):
        try:
            return function(*args)
        except OSError as error:
            raise _esp32_error(error)

    def __getattr__(self, name):  # fileno, getsockopt, ...: rarely used, not translated
        return getattr(self._socket, name)

    def _setting(self, name, *args):
        self._settings.append((name, args))
        return self._call(getattr(self._socket, name), *args)

    def setsockopt(self, *args):
        return self._setting("setsockopt", *args)

    def setblocking(self, flag):
        return self._setting("setblocking", flag)

    def settimeout(self, value):
        return self._setting("settimeout", value)

    def _to_unix(self):
        """Swap the TCP socket for a unix one, keeping the settings made so far."""
        self._socket.close()
        self._socket = _usocket.socket(AF_UNIX, SOCK_STREAM)
        for name, args in self._settings:
            try:
                getattr(self._socket, name)(*args)
            except OSError:  # a TCP-only option (TCP_NODELAY) means nothing here
                pass

    def bind(self, address):
        path = _unix_path(address)
        if path is None:
            return self._call(self._socket.bind, _sockaddr(address, True))
        _claim(path)
        self._to_unix()
        self._call(self._socket.bind, _unix_sockaddr(path))
        self._path = path

    def connect(self, address):
        path = _unix_path(address)
        if path is None:
            return self._call(self._socket.connect, _sockaddr(address, False))
        self._to_unix()
        try:
            self._socket.connect(_unix_sockaddr(path))
        except OSError as error:  # nothing serves that port: as TCP says it
            raise _esp32_error(OSError(111 if error.errno == _ENOENT else error.errno))

    def listen(self, backlog=2):
        return self._call(self._socket.listen, backlog)

    def accept(self):
        connection, address = self._call(self._socket.accept)
        connection = socket(_native=connection)
        if self._path:  # a unix peer has no address: it is this host
            return connection, ("127.0.0.1", 0)
        return connection, _as_tuple(address) or address

    def send(self, data):
        return self._call(self._socket.send, data)

    def sendall(self, data):
        return self._call(self._socket.sendall, data)

    def recv(self, size):
        return self._call(self._socket.recv, size)

    def recvfrom(self, size):
        data, address = self._call(self._socket.recvfrom, size)
        return data, _as_tuple(address) or address

    def sendto(self, data, address):
        return self._call(self._socket.sendto, data, _sockaddr(address, False))

    def makefile(self, *args, **kwargs):
        return self  # as on an ESP32 (modsocket.c: socket_makefile)

    def read(self, *args):
        return self._call(self._socket.read, *args)

    def readline(self, *args):
        return self._call(self._socket.readline, *args)

    # The stream protocol, for poll(), asyncio and ssl.
    def readinto(self, buffer, *args):
        return self._call(self._socket.readinto, buffer, *args)

    def write(self, data, *args):
        return self._call(self._socket.write, data, *args)

    def close(self):
        self._socket.close()
        self._forget_path()

    def _forget_path(self):
        if self._path:
            try:
                _SOCKETS.remove(self._path[len(_SOCKET_DIR):])
            except OSError:
                pass
            self._path = None

    def ioctl(self, request, argument):
        if request == _GET_FILENO:
            return self._socket.fileno()
        if request == _POLL:
            poller = _select.poll()
            poller.register(self._socket, argument)
            ready = poller.poll(0)
            return ready[0][1] if ready else 0
        if request == _CLOSE:
            self.close()
            return 0
        return -1

    def __repr__(self):
        return repr(self._socket)
