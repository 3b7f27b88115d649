"""Every framework's reference app keeps the route contract (notebooks/README.md), from the host.

One board per framework of ``data/apps.csv`` (a framework added as data is
tested too), its app's ``run()`` serving as its lesson starts it.  Each
test runs against every app, or only against the apps it concerns (the
WebSocket ones where the app has a WebSocket route): parametrised per app,
never skipped.  Where a framework answers otherwise by design, the
harness's table of documented differences (``lesson_apps.DIFFERENCES``)
says how, and its lesson shows why; what else a framework's lesson teaches
is tested in that framework's own module.  The LED on the board's GPIO is
read from the host after each request that switches it.
"""
import base64
import json
import os
import socket
import struct
import time

import pytest

import lesson_apps
from lesson_apps import DIFFERENCES, FRAMEWORKS, answering, differences, raw_exchange, request, serving
from support import bound_ports, says_port_taken
from upylab import paths
from upylab.bench import load
from upylab.board import pins
from upylab.catalog.apps import apps, led_pin, routes
from wsframes import accept_for, frame, read_frame, upgrade

pytestmark = [pytest.mark.board, pytest.mark.long(75), pytest.mark.timeout(300)]   # one group: ~75 s
PIN = led_pin()
JSON = {"Content-Type": "application/json"}
ERROR = {"error": 'send {"on": true} or {"on": false}'}


def per_app(names=(), cases=lambda framework: [()]):
    """Parametrise a test over each app and its cases: ``cases(framework)`` lists the
    values of ``names`` that concern that app (none: the test is not about it)."""
    def mark(test):
        test.per_app = (names, cases)
        return test
    return mark


def pytest_generate_tests(metafunc):
    if "app" not in metafunc.fixturenames:
        return
    names, cases = getattr(metafunc.function, "per_app", ((), lambda framework: [()]))
    params = [pytest.param(framework, *case, id="-".join([framework, *(str(value) for value in case)]))
              for framework in FRAMEWORKS for case in cases(framework)]
    metafunc.parametrize(["app", *names], params, indirect=["app"], scope="module")


def websocket(framework):
    """The app's WebSocket route as the one case, where it has one."""
    return [(apps()[framework].websocket,)] if apps()[framework].websocket else []


@pytest.fixture(scope="module")
def app(request, framework_cache):
    with serving(request.param) as served:
        yield served


@pytest.fixture(autouse=True)
def serving_before_each(request):
    """Each test finds its app serving: one whose run() ended (the raw-socket app's
    GET /fail, or a failed test) is started again, as a student would, so one test's
    end is not the next ones' failure in whatever order pytest runs them."""
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    try:
        lesson_apps.request(app.base, "GET", "/api/status")
    except ConnectionRefusedError:
        app.run()


@pytest.fixture
def led_off(app):
    request(app.base, "POST", "/led/off", body=b"")


def kind(headers) -> str:
    return headers.get("content-type", "").split(";")[0]


def test_every_request_of_the_boards_self_test(app):
    """The contract as the board's own self-test states it (snippets/common/selftest.py),
    in its order, as the bench checks an app (``load.check_routes``)."""
    assert load.check_routes(("127.0.0.1", app.port), len(routes())) == (True, "")


def test_led_page(app, led_off):
    status, headers, body = request(app.base, "GET", "/")
    assert (status, kind(headers)) == (200, "text/html")
    page = body.decode()
    assert page.startswith("<!DOCTYPE html><title>LED is OFF</title>")
    assert f"<h1>LED on GPIO {PIN}</h1>" in page and '<span class="state" id="state">OFF</span>' in page
    assert 'action="/led/on"' in page and 'action="/led/off"' in page
    assert '<button id="on">ON</button>' in page and '<button id="off">OFF</button>' in page
    assert 'href="/static/style.css"' in page


def test_status_is_json_and_follows_the_pin(app):
    for state, level in (("on", 1), ("off", 0)):
        request(app.base, "POST", f"/led/{state}", body=b"")
        status, headers, body = request(app.base, "GET", "/api/status")
        assert (status, kind(headers)) == (200, "application/json")
        assert json.loads(body) == {"led": level, "pin": PIN}
        assert pins.value(app.board, PIN) == level


