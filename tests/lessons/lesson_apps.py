"""Helpers for the lessons 04-07 tests: a framework's reference app, live on a virtual board.

    install_or_skip(framework, board)   ``upylab install`` as a user runs it; a
                                        framework that cannot be fetched here skips
                                        the test with the install tool's reason
    send(board, *snippets)              snippet files or folders into the board's flash, as the lesson's
                                        ``%upylab send`` puts them (first folder dropped)
    module_board()                      a fresh virtual board for a module's tests
    app_fixtures(framework)             a test module's fixtures for one app: app_board
                                        (installed, served), board (LED off first), app
                                        (its base URL)
    served(board, module)               the app's run() on the board, for the test's
                                        duration; yields the host's base URL
    request(base, method, path, ...)    one request from the host: (status, headers, body)

Fetched frameworks go to the run's cache (the ``framework_cache`` fixture).
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
from pathlib import Path

import pytest

from support import BIN, stop_and_check
from upylab import snippets
from upylab.catalog.apps import apps
from upylab.board import presets, registry
from upylab.install import cache, recipes

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"
# Lessons 04-07's apps (snippets to send, module with run(), heap preset),
# from the one table of reference apps.
APPS = {framework: (apps()[framework].snippets, apps()[framework].module, presets.DEFAULT)
        for framework in ("picoweb", "micropyserver", "tinyweb", "aioweb")}
INSTALL_TIMEOUT = 240
START_TIMEOUT = 20          # seconds for the app to answer its first request
HTTP_TIMEOUT = 10


@contextlib.contextmanager
def module_board(heap=presets.DEFAULT):
    """A fresh virtual board shared by a module's tests, in a state folder of its
    own; stopped afterwards (and it fails if a board process outlives it)."""
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
    """Fetch (or skip with why), then install with the real command line."""
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


def send(board, *files):
    """Snippet files or folders into the board's flash, where ``%upylab send`` puts them."""
    snippets.deploy(board.flash, files)


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
    """Send bytes as they are (say, a broken request); everything the server answers."""
    host, port = base[len("http://"):].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as client:
        client.sendall(data)
        reply = b""
        while chunk := client.recv(4096):
            reply += chunk
    return reply


@contextlib.contextmanager
def served(board, module, call="run()"):
    """``import module; module.run()`` on the board (as the lesson's browser
    cell does), until the block ends; yields the base URL on the host."""
    process = subprocess.Popen(
        [str(BIN / "mpremote"), "connect", board.device, "exec", f"import {module}\n{module}.{call}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{board.host_port(80)}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                request(base, "GET", "/api/status", timeout=2)
                break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError(f"{module}.{call} ended:\n{process.stdout.read()}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"{module}.{call} did not answer within {START_TIMEOUT} s")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def app_fixtures(framework):
    """``app_board, board, app = app_fixtures(ID)`` in a test module: its app
    installed (or the module skipped with why) and served on one board for the
    module; each test starts with the LED off."""
    files, module, heap = APPS[framework]

    @pytest.fixture(scope="module")
    def app_board(framework_cache):
        with module_board(heap) as board:
            install_or_skip(framework, board)
            send(board, *files)
            with served(board, module) as base:
                board.base = base
                yield board

    @pytest.fixture
    def board(app_board):
        request(app_board.base, "POST", "/led/off", body=b"")
        return app_board

    @pytest.fixture
    def app(board):
        return board.base

    return app_board, board, app
