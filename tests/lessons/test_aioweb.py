"""Lesson 07's reference app (snippets/aioweb/) on a virtual board, from the host.

micropython-aioweb's web.py comes from GitHub (or a mirror of it) at the
pinned commit, unpatched (``upylab install aioweb``); where neither can be
reached every test here skips with the install tool's reason.  Besides every
route, it checks what the lesson teaches about aioweb and what the app adds
to it: exact routes plus the app's prefix routes, a 400 where web.py hangs
up, the WebSocket echo (from the host, as a browser would use it), that it
is asyncio (a client that sends nothing does not hold the others up), and
that the stop button leaves nothing bound: run() starts again.
"""
import base64
import json
import os
import socket
import struct
import time

import pytest

from upylab.link.transport import Link
from wsframes import accept_for, frame, read_frame, upgrade
from lesson_apps import APPS, SNIPPETS, app_fixtures, install_or_skip, module_board, raw_exchange, request, send
from upylab.board import pins

pytestmark = pytest.mark.timeout(180)

app_board, board, app = app_fixtures("aioweb")


def test_page(app):
    status, headers, body = request(app, "GET", "/")
    assert (status, headers["content-type"]) == (200, "text/html")
    page = body.decode()
    assert page.startswith("<!DOCTYPE html><title>LED is OFF</title>")
    assert '<button id="on">ON</button>' in page and '<button id="off">OFF</button>' in page


def test_path_parameter_switches_the_led_and_redirects(app, board):
    status, headers, body = request(app, "POST", "/led/on", body=b"")
    assert (status, headers["location"], body) == (303, "/", b"")
    assert pins.value(board, 2) == 1
    assert request(app, "POST", "/led/toggle", body=b"")[0] == 303
    assert pins.value(board, 2) == 0


def test_unknown_led_state_is_400_and_changes_nothing(app, board):
    status, headers, body = request(app, "POST", "/led/blink", body=b"")
    assert (status, headers["content-type"], body) == (400, "text/plain", b"LED state must be on, off or toggle")
    assert pins.value(board, 2) == 0


def test_json_status(app):
    status, headers, body = request(app, "GET", "/api/status")
    assert (status, headers["content-type"]) == (200, "application/json")
    assert json.loads(body) == {"led": 0, "pin": 2}


def test_post_json_sets_the_led(app, board):
    status, headers, body = request(app, "POST", "/api/led", body=b'{"on": true}',
                                    headers={"Content-Type": "application/json"})
    assert (status, headers["content-type"], json.loads(body)) == (200, "application/json", {"led": 1, "pin": 2})
    assert pins.value(board, 2) == 1
    # web.py lower-cases header names: any spelling works.
    status, _, body = request(app, "POST", "/api/led", body=b'{"on": false}',
                              headers={"content-length": "13"})
    assert (status, json.loads(body)) == (200, {"led": 0, "pin": 2})
    assert pins.value(board, 2) == 0


@pytest.mark.parametrize("body", [b"{not json", b'{"off": 1}', b"[1, 2]", b""])
def test_post_bad_json_is_400(app, body):
    status, headers, reply = request(app, "POST", "/api/led", body=body)
    assert (status, headers["content-type"]) == (400, "application/json")
    assert json.loads(reply) == {"error": 'send {"on": true} or {"on": false}'}


@pytest.mark.parametrize("query, answer", [
    ("?name=Ada%20Lovelace", b"Hello, Ada Lovelace!"),
    ("?name=Grace+Hopper&x=1", b"Hello, Grace Hopper!"),
    ("?name", b"Hello, world!"),          # web.parse_qs gives True for a name without '='
    ("", b"Hello, world!"),
])
def test_query_string(app, query, answer):
    assert request(app, "GET", "/greet" + query)[::2] == (200, answer)


def test_static_file_from_flash(app):
    status, headers, body = request(app, "GET", "/static/style.css")
    assert (status, headers["content-type"], headers["content-length"]) == (200, "text/css", str(len(body)))
    assert body == (SNIPPETS / "common" / "static" / "style.css").read_bytes()


@pytest.mark.parametrize("method, path", [
    ("GET", "/static/missing.css"), ("GET", "/nowhere"), ("GET", "/static/.."), ("GET", "/static/"),
    ("GET", "/api/status/x"), ("GET", "/greetings"), ("POST", "/led/on/extra"),
    ("GET", "/led/on"), ("POST", "/"), ("DELETE", "/api/status"),   # a method no route takes: 404 too
])
def test_not_found(app, method, path):
    assert request(app, method, path, body=b"" if method == "POST" else None)[::2] == (404, b"Not found")


