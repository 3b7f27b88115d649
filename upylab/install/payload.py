"""The files a board's ``/lib`` gets from a framework's cached parts.

``build(parts, artifacts)`` opens each part's artifact (wheel, sdist or a
single file), keeps only the members its recipe lists, applies its
patches and returns ``{path under /lib: bytes}``.  The cache is only
read: upstream stays untouched there, patches are applied in memory.
"""
import fnmatch
import re
import tarfile
import zipfile
from pathlib import Path

from upylab.errors import UpylabError
from upylab.install import recipes
from upylab.install.recipes import Part


def _members(part: Part, artifact: Path) -> dict:
    """Every file in the artifact, by its path minus the recipe's ``strip``."""
    if part.fetch == "raw":
        members = {part.artifact: artifact.read_bytes()}
    elif artifact.name.endswith(".whl") or artifact.suffix == ".zip":
        with zipfile.ZipFile(artifact) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()
                       if not info.is_dir()}
    elif artifact.name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(artifact) as archive:
            members = {info.name: archive.extractfile(info).read()
                       for info in archive.getmembers() if info.isfile()}
    else:
        raise UpylabError(f"{part.id}: cannot open {artifact.name} (not a wheel or an sdist)")
    stripped = {}
    for name, data in members.items():
        if part.strip and not name.startswith(part.strip):
            continue
        stripped[name[len(part.strip):]] = data
    return stripped


def select(part: Part, artifact: Path) -> dict:
    members = _members(part, artifact)
    chosen = {}
    for pattern in part.files:
        matches = sorted(name for name in members if fnmatch.fnmatchcase(name, pattern))
        if not matches:
            raise UpylabError(
                f"{part.id}: {part.artifact} has no file matching {pattern!r} "
                f"(data/install.csv, part {part.part})")
        for name in matches:
            if ".." in Path(name).parts or name.startswith("/"):
                raise UpylabError(f"{part.id}: refusing the path {name!r}")
            chosen[name] = members[name]
    return chosen


def build(parts: list[Part], artifacts: dict) -> dict:
    """``{path under /lib: bytes}`` for all parts, patched (licences stay off the board)."""
    files = {}
    for part in parts:
        if not part.for_board:
            continue
        chosen = select(part, artifacts[part])
        for patch in part.patches:
            apply_patch(recipes.patch_path(part.id, patch), chosen, part.id)
        files.update(chosen)
    return files


# -- a strict unified-diff applier (no `patch` program needed) ---------------

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class PatchError(UpylabError):
    pass


def parse_patch(text: str) -> list:
    """[(path, [hunk lines...]), ...]; text before the first ``---`` is its explanation."""
    files, lines, at = [], text.splitlines(), 0
    while at < len(lines):
        if lines[at].startswith("--- ") and at + 1 < len(lines) and lines[at + 1].startswith("+++ "):
            path = lines[at + 1][4:].split("\t")[0].strip()
            path = path[2:] if path.startswith("b/") else path
            at += 2
            hunks = []
            while at < len(lines) and lines[at].startswith("@@"):
                match = _HUNK.match(lines[at])
                if not match:
                    raise PatchError(f"bad hunk header {lines[at]!r}")
                old_count = int(match[2]) if match[2] is not None else 1
                new_count = int(match[4]) if match[4] is not None else 1
                at += 1
                body = []
                while old_count > 0 or new_count > 0:
                    if at >= len(lines):
                        raise PatchError("hunk ends early")
                    line = lines[at] if lines[at] else " "
                    if line.startswith("\\"):
                        at += 1
                        continue
                    if line[0] in " -":
                        old_count -= 1
                    if line[0] in " +":
                        new_count -= 1
                    if line[0] not in " -+":
                        raise PatchError(f"bad hunk line {line!r}")
                    body.append(line)
                    at += 1
                hunks.append((int(match[1]), body))
            files.append((path, hunks))
        else:
            at += 1
    if not files:
        raise PatchError("no file changes found")
    return files


def apply_patch(patch: Path, files: dict, framework: str):
    """Apply ``patch`` to ``files`` in place; fail unless every hunk matches exactly."""
    try:
        changes = parse_patch(patch.read_text(encoding="utf-8"))
    except OSError as error:
        raise PatchError(f"{framework}: cannot read patch {patch}: {error}") from None
    except PatchError as error:
        raise PatchError(f"{framework}: {patch.name}: {error}") from None
    for path, hunks in changes:
        if path not in files:
            raise PatchError(f"{framework}: {patch.name} changes {path}, which is not among "
                             "the files installed")
        text = files[path].decode("utf-8")
        ending = "\r\n" if "\r\n" in text else "\n"
        lines = text.split(ending)
        offset = 0
        for start, body in hunks:
            old = [line[1:] for line in body if line[0] in " -"]
            new = [line[1:] for line in body if line[0] in " +"]
            at = _find(lines, old, start - 1 + offset)
            if at is None:
                raise PatchError(
                    f"{framework}: {patch.name} does not apply to {path} near line {start} "
                    "(the pinned upstream file differs from what the patch expects)")
            lines[at:at + len(old)] = new
            offset = at - (start - 1) + len(new) - len(old)
        files[path] = ending.join(lines).encode("utf-8")


def _find(lines, old, guess):
    """Where ``old`` occurs, nearest to ``guess``."""
    for distance in range(len(lines) + 1):
        for at in (guess - distance, guess + distance):
            if 0 <= at <= len(lines) - len(old) and lines[at:at + len(old)] == old:
                return at
    return None
