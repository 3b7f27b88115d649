"""Each lesson's reference app, on a virtual board, as a browser or curl sees it.

Every route of the reference app (see notebooks/README.md), its status
codes and content types, a 404, bad requests, and the LED on GPIO 2 read
from the host after each request that switches it.  Microdot's app also
has a WebSocket echo at /ws (its websocket extension): spoken to from the
host with a plain socket, as a browser would, and from a second board with
the lessons' client (snippets/common/wsclient.py).
"""
import base64
import http.client
import json
import os
import socket
import struct
from pathlib import Path

import pytest

from upylab.board import pins
from wsframes import accept_for, frame, read_frame, upgrade

pytestmark = [pytest.mark.board, pytest.mark.timeout(300)]
SNIPPETS = Path(__file__).resolve().parents[2] / "snippets"


def request(app, method, path, body=None, headers=None):
    """(status, content type without parameters, headers, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        kind = (response.getheader("Content-Type") or "").split(";")[0]
        return response.status, kind, response, data
    finally:
        connection.close()


def raw(app, data: bytes) -> bytes:
    """Send bytes as they are; return the whole answer.

    Microdot answers a malformed request, then closes without reading what
    is left of it, which the host's TCP reports as a reset: what came before
    the reset is the answer.
    """
    answer = b""
    with socket.create_connection(("127.0.0.1", app.port), timeout=10) as conn:
        conn.sendall(data)
        try:
            while chunk := conn.recv(4096):
                answer += chunk
        except ConnectionResetError:
            pass
    return answer


def test_led_page(app):
    request(app, "POST", "/led/off")
    status, kind, _, body = request(app, "GET", "/")
    assert (status, kind) == (200, "text/html")
    page = body.decode()
    assert "<title>LED is OFF</title>" in page
    assert 'action="/led/on"' in page and 'action="/led/off"' in page
    assert 'href="/static/style.css"' in page


def test_status_is_json_and_follows_the_pin(app):
    for state, level in (("on", 1), ("off", 0)):
        request(app, "POST", f"/led/{state}")
        status, kind, _, body = request(app, "GET", "/api/status")
        assert (status, kind) == (200, "application/json")
        assert json.loads(body) == {"led": level, "pin": 2}
        assert pins.value(app.board, 2) == level


def test_path_parameter_switches_and_redirects(app):
    status, _, response, _ = request(app, "POST", "/led/on")
    assert status == 303 and response.getheader("Location") == "/"
    assert pins.value(app.board, 2) == 1
    request(app, "POST", "/led/toggle")
    assert pins.value(app.board, 2) == 0


def test_unknown_led_state_is_a_bad_request(app):
    request(app, "POST", "/led/on")
    status, _, _, body = request(app, "POST", "/led/blink")
    assert status == 400 and b"on, off or toggle" in body
    assert pins.value(app.board, 2) == 1          # unchanged


def test_json_body_switches_the_led(app):
    for wanted, level in ((True, 1), (False, 0)):
        status, kind, _, body = request(app, "POST", "/api/led", json.dumps({"on": wanted}),
                                        {"Content-Type": "application/json"})
        assert (status, kind) == (200, "application/json")
        assert json.loads(body) == {"led": level, "pin": 2}
        assert pins.value(app.board, 2) == level


@pytest.mark.parametrize("body", [b"{not json", b'{"off": 1}', b"[1, 2]"])
def test_bad_json_body_is_a_bad_request(app, body):
    status, kind, _, answer = request(app, "POST", "/api/led", body,
                                      {"Content-Type": "application/json"})
    assert (status, kind) == (400, "application/json")
    assert "error" in json.loads(answer)


@pytest.mark.parametrize("query, greeting", [
    ("?name=Ada%20Lovelace", "Hello, Ada Lovelace!"),
    ("?name=Grace+Hopper&x=1", "Hello, Grace Hopper!"),
    ("", "Hello, world!"),
])
def test_query_string(app, query, greeting):
    status, kind, _, body = request(app, "GET", "/greet" + query)
    assert (status, kind, body.decode()) == (200, "text/plain", greeting)


def test_static_file_from_flash(app):
    status, kind, _, body = request(app, "GET", "/static/style.css")
    assert (status, kind) == (200, "text/css")
    assert body == (SNIPPETS / "common/static/style.css").read_bytes()


@pytest.mark.parametrize("path", ["/nowhere", "/static/missing.css", "/static/..%2Fled.py",
                                  "/static/../led.py", "/api"])
def test_not_found(app, path):
    assert request(app, "GET", path)[0] == 404


@pytest.mark.parametrize("data", [b"NONSENSE\r\n\r\n", b"GET\r\n\r\n", b"\xff\xfe\r\n\r\n"])
def test_malformed_request_line_is_a_bad_request(app, data):
    answer = raw(app, data)
    assert answer.split(b" ")[1] == b"400", answer[:80]
    assert request(app, "GET", "/api/status")[0] == 200    # and it still serves


# -- Microdot's WebSocket extension: /ws echoes every message ----------------------

@pytest.fixture
def ws_app(app):
    if app.board.name != "lesson-microdot":
        pytest.skip("only the Microdot app has a WebSocket route")
    return app


def test_websocket_echo_from_the_host(ws_app):
    key = base64.b64encode(os.urandom(16))
    with socket.create_connection(("127.0.0.1", ws_app.port), timeout=10) as conn:
        lines = upgrade(conn, key)
        assert lines[0] == "HTTP/1.1 101 Switching Protocols"
        assert f"Sec-WebSocket-Accept: {accept_for(key)}" in lines
        for message in ("hello, board", "Grüße"):
            conn.sendall(frame(0x1, message.encode()))
            assert read_frame(conn) == (0x81, message.encode())
        conn.sendall(frame(0x2, b"\x00\x01\x02"))             # bytes come back as bytes
        assert read_frame(conn) == (0x82, b"\x00\x01\x02")
        conn.sendall(frame(0x9, b"ping"))                      # Microdot answers a ping itself
        assert read_frame(conn) == (0x8a, b"ping")
        conn.sendall(frame(0x8, struct.pack("!H", 1000)))
        assert read_frame(conn) == (0x88, b"")                 # its close frame carries no status
    assert request(ws_app, "GET", "/api/status")[0] == 200     # and it still serves


@pytest.mark.parametrize("headers", [
    {},                                                          # plain HTTP
    {"Upgrade": "h2c", "Connection": "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    {"Upgrade": "websocket", "Connection": "Upgrade"},           # no key
])
def test_websocket_bad_upgrade_is_a_bad_request(ws_app, headers):
    assert request(ws_app, "GET", "/ws", headers=headers)[0] == 400
    assert request(ws_app, "POST", "/ws")[0] == 405             # a GET route
    assert request(ws_app, "GET", "/api/status")[0] == 200


def test_websocket_echo_from_a_board(ws_app, mpremote, tmp_path):
    """The lessons' board-side client, on a second virtual board, against the app."""
    script = tmp_path / "ws.py"
    script.write_text(f"""\
import asyncio, wsclient
async def main():
    for message in ('hello', 'Grüße'):
        echoed = await asyncio.wait_for(wsclient.websocket_echo('127.0.0.1', {ws_app.port}, message), 10)
        print('echo', echoed, echoed == message)
    try:
        await asyncio.wait_for(wsclient.websocket_echo('127.0.0.1', {ws_app.port}, 'x', path='/api/status'), 10)
    except ValueError as error:
        print('refused', error)
asyncio.run(main())
""")
    mpremote("cp", str(SNIPPETS / "common/wsclient.py"), ":")
    output = mpremote("run", str(script), timeout=60).stdout
    assert output.splitlines() == ["echo hello True", "echo Grüße True", "refused no WebSocket upgrade: b'HTTP/1.0 200 OK\\r\\n'"], output


