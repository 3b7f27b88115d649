"""Where upylab's files are, in one place: the repository's folders and the host's.

The repository holds ``data/`` (the tables), ``snippets/`` (the board code
the lessons send) and ``notebooks/`` (the lessons' verified masters); no
other module computes a path from its own location.  A test points the
tools at a copy of the tables or of the snippets with ``UPYLAB_DATA`` or
``UPYLAB_SNIPPETS`` (a framework added only as data, a broken route).

On the host, each location can be moved with an environment variable so
tests, CI and classrooms can keep boards and caches apart
(``UPYLAB_STATE_DIR``, ``UPYLAB_CACHE_DIR``, ``UPYLAB_WORK_DIR``);
``UPYLAB_MIRROR`` lists folders to install from when the network is slow
or absent (a class bundle, ``../shared/mirror``).
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]   # the checkout (the package is installed editable)
NOTEBOOKS = ROOT / "notebooks"               # the verified masters, as the tests run them
DATA_ENV = "UPYLAB_DATA"
SNIPPETS_ENV = "UPYLAB_SNIPPETS"


def data_dir() -> Path:
    """The tables: ``data/``, or the folder ``UPYLAB_DATA`` names."""
    return Path(os.environ.get(DATA_ENV) or ROOT / "data").resolve()


def snippets_dir() -> Path:
    """The board code lessons send: ``snippets/``, or the folder ``UPYLAB_SNIPPETS`` names."""
    return Path(os.environ.get(SNIPPETS_ENV) or ROOT / "snippets").resolve()


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
