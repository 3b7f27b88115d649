"""Lesson 04's reference app (snippets/tinyweb/) on a virtual board: what the lesson teaches about TinyWeb.

TinyWeb comes from GitHub with micropython-lib's logging (``upylab install
tinyweb``, from a mirror where one is given); with neither, every test here
skips with the install tool's reason.  Every route, and how TinyWeb answers
otherwise than the contract (405, an empty body, header names as spelled),
is tested for every framework by ``test_contract.py``.  Here: what the
lesson teaches about TinyWeb itself: the CORS header of its resources, its
own 400 for a body it cannot parse as JSON, HEAD on a GET route, and that
it serves at most ``max_concurrency`` (3) connections at once, a silent one
for up to ``request_timeout`` (3 s).  On a board of its own, driven
through the REPL as a student does: the stop button (Ctrl-C) with a
connection open, then ``run()`` again, and the two upstream failures the
lesson works around (the release v1.3.5 on current asyncio, a bad request
without the app's subclass).
"""
import contextlib
import errno
import socket
import time
from pathlib import Path

import pytest

from lesson_apps import answering, app_fixtures, repl as board_repl, request
from support import says_port_taken
from upylab.install import cache, recipes

pytestmark = pytest.mark.timeout(180)

app_board, board, app = app_fixtures("tinyweb")

# TinyWeb's latest release, v1.3.5 (98b4a99), which the lesson says fails on
# current asyncio; fetched like any pinned part (the mirror holds it too).
RELEASE = recipes.Part(
    id="tinyweb", part="tinyweb-v1.3.5", role="framework", source="github:belyalov/tinyweb",
    fetch="raw", pin="98b4a99eb461fe3664bfd7952b3e31d0fdac9475", artifact="tinyweb/server.py",
    sha256="9046711fe248fd1e382a0d5169d05020a0bc0306c6db68f8c648566e318d014a", strip="",
    files=("tinyweb/server.py",), patches=(), import_name="", notes="")
PASTE_RELEASE = b"""import asyncio, tinyweb_v1_3_5 as release
async def main():
    release.webserver().run(host='0.0.0.0', port=80, loop_forever=False)
    await asyncio.sleep_ms(200)
asyncio.run(main())
print('done')
"""


def test_resources_add_cors_headers(app):
    status, headers, _ = request(app, "GET", "/api/status")
    assert (status, headers["access-control-allow-origin"]) == (200, "*")


@pytest.mark.parametrize("body", [b"{not json", b""])
def test_a_body_it_cannot_parse_as_json_is_tinywebs_own_400(app, body):
    status, headers, answer = request(app, "POST", "/api/led", body=body,
                                      headers={"Content-Type": "application/json"})
    assert (status, answer) == (400, b"")
    assert "content-type" not in headers


def test_head_on_a_get_route_is_405(app):
    assert request(app, "HEAD", "/")[0] == 405


def seconds_to_answer(app, silent):
    """How long GET /api/status takes while ``silent`` clients are connected, sending nothing."""
    host, port = app[len("http://"):].split(":")
    clients = [socket.create_connection((host, int(port)), timeout=5) for _ in range(silent)]
    try:
        started = time.monotonic()
        assert request(app, "GET", "/api/status", timeout=10)[0] == 200
        return time.monotonic() - started
    finally:
        for client in clients:
            client.close()


def test_three_silent_clients_hold_the_fourth_until_the_request_timeout(app):
    """max_concurrency=3: the server stops accepting while 3 connections are
    open; request_timeout=3 s ends a client that sends nothing."""
    held, free = seconds_to_answer(app, 3), seconds_to_answer(app, 2)
    assert held > 2.0                                       # the 3 s request timeout, less slack
    assert free < held / 4                                  # two are not the limit


# -- on a board of its own, through the REPL --------------------------------------------

@pytest.fixture(scope="module")
def repl(framework_cache):
    """TinyWeb and the lesson's files on a fresh board; its REPL, as a terminal has it."""
    with board_repl("tinyweb") as line:
        yield line


@contextlib.contextmanager
def typed(line, statement: bytes):
    """``statement`` typed at the REPL; Ctrl-C (the stop button) afterwards.
    Yields the list that receives the output up to the next prompt."""
    line.friendly()
    line.write(statement + b"\r")
    output = []
    try:
        yield output
    finally:
        line.write(b"\x03")
        output.append(line.read_until(b">>> ", timeout=10))


def test_stop_button_then_run_again(repl):
    """run(), Ctrl-C with a connection still open, run() again: no EADDRINUSE,
    the app answers, and the connection the stop interrupted was closed."""
    base = repl.base
    with typed(repl, b"import led_tinyweb; led_tinyweb.run()") as first:
        assert answering(base) == 200
        host, port = base[len("http://"):].split(":")
        interrupted = socket.create_connection((host, int(port)), timeout=10)
        time.sleep(0.2)                                  # let the server accept it
    with interrupted:
        assert interrupted.recv(1) == b""                # closed by run()'s clean-up, not left open
    with typed(repl, b"led_tinyweb.run()") as second:
        assert answering(base) == 200
        assert request(base, "GET", "/")[0] == 200
    output = b"".join(first + second)
    assert output.count(b"KeyboardInterrupt") == 2, output.decode(errors="replace")
    assert not says_port_taken(output) and b"Task exception" not in output, output.decode(errors="replace")


def test_release_v1_3_5_fails_on_current_asyncio(repl):
    """The lesson pins master: the latest release's server task dies at once."""
    release, _ = cache.ensure(RELEASE, log=lambda message: None)
    (Path(repl.board.flash) / "tinyweb_v1_3_5.py").write_bytes(release.read_bytes())
    try:
        repl.friendly()
        repl.write(b"\x05" + PASTE_RELEASE + b"\x04")           # paste mode, as a terminal pastes
        output = repl.read_until(b"done\r\n>>> ", timeout=20).decode(errors="replace")
    finally:
        (Path(repl.board.flash) / "tinyweb_v1_3_5.py").unlink()
    assert "Task exception wasn't retrieved" in output and "AttributeError: IORead" in output, output


def test_a_bare_webserver_resets_a_bad_request(repl):
    """Without the app's subclass, TinyWeb closes a bad request's socket with
    bytes unread: the virtual board's TCP (the host's) resets the connection,
    and the client may lose the 400.  (With it: test_contract.py's bad requests.)"""
    base = repl.base
    try:
        with typed(repl, b"import tinyweb.server, led_tinyweb; bare = tinyweb.server.webserver(); "
                         b"bare.add_route('/', led_tinyweb.index); bare.run(host='0.0.0.0', port=80)"):
            assert answering(base, "/") == 200
            host, port = base[len("http://"):].split(":")
            with socket.create_connection((host, int(port)), timeout=10) as client:
                client.sendall(b"GET / HTTP/1.0\r\nno colon\r\n\r\n")
                deadline = time.monotonic() + 10
                while not (error := client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)):
                    assert time.monotonic() < deadline, "the connection was not reset"
                    time.sleep(0.02)
        assert error == errno.ECONNRESET
    finally:
        repl.write(b"bare._server_coro.close(); import asyncio; asyncio.new_event_loop()\r")
        repl.read_until(b">>> ")