# -- in a browser: Debian's Chromium driven by Playwright (the `browser` fixture) ----

def test_led_page_buttons_in_a_browser(app, browser):
    request(app, "POST", "/led/off")
    page = browser.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(app.base + "/")
        assert page.inner_text("#state") == "OFF"
        assert page.eval_on_selector("#on", "b => getComputedStyle(b).backgroundColor") \
            == "rgb(46, 125, 50)"                      # the stylesheet from flash was applied
        for button, level, word in (("#on", 1, "ON"), ("#off", 0, "OFF")):
            with page.expect_navigation():
                page.click(button)
            assert page.url == app.base + "/"          # the 303 brought it back to the page
            assert pins.value(app.board, 2) == level
            assert page.inner_text("#state") == word
            assert page.title() == f"LED is {word}"
    finally:
        page.close()


# -- the stop button, as a lesson's student uses it ---------------------------------

def test_stop_button_then_run_again(app):
    """■ (Ctrl-C on the REPL) stops run(), and running it again serves again.

    The lessons tell students to stop the server with the stop button and run
    the cell again: run() must close its listening socket when interrupted,
    or the second run fails with EADDRINUSE.
    """
    module = {"lesson-raw-socket": "led_raw", "lesson-microdot": "led_microdot"}[app.board.name]
    app.line.write(b"\x03")
    stopped = app.line.read_until(b"KeyboardInterrupt", timeout=10) + app.line.read_until(b">>> ")
    app.line.write(f"{module}.run()\r".encode())
    started = app.line.read_until(b"serving on port 80", timeout=20) + app.line.read_for(0.5)
    assert b"EADDRINUSE" not in stopped + started, (stopped + started).decode(errors="replace")
    assert request(app, "GET", "/api/status")[0] == 200
