"""Fetched artifacts, kept pinned and checked so installs work offline later.

Layout: ``<cache>/artifacts/<pypi|github>/<name>/<pin>/`` holds the
artifact (a wheel, an sdist, or one repository file at its path) and
``lock.json``: source, pin, where it came from, sha256 and when.  An
artifact is used only if its bytes still hash to the recipe's sha256.

A part not in the cache is looked for, in order, in the mirrors
(``--mirror`` folders, then ``UPYLAB_MIRROR``: a class bundle, a copy of
upstream files) and then fetched through its ecosystem's own channel:
``pip download`` for PyPI, PyPI's simple index (PEP 691) for old
upip-format sdists that pip refuses to prepare, and GitHub's raw files at
a commit.  A mirror uses GitHub's raw-file addresses for GitHub files
(``github/<owner>/<repo>/<commit>/<path>``) and ``pypi/<file>`` for PyPI
artifacts (``mirror_path``); ``upylab bundle`` writes one.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from upylab import paths
from upylab.errors import UpylabError
from upylab.install.recipes import Part

PIP_TIMEOUT = 300
HTTP_TIMEOUT = 30
DEFAULT_INDEX = "https://pypi.org/simple"
RAW_URL = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


class FetchError(UpylabError):
    """A part could not be fetched (offline, unreachable, or bad bytes)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()


def part_dir(part: Part) -> Path:
    name = part.name.replace("/", "__")
    return paths.cache_dir() / "artifacts" / part.kind / name / part.pin


def artifact_path(part: Part) -> Path:
    return part_dir(part) / part.artifact


def mirror_path(part: Part) -> PurePosixPath:
    """Where a part lies inside a mirror or bundle (GitHub's raw-file layout)."""
    if part.kind == "github":
        return PurePosixPath("github", part.name, part.pin, part.artifact)
    return PurePosixPath("pypi", part.artifact)


def mirrors(extra=()) -> list[Path]:
    """The mirror folders to try: ``extra`` (``--mirror``) first, then ``UPYLAB_MIRROR``."""
    folders = [Path(folder) for folder in extra] + paths.mirror_dirs()
    for folder in folders:
        if not folder.is_dir():
            raise UpylabError(f"mirror folder {folder} does not exist (from --mirror or "
                              f"{paths.MIRROR_ENV}): give a folder written by `upylab bundle`")
    return folders


def cached(part: Part):
    """The cached artifact if present and intact, else None."""
    path = artifact_path(part)
    if path.is_file() and sha256_of(path) == part.sha256:
        return path
    return None


def _offline_message(part: Part, searched: list) -> str:
    where = "GitHub" if part.kind == "github" else "PyPI"
    mirrored = (f" nor in the mirrors ({', '.join(map(str, searched))})" if searched
                else " and no mirror is given (--mirror DIR, UPYLAB_MIRROR)")
    return (f"{part.id}: {part.describe()} is not in the cache ({paths.cache_dir()}){mirrored}, "
            f"and --offline forbids fetching it from {where}: install once while online, or "
            f"from a bundle (`upylab bundle DIR` where the network works); nothing was "
            f"copied to the board")


def ensure(part: Part, offline: bool = False, extra_mirrors=(), log=print) -> tuple[Path, str]:
    """The artifact's path in the cache, getting it if needed: (path, where it came from).

    Order: the cache, the mirrors, then the network (unless ``offline``).
    Whatever the origin, bytes that do not hash to the recipe's sha256 are
    refused before they reach the cache.
    """
    searched = mirrors(extra_mirrors)  # a wrong folder is an error even when unused
    path = cached(part)
    if path:
        return path, "from cache"
    for folder in searched:
        candidate = folder / mirror_path(part)
        if candidate.is_file():
            digest = sha256_of(candidate)
            if digest != part.sha256:
                raise FetchError(
                    f"{part.id}: mirror file {candidate} has sha256 {digest}, but "
                    f"data/install.csv pins {part.sha256}: refusing it; nothing was copied "
                    "to the board")
            return _store(part, lambda scratch: _copy(candidate, scratch)), f"from mirror {folder}"
    if offline:
        raise FetchError(_offline_message(part, searched))
    log(f"fetching {part.describe()}")
    return _store(part, lambda scratch: _FETCHERS[part.fetch](part, scratch)), "fetched"


