"""Lesson 06's reference app (snippets/micropyserver/) on a virtual board, from the host.

micropyserver comes from GitHub (or a mirror of it) at the pinned commit
(``upylab install micropyserver``); where neither can be reached every test
here skips with the install tool's reason.  Besides every route, it checks
what the lesson teaches about micropyserver and what the app adds to it: the
blocking style (one client that connects and sends nothing holds every other
client up, and the app's server outlives the client that gave up meanwhile),
the hooks' 400 and 500, and that the stop button leaves nothing bound:
run() starts again.
"""
import json
import socket
import time

import pytest

from lesson_apps import APPS, SNIPPETS, app_fixtures, install_or_skip, module_board, raw_exchange, request, send
from upylab.link.transport import Link
from upylab.board import pins

pytestmark = pytest.mark.timeout(180)

app_board, board, app = app_fixtures("micropyserver")


def test_page(app):
    status, headers, body = request(app, "GET", "/")
    assert (status, headers["content-type"]) == (200, "text/html")
    assert body.decode().startswith("<!DOCTYPE html><title>LED is OFF</title>")


def test_path_parameter_switches_the_led(app, board):
    status, headers, body = request(app, "POST", "/led/on", body=b"")
    assert (status, headers["location"]) == (303, "/")
    assert pins.value(board, 2) == 1
    assert request(app, "POST", "/led/blink", body=b"")[::2] == (400, b"LED state must be on, off or toggle")
    assert pins.value(board, 2) == 1


def test_json_in_and_out(app, board):
    status, headers, body = request(app, "GET", "/api/status")
    assert (status, headers["content-type"], json.loads(body)) == (200, "application/json", {"led": 0, "pin": 2})
    status, _, body = request(app, "POST", "/api/led", body=b'{"on": true}')
    assert (status, json.loads(body)) == (200, {"led": 1, "pin": 2})
    assert pins.value(board, 2) == 1
    assert request(app, "POST", "/api/led", body=b"{not json")[0] == 400


def test_query_string(app):
    assert request(app, "GET", "/greet?name=Ada%20Lovelace")[::2] == (200, b"Hello, Ada Lovelace!")
    assert request(app, "GET", "/greet")[::2] == (200, b"Hello, world!")


def test_static_file(app):
    status, headers, body = request(app, "GET", "/static/style.css")
    assert (status, headers["content-type"]) == (200, "text/css")
    assert body == (SNIPPETS / "common" / "static" / "style.css").read_bytes()


@pytest.mark.parametrize("method, path", [("GET", "/nowhere"), ("GET", "/static/missing.css"),
                                          ("GET", "/api/nothing"), ("DELETE", "/api/status")])
def test_not_found(app, method, path):
    assert request(app, method, path)[::2] == (404, b"Not found")


def test_bad_request_is_400_not_500(app):
    reply = raw_exchange(app, b"NONSENSE\r\n\r\n")
    assert reply.startswith(b"HTTP/1.0 400 "), reply


def test_an_error_in_a_handler_is_the_hooks_500(app):
    """utils.unquote lets int()'s ValueError out on a bad escape; on_error answers."""
    assert request(app, "GET", "/greet?name=100%zz")[::2] == (500, b"Internal server error")
    assert request(app, "GET", "/api/status")[0] == 200


def test_one_silent_client_holds_everyone_up(app):
    """The blocking style: start() waits in recv() for the first client's request.

    The client that gave up is answered afterwards, into a closed connection:
    micropyserver's own error handler would fail on that too and end start();
    the app's on_error hook does not, so the last request is answered."""
    host, port = app[len("http://"):].split(":")
    silent = socket.create_connection((host, int(port)), timeout=5)
    try:
        with pytest.raises(socket.timeout):
            request(app, "GET", "/api/status", timeout=2)
    finally:
        silent.close()
    assert request(app, "GET", "/api/status")[0] == 200


# -- the stop button, as a lesson's student uses it ---------------------------------

PORT_80_FREE = (b"import socket; s = socket.socket(); "
                b"s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
                b"s.bind(socket.getaddrinfo('0.0.0.0', 80)[0][-1]); s.listen(1); s.close(); "
                b"print('port 80', 'free')\r")


@pytest.fixture
def repl_board(framework_cache):
    """A board of its own with the app's files, at a friendly prompt, as the
    lesson's kernel leaves it (the module's app_board is busy serving)."""
    files, module, heap = APPS["micropyserver"]
    with module_board(heap) as board:
        install_or_skip("micropyserver", board)
        send(board, *files)
        line = Link.open(board.device)
        try:
            line.friendly()
            line.write(b"import led_micropyserver\r")
            line.read_until(b">>> ", timeout=10)
            yield board, line
        finally:
            line.close()


def answers(base, timeout=20):
    """GET /api/status's status once the server answers (it has just started)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return request(base, "GET", "/api/status", timeout=2)[0]
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.mark.parametrize("before_stop", ["no client", "one request"])
def test_stop_button_then_run_again(repl_board, before_stop):
    """■ (Ctrl-C on the REPL) ends run() with KeyboardInterrupt, port 80 is free,
    and run() serves again.

    micropyserver's start() never closes its listening socket (run() again
    would fail with EADDRINUSE), and before its first client it closes a
    connection that is None (Ctrl-C would end in AttributeError): run()
    calls stop() in a finally, and the app's server starts with NoClient.
    """
    board, line = repl_board
    base = f"http://127.0.0.1:{board.host_port(80)}"
    for attempt in range(2):
        line.write(b"led_micropyserver.run()\r")
        started = line.read_until(b"Server start", timeout=20)   # printed once it listens
        if before_stop == "one request" or attempt:
            assert answers(base) == 200
        line.write(b"\x03")
        stopped = line.read_until(b">>> ", timeout=10)
        output = (started + stopped).decode(errors="replace")
        assert "KeyboardInterrupt" in output and "Error" not in output, output
        assert "Server stop" in output, output
        line.write(PORT_80_FREE)
        free = line.read_until(b">>> ", timeout=10)
        assert b"port 80 free" in free, (output + free.decode(errors="replace"))
