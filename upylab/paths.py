"""Where upylab keeps its files on the host, in one place.

Each location can be moved with an environment variable so tests, CI and
classrooms can keep boards and caches apart (``UPYLAB_STATE_DIR``,
``UPYLAB_CACHE_DIR``, ``UPYLAB_WORK_DIR``); ``UPYLAB_MIRROR`` lists folders
to install from when the network is slow or absent (a class bundle,
``../shared/mirror``).
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "notebooks"        # the verified masters, as the tests run them


STATE_ENV = "UPYLAB_STATE_DIR"


def state_dir() -> Path:
    """Running boards' records, serial links and default flash folders."""
    if STATE_ENV in os.environ:
        return Path(os.environ[STATE_ENV])
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "upylab"


def cache_dir() -> Path:
    """Downloaded framework sources, kept so installs work offline later."""
    if "UPYLAB_CACHE_DIR" in os.environ:
        return Path(os.environ["UPYLAB_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "upylab"


def work_dir() -> Path:
    """The student's working copies of the lessons (``work/`` beside ``notebooks/``, git-ignored)."""
    return Path(os.environ.get("UPYLAB_WORK_DIR") or ROOT / "work")


MIRROR_ENV = "UPYLAB_MIRROR"


def mirror_dirs() -> list[Path]:
    """Folders of upstream files (``upylab bundle`` layout), from ``UPYLAB_MIRROR``.

    A path list, like ``PATH``; empty entries are ignored.
    """
    value = os.environ.get(MIRROR_ENV, "")
    return [Path(entry) for entry in value.split(os.pathsep) if entry.strip()]