def test_path_parameter_switches_and_redirects(app, led_off):
    status, headers, body = request(app.base, "POST", "/led/on", body=b"")
    assert (status, headers["location"], body) == (303, "/", b"")
    assert pins.value(app.board, PIN) == 1
    assert request(app.base, "GET", "/")[2].decode().startswith("<!DOCTYPE html><title>LED is ON</title>")
    assert request(app.base, "POST", "/led/toggle", body=b"")[0] == 303
    assert pins.value(app.board, PIN) == 0


def test_unknown_led_state_is_a_bad_request(app, led_off):
    request(app.base, "POST", "/led/on", body=b"")
    status, headers, body = request(app.base, "POST", "/led/blink", body=b"")
    assert (status, kind(headers), body) == (400, "text/plain", b"LED state must be on, off or toggle")
    assert pins.value(app.board, PIN) == 1                      # unchanged


def test_json_body_switches_the_led(app):
    for wanted, level in ((True, 1), (False, 0)):
        status, headers, body = request(app.base, "POST", "/api/led", json.dumps({"on": wanted}), JSON)
        assert (status, kind(headers)) == (200, "application/json")
        assert json.loads(body) == {"led": level, "pin": PIN}
        assert pins.value(app.board, PIN) == level


def test_json_body_without_its_content_type(app, led_off):
    """Read by the app that parses the body by hand; no body to a framework that wants it typed."""
    status, _, body = request(app.base, "POST", "/api/led", b'{"on": true}')
    if differences(app.framework).json_needs_content_type:
        assert (status, json.loads(body), pins.value(app.board, PIN)) == (400, ERROR, 0)
    else:
        assert (status, json.loads(body), pins.value(app.board, PIN)) == (200, {"led": 1, "pin": PIN}, 1)


def test_header_names(app, led_off):
    """HTTP header names are case-insensitive; a framework that reads them as spelled
    does not see this request's body (its lesson shows it)."""
    status, _, body = request(app.base, "POST", "/api/led", b'{"on": true}',
                              {"content-type": "application/json", "content-length": "12"})
    if differences(app.framework).header_names == "as spelled":
        assert (status, json.loads(body), pins.value(app.board, PIN)) == (400, ERROR, 0)
    else:
        assert (status, json.loads(body), pins.value(app.board, PIN)) == (200, {"led": 1, "pin": PIN}, 1)


BAD_BODIES = (b"{not json", b'{"off": 1}', b"[1, 2]", b"")


def bad_bodies(framework):
    """Each bad body, sent as JSON and with no content type, but the one a framework
    answers with its own empty 400 (a difference its lesson shows)."""
    own = differences(framework).own_400_for_bad_json
    return [(body, sent) for body in BAD_BODIES for sent in ("as-json", "untyped")
            if not (own and sent == "as-json" and body in (b"{not json", b""))]


@per_app(("body", "sent"), bad_bodies)
def test_a_bad_json_body_is_a_bad_request(app, body, sent):
    status, headers, answer = request(app.base, "POST", "/api/led", body, JSON if sent == "as-json" else {})
    assert (status, kind(headers)) == (400, "application/json")
    assert json.loads(answer) == ERROR


@pytest.mark.parametrize("query, greeting", [
    ("?name=Ada%20Lovelace", "Hello, Ada Lovelace!"),
    ("?name=Grace+Hopper&x=1", "Hello, Grace{plus}Hopper!"),
    ("", "Hello, world!"),
])
def test_query_string(app, query, greeting):
    status, headers, body = request(app.base, "GET", "/greet" + query)
    expected = greeting.format(plus=differences(app.framework).plus_in_query)
    assert (status, kind(headers), body.decode()) == (200, "text/plain", expected)


def test_static_file_from_flash(app):
    status, headers, body = request(app.base, "GET", "/static/style.css")
    assert (status, kind(headers)) == (200, "text/css")
    assert body == (paths.snippets_dir() / "common/static/style.css").read_bytes()


@pytest.mark.parametrize("path", ["/nowhere", "/static/missing.css", "/static/", "/static/..", "/static/..%2Fled.py",
                                  "/static/../led.py", "/led/on/extra", "/api", "/api/nothing", "/api/status/x",
                                  "/greetings"])
