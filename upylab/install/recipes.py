"""The install recipes: ``data/install.csv`` read into ``Part`` records.

Each framework (an ``id`` of ``data/frameworks.csv``) has one or more
parts, each one artifact with its own pin and sha256 (always given: the
bytes are checked wherever they come from):

* ``source``: ``pypi:NAME`` or ``github:OWNER/REPO``;
* ``fetch``: ``pip`` (``pip download``), ``sdist`` (an old upip-format
  sdist pip cannot prepare, taken unbuilt from the package index) or
  ``raw`` (one file of a GitHub repository at a commit);
* ``artifact``: the distribution's file name, or the file's path in the
  repository; ``strip``: a prefix removed from member paths; ``files``:
  the members (``;``-separated, globs allowed) that go to ``/lib``;
* ``patches``: files in ``data/patches/<id>/`` applied, in order, to
  those members (paths relative to ``/lib``);
* ``import``: on the framework's first part, the module whose import
  proves the install;
* ``role``: ``framework`` or ``dependency`` (files for ``/lib``), or
  ``license``: a GitHub repository's licence, fetched and bundled with
  the files taken from it (its terms ask copies to carry it) but never
  sent to the board, so it lists no files.

A framework whose catalog ``install`` column says ``builtin:MODULE``
needs nothing installed.
"""
import re
from dataclasses import dataclass
from pathlib import Path

from upylab import paths
from upylab.catalog import tables
from upylab.errors import UpylabError

FETCHES = ("pip", "sdist", "raw")
ROLES = ("framework", "dependency", "license")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Part:
    id: str
    part: str
    role: str
    source: str
    fetch: str
    pin: str
    artifact: str
    sha256: str
    strip: str
    files: tuple
    patches: tuple
    import_name: str
    notes: str

    @property
    def for_board(self) -> bool:
        return self.role != "license"

    @property
    def kind(self) -> str:
        return self.source.split(":", 1)[0]

    @property
    def name(self) -> str:
        """The PyPI project or the GitHub owner/repo."""
        return self.source.split(":", 1)[1]

    def describe(self) -> str:
        pin = self.pin[:12] if self.kind == "github" else self.pin
        where = f"{self.artifact} from " if self.kind == "github" else ""
        return f"{where}{self.source}@{pin}"


def _split(cell: str) -> tuple:
    return tuple(item.strip() for item in cell.split(";") if item.strip())


def _check(row: dict, line: int) -> Part:
    where = f"data/install.csv line {line}"
    source = row["source"]
    if not re.match(r"^(pypi:[A-Za-z0-9._-]+|github:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)$", source):
        raise UpylabError(f"{where}: source {source!r} must be pypi:NAME or github:OWNER/REPO")
    if row["fetch"] not in FETCHES or (row["fetch"] == "raw") != source.startswith("github:"):
        raise UpylabError(f"{where}: fetch {row['fetch']!r} must be raw for github: sources, "
                          "pip or sdist for pypi: ones")
    if row["role"] not in ROLES:
        raise UpylabError(f"{where}: role must be one of {', '.join(ROLES)}")
    if not _SHA256.match(row["sha256"]):
        raise UpylabError(f"{where}: sha256 must be the artifact's, 64 lowercase hex digits")
    if row["fetch"] == "raw" and not _COMMIT.match(row["pin"]):
        raise UpylabError(f"{where}: a GitHub pin must be a full 40-digit commit")
    if (row["role"] == "license") != (not _split(row["files"])):
        raise UpylabError(f"{where}: files lists what goes to /lib: empty for a license "
                          "part, and only there")
    return Part(
        id=row["id"], part=row["part"], role=row["role"], source=source,
        fetch=row["fetch"], pin=row["pin"], artifact=row["artifact"], sha256=row["sha256"],
        strip=row["strip"], files=_split(row["files"]), patches=_split(row["patches"]),
        import_name=row["import"], notes=row["notes"])


def load_parts() -> list[Part]:
    recipes = tables.table("install")
    return [_check(row, recipes.row_number(index)) for index, row in enumerate(recipes.rows)]


def catalog() -> dict:
    """``id -> install`` column of the catalog (data/frameworks.csv)."""
    return {row["id"]: row["install"] for row in tables.table("frameworks").rows}


def framework_ids() -> list[str]:
    return list(catalog())


def parts_for(framework: str) -> list[Part]:
    """The parts of one framework, framework parts first; [] for builtins."""
    known = catalog()
    if framework not in known:
        raise UpylabError(
            f"unknown framework {framework!r}: choose from {', '.join(known)}")
    if known[framework].startswith("builtin:"):
        return []
    parts = [part for part in load_parts() if part.id == framework]
    if not parts:
        raise UpylabError(
            f"{framework}: data/install.csv has no recipe for it (its catalog source is "
            f"{known[framework]}): add its rows")
    parts.sort(key=lambda part: ROLES.index(part.role))
    return parts


def import_name(parts: list[Part]) -> str:
    for part in parts:
        if part.import_name:
            return part.import_name
    raise UpylabError(f"{parts[0].id}: no part names the module to import (column import)")


def module_of(framework: str) -> str:
    """The module whose import proves ``framework`` is on a board (a builtin's too)."""
    parts = parts_for(framework)
    return import_name(parts) if parts else catalog()[framework].split(":", 1)[1]


def patch_path(framework: str, name: str) -> Path:
    return paths.data_dir() / "patches" / framework / name