@pytest.mark.parametrize("data", [b"NONSENSE\r\n\r\n", b"GET /\r\n\r\n", b"GET / HTTP/1.0\r\nno colon\r\n\r\n"])
def test_bad_request_is_400(app, data):
    reply = raw_exchange(app, data)
    assert reply.startswith(b"HTTP/1.0 400 "), reply
    assert reply.endswith(b"\r\n\r\nBad request")
    assert request(app, "GET", "/api/status")[0] == 200       # and the server still serves


def test_websocket_echo_from_the_host(app):
    host, port = app[len("http://"):].split(":")
    key = base64.b64encode(os.urandom(16))
    with socket.create_connection((host, int(port)), timeout=10) as client:
        lines = upgrade(client, key)
        assert lines[0] == "HTTP/1.1 101 Switching Protocols"
        assert f"Sec-WebSocket-Accept: {accept_for(key)}" in lines
        for message in ("hello, board", "Grüße"):
            client.sendall(frame(0x1, message.encode()))
            assert read_frame(client) == (0x81, message.encode())
        client.sendall(frame(0x2, b"\x00\x01\x02"))
        assert read_frame(client) == (0x82, b"\x00\x01\x02")
        client.sendall(frame(0x8, struct.pack("!H", 1000)))
        assert read_frame(client) == (0x88, struct.pack("!H", 1000))


def test_websocket_route_refuses_plain_http(app):
    assert request(app, "GET", "/ws")[::2] == (400, b"WebSocket only")


def test_a_silent_client_does_not_hold_the_others(app):
    """asyncio: while one connection sends nothing, the others are served."""
    host, port = app[len("http://"):].split(":")
    silent = [socket.create_connection((host, int(port)), timeout=5) for _ in range(4)]
    try:
        assert request(app, "GET", "/api/status", timeout=3)[0] == 200
    finally:
        for client in silent:
            client.close()


# -- the stop button, as a lesson's student uses it ---------------------------------

PORT_80_FREE = (b"import socket; s = socket.socket(); "
                b"s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
                b"s.bind(socket.getaddrinfo('0.0.0.0', 80)[0][-1]); s.listen(1); s.close(); "
                b"print('port 80', 'free')\r")


@pytest.fixture
def repl_board(framework_cache):
    """A board of its own with the app's files, at a friendly prompt, as the
    lesson's kernel leaves it (the module's app_board is busy serving)."""
    files, module, heap = APPS["aioweb"]
    with module_board(heap) as board:
        install_or_skip("aioweb", board)
        send(board, *files)
        line = Link.open(board.device)
        try:
            line.friendly()
            yield board, line
        finally:
            line.close()


def wait_answering(base, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return request(base, "GET", "/api/status", timeout=2)[0]
        except OSError:
            if time.monotonic() > deadline:
                raise


def test_stop_button_then_run_again(repl_board):
    """■ (Ctrl-C on the REPL) stops run(), port 80 is free, and run() serves again.

    aioweb's own serve() keeps no server: after Ctrl-C its listening socket
    stays open in the loop, and binding port 80 again fails with EADDRINUSE.
    The app's run() closes it however the loop ends.
    """
    board, line = repl_board
    base = f"http://127.0.0.1:{board.host_port(80)}"
    line.write(b"import led_aioweb; led_aioweb.run()\r")
    line.read_until(b"serving on port 80", timeout=20)
    assert wait_answering(base) == 200
    line.write(b"\x03")
    stopped = line.read_until(b"KeyboardInterrupt", timeout=10) + line.read_until(b">>> ")
    line.write(PORT_80_FREE)
    free = line.read_until(b">>> ", timeout=10)
    assert b"port 80 free" in free, (stopped + free).decode(errors="replace")
    line.write(b"led_aioweb.run()\r")
    started = line.read_until(b"serving on port 80", timeout=20)
    assert wait_answering(base) == 200
    line.write(b"\x03")
    after = line.read_until(b"KeyboardInterrupt", timeout=10) + line.read_until(b">>> ")
    assert b"EADDRINUSE" not in started + after, (started + after).decode(errors="replace")
