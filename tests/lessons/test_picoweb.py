"""Lesson 05's reference app (snippets/picoweb/) on a virtual board, from the host.

picoWeb 1.8.2 from PyPI, installed with ``upylab install picoweb`` (as
published, on MicroPython's own uasyncio), started with the snippet's
``run()`` as the lesson's browser cell does; every route is requested
with Python's http.client, as a browser would.
"""
import json

import pytest

from lesson_apps import SNIPPETS, app_fixtures, raw_exchange, request

pytestmark = pytest.mark.timeout(180)

app_board, board, app = app_fixtures("picoweb")


def test_page_is_the_template_with_the_led_state(app):
    status, headers, body = request(app, "GET", "/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    page = body.decode()
    assert page.startswith("<!DOCTYPE html><title>LED is OFF</title>")
    assert '<span class="state" id="state">OFF</span>' in page
    assert '<button id="on">ON</button>' in page and '<button id="off">OFF</button>' in page
    assert "{{" not in page and "{%" not in page       # the template was rendered


def test_path_parameter_switches_the_led_and_redirects(app, board):
    from upylab.board import pins
    status, headers, body = request(app, "POST", "/led/on", body=b"")
    assert (status, headers["location"], body) == (303, "/", b"")
    assert pins.value(board, 2) == 1
    assert request(app, "GET", "/")[2].decode().startswith("<!DOCTYPE html><title>LED is ON</title>")
    assert request(app, "POST", "/led/toggle", body=b"")[0] == 303
    assert pins.value(board, 2) == 0


def test_unknown_led_state_is_400_and_changes_nothing(app, board):
    from upylab.board import pins
    status, headers, body = request(app, "POST", "/led/blink", body=b"")
    assert (status, headers["content-type"], body) == (400, "text/plain", b"LED state must be on, off or toggle")
    assert pins.value(board, 2) == 0


def test_json_status(app):
    status, headers, body = request(app, "GET", "/api/status")
    assert (status, headers["content-type"]) == (200, "application/json")
    assert json.loads(body) == {"led": 0, "pin": 2}


def test_post_json_sets_the_led(app, board):
    from upylab.board import pins
    status, headers, body = request(app, "POST", "/api/led", body=b'{"on": true}',
                                    headers={"Content-Type": "application/json"})
    assert (status, headers["content-type"], json.loads(body)) == (200, "application/json", {"led": 1, "pin": 2})
    assert pins.value(board, 2) == 1
    # Header names in any case (HTTP says they are case-insensitive; picoWeb keeps them as sent).
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
    ("", b"Hello, world!"),
])
def test_query_string(app, query, answer):
    assert request(app, "GET", "/greet" + query)[::2] == (200, answer)


def test_static_file_from_flash(app):
    status, headers, body = request(app, "GET", "/static/style.css")
    assert (status, headers["content-type"]) == (200, "text/css")
    assert body == (SNIPPETS / "common" / "static" / "style.css").read_bytes()


@pytest.mark.parametrize("path", ["/static/missing.css", "/nowhere", "/static/..", "/led/on/extra"])
def test_not_found(app, path):
    status, _, body = request(app, "GET", path)
    assert (status, body.strip()) == (404, b"404")     # picoWeb's own 404 page


@pytest.mark.parametrize("method, path", [("POST", "/"), ("GET", "/led/on"), ("DELETE", "/api/status")])
def test_wrong_method_is_405(app, method, path):
    status, headers, _ = request(app, method, path)
    assert status == 405


@pytest.mark.parametrize("data", [b"NONSENSE\r\n\r\n", b"GET /\r\n\r\n", b"GET / HTTP/1.0\r\nno colon\r\n\r\n"])
def test_bad_request_is_400(app, data):
    reply = raw_exchange(app, data)
    assert reply.startswith(b"HTTP/1.0 400 "), reply
    assert reply.endswith(b"\r\n\r\nBad request")
    assert request(app, "GET", "/api/status")[0] == 200       # and the server still serves
