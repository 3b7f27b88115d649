"""A framework added as data only is installed, served, checked and measured, with no code changed.

What ``upylab/catalog/__init__.py`` promises: in copies of ``data/`` and
``snippets/`` (``UPYLAB_DATA``, ``UPYLAB_SNIPPETS``), a throwaway framework
``demo``: its rows in ``frameworks.csv`` (the raw-socket row, renamed),
``apps.csv`` and ``install.csv`` (a one-line library, served from a mirror
folder of its own, ``UPYLAB_MIRROR``), and a snippet folder whose app is
the raw-socket one importing that library.  Then the real commands, as a
user runs them: ``upylab catalog --check``, ``upylab install demo``, the
contract tests of ``tests/lessons`` (their harness installs and serves it),
and ``upylab bench --quick demo``.
"""
import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from upylab import paths

pytestmark = [pytest.mark.board, pytest.mark.long(55), pytest.mark.timeout(900)]
PIN = "d" * 40
LIBRARY = b"NAME = 'demo'\n"
# The raw-socket app's documented differences (tests/lessons/lesson_apps.py), which demo,
# with no line there, does not declare: the contract finds them.
UNDECLARED = [("test_a_request_it_cannot_parse_is_a_bad_request[demo-", "no colon"),
              ("test_a_route_that_raises[demo]",)]


def append(table, line):
    with open(table, "a", encoding="utf-8") as file:
        file.write(line + "\n")


def add_catalog_row(table):
    """The raw-socket row of ``frameworks.csv``, as the row of ``demo``."""
    with open(table, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        row = next(row for row in reader if row["id"] == "raw-socket")
    row.update(id="demo", name="Demo", install="github:someone/demo-web", lesson="notebooks/08-demo.ipynb",
               snippets="snippets/demo/", notes="A throwaway.")
    with open(table, "a", newline="", encoding="utf-8") as file:
        csv.DictWriter(file, reader.fieldnames).writerow(row)


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    """The environment of a checkout where ``demo`` was added as data."""
    root = tmp_path_factory.mktemp("as-data")
    data, snippets = root / "data", root / "snippets"
    shutil.copytree(paths.data_dir(), data)
    shutil.copytree(paths.snippets_dir(), snippets, ignore=shutil.ignore_patterns("__pycache__"))
    library = root / "mirror" / "github" / "someone" / "demo-web" / PIN / "demo_web.py"
    library.parent.mkdir(parents=True)
    library.write_bytes(LIBRARY)
    add_catalog_row(data / "frameworks.csv")
    append(data / "apps.csv", 'demo,led_demo,,"A throwaway: the raw-socket app over a one-line library."')
    append(data / "install.csv", f"demo,demo_web,framework,github:someone/demo-web,raw,{PIN},demo_web.py,"
                                 f'{hashlib.sha256(LIBRARY).hexdigest()},,demo_web.py,,demo_web,"A throwaway."')
    (snippets / "demo").mkdir()
    (snippets / "demo" / "led_demo.py").write_text(
        "import demo_web  # the installed library: the app cannot start without it\n"
        + (snippets / "raw-socket" / "led_raw.py").read_text())
    mirrors = os.pathsep.join([str(root / "mirror"), *map(str, paths.mirror_dirs())])
    return dict(os.environ, UPYLAB_DATA=str(data), UPYLAB_SNIPPETS=str(snippets), UPYLAB_MIRROR=mirrors,
                UPYLAB_STATE_DIR=str(root / "state"), UPYLAB_CACHE_DIR=str(root / "cache"))


def upylab(env, *args, timeout=300):
    return subprocess.run([sys.executable, "-m", "upylab", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=paths.ROOT)


def test_its_rows_are_valid(added):
    result = upylab(added, "catalog", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_puts_its_library_on_a_board(added):
    assert upylab(added, "board", "start", "--name", "demo").returncode == 0
    try:
        result = upylab(added, "install", "demo", "--board", "demo", "--source")
        assert result.returncode == 0, result.stdout + result.stderr
        status = upylab(added, "board", "status", "demo").stdout
        folder = re.search(r"^flash:\s*(\S+)", status, re.M)[1]
        assert (Path(folder) / "lib" / "demo_web.py").read_bytes() == LIBRARY
    finally:
        upylab(added, "board", "stop", "demo")


def test_the_contract_tests_serve_and_check_it(added):
    result = subprocess.run([sys.executable, "-m", "pytest", "tests/lessons/test_contract.py", "-k", "demo",
                             "-p", "no:cacheprovider", "-q", "-rfs", "--timeout=600"],
                            capture_output=True, text=True, timeout=850, env=added, cwd=paths.ROOT)
    failed = sorted(line for line in result.stdout.splitlines() if line.startswith("FAILED "))
    assert len(failed) == len(UNDECLARED), result.stdout[-3000:]
    assert all(all(piece in line for piece in pieces) for line, pieces in zip(failed, UNDECLARED)), failed
    passed = int(re.search(r"(\d+) passed", result.stdout)[1])
    assert passed >= 30 and "skipped" not in result.stdout, result.stdout[-3000:]


def test_the_bench_measures_it(added):
    result = upylab(added, "bench", "--quick", "demo", timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    written = list((Path(added["UPYLAB_STATE_DIR"]) / "bench").glob("measurements-*.csv"))
    with open(written[0], newline="", encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row["framework"] == "demo"]
    figures = {row["metric"]: row["value"] for row in rows}
    assert figures.get("rps_1") and figures.get("code_bytes_py"), rows
