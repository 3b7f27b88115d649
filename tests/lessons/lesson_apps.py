"""The one harness of ``tests/lessons/``: a lesson's reference app, live on a virtual board.

Every framework with a reference app in ``data/apps.csv`` is served the way
its lesson serves it: the framework installed with ``upylab install`` (as
a user runs it; a framework that cannot be fetched here skips with the
install tool's reason), the app's snippet files put where ``%upylab send``
puts them, its ``run()`` typed at the board's REPL, driven by the bench's
own session (``upylab.bench.runner.Session``: it reads the board's console
while the app serves, as a terminal would).

    FRAMEWORKS                     every framework with a reference app (data/apps.csv)
    DIFFERENCES, differences(id)   each framework's documented differences from the contract
    module_board(heap)             a fresh virtual board in a state folder of its own
    prepared(id)                   a fresh board with the framework and the app's files
    serving(id)                    ... and the app's run() serving: a ``Served``
    repl(id)                       ... or the board's REPL, at a fresh prompt (a ``Link``,
                                   with ``board`` and the app's ``base`` URL)
    app_fixtures(id)               a framework module's fixtures: app_board, board, app
    request, raw_exchange, answering   one request from the host, as a browser or curl

``UPYLAB_SNIPPETS`` and ``UPYLAB_DATA`` point the whole harness at other
copies (a broken route, a framework added as data only).  Fetched
frameworks go to the run's cache (the ``framework_cache`` fixture).
"""
import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import pytest

from support import stop_and_check
from upylab import snippets
from upylab.bench import runner
from upylab.board import presets, registry
from upylab.catalog.apps import apps
from upylab.install import cache, recipes
from upylab.link.transport import Link

FRAMEWORKS = list(apps())
INSTALL_TIMEOUT = 240
START_TIMEOUT = 20          # seconds for the app to answer its first request
HTTP_TIMEOUT = 10


@dataclass(frozen=True)
class Differences:
    """Where a framework's app answers otherwise than the reference contract
    (notebooks/README.md): by the framework's design, each shown in its lesson or
    cited here at the pinned source."""

    not_found_body: bytes = b"Not found"     # the body of a 404
    wrong_method: int = 404                  # a method a route does not take
    header_names: str = "any case"           # or "as spelled": Content-Type, Content-Length only
    own_400_for_bad_json: bool = False       # a body it cannot parse, sent as JSON: its own empty 400
    json_needs_content_type: bool = False    # a JSON body without 'Content-Type: application/json' is none
    says_bad_request: bool = True            # a request line it cannot parse: 'Bad request' in the 400
    plus_in_query: str = " "                 # what a '+' in the query string becomes
    undecodable_request: bytes = b"400"      # a request line of bytes that are not UTF-8
    bad_header_line: bytes = b"400"          # a header line without a colon
    lets_go_at_the_prompt: bool = True       # Ctrl-C at a board's own REPL: run() frees port 80
    fail: tuple = (b"500", True)             # GET /fail: what the client gets, does it serve on
    websocket_close: bytes = b""             # the payload of its answer to a close frame
    checks_upgrade: bool = True              # a WebSocket route refuses 'Upgrade: h2c'
    answers_ping: bool = False               # a WebSocket ping: a pong from the framework itself


DIFFERENCES = {
    # serve_one catches ValueError and OSError only: a handler's RuntimeError ends run();
    # it reads only the headers it needs, and skips a line it cannot split
    "raw-socket": Differences(fail=(b"", False), bad_header_line=b"200"),
    # request.json is None unless the body is sent as JSON
    "microdot": Differences(wrong_method=405, json_needs_content_type=True, answers_ping=True),
    # TinyWeb answers its own errors with an empty body, reads two header names as spelled,
    # and parses a body only when it is sent as JSON
    "tinyweb": Differences(not_found_body=b"", wrong_method=405, header_names="as spelled",
                           own_400_for_bad_json=True, json_needs_content_type=True,
                           says_bad_request=False),
    # App.handle_exc: once a route runs, picoWeb only hangs up; it keeps no handle on its
    # server, so after Ctrl-C at a board's own REPL port 80 stays bound (lesson 05)
    "picoweb": Differences(not_found_body=b"404", wrong_method=405, fail=(b"", True),
                           lets_go_at_the_prompt=False),
    # web.App._dispatch closes the connection (asyncio logs the error); its close frame echoes
    # the status; WebSocket.upgrade reads the key alone, not the Upgrade header:
    # https://github.com/wybiral/micropython-aioweb/blob/e82d698b4cfb8f69cc74b94366b4c2b546b24600/web.py#L122-L133
    "aioweb": Differences(fail=(b"", True), websocket_close=b"\x03\xe8", checks_upgrade=False),
    # utils.unquote leaves '+' as it is (lesson 06); bytes it cannot decode reach the app's
    # on_error hook, its 500, as an undecodable query string does (lesson 06); header lines
    # are split only for the names the app asks for
    "micropyserver": Differences(plus_in_query="+", undecodable_request=b"500", bad_header_line=b"200"),
}


