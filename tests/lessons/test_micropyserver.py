"""Lesson 06's reference app (snippets/micropyserver/) on a virtual board, from the host.

micropyserver comes from GitHub (``upylab install micropyserver``); where
GitHub is unreachable every test here skips with the install tool's reason.
Besides every route, it checks the blocking style the lesson teaches: one
client that connects and sends nothing holds every other client up.
"""
import json
import socket

import pytest

from lesson_apps import SNIPPETS, app_fixtures, raw_exchange, request
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


def test_one_silent_client_holds_everyone_up(app):
    """The blocking style: start() waits in recv() for the first client's request."""
    host, port = app[len("http://"):].split(":")
    silent = socket.create_connection((host, int(port)), timeout=5)
    try:
        with pytest.raises(socket.timeout):
            request(app, "GET", "/api/status", timeout=2)
    finally:
        silent.close()
    assert request(app, "GET", "/api/status")[0] == 200
