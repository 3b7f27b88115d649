"""``upylab install`` on virtual boards, through the real command line."""
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from support import run_mpremote, stop_and_check
from upylab.board import registry
from upylab.install import cache, recipes
from install_helpers import leftovers, lib_snapshot, upylab

pytestmark = pytest.mark.board

INSTALLABLE = [framework for framework in recipes.framework_ids() if recipes.parts_for(framework)]
GITHUB_ONLY = [framework for framework, source in recipes.catalog().items()
               if source.startswith("github:")]
# Where every network fetch fails at once and no mirror is set, so only the
# cache (or a --mirror given by the test) can serve.
NO_NETWORK = {"UPYLAB_MIRROR": "", "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_FIND_LINKS": "",
              "PIP_EXTRA_INDEX_URL": "", "PIP_CONFIG_FILE": os.devnull,
              "https_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
              "http_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def declared_files(framework):
    """The /lib paths the recipe promises (globs expanded against the board)."""
    return [pattern for part in recipes.parts_for(framework) for pattern in part.files]


@pytest.mark.parametrize("framework", INSTALLABLE)
def test_framework_installs_as_mpy_and_imports(framework, fetched, board):
    """Every framework, as a user installs it: .mpy by default (as mip does), on an
    ESP32-sized heap, only the files the board needs."""
    fetched(framework)
    out = ok(upylab("install", framework, "--board", board.name))
    parts = recipes.parts_for(framework)
    module = recipes.import_name(parts)
    version = parts[0].pin if parts[0].kind == "pypi" else parts[0].pin[:12]
    assert re.search(rf"{framework}: import {module} OK on the board \(mpy\): version "
                     rf"{re.escape(version)}", out), out
    installed = set(lib_snapshot(board))
    expected = {path for path in installed if not path.startswith(".upylab/")}
    assert expected and all(path.endswith(".mpy") or not path.endswith(".py")
                            for path in expected), expected
    for pattern in declared_files(framework):
        compiled = re.sub(r"\.py$", ".mpy", pattern)
        assert any(Path(path).match(compiled) for path in expected), (compiled, expected)
    # Only what the board needs: no stubs, no CPython adapters, no packaging files, no licences.
    assert not [path for path in expected if path.endswith((".pyi", "PKG-INFO", ".txt"))
                or "asgi" in path or "wsgi" in path or "egg-info" in path or "LICENSE" in path]
    assert f".upylab/{framework}.json" in installed
    assert leftovers(board) == []


def test_picoweb_is_installed_as_published_without_pycopy_uasyncio(fetched, board):
    """No patch: MicroPython's frozen uasyncio serves it (lesson 05 shows why)."""
    fetched("picoweb")
    ok(upylab("install", "picoweb", "--source", "--board", board.name))
    part = recipes.parts_for("picoweb")[0]
    with tarfile.open(cache.artifact_path(part)) as sdist:
        for name in part.files:
            published = sdist.extractfile(part.strip + name).read()
            assert (Path(board.flash) / "lib" / name).read_bytes() == published, name
    assert not [path for path in lib_snapshot(board) if path.startswith("uasyncio")]
    assert cache.sha256_of(cache.artifact_path(part)) == part.sha256


def test_second_install_is_a_no_op_from_cache(fetched, board):
    fetched("picoweb")
    ok(upylab("install", "picoweb", "--board", board.name))
    before = {path: p.stat().st_mtime_ns for path, p in
              ((path, Path(board.flash) / "lib" / path) for path in lib_snapshot(board))}
    out = ok(upylab("install", "picoweb", "--board", board.name, env=NO_NETWORK))
    assert "fetching" not in out
    assert out.count("from cache") == len(recipes.parts_for("picoweb")), out
    assert "already in /lib with the same files: nothing copied" in out
    assert "import picoweb OK" in out
    after = {path: (Path(board.flash) / "lib" / path).stat().st_mtime_ns for path in before}
    assert after == before


def test_compare_reports_both_forms(fetched, board):
    fetched("microdot")
    out = ok(upylab("install", "microdot", "--compare", "--board", board.name))
    files = lib_snapshot(board)
    package = [path for path in files if path.startswith("microdot/")]
    assert package and all(path.endswith(".mpy") for path in package), package
    source = re.search(r"microdot: source\s+(\d+)\s+(\d+) B\s+(.*)", out)
    compiled = re.search(r"microdot: \.mpy\s+(\d+)\s+(\d+) B\s+(\d+) B", out)
    assert source and compiled, out
    assert int(compiled[2]) < int(source[2])
    # On an ESP32-sized heap Microdot's source does not compile: said as what it is.
    assert source[3] == "does not fit: MemoryError while importing (this is why .mpy)", out
    assert "import microdot OK on the board (mpy): version 2.7.0" in out
    # The .mpy matches the board's format: it imported, and says which it is.
    assert ".mpy v6.3" in out
    assert leftovers(board) == []


def test_compare_leaves_the_board_as_after_a_plain_install(fetched, state_dir):
    """Where the source fits (a board with PSRAM's heap), --compare imports it from a
    scratch folder on sys.path; the board must not keep that import, nor the path:
    the lesson's next line imports a submodule (microdot.websocket) from /lib."""
    fetched("microdot")
    board = registry.start(name="psram", heap="esp32-spiram")
    try:
        out = ok(upylab("install", "microdot", "--compare", "--board", board.name))
        assert re.search(r"microdot: source\s+\d+\s+\d+ B\s+\d+ B", out), out  # it fitted
        after = run_mpremote(board.device, "resume", "exec", "import sys, microdot.websocket\n"
                             "print(sys.path, microdot.__file__)").stdout.strip()
        assert after == "['', '.frozen', '/lib'] /lib/microdot/__init__.mpy", after
    finally:
        stop_and_check(board.name)


def test_source_that_does_not_fit_names_the_fix(fetched, board):
    fetched("microdot")
    (Path(board.flash) / "lib" / "keep.py").write_text("KEEP = 1\n")
    before = lib_snapshot(board)
    result = upylab("install", "microdot", "--source", "--board", board.name)
    assert result.returncode == 2, result
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message, message
    assert "MemoryError" in message and "/lib is back as it was" in message
    assert "install it as .mpy (without --source)" in message
    assert lib_snapshot(board) == before


def test_an_error_on_the_board_is_one_line(fetched, board):
    """The board raises OSError while committing (its /lib is a file, not a folder): one
    line naming the board's exception, no traceback of the tools."""
    fetched("microdot")
    lib = Path(board.flash) / "lib"
    lib.rmdir()
    lib.write_text("not a folder")
    result = upylab("install", "microdot", "--board", board.name)
    assert result.returncode == 2, result
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message, message
    # errno 20, ENOTDIR: the unix port prints its number alone, an ESP32 '[Errno 20] ENOTDIR'
    assert message == "upylab: virtual board 'test' raised OSError: 20", message


def test_mpy_replaces_a_source_install(fetched, big_board):
    fetched("picoweb")
    ok(upylab("install", "picoweb", "--source", "--board", big_board.name))
    assert "picoweb/__init__.py" in lib_snapshot(big_board)
    out = ok(upylab("install", "picoweb", "--compare", "--board", big_board.name))
    files = lib_snapshot(big_board)
    assert "picoweb/__init__.mpy" in files and "picoweb/__init__.py" not in files
    assert "ulogging.mpy" in files and "ulogging.py" not in files  # no stale .py shadows it
    assert re.search(r"picoweb: source\s+\d+\s+\d+ B\s+\d+ B", out), out


@pytest.mark.parametrize("framework", GITHUB_ONLY)
def test_offline_uncached_github_framework_fails_clearly(framework, board, tmp_path):
    (Path(board.flash) / "lib" / "keep.py").write_text("KEEP = 1\n")
    before = lib_snapshot(board)
    result = upylab("install", framework, "--offline", "--board", board.name,
                    env=dict(NO_NETWORK, UPYLAB_CACHE_DIR=str(tmp_path / "empty-cache")))
    assert result.returncode == 2, result
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert framework in message and "--offline" in message and "no mirror is given" in message
    assert "upylab bundle" in message and "nothing was copied" in message
    assert "Traceback" not in result.stderr
    assert lib_snapshot(board) == before
    assert leftovers(board) == []


def _start_slow_install(board, framework):
    """An install whose copy takes seconds (small writes), as on a slow serial link."""
    return subprocess.Popen(
        [sys.executable, "-m", "upylab", "install", framework, "--board", board.name],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, UPYLAB_CHUNK_SIZE="32"))


