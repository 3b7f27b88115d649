"""Helpers the tests share (imported by name: ``from support import ...``).

Fixtures live in ``conftest.py``; plain helpers live here, because several
folders have a ``conftest.py`` and ``from conftest import`` would pick
whichever pytest loaded first.
"""
import subprocess
import sys
import time
from pathlib import Path

from upylab.board.line import Line  # noqa: F401  (the bench uses it too)
from upylab.board import interrupt, registry

BIN = Path(sys.executable).parent
# Debian's Chromium, driven by Playwright: nothing downloads a browser.
# Without the background-networking flags it tries hosts this machine
# cannot reach, over and over.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def stop_and_check(name):
    """Stop a board; fail if its bridge or interpreter is still running."""
    stopped = registry.stop(name)
    leftovers = [pid for pid in (stopped.pid, stopped.interpreter_pid) if registry.is_running(pid)]
    assert not leftovers, f"board processes left running: {leftovers}"


def wait_for_file(path: Path, timeout=30.0):
    """Until ``path`` exists (a board wrote it to its flash folder, say)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"no {path} after {timeout} s"
        time.sleep(0.01)


def wait_for_prompt(name, timeout=30.0):
    """Until board ``name``'s REPL waits for a key: booted, its banner sent."""
    deadline = time.monotonic() + timeout
    while not interrupt.waits_at_prompt(registry.find(name).interpreter_pid):
        assert time.monotonic() < deadline, f"board {name!r} not at its prompt after {timeout} s"
        time.sleep(0.01)


def run_mpremote(device, *args, timeout=30, check=True):
    """The real mpremote against a device; returns the finished process."""
    result = subprocess.run(
        [str(BIN / "mpremote"), "connect", device, *args],
        capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"mpremote {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result
