"""Board code binds and connects as on an ESP32; the host finds its servers; loopback unless --expose."""
import socket
from pathlib import Path

import pytest

from support import stop_and_check
from upylab.board import registry
from upylab.link.transport import Link

LISTEN = (
    b"import socket\r"
    b"s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\r"
    b"s.bind(%s); s.listen(1); print('listening')\r"
)
ANSWER_ONE = (
    b"c, a = s.accept(); c.recv(1024); c.send(b'HTTP/1.0 200 OK\\r\\n\\r\\nhello from the board'); c.close(); s.close(); print('client', a[0])\r"
)


def serve_one(line, address: bytes):
    """The board listens on ``address`` (board code), then answers one request.

    The answering line goes once the board says it listens: if binding
    fails, its traceback is the last thing the board printed.
    """
    line.write(LISTEN % address)
    line.read_until(b"listening\r\n")
    line.write(ANSWER_ONE)


def _listen_address(port: int) -> str:
    """The local address a LISTEN socket on ``port`` is bound to (from /proc)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, hex_port = fields[1].split(":")
        if fields[3] == "0A" and int(hex_port, 16) == port:
            return socket.inet_ntoa(bytes.fromhex(address)[::-1])
    raise AssertionError(f"nothing listens on {port}")


def _get(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"GET / HTTP/1.0\r\n\r\n")
        reply = b""
        while chunk := client.recv(1024):
            reply += chunk
    return reply


@pytest.mark.parametrize("address", [
    b"('', 80)",
    b"('0.0.0.0', 80)",
    b"socket.getaddrinfo('0.0.0.0', 80)[0][-1]",
])
def test_board_style_binds_serve_on_the_mapped_port(board, line, address):
    line.friendly()
    serve_one(line, address)
    port = board.host_port(80)
    assert port != 80 and _listen_address(port) == "127.0.0.1"
    assert registry.listening_ports(board) == [80]
    assert _get(port).endswith(b"hello from the board")
    line.read_until(b"client 127.0.0.1\r\n")


def test_status_shows_the_port_mapping(board, line):
    from support import BIN
    import subprocess
    line.friendly()
    serve_one(line, b"('', 80)")
    status = subprocess.run([str(BIN / "upylab"), "board", "status", board.name],
                            capture_output=True, text=True, timeout=20).stdout
    assert f"80 -> 127.0.0.1:{board.host_port(80)}" in status
    _get(board.host_port(80))


def test_expose_listens_on_every_interface(state_dir):
    record = registry.start(name="exposed", expose=True)
    line = Link.open(record.device)
    try:
        line.friendly()
        serve_one(line, b"('', 80)")
        assert _listen_address(record.host_port(80)) == "0.0.0.0"
        assert _get(record.host_port(80)).endswith(b"hello from the board")
    finally:
        line.close()
        stop_and_check("exposed")


def test_unprivileged_ports_are_not_moved(board, line):
    line.friendly()
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    serve_one(line, f"('', {port})".encode())
    assert board.host_port(port) == port
    assert _get(port).endswith(b"hello from the board")


def test_board_requests_its_own_server(mpremote):
    out = mpremote("exec", """
import asyncio, network
async def handle(reader, writer):
    await reader.readline()
    writer.write(b'HTTP/1.0 200 OK\\r\\n\\r\\nself')
    await writer.drain()
    writer.close()
async def main():
    server = await asyncio.start_server(handle, '0.0.0.0', 80)
    ip = network.WLAN(network.STA_IF).ifconfig()[0]
    reader, writer = await asyncio.open_connection('127.0.0.1', 80)
    writer.write(b'GET / HTTP/1.0\\r\\n\\r\\n')
    await writer.drain()
    print((await reader.read(100)).decode().split('\\r\\n')[-1])
    writer.close()
    server.close()
asyncio.run(main())
""", timeout=30).stdout.strip()
    assert out == "self"
