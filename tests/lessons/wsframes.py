"""A host-side WebSocket client, just enough to test the apps' /ws echo routes (RFC 6455).

    upgrade(conn, key, path) -> lines    send the handshake, read the answer's head
    accept_for(key) -> str               the Sec-WebSocket-Accept a server must send
    frame(opcode, payload) -> bytes      a client frame (masked), payload under 126 bytes
    read_frame(conn) -> (byte0, payload) a server frame (unmasked), payload under 126 bytes
"""
import base64
import hashlib
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"    # RFC 6455's, for Sec-WebSocket-Accept


def upgrade(conn, key, path="/ws"):
    conn.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: board\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += recv_exactly(conn, 1)
    return head.decode().split("\r\n")


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()


def frame(opcode, payload, mask=b"\x11\x22\x33\x44"):
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + mask + masked


def read_frame(conn):
    head = recv_exactly(conn, 2)
    assert head[1] < 126, head                          # the server's frames are not masked
    return head[0], recv_exactly(conn, head[1])


def recv_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    return data
