"""Fetched artifacts, kept pinned and checked so installs work offline later.

Layout: ``<cache>/artifacts/<pypi|github>/<name>/<pin>/`` holds the
artifact (a wheel, an sdist, or one repository file at its path) and
``lock.json``: source, pin, URL, sha256 and when it was fetched.  An
artifact is used only if its bytes still hash to the recipe's sha256 (or,
for a GitHub file whose recipe has none yet, to the sha256 recorded when
it was first fetched).

Each source is fetched through its ecosystem's own channel: ``pip
download`` for PyPI, PyPI's simple index (PEP 691) for old upip-format
sdists that pip refuses to prepare, and GitHub's raw files at a commit.
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
from pathlib import Path

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


def _lock(part: Part) -> dict:
    try:
        return json.loads((part_dir(part) / "lock.json").read_text())
    except (OSError, ValueError):
        return {}


def expected_sha256(part: Part) -> str:
    """The recipe's sha256, else the one recorded at first fetch ('' if none)."""
    return part.sha256 or _lock(part).get("sha256", "")


def cached(part: Part):
    """The cached artifact if present and intact, else None."""
    path = artifact_path(part)
    if not path.is_file():
        return None
    expected = expected_sha256(part)
    if not expected or sha256_of(path) != expected:
        return None
    return path


def _offline_message(part: Part) -> str:
    where = "GitHub" if part.kind == "github" else "PyPI"
    return (f"{part.id}: {part.describe()} is not in the cache ({paths.cache_dir()}) and "
            f"--offline forbids fetching it from {where}: run `upylab install {part.id}` "
            f"once while online (or copy a cache folder that has it); nothing was copied "
            f"to the board")


def ensure(part: Part, offline: bool = False, log=print) -> tuple[Path, bool]:
    """The artifact's path in the cache, fetching it if needed; (path, fetched)."""
    path = cached(part)
    if path:
        return path, False
    if offline:
        raise FetchError(_offline_message(part))
    log(f"fetching {part.describe()}")
    folder = part_dir(part)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".fetch-") as temporary:
        downloaded, url = _FETCHERS[part.fetch](part, Path(temporary))
        digest = sha256_of(downloaded)
        if part.sha256 and digest != part.sha256:
            raise FetchError(
                f"{part.id}: {part.describe()} from {url} has sha256 {digest}, but "
                f"data/install.csv pins {part.sha256}: refusing it (the published file "
                f"changed, or the download was corrupted)")
        target = artifact_path(part)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(downloaded, target)
    lock = {
        "source": part.source, "pin": part.pin, "artifact": part.artifact, "url": url,
        "sha256": digest, "pinned_in_recipe": bool(part.sha256),
        "fetched": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (folder / "lock.json").write_text(json.dumps(lock, indent=2) + "\n")
    if not part.sha256:
        log(f"note: {part.id}/{part.part} has no sha256 in data/install.csv; "
            f"recorded {digest} in the cache (add it to the recipe to pin it)")
    return target, True


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
