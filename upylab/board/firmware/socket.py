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
#     guarded by file permissions, so another student cannot reach it.
from usocket import *  # noqa: F401,F403  (everything else is the real module)
import usocket as _usocket
import io as _io
import select as _select
import struct as _struct
import uos as _uos
from os import getenv as _getenv

# Stream ioctl requests (py/stream.h).
_POLL = 3
_CLOSE = 4
_GET_FILENO = 10

_PORT_BASE = int(_getenv("UPYLAB_PORT_BASE") or 0)
_EXPOSE = _getenv("UPYLAB_EXPOSE") == "1"
_OWN_ADDRESSES = ("", "0.0.0.0", "localhost", _getenv("UPYLAB_IP") or "127.0.0.1")
_SOCKET_DIR = _getenv("UPYLAB_SOCKET_DIR")
_EADDRINUSE = 98
_ECONNREFUSED = 111
_ENOENT = 2


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
        _uos.VfsPosix(_SOCKET_DIR).remove(path[len(_SOCKET_DIR):])  # left by a closed server
        return
    finally:
        probe.close()
    raise OSError(_EADDRINUSE)


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
    """A unix-port socket that takes ESP32-style addresses.

    A wrapper, not a subclass: select.poll() and asyncio find a native
    socket's file descriptor only through the stream protocol, which a
    subclass of the native type does not pass on correctly.
    """

    def __init__(self, af=AF_INET, type=SOCK_STREAM, proto=0):
        self._socket = _usocket.socket(af, type, proto)
        self._settings = []  # (name, args): replayed on a unix socket that replaces it
        self._path = None    # the unix socket this one serves, removed at close

    def __getattr__(self, name):  # send, recv, listen, ...
        return getattr(self._socket, name)

    def _setting(self, name, *args):
        self._settings.append((name, args))
        return getattr(self._socket, name)(*args)

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
            return self._socket.bind(_sockaddr(address, True))
        _claim(path)
        self._to_unix()
        self._socket.bind(_unix_sockaddr(path))
        self._path = path

    def connect(self, address):
        path = _unix_path(address)
        if path is None:
            return self._socket.connect(_sockaddr(address, False))
        self._to_unix()
        try:
            self._socket.connect(_unix_sockaddr(path))
        except OSError as error:  # nothing serves that port: as TCP says it
            raise OSError(_ECONNREFUSED if error.errno == _ENOENT else error.errno)

    def accept(self):
        connection, address = self._socket.accept()
        if self._path:  # a unix peer has no address: it is this host
            return connection, ("127.0.0.1", 0)
        return connection, _as_tuple(address) or address

    def recvfrom(self, size):
        data, address = self._socket.recvfrom(size)
        return data, _as_tuple(address) or address

    def sendto(self, data, address):
        return self._socket.sendto(data, _sockaddr(address, False))

    # The stream protocol, for poll(), asyncio and ssl.
    def readinto(self, buffer):
        return self._socket.readinto(buffer)

    def write(self, data):
        return self._socket.write(data)

    def close(self):
        self._socket.close()
        self._forget_path()

    def _forget_path(self):
        if self._path:
            try:
                _uos.VfsPosix(_SOCKET_DIR).remove(self._path[len(_SOCKET_DIR):])
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