def test_not_found(app, path):
    status, _, body = request(app.base, "GET", path)
    assert (status, body.strip()) == (404, differences(app.framework).not_found_body)


@pytest.mark.parametrize("method, path", [("POST", "/"), ("GET", "/led/on"), ("DELETE", "/api/status")])
def test_a_method_the_route_does_not_take(app, method, path):
    status, _, body = request(app.base, method, path, b"" if method == "POST" else None)
    assert status == differences(app.framework).wrong_method
    if status == 404:                                            # as if no route matched
        assert body.strip() == differences(app.framework).not_found_body


REQUEST_LINES = (b"NONSENSE\r\n\r\n", b"GET\r\n\r\n", b"GET /\r\n\r\n")


@pytest.mark.parametrize("data", [*REQUEST_LINES, b"\xff\xfe\r\n\r\n", b"GET / HTTP/1.0\r\nno colon\r\n\r\n"])
def test_a_request_it_cannot_parse_is_a_bad_request(app, data):
    expected = {b"\xff": differences(app.framework).undecodable_request,
                b"GET / HTTP/1.0\r\nno": differences(app.framework).bad_header_line}
    answer = raw_exchange(app.base, data)
    status = next((status for start, status in expected.items() if data.startswith(start)), b"400")
    assert answer.startswith(b"HTTP/1.0 " + status + b" "), answer[:80]
    if data in REQUEST_LINES:
        body = answer.partition(b"\r\n\r\n")[2]
        assert body.startswith(b"Bad request") == differences(app.framework).says_bad_request, answer
    assert request(app.base, "GET", "/api/status")[0] == 200     # and it still serves


# -- the WebSocket echo, where the app has one -------------------------------------------

@per_app(("route",), websocket)
def test_websocket_echo_from_the_host(app, route):
    key = base64.b64encode(os.urandom(16))
    with raw_connection(app) as conn:
        lines = upgrade(conn, key, route)
        assert lines[0] == "HTTP/1.1 101 Switching Protocols"
        assert f"Sec-WebSocket-Accept: {accept_for(key)}" in lines
        for message in ("hello, board", "Grüße"):
            conn.sendall(frame(0x1, message.encode()))
            assert read_frame(conn) == (0x81, message.encode())
        conn.sendall(frame(0x2, b"\x00\x01\x02"))             # bytes come back as bytes
        assert read_frame(conn) == (0x82, b"\x00\x01\x02")
        conn.sendall(frame(0x8, struct.pack("!H", 1000)))
        assert read_frame(conn) == (0x88, differences(app.framework).websocket_close)
    assert request(app.base, "GET", "/api/status")[0] == 200     # and it still serves


@per_app(("route",), lambda framework: websocket(framework) if differences(framework).answers_ping else [])
def test_websocket_ping_is_answered_by_the_framework(app, route):
    with raw_connection(app) as conn:
        upgrade(conn, base64.b64encode(os.urandom(16)), route)
        conn.sendall(frame(0x9, b"ping"))
        assert read_frame(conn) == (0x8a, b"ping")


