"""Every citation in the lessons names a file, and lines, that exist at the pinned version.

Offline except PyPI: sdists come through the run's framework cache, the
GitHub-only frameworks from the shared mirror, and sources with no offline
copy from the recorded table (see citations.py for what each check does
and does not prove).  To re-check the recorded table against clones, e.g.
those the project's ``fetch`` tool brings to /work/.mirror:

    UPYLAB_UPSTREAM_GIT=/work/.mirror .venv/bin/python -m pytest tests/notebooks/test_citations.py -k recorded
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import citations
from nbrun import notebooks
from upylab.install import cache


def fetch_or_skip(part):
    try:
        return cache.ensure(part, log=lambda message: None)[0]
    except cache.FetchError as error:
        pytest.skip(f"PyPI is needed for the cited sdists: {error}")


@pytest.fixture(scope="module")
def sources(framework_cache):
    return citations.Sources(fetch_or_skip)


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda path: path.name)
def test_every_citation_exists_at_its_pinned_version(notebook, sources):
    wrong, unchecked = [], []
    for citation in citations.find(notebook):
        try:
            wrong += citations.problems(citation, sources)
        except citations.MirrorAbsent as absent:
            unchecked.append(f"{citation.url} ({absent})")
    assert not wrong, "\n".join(wrong)
    if unchecked:
        pytest.skip(f"{len(unchecked)} links to GitHub-only frameworks not checked: {unchecked[0]}")


def lesson_with(tmp_path, markdown):
    notebook = tmp_path / "99-cites.ipynb"
    notebook.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": [markdown]}]}))
    return notebook


def test_a_bad_path_or_line_range_is_reported(tmp_path, sources):
    """The check can fail: each broken link below is reported, the good one is not."""
    md = "https://code.miguelgrinberg.com/miguelgrinberg/microdot/src/tag/v2.7.0/src/microdot"
    pico = "https://github.com/pfalcon/picoweb/blob/b74428ebdde97ed1795338c13a3bdf05d71366a0"
    notebook = lesson_with(tmp_path, "\n".join([
        f"[good]({md}/microdot.py#L1-L2)",
        f"[no such file]({md}/nowhere.py#L1)",
        f"[past the end]({pico}/picoweb/utils.py#L1-L99999)",
        "[a moving ref](https://github.com/pfalcon/picoweb/blob/master/picoweb/__init__.py#L11)",
        f"[MicroPython, other commit](https://github.com/micropython/micropython/blob/{'0' * 40}"
        "/extmod/asyncio/stream.py#L222)",
        f"[not recorded](https://github.com/micropython/micropython/blob/{citations.MICROPYTHON_REF}"
        "/extmod/asyncio/stream.py#L1-L2)",
        "[unknown host](https://example.com/some/file.py#L3)",
        "[a commit never checked](https://github.com/micropython/micropython/commit/"
        "63b99443820f53afbdab5c0e5ba5a7ad1f5d6d1b)",
    ]))
    reported = [problem for citation in citations.find(notebook)
                for problem in citations.problems(citation, sources)]
    assert len(reported) == 7, "\n".join(reported)
    for expected in ("nowhere.py does not exist", "out of range", "'master' is not a full commit",
                     "MicroPython is cited at", "are not recorded", "cannot check",
                     "not in RECORDED_COMMITS"):
        assert any(expected in problem for problem in reported), (expected, reported)
    assert not any("microdot.py#L1-L2" in problem for problem in reported)


def test_the_pinned_interpreter_is_the_build_the_micropython_citations_were_checked_for():
    """MICROPYTHON_REF was chosen for this build; a new interpreter means re-checking them."""
    micropython = Path(sys.executable).parent / "micropython"
    version = subprocess.run([str(micropython), "-c", "import sys; print(sys.version)"],
                             capture_output=True, text=True, timeout=30).stdout
    assert citations.MICROPYTHON_BUILD in version, (
        f"the pinned interpreter now reports {version.strip()!r}: re-check the MicroPython "
        "citations (RECORDED, MICROPYTHON_REF) against its source and update citations.py")


CLONES = os.environ.get("UPYLAB_UPSTREAM_GIT")
needs_clones = pytest.mark.skipif(
    not CLONES, reason="a release check: set UPYLAB_UPSTREAM_GIT to a folder of bare clones "
                       "(OWNER+REPO/repo) to re-check the recorded citations")


def upstream_clone(repo):
    folder = Path(CLONES) / repo.replace("/", "+") / "repo"
    assert folder.is_dir(), f"no clone of {repo} at {folder}"
    return folder


@needs_clones
def test_recorded_ranges_match_a_clone():
    wrong = []
    for key, expected in sorted(citations.RECORDED.items()):
        repo, ref, path, first, last = key
        text = subprocess.run(["git", "-C", str(upstream_clone(repo)), "show", f"{ref}:{path}"],
                              capture_output=True, text=True, check=True).stdout
        if citations.lines_sha256(text, first, last) != expected:
            wrong.append(f"{repo}@{ref[:12]}:{path}#L{first}-L{last}")
    assert not wrong, "recorded ranges that differ from the clone: " + ", ".join(wrong)


@needs_clones
def test_recorded_commits_exist_in_a_clone():
    missing = [f"{repo}@{commit}" for repo, commit in sorted(citations.RECORDED_COMMITS)
               if subprocess.run(["git", "-C", str(upstream_clone(repo)), "cat-file", "-e",
                                  f"{commit}^{{commit}}"]).returncode != 0]
    assert not missing, "recorded commits not in the clone: " + ", ".join(missing)


def test_links_to_the_shared_mirror_are_checked(tmp_path, sources):
    """A GitHub-only framework's file, at a mirrored commit: found, and a bad line reported."""
    if not citations.MIRROR.is_dir():
        pytest.skip(f"the shared mirror is not at {citations.MIRROR}")
    tinyweb = "https://github.com/belyalov/tinyweb/blob/7669f03cdcbb62a847e7d4917673be52ad2f7e79"
    notebook = lesson_with(tmp_path, f"[ok]({tinyweb}/tinyweb/server.py#L1) "
                                     f"[too far]({tinyweb}/tinyweb/server.py#L99999)")
    reported = [problem for citation in citations.find(notebook)
                for problem in citations.problems(citation, sources)]
    assert len(reported) == 1 and "out of range" in reported[0], reported
