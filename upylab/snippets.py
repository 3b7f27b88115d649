"""The board code in ``snippets/``, as the lessons put it on a board.

A lesson sends snippet files with ``%upylab send PATH...``; the tests and
the bench copy the very same files to a board's flash, so a broken route
fails all of them.  A file keeps its path less the first folder on the
board: ``raw-socket/led_raw.py`` becomes ``/led_raw.py``,
``common/static/style.css`` becomes ``/static/style.css``; a folder stands
for every file in it.  Paths are relative to ``paths.snippets_dir()``.
"""
import ast
from pathlib import Path

from upylab import paths
from upylab.errors import UpylabError


class NoSnippet(UpylabError):
    """A snippet path that names nothing under the snippets folder."""

    ename = "FileNotFoundError"     # what a notebook shows (the kernel reads ``ename``)


def path(relative: str) -> Path:
    """The host file or folder of a snippet path."""
    root = paths.snippets_dir()
    found = (root / relative).resolve()
    if root not in found.parents or not found.exists():
        raise NoSnippet(f"no snippet {relative!r} under {root}")
    return found


def files(relatives) -> list:
    """``(host file, board path)`` for snippet files or folders, in order."""
    root = paths.snippets_dir()
    chosen = []
    for relative in relatives:
        found = path(relative)
        members = sorted(p for p in found.rglob("*") if p.is_file()) if found.is_dir() else [found]
        for file in members:
            if "__pycache__" in file.parts:
                continue
            chosen.append((file, "/".join(file.relative_to(root).parts[1:])))
    return chosen


def literal(relative: str, name: str):
    """The value of ``name = <literal>`` at the top of a snippet file: board code stays
    the one place of a fact the host needs too (the reference app's routes, its pin)."""
    for node in ast.parse(path(relative).read_text()).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise NoSnippet(f"no literal {name} = ... at the top of snippet {relative}")


def contents(relatives) -> dict:
    """``{board path: bytes}`` of snippet files or folders."""
    return {destination: source.read_bytes() for source, destination in files(relatives)}


def deploy(flash, relatives):
    """Snippet files straight into a virtual board's flash folder, where a send puts them."""
    write_files(flash, contents(relatives))


def write_files(folder, board_files: dict):
    """``{board path: bytes}`` into a virtual board's flash folder."""
    for name, data in board_files.items():
        target = Path(folder) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
