"""Lesson 04's reference app (snippets/tinyweb/) on a virtual board, from the host.

TinyWeb comes from GitHub with micropython-lib's logging (``upylab install
tinyweb``); where GitHub is unreachable every test here skips with the
install tool's reason.  Besides every route, it checks what the lesson
teaches about TinyWeb itself: methods are per route (405), request header
names are case-sensitive, it answers its own errors with an empty body, and
it serves at most ``max_concurrency`` (3) connections at once, a silent one
for up to ``request_timeout`` (3 s).
"""
import json
import socket
import time

import pytest

from lesson_apps import SNIPPETS, app_fixtures, raw_exchange, request
from upylab.board import pins

pytestmark = pytest.mark.timeout(180)

app_board, board, app = app_fixtures("tinyweb")


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


def test_json_status_from_a_resource(app):
    status, headers, body = request(app, "GET", "/api/status")
    assert (status, headers["content-type"]) == (200, "application/json")
    assert json.loads(body) == {"led": 0, "pin": 2}
    assert headers["access-control-allow-origin"] == "*"       # TinyWeb adds CORS headers to resources


def test_post_json_sets_the_led(app, board):
    status, headers, body = request(app, "POST", "/api/led", body=b'{"on": true}',
                                    headers={"Content-Type": "application/json"})
    assert (status, headers["content-type"], json.loads(body)) == (200, "application/json", {"led": 1, "pin": 2})
    assert pins.value(board, 2) == 1


def test_header_names_are_case_sensitive(app, board):
    """TinyWeb saves b'Content-Type' and b'Content-Length' only as spelled so:
    the same request with lower-case names arrives without a body."""
    status, _, body = request(app, "POST", "/api/led", body=b'{"on": true}',
                              headers={"content-type": "application/json", "content-length": "12"})
    assert (status, json.loads(body)) == (400, {"error": 'send {"on": true} or {"on": false}'})
    assert pins.value(board, 2) == 0


@pytest.mark.parametrize("body, content_type", [(b'{"off": 1}', "application/json"),
                                                (b"[1, 2]", "application/json"),
                                                (b"{not json", None), (b"", None)])
def test_post_a_body_without_on_is_400_json(app, body, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    status, reply_headers, reply = request(app, "POST", "/api/led", body=body, headers=headers)
    assert (status, reply_headers["content-type"]) == (400, "application/json")
    assert json.loads(reply) == {"error": 'send {"on": true} or {"on": false}'}


def test_post_json_that_does_not_parse_is_tinywebs_own_400(app):
    status, headers, body = request(app, "POST", "/api/led", body=b"{not json",
                                    headers={"Content-Type": "application/json"})
    assert (status, body) == (400, b"")
    assert "content-type" not in headers


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


@pytest.mark.parametrize("path", ["/static/missing.css", "/nowhere", "/static/..", "/static/",
                                  "/led/on/extra"])
def test_not_found(app, path):
    assert request(app, "GET", path)[::2] == (404, b"")         # TinyWeb's own 404: no body


@pytest.mark.parametrize("method, path", [("POST", "/"), ("GET", "/led/on"), ("DELETE", "/api/status"),
                                          ("HEAD", "/")])
def test_wrong_method_is_405(app, method, path):
    assert request(app, method, path)[0] == 405


@pytest.mark.parametrize("data", [b"NONSENSE\r\n\r\n", b"GET /\r\n\r\n", b"GET / HTTP/1.0\r\nno colon\r\n\r\n"])
def test_bad_request_is_400(app, data):
    assert raw_exchange(app, data).startswith(b"HTTP/1.0 400 ")
    assert request(app, "GET", "/api/status")[0] == 200       # and the server still serves


def test_three_silent_clients_hold_the_fourth_until_the_request_timeout(app):
    """max_concurrency=3: the server stops accepting while 3 connections are
    open; request_timeout=3 s ends a client that sends nothing."""
    host, port = app[len("http://"):].split(":")
    silent = [socket.create_connection((host, int(port)), timeout=5) for _ in range(3)]
    try:
        started = time.monotonic()
        assert request(app, "GET", "/api/status", timeout=10)[0] == 200
        assert 2.0 < time.monotonic() - started < 8.0
    finally:
        for client in silent:
            client.close()
    silent = [socket.create_connection((host, int(port)), timeout=5) for _ in range(2)]
    try:
        started = time.monotonic()
        assert request(app, "GET", "/api/status", timeout=10)[0] == 200
        assert time.monotonic() - started < 1.5              # two are not the limit
    finally:
        for client in silent:
            client.close()
