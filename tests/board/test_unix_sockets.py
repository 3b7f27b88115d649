"""--unix-sockets: a board's ports are unix sockets in a 0700 folder, nothing on TCP.

A class hub's boards run this way (upylab.classroom): loopback TCP is
shared by every user of the host, a unix socket only by who may enter
its folder.
"""
import os
import socket
import stat
import subprocess
from pathlib import Path

import pytest

from support import BIN, run_mpremote, stop_and_check
from upylab.board import registry
from upylab.errors import UpylabError
from upylab.link.transport import Link

SERVE_ONE = (
    b"import socket\r"
    b"s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\r"
    b"s.bind(('0.0.0.0', %d)); s.listen(1); print('listening')\r"
    b"c, a = s.accept(); c.recv(1024); c.send(b'HTTP/1.0 200 OK\\r\\n\\r\\nhello'); c.close(); s.close(); print('client', a[0])\r"
)


@pytest.fixture
def unix_board(state_dir):
    record = registry.start(name="unix", unix_sockets=True)
    yield record
    stop_and_check(record.name)


def _get(path) -> bytes:
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(5)
        client.connect(str(path))
        client.sendall(b"GET / HTTP/1.0\r\n\r\n")
        reply = b""
        while chunk := client.recv(1024):
            reply += chunk
    return reply


def _board_tcp_listeners(record) -> list:
    """LISTEN sockets on TCP held by the board's interpreter."""
    inodes = {f"socket:[{line.split()[9]}]" for table in ("/proc/net/tcp", "/proc/net/tcp6")
              for line in Path(table).read_text().splitlines()[1:] if line.split()[3] == "0A"}
    held = {os.readlink(fd) for fd in Path(f"/proc/{record.interpreter_pid}/fd").iterdir()}
    return sorted(held & inodes)


@pytest.mark.parametrize("port", [80, 8080])
def test_ports_are_unix_sockets_in_a_private_folder(unix_board, port):
    line = Link.open(unix_board.device)
    try:
        line.friendly()
        line.write(SERVE_ONE % port)
        line.read_until(b"listening\r\n")
        path = unix_board.socket_path(port)
        assert stat.S_ISSOCK(path.stat().st_mode)
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert registry.listening_ports(unix_board) == [port]
        assert _board_tcp_listeners(unix_board) == []
        assert _get(path).endswith(b"hello")
        line.read_until(b"client 127.0.0.1\r\n")
        line.read_until(b">>> ")
        assert not path.exists(), "a closed server's socket is removed"
    finally:
        line.close()


def test_status_names_the_socket(unix_board):
    line = Link.open(unix_board.device)
    try:
        line.friendly()
        line.write(SERVE_ONE % 80)
        line.read_until(b"listening\r\n")
        status = subprocess.run([str(BIN / "upylab"), "board", "status", "unix"],
                                capture_output=True, text=True, timeout=20).stdout
        assert f"80 -> {unix_board.socket_path(80)}" in status
        _get(unix_board.socket_path(80))
    finally:
        line.close()


def test_board_requests_its_own_server_rebinds_and_refuses_a_taken_port(unix_board):
    out = run_mpremote(unix_board.device, "exec", """
import asyncio, socket
async def handle(reader, writer):
    await reader.readline()
    writer.write(b'HTTP/1.0 200 OK\\r\\n\\r\\nself')
    await writer.drain()
    writer.close()
async def fetch():
    reader, writer = await asyncio.open_connection('127.0.0.1', 80)
    writer.write(b'GET / HTTP/1.0\\r\\n\\r\\n')
    await writer.drain()
    print((await reader.read(100)).decode().split('\\r\\n')[-1])
    writer.close()
async def main():
    for _ in range(2):  # a closed server's port can be served again
        server = await asyncio.start_server(handle, '0.0.0.0', 80)
        await fetch()
        taken = socket.socket()
        try:
            taken.bind(('0.0.0.0', 80))
        except OSError as error:
            print('taken', error.errno)
        taken.close()
        server.close()
        await server.wait_closed()
    try:
        await fetch()
    except OSError as error:
        print('refused', error.errno)
asyncio.run(main())
""", timeout=30).stdout.split()
    # ESP32 numbers (errno.py): EADDRINUSE 112; nothing serving is a reset, ECONNRESET 104.
    assert out == ["self", "taken", "112", "self", "taken", "112", "refused", "104"]


def test_expose_and_unix_sockets_exclude_each_other(state_dir):
    with pytest.raises(UpylabError, match="exclude each other"):
        registry.serve("both", expose=True, unix_sockets=True)
