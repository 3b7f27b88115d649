"""Lesson 07's reference app (snippets/aioweb/) on a virtual board: what the lesson teaches about aioweb.

micropython-aioweb's web.py comes from GitHub (or a mirror of it) at the
pinned commit, unpatched (``upylab install aioweb``); where neither can be
reached every test here skips with the install tool's reason.  Every
route, the WebSocket echo, and how aioweb answers otherwise than the
contract (404 for a method no route takes, its close frame), are tested
for every framework by ``test_contract.py``.  Here: what the lesson
teaches about aioweb and what the app adds to it: exact routes plus the
app's prefix routes, a query name without a value, answers (and files) by
hand, the WebSocket route's own answer to plain HTTP, and that it is
asyncio (a client that sends nothing does not hold the others up).
"""
import socket

import pytest

from lesson_apps import app_fixtures, request

pytestmark = pytest.mark.timeout(180)

app_board, board, app = app_fixtures("aioweb")


def test_a_query_name_without_a_value(app):
    """web.parse_qs gives True for a name without '=': the app greets the world."""
    assert request(app, "GET", "/greet?name")[::2] == (200, b"Hello, world!")


def test_a_file_by_hand_says_its_length(app):
    status, headers, body = request(app, "GET", "/static/style.css")
    assert (status, headers["content-length"]) == (200, str(len(body)))


@pytest.mark.parametrize("method, path", [("POST", "/led/on/extra"), ("GET", "/static/")])
def test_a_prefix_route_takes_only_what_it_names(app, method, path):
    assert request(app, method, path, body=b"" if method == "POST" else None)[::2] == (404, b"Not found")


def test_the_websocket_route_answers_plain_http_itself(app):
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