NOT_UPGRADES = {
    "plain": {},
    "h2c": {"Upgrade": "h2c", "Connection": "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    "no-key": {"Upgrade": "websocket", "Connection": "Upgrade"},
}


def not_upgrades(framework):
    """Each request that is not a WebSocket upgrade, but 'h2c' where the framework reads the key alone."""
    return [(route, headers) for (route,) in websocket(framework) for name, headers in NOT_UPGRADES.items()
            if name != "h2c" or differences(framework).checks_upgrade]


@per_app(("route", "headers"), not_upgrades)
def test_websocket_route_refuses_what_is_not_an_upgrade(app, route, headers):
    assert request(app.base, "GET", route, headers=headers)[0] == 400
    assert request(app.base, "POST", route, b"")[0] == differences(app.framework).wrong_method  # a GET route
    assert request(app.base, "GET", "/api/status")[0] == 200


@per_app(("route",), websocket)
def test_websocket_echo_from_a_board(app, route, mpremote, tmp_path):
    """The lessons' board-side client (snippets/common/wsclient.py), on a second virtual board."""
    script = tmp_path / "ws.py"
    script.write_text(f"""\
import asyncio, wsclient
async def main():
    for message in ('hello', 'Grüße'):
        echoed = await asyncio.wait_for(wsclient.websocket_echo('127.0.0.1', {app.port}, message, path={route!r}), 10)
        print('echo', echoed, echoed == message)
    try:
        await asyncio.wait_for(wsclient.websocket_echo('127.0.0.1', {app.port}, 'x', path='/api/status'), 10)
    except ValueError as error:
        print('refused', error)
asyncio.run(main())
""")
    mpremote("cp", str(paths.snippets_dir() / "common/wsclient.py"), ":")
    output = mpremote("run", str(script), timeout=60).stdout.splitlines()
    assert output == ["echo hello True", "echo Grüße True",
                      "refused no WebSocket upgrade: b'HTTP/1.0 200 OK\\r\\n'"], output


def raw_connection(app):
    return socket.create_connection(("127.0.0.1", app.port), timeout=10)


# -- as a student uses it ------------------------------------------------------------------

def test_led_page_buttons_in_a_browser(app, led_off, browser):
    """Debian's Chromium, driven by Playwright: ON, then OFF, as a student clicks them."""
    page = browser.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(app.base + "/")
        assert (page.title(), page.inner_text("#state"), pins.value(app.board, PIN)) == ("LED is OFF", "OFF", 0)
        assert page.eval_on_selector("#on", "b => getComputedStyle(b).backgroundColor") \
            == "rgb(46, 125, 50)"                      # the stylesheet from flash was applied
        for button, level, word in (("#on", 1, "ON"), ("#off", 0, "OFF")):
            with page.expect_navigation():
                page.click(button)
            assert page.url == app.base + "/"          # the 303 brought it back to the page
            assert pins.value(app.board, PIN) == level
            assert (page.title(), page.inner_text("#state")) == (f"LED is {word}", word)
    finally:
        page.close()


def test_stop_button_then_run_again(app):
    """■ (Ctrl-C at the board's own REPL) stops run(), which lets go of its port, and
    run() serves again.

    The lessons tell students to stop the server with the stop button and run
    the cell again: run() must close its listening socket when interrupted, or
    the second run fails with EADDRINUSE.  (In a notebook the kernel also
    cancels the stopped cell's tasks: test_stop_button.py.)  Where the framework
    keeps no handle on its server, the port stays bound until a soft reset, as
    its lesson says.
    """
    stopped = app.session.stop()
    assert b"KeyboardInterrupt" in stopped and not says_port_taken(stopped), stopped
    if differences(app.framework).lets_go_at_the_prompt:
        assert bound_ports(app.board) == []
    else:
        assert bound_ports(app.board) == [80]
        app.run()        # its new server cannot bind; the old one, picked up by the new loop, answers
        deadline = time.monotonic() + 10
        while not says_port_taken(app.session.console):
            assert time.monotonic() < deadline, app.session.console
            time.sleep(0.05)
        app.session.fresh()
    app.run()
    assert answering(app.base) == 200


def test_a_route_that_raises(app):
    """``GET /fail``: its handler raises RuntimeError, and the client gets what the
    framework's own error handling does (``upylab bench`` measures it as case
    ``handler_raises``).  An app may end here (the raw-socket one does):
    ``serving_before_each`` starts it again for the next test."""
    status, serves_after = differences(app.framework).fail
    answer = raw_exchange(app.base, b"GET /fail HTTP/1.0\r\nHost: x\r\n\r\n")
    if status:
        assert answer.split(b" ")[1] == status, answer[:80]
    else:
        assert answer == b"", answer[:80]          # closed without an answer
    if serves_after:
        assert request(app.base, "GET", "/api/status")[0] == 200
    else:
        assert_stops_listening(app.base)


def assert_stops_listening(base, timeout=10.0):
    """The app's run() has ended: its port refuses connections (a connection
    that reaches the listening socket while it closes is reset first)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            status = request(base, "GET", "/api/status", timeout=2)[0]
        except ConnectionRefusedError:
            return
        except ConnectionResetError:
            assert time.monotonic() < deadline, f"still accepting after {timeout} s"
            continue
        raise AssertionError(f"the app still serves ({status})")


def test_every_difference_is_of_a_framework_with_an_app():
    assert set(DIFFERENCES) <= set(FRAMEWORKS)
