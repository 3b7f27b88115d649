"""Lesson 06's reference app (snippets/micropyserver/) on a virtual board: what the lesson teaches.

micropyserver comes from GitHub (or a mirror of it) at the pinned commit
(``upylab install micropyserver``); where neither can be reached every test
here skips with the install tool's reason.  Every route, and how the app
answers otherwise than the contract ('+' in a query string, the on_error
hook's 500 for bytes it cannot decode), is tested for every framework by
``test_contract.py``.  Here: what the lesson teaches about micropyserver
and what the app adds to it: the blocking style (one client that connects
and sends nothing holds every other client up, and the app's server
outlives the client that gave up meanwhile), the hooks' 500, and that the
stop button leaves nothing bound, also before the first client: run()
starts again.
"""
import socket

import pytest

from lesson_apps import answering, app_fixtures, repl as board_repl, request
from support import bound_ports

pytestmark = pytest.mark.timeout(180)

app_board, board, app = app_fixtures("micropyserver")


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

@pytest.fixture
def repl(framework_cache):
    """A board of its own with the app's files, at a friendly prompt, as the
    lesson's kernel leaves it (the module's app_board is busy serving)."""
    with board_repl("micropyserver") as line:
        line.write(b"import led_micropyserver\r")
        line.read_until(b">>> ", timeout=10)
        yield line


@pytest.mark.parametrize("before_stop", ["no client", "one request"])
def test_stop_button_then_run_again(repl, before_stop):
    """■ (Ctrl-C on the REPL) ends run() with KeyboardInterrupt, port 80 is free,
    and run() serves again.

    micropyserver's start() never closes its listening socket (run() again
    would fail with EADDRINUSE), and before its first client it closes a
    connection that is None (Ctrl-C would end in AttributeError): run()
    calls stop() in a finally, and the app's server starts with NoClient.
    """
    for attempt in range(2):
        repl.write(b"led_micropyserver.run()\r")
        started = repl.read_until(b"Server start", timeout=20)   # printed once it listens
        if before_stop == "one request" or attempt:
            assert answering(repl.base) == 200
        repl.write(b"\x03")
        stopped = repl.read_until(b">>> ", timeout=10)
        output = (started + stopped).decode(errors="replace")
        assert "KeyboardInterrupt" in output and "Error" not in output, output
        assert "Server stop" in output, output
        assert bound_ports(repl.board) == [], output