def _wait_for_staged_bytes(board, minimum, process, timeout=60):
    stage = Path(board.flash) / ".upylab-stage"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        size = sum(p.stat().st_size for p in stage.rglob("*") if p.is_file()) \
            if stage.exists() else 0
        if size >= minimum:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError("the install never started copying")


@pytest.mark.parametrize("how", ["ctrl-c", "killed"])
def test_interrupted_install_leaves_lib_unchanged(how, fetched, big_board):
    fetched("picoweb")
    fetched("microdot")
    ok(upylab("install", "picoweb", "--board", big_board.name))
    before = lib_snapshot(big_board)
    process = _start_slow_install(big_board, "microdot")
    try:
        _wait_for_staged_bytes(big_board, 4000, process)
        process.send_signal(signal.SIGINT if how == "ctrl-c" else signal.SIGKILL)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert lib_snapshot(big_board) == before
    if how == "ctrl-c":
        assert process.returncode == 130, err
        assert "/lib is as before" in err
        assert leftovers(big_board) == [], err
    else:  # like an unplugged cable: the stage stays until the next install
        assert process.returncode == -signal.SIGKILL
        assert leftovers(big_board) == [".upylab-stage"]
    # The board still works, and the next install finishes the job.
    out = ok(upylab("install", "microdot", "--board", big_board.name))
    assert "import microdot OK" in out
    if how == "killed":
        assert "removed files of an interrupted install" in out
    assert leftovers(big_board) == []
    assert "microdot/microdot.mpy" in lib_snapshot(big_board)
