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
#     same mapped port, so a board can request its own pages.
from usocket import *  # noqa: F401,F403  (everything else is the real module)
import usocket as _usocket
import io as _io
import select as _select
from os import getenv as _getenv

# Stream ioctl requests (py/stream.h).
_POLL = 3
_CLOSE = 4
_GET_FILENO = 10

_PORT_BASE = int(_getenv("UPYLAB_PORT_BASE") or 0)
_EXPOSE = _getenv("UPYLAB_EXPOSE") == "1"
_OWN_ADDRESSES = ("", "0.0.0.0", "localhost", _getenv("UPYLAB_IP") or "127.0.0.1")


def _as_tuple(address):
    """An AF_INET sockaddr (bytes) as (host, port); tuples pass through."""
    if isinstance(address, tuple):
        return address
    if len(address) >= 8 and address[0] == AF_INET:
        host = "%d.%d.%d.%d" % (address[4], address[5], address[6], address[7])
        return host, address[2] << 8 | address[3]
    return None


def _mapped_port(host, port):
    is_own = host in _OWN_ADDRESSES or host.startswith("127.")
    if is_own and 0 < port < 1024 and _PORT_BASE:
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

    def __getattr__(self, name):  # send, recv, listen, setblocking, ...
        return getattr(self._socket, name)

    def bind(self, address):
        self._socket.bind(_sockaddr(address, True))

    def connect(self, address):
        self._socket.connect(_sockaddr(address, False))

    def accept(self):
        connection, address = self._socket.accept()
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

    def ioctl(self, request, argument):
        if request == _GET_FILENO:
            return self._socket.fileno()
        if request == _POLL:
            poller = _select.poll()
            poller.register(self._socket, argument)
            ready = poller.poll(0)
            return ready[0][1] if ready else 0
        if request == _CLOSE:
            self._socket.close()
            return 0
        return -1

    def __repr__(self):
        return repr(self._socket)
