"""A lesson's reference app running on a virtual board, for host-side tests.

``app`` (module-scoped, one board per app and module) puts the lesson's
snippet files on the board's flash exactly where ``%upylab send`` puts
them (``magics.snippet_files``), installs the framework (Microdot as
``.mpy``, from a session cache; skipped with the reason if it cannot be
fetched), starts ``<module>.run()`` in the board's REPL and yields the
board with the app's base URL.  ``UPYLAB_SNIPPETS`` points the whole
thing at another snippets folder (the broken-route test uses it).
"""
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

from support import stop_and_check
from upylab import snippets
from upylab.board import presets, registry
from upylab.install import cache, recipes
from upylab.link.transport import Link


# framework id -> (snippet folder sent with common/, module with run(), installed framework)
APPS = {
    "raw-socket": ("raw-socket", "led_raw", None),
    "microdot": ("microdot", "led_microdot", "microdot"),
}
COMMON = ["common/led.py", "common/aclient.py", "common/selftest.py", "common/wsclient.py", "common/static"]
START_TIMEOUT = 20


@dataclass
class App:
    board: registry.BoardRecord
    base: str          # http://127.0.0.1:PORT
    port: int          # host port of the board's port 80
    line: Link         # the board's REPL, where run() was typed


def deploy(board, folder):
    """Copy the lesson's snippet files into the board's flash, as %upylab send does
    (the copying itself is upylab.bench.apps.deploy, shared with ``upylab bench``)."""
    snippets.deploy(board.flash, [*COMMON, folder])


def install(board, framework, cache_dir):
    for part in recipes.parts_for(framework):
        try:
            cache.ensure(part, log=lambda message: None)
        except cache.FetchError as error:
            pytest.skip(f"cannot fetch {framework} here: {error}")
    result = subprocess.run(
        [sys.executable, "-m", "upylab", "install", framework, "--offline",
         "--board", board.name], capture_output=True, text=True, timeout=240,
        env=dict(os.environ, UPYLAB_CACHE_DIR=str(cache_dir)))
    assert result.returncode == 0, result.stdout + result.stderr


def wait_listening(port, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


@pytest.fixture(scope="module")
def lesson_env(tmp_path_factory, framework_cache):
    """A state folder of this module's own; frameworks from the run's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UPYLAB_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        yield framework_cache


def start_app(framework, cache_dir):
    folder, module, installed = APPS[framework]
    board = registry.start(name=f"lesson-{framework}", heap=presets.DEFAULT)
    line = None
    try:
        if installed:
            install(board, installed, cache_dir)
        deploy(board, folder)
        line = Link.open(board.device)
        line.friendly()
        line.write(f"import {module}; {module}.run()\r".encode())
        line.read_until(b"serving on port 80", timeout=START_TIMEOUT)
        port = board.host_port(80)
        wait_listening(port)
        return board, line, App(board, f"http://127.0.0.1:{port}", port, line)
    except BaseException:
        if line:
            line.close()
        stop_and_check(board.name)
        raise


@pytest.fixture(scope="module", params=sorted(APPS))
def app(request, lesson_env):
    board, line, running = start_app(request.param, lesson_env)
    yield running
    line.close()
    stop_and_check(board.name)
