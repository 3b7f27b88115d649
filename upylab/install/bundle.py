"""The frameworks for a room without internet (``upylab bundle DIR [FRAMEWORK...|--all]``).

A teacher prepares once where the network works; the class installs
offline with ``upylab install --all --mirror DIR`` (or
``UPYLAB_MIRROR=DIR``).  A bundle is a mirror: every part of the named
frameworks, licences included, at ``cache.mirror_path(part)`` (GitHub's
raw-file layout for GitHub files, ``pypi/<file>`` for PyPI artifacts),
and ``manifest.csv`` naming each file's source, pin and sha256.  Nothing
in it is trusted on its own: ``upylab install`` checks every file against
``data/install.csv`` wherever it comes from.

Writing into an existing bundle adds to it; each file is written whole
(a temporary name, then a rename) and the manifest last, so a bundle cut
short by Ctrl-C never lists a file it does not hold.
"""
import csv
import io
import os
import tempfile
from pathlib import Path

from upylab.errors import UpylabError
from upylab.install import cache, recipes
from upylab.install.steps import log

MANIFEST = "manifest.csv"
COLUMNS = ("path", "framework", "part", "role", "source", "pin", "sha256", "bytes")


def bundle(folder: Path, ids, offline=False, mirrors=()) -> list[dict]:
    """Write the parts of frameworks ``ids`` into ``folder``; the manifest's rows."""
    parts = [part for framework in dict.fromkeys(ids) for part in recipes.parts_for(framework)]
    if folder.exists() and not folder.is_dir():
        raise UpylabError(f"{folder} is a file, not a folder: give a folder for the bundle")
    if folder.resolve() in [mirror.resolve() for mirror in cache.mirrors(mirrors)]:
        raise UpylabError(f"{folder} is one of the mirrors read: bundle into another folder")
    rows = _read_manifest(folder)
    for part in parts:
        artifact, origin = cache.ensure(part, offline=offline, extra_mirrors=mirrors, log=log)
        relative = cache.mirror_path(part)
        _write_whole(folder / relative, artifact.read_bytes())
        rows[str(relative)] = {
            "path": str(relative), "framework": part.id, "part": part.part, "role": part.role,
            "source": part.source, "pin": part.pin, "sha256": part.sha256,
            "bytes": str(artifact.stat().st_size)}
        log(f"{part.id}: {part.describe()} {origin} -> {relative}")
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows[path] for path in sorted(rows))
    _write_whole(folder / MANIFEST, text.getvalue().encode())
    return list(rows.values())


def _read_manifest(folder: Path) -> dict:
    """The rows of an existing bundle's manifest, by path ({} for a new bundle)."""
    try:
        with open(folder / MANIFEST, newline="", encoding="utf-8") as file:
            reader = csv.DictReader(file)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise UpylabError(f"{folder / MANIFEST} is not a bundle manifest (columns "
                                  f"{', '.join(COLUMNS)}): bundle into another folder")
            return {row["path"]: row for row in reader}
    except FileNotFoundError:
        return {}


def _write_whole(path: Path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".bundle-", delete=False) as file:
        file.write(data)
    # A temporary file is 0600; a bundle is read by others (a class's students,
    # other machines): the mode a plain new file gets.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(file.name, 0o666 & ~umask)
    os.replace(file.name, path)
