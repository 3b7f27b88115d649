"""``GET /fail``, the reference app's route with a bug, in every lesson's app.

Its handler raises ``RuntimeError``, and what the client gets is the
framework's own error handling, left as it is: the robustness suite of
``upylab bench`` measures it (case ``handler_raises``), and this pins what
each app does.  Each app runs on a fresh board of its own, since the
raw-socket app's ``run()`` ends with the exception.
"""
import time

import pytest

from lesson_apps import install_or_skip, module_board, raw_exchange, request, send, served
from upylab.catalog.apps import apps
from upylab.install import recipes

pytestmark = [pytest.mark.board, pytest.mark.timeout(300)]

# framework: (what the client gets, does the app serve afterwards)
EXPECTED = {
    "raw-socket": (b"", False),             # serve_one catches ValueError and OSError only: run() ends
    "microdot": (b"500", True),             # Microdot answers 500 itself
    "tinyweb": (b"500", True),              # TinyWeb answers 500 itself
    "picoweb": (b"", True),                 # App.handle_exc: once a route runs, it only hangs up
    "aioweb": (b"", True),                  # App._dispatch closes the connection; asyncio logs the error
    "micropyserver": (b"500", True),        # the app's on_error hook
}


def test_every_app_is_listed():
    assert set(EXPECTED) == set(apps())


@pytest.mark.parametrize("framework", sorted(EXPECTED))
def test_a_route_that_raises(framework, framework_cache):
    app = apps()[framework]
    status, serves_after = EXPECTED[framework]
    with module_board() as board:
        if recipes.parts_for(framework):
            install_or_skip(framework, board)
        send(board, *app.snippets)
        with served(board, app.module) as base:
            answer = raw_exchange(base, b"GET /fail HTTP/1.0\r\nHost: x\r\n\r\n")
            if status:
                assert answer.split(b" ")[1] == status, answer[:80]
            else:
                assert answer == b"", answer[:80]          # closed without an answer
            if serves_after:
                assert request(base, "GET", "/api/status")[0] == 200
            else:
                assert_stops_listening(base)


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