def differences(framework) -> Differences:
    """A framework added as data alone answers as the contract says."""
    return DIFFERENCES.get(framework, Differences())


@contextlib.contextmanager
def module_board(heap=presets.DEFAULT):
    """A fresh virtual board for a module's tests, in a state folder of its own;
    stopped afterwards (and it fails if a board process outlives it)."""
    folder = tempfile.mkdtemp(prefix="upylab-lesson-state-")
    previous = os.environ.get("UPYLAB_STATE_DIR")
    os.environ["UPYLAB_STATE_DIR"] = folder
    try:
        record = registry.start(name="lesson", heap=heap)
        try:
            yield record
        finally:
            stop_and_check(record.name)
    finally:
        if previous is None:
            os.environ.pop("UPYLAB_STATE_DIR", None)
        else:
            os.environ["UPYLAB_STATE_DIR"] = previous
        shutil.rmtree(folder, ignore_errors=True)


def install_or_skip(framework, board, *options):
    """Fetch (or skip with why), then install with the real command line; nothing for a builtin."""
    if not recipes.parts_for(framework):
        return ""
    for part in recipes.parts_for(framework):
        try:
            cache.ensure(part, log=lambda message: None)
        except cache.FetchError as error:
            pytest.skip(f"cannot install {framework} here: {error}")
    result = subprocess.run([sys.executable, "-m", "upylab", "install", framework,
                             "--board", board.name, *options],
                            capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    assert result.returncode == 0, f"upylab install {framework} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@contextlib.contextmanager
def prepared(framework, heap=presets.DEFAULT):
    """A fresh board with the framework installed and its app's files in flash."""
    with module_board(heap) as board:
        install_or_skip(framework, board)
        snippets.deploy(board.flash, apps()[framework].snippets)
        yield board


@dataclass
class Served:
    framework: str
    board: registry.BoardRecord
    session: runner.Session

    @property
    def port(self) -> int:
        return self.board.host_port(80)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self):
        """``import <module>; <module>.run()`` at the REPL: serving once it answers (again
        after the stop button, as the lessons tell students to)."""
        self.session.start(apps()[self.framework], "run", timeout=START_TIMEOUT)


@contextlib.contextmanager
def serving(framework):
    """The app's ``run()`` on a fresh board, as the lesson's browser cell starts it."""
    with prepared(framework) as board:
        target = runner.Target(board.device, f"virtual board {board.name!r}", "virtual", board.heap,
                               board.heap_bytes, "127.0.0.1", board.host_port(80))
        session = runner.Session(target)
        try:
            served = Served(framework, board, session)
            served.run()
            yield served
        finally:
            session.stop()
            session.close()


@contextlib.contextmanager
def repl(framework):
    """The app's files on a fresh board, and its REPL at a fresh prompt, as a terminal has it."""
    with prepared(framework) as board:
        line = Link.open(board.device)
        try:
            line.friendly()
            line.board, line.base = board, f"http://127.0.0.1:{board.host_port(80)}"
            yield line
        finally:
            line.close()


def app_fixtures(framework):
    """``app_board, board, app = app_fixtures(ID)`` in a framework's module: its app served
    on one board for the module (``app_board``, a ``Served``); each test starts with the
    LED off (``board``, the board's record); ``app`` is the base URL."""

    @pytest.fixture(scope="module")
    def app_board(framework_cache):
        with serving(framework) as served:
            yield served

    @pytest.fixture
    def board(app_board):
        request(app_board.base, "POST", "/led/off", body=b"")
        return app_board.board

    @pytest.fixture
    def app(board, app_board):
        return app_board.base

    return app_board, board, app


def request(base, method, path, body=None, headers=None, timeout=HTTP_TIMEOUT):
    """One request from the host; (status, lower-case headers, body bytes)."""
    host, port = base[len("http://"):].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read())
    finally:
        connection.close()


def raw_exchange(base, data: bytes, timeout=HTTP_TIMEOUT) -> bytes:
    """Send bytes as they are (say, a broken request); everything the server answers.

    A server that answers, then closes without reading what is left of the
    request, makes the host's TCP report a reset: what came before it is the answer.
    """
    host, port = base[len("http://"):].split(":")
    reply = b""
    with socket.create_connection((host, int(port)), timeout=timeout) as client:
        client.sendall(data)
        try:
            while chunk := client.recv(4096):
                reply += chunk
        except ConnectionResetError:
            pass
    return reply


def answering(base, path="/api/status", timeout=START_TIMEOUT):
    """The status of ``path`` once the app answers (run() prints before it listens)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return request(base, "GET", path, timeout=2)[0]
        except OSError:
            assert time.monotonic() < deadline, f"{base}{path} did not answer within {timeout} s"
            time.sleep(0.1)