def _copy(source: Path, scratch: Path):
    target = scratch / source.name
    shutil.copyfile(source, target)
    return target, str(source)


def _store(part: Part, get) -> Path:
    """Get the artifact into a scratch folder, check it, then move it into the cache."""
    folder = part_dir(part)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".fetch-") as temporary:
        downloaded, url = get(Path(temporary))
        digest = sha256_of(downloaded)
        if digest != part.sha256:
            raise FetchError(
                f"{part.id}: {part.describe()} from {url} has sha256 {digest}, but "
                f"data/install.csv pins {part.sha256}: refusing it (the published file "
                f"changed, or the download was corrupted)")
        target = artifact_path(part)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(downloaded, target)
    lock = {
        "source": part.source, "pin": part.pin, "artifact": part.artifact, "url": url,
        "sha256": digest, "fetched": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    scratch = folder / f".lock.json.{os.getpid()}"  # test workers may store a part together
    scratch.write_text(json.dumps(lock, indent=2) + "\n")
    os.replace(scratch, folder / "lock.json")
    return target


# -- fetchers: each returns (downloaded file, where it came from) ------------

def _pip_download(part: Part, folder: Path):
    requirements = folder / "requirements.txt"
    requirements.write_text(f"{part.name}=={part.pin} --hash=sha256:{part.sha256}\n")
    destination = folder / "download"
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
               "--disable-pip-version-check", "--progress-bar", "off",
               "-r", str(requirements), "-d", str(destination)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise FetchError(f"{part.id}: pip download {part.name}=={part.pin} took over "
                         f"{PIP_TIMEOUT} s: check the network, or install with --offline "
                         "from a cache") from None
    downloaded = destination / part.artifact
    if result.returncode != 0 or not downloaded.is_file():
        reason = _last_error_line(result.stderr) or f"exit status {result.returncode}"
        raise FetchError(f"{part.id}: pip download {part.name}=={part.pin} failed ({reason}): "
                         "check that PyPI is reachable, or install with --offline from a cache")
    return downloaded, f"pip download {part.name}=={part.pin}"


def _last_error_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or [""])[-1]


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _get(url: str, accept: str = "*/*") -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "upylab"})
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
        return response.read()


def _index_sdist(part: Part, folder: Path):
    """An sdist pip cannot prepare (upip format), straight from the index."""
    index = os.environ.get("PIP_INDEX_URL", DEFAULT_INDEX).rstrip("/")
    page = f"{index}/{_normalize(part.name)}/"
    try:
        listing = json.loads(_get(page, "application/vnd.pypi.simple.v1+json"))
        files = {entry["filename"]: entry for entry in listing["files"]}
        if part.artifact not in files:
            raise FetchError(f"{part.id}: {page} lists no {part.artifact}")
        entry = files[part.artifact]
        url = urllib.parse.urljoin(page, entry["url"])
        published = entry.get("hashes", {}).get("sha256")
        if published and published != part.sha256:
            raise FetchError(f"{part.id}: the index publishes sha256 {published} for "
                             f"{part.artifact}, data/install.csv pins {part.sha256}")
        data = _get(url)
    except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
        raise FetchError(f"{part.id}: could not fetch {part.artifact} from {index} ({error}): "
                         "check that PyPI is reachable, or install with --offline from a "
                         "cache") from None
    downloaded = folder / part.artifact
    downloaded.write_bytes(data)
    return downloaded, url


def _github_raw(part: Part, folder: Path):
    url = RAW_URL.format(repo=part.name, commit=part.pin, path=part.artifact)
    try:
        data = _get(url)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(
            f"{part.id}: could not fetch {part.artifact} from GitHub {part.name}@{part.pin[:12]} "
            f"({reason}); {part.id} is published only on GitHub: run `upylab install "
            f"{part.id}` on a machine that reaches github.com (its cache folder "
            f"{paths.cache_dir()} can then be copied here); nothing was copied to the "
            "board") from None
    downloaded = folder / Path(part.artifact).name
    downloaded.write_bytes(data)
    return downloaded, url


_FETCHERS = {"pip": _pip_download, "sdist": _index_sdist, "raw": _github_raw}


def clear(part: Part):
    shutil.rmtree(part_dir(part), ignore_errors=True)
