"""Helpers for the install tests: the real command line, and /lib as the host sees it."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

RUN_TIMEOUT = 240


def upylab(*args, env=None, timeout=RUN_TIMEOUT):
    """The real command line, as a user runs it."""
    environment = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "upylab", *args], capture_output=True,
                          text=True, timeout=timeout, env=environment)


def lib_snapshot(board) -> dict:
    """Every file under the board's /lib with its sha256 (read on the host side)."""
    lib = Path(board.flash) / "lib"
    return {str(path.relative_to(lib)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(lib.rglob("*")) if path.is_file()}


def leftovers(board) -> list:
    flash = Path(board.flash)
    return [name for name in (".upylab-stage", ".upylab-old", ".upylab-measure")
            if (flash / name).exists()]
