"""Breaking one route in a snippet fails both its lesson notebook and its host test.

The lesson and the tests send the same snippet files; this copies the
snippets, breaks the query-string route of the raw-socket app (``/greet``
becomes ``/greeting``) and points both at the copy with ``UPYLAB_SNIPPETS``.
"""
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from upylab import paths

pytestmark = [pytest.mark.board, pytest.mark.timeout(600)]
ROUTE = "if path == '/greet' and method == 'GET':"


def _nbrun():
    spec = importlib.util.spec_from_file_location("nbrun", paths.ROOT / "tests/notebooks/nbrun.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def broken_snippets(tmp_path, monkeypatch):
    copy = tmp_path / "snippets"
    shutil.copytree(paths.snippets_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    app = copy / "raw-socket/led_raw.py"
    source = app.read_text()
    assert ROUTE in source, "the route this test breaks has changed: update ROUTE"
    app.write_text(source.replace(ROUTE, ROUTE.replace("/greet", "/greeting")))
    monkeypatch.setenv("UPYLAB_SNIPPETS", str(copy))
    return copy


def test_broken_route_fails_the_host_test(broken_snippets):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/lessons/test_contract.py", "-q",
         "-p", "no:cacheprovider", "-k", "raw-socket and query_string"],
        cwd=paths.ROOT, capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert result.returncode == 1, result.stdout
    assert "3 failed" in result.stdout, result.stdout


def test_broken_route_fails_the_notebook(broken_snippets, board):
    nbrun = _nbrun()
    result = nbrun.run_nbval(paths.NOTEBOOKS / "01-raw-sockets.ipynb", board.name)
    assert result.returncode == 1, result.stdout
    assert "GET /greet?name=Ada%20Lovelace gave 404, expected 200" in result.stdout, result.stdout
