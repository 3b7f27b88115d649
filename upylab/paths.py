"""Where upylab keeps its files on the host, in one place.

Each location can be moved with an environment variable so tests, CI and
classrooms can keep boards and caches apart (``UPYLAB_STATE_DIR``,
``UPYLAB_CACHE_DIR``).
"""
import os
from pathlib import Path


def state_dir() -> Path:
    """Running boards' records, serial links and default flash folders."""
    if "UPYLAB_STATE_DIR" in os.environ:
        return Path(os.environ["UPYLAB_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "upylab"


def cache_dir() -> Path:
    """Downloaded framework sources, kept so installs work offline later."""
    if "UPYLAB_CACHE_DIR" in os.environ:
        return Path(os.environ["UPYLAB_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "upylab"
