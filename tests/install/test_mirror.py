"""Mirrors and bundles: installing where the network is slow or absent.

A mirror is a folder in GitHub's raw-file layout (``github/OWNER/REPO/
COMMIT/PATH``) plus ``pypi/FILE``; ``upylab bundle`` writes one.  Every
byte from a mirror is checked against ``data/install.csv``'s sha256.
"""
import csv
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from install_helpers import leftovers, lib_snapshot, upylab
from test_install import INSTALLABLE, NO_NETWORK, ok
from upylab.install import cache, recipes

pytestmark = pytest.mark.board


def _mirror_of(framework, folder: Path) -> Path:
    """A mirror holding one framework's parts, copied from the test run's cache."""
    for part in recipes.parts_for(framework):
        target = folder / cache.mirror_path(part)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cache.artifact_path(part), target)
    return folder


def test_install_from_a_mirror_with_an_empty_cache_and_no_network(fetched, board, tmp_path):
    fetched("aioweb")
    mirror = _mirror_of("aioweb", tmp_path / "mirror")
    empty = tmp_path / "empty-cache"
    out = ok(upylab("install", "aioweb", "--mirror", str(mirror), "--offline",
                    "--board", board.name, env=dict(NO_NETWORK, UPYLAB_CACHE_DIR=str(empty))))
    assert f"from mirror {mirror}" in out and "fetching" not in out
    assert "import web OK on the board" in out
    # What came from the mirror is now cached: the next install needs no mirror.
    out = ok(upylab("install", "aioweb", "--offline", "--board", board.name,
                    env=dict(NO_NETWORK, UPYLAB_CACHE_DIR=str(empty))))
    assert "from cache" in out and "from mirror" not in out


def test_upylab_mirror_is_a_path_list(fetched, board, tmp_path):
    fetched("aioweb")
    mirror = _mirror_of("aioweb", tmp_path / "mirror")
    other = tmp_path / "other"
    other.mkdir()
    env = dict(NO_NETWORK, UPYLAB_CACHE_DIR=str(tmp_path / "empty-cache"),
               UPYLAB_MIRROR=os.pathsep.join([str(other), str(mirror)]))
    out = ok(upylab("install", "aioweb", "--offline", "--board", board.name, env=env))
    assert f"from mirror {mirror}" in out


def test_a_mirror_file_that_does_not_match_is_refused(fetched, board, tmp_path):
    fetched("aioweb")
    mirror = _mirror_of("aioweb", tmp_path / "mirror")
    part = recipes.parts_for("aioweb")[0]
    tampered = mirror / cache.mirror_path(part)
    tampered.write_bytes(tampered.read_bytes() + b"\nimport os; os.remove('main.py')\n")
    actual = hashlib.sha256(tampered.read_bytes()).hexdigest()
    (Path(board.flash) / "lib" / "keep.py").write_text("KEEP = 1\n")
    before = lib_snapshot(board)
    result = upylab("install", "aioweb", "--mirror", str(mirror), "--board", board.name,
                    env=dict(NO_NETWORK, UPYLAB_CACHE_DIR=str(tmp_path / "empty-cache")))
    assert result.returncode == 2, result
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message, message
    assert str(tampered) in message and actual in message and part.sha256 in message
    assert "nothing was copied to the board" in message
    assert lib_snapshot(board) == before and leftovers(board) == []


def test_a_missing_mirror_folder_is_a_clear_error(tmp_path):
    result = upylab("install", "aioweb", "--mirror", str(tmp_path / "nope"), "--offline",
                    "--board", "/dev/null-no-board", env=NO_NETWORK)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"upylab: mirror folder {tmp_path / 'nope'} does not exist "
                                     "(from --mirror or UPYLAB_MIRROR): give a folder written "
                                     "by `upylab bundle`")


def test_bundle_then_offline_install_of_every_framework(fetched, board, tmp_path):
    """The teacher's round trip: bundle where the network works (here: the run's
    cache), then install everything with an empty cache and no network."""
    for framework in INSTALLABLE:
        fetched(framework)
    folder = tmp_path / "bundle"
    out = ok(upylab("bundle", str(folder), "--all", env=NO_NETWORK))
    with open(folder / "manifest.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    parts = [part for framework in INSTALLABLE for part in recipes.parts_for(framework)]
    assert sorted(row["path"] for row in rows) == sorted(str(cache.mirror_path(p)) for p in parts)
    for row in rows:  # each file is the pinned one, licences included
        data = (folder / row["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"] and len(data) == int(row["bytes"])
    assert {row["role"] for row in rows} == {"framework", "dependency", "license"}
    assert f"install from it with: upylab install --all --mirror {folder}" in out

    empty = tmp_path / "empty-cache"
    out = ok(upylab("install", "--all", "--mirror", str(folder), "--offline",
                    "--board", board.name, env=dict(NO_NETWORK, UPYLAB_CACHE_DIR=str(empty))))
    for framework in INSTALLABLE:
        module = recipes.import_name(recipes.parts_for(framework))
        assert f"{framework}: import {module} OK on the board" in out, out
    assert "fetching" not in out


def test_bundle_adds_to_an_existing_bundle(fetched, tmp_path):
    fetched("aioweb")
    fetched("micropyserver")
    folder = tmp_path / "bundle"
    ok(upylab("bundle", str(folder), "aioweb", env=NO_NETWORK))
    ok(upylab("bundle", str(folder), "micropyserver", env=NO_NETWORK))
    with open(folder / "manifest.csv", newline="") as file:
        frameworks = {row["framework"] for row in csv.DictReader(file)}
    assert frameworks == {"aioweb", "micropyserver"}


def test_bundle_needs_frameworks_or_all(tmp_path):
    result = upylab("bundle", str(tmp_path / "b"))
    assert result.returncode == 2
    assert "name the frameworks to bundle, or give --all" in result.stderr
