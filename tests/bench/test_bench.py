"""``upylab bench``: a real --quick run on fresh virtual boards, its file, and
where figures may and may not go.

The quick run measures every framework this machine can install (all six
with the upstream mirror, ``UPYLAB_MIRROR``; without it, GitHub-only ones
are skipped with the install tool's reason).  It writes its own file and
must leave the catalog's ``data/measurements.csv`` as it was; its file must
validate against data/datapackage.json's schema like the committed one.
"""
import csv
import hashlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from upylab import paths
from upylab.bench import apps, robustness, runner
from upylab.bench import cli as bench
from upylab.board import presets, registry
from upylab.catalog import tables
from upylab.install import recipes

pytestmark = pytest.mark.long(60)   # the quick run (50 s) and its checks

CATALOG = tables.table("measurements").path
QUICK_TIMEOUT = 300     # seconds: a hung run fails; how quick it is is measured, not asserted
FORMED = ("code_bytes", "ram_after_import", "ram_app_built", "smallest_heap")
FIGURES = {*(f"{m}_{form}" for m in FORMED for form in apps.FORMS),
           "ram_per_request", "ram_kept_per_request",
           *(f"{m}_{n}" for m in ("rps", "p50", "p99", "errors", "dropped", "speed_ratio") for n in (1, 10)),
           *(f"robust_{case}_{role}" for case in robustness.CASES for role in ("bad", "during", "after")),
           "robust_split_body_body_read", "robust_concurrent_connections_ok", "static_escape"}


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_bench(*args, env, timeout=300):
    return subprocess.run([sys.executable, "-m", "upylab", "bench", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=paths.ROOT)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, UPYLAB_STATE_DIR=str(folder / "state"),
               UPYLAB_CACHE_DIR=str(folder / "cache"))
    catalog = digest(CATALOG)
    started = time.monotonic()
    result = run_bench("--quick", env=env, timeout=QUICK_TIMEOUT)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    written = list((folder / "state" / "bench").glob("measurements-*.csv"))
    assert len(written) == 1, written
    with open(written[0], newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return {"rows": rows, "output": written[0], "elapsed": elapsed, "stdout": result.stdout,
            "stderr": result.stderr, "env": env, "catalog_before": catalog}


def test_quick_run_runs_to_the_end(quick_run):
    """Its duration is printed, not bounded: the suite runs it beside other tests on
    two cores (the README gives its time on a quiet machine)."""
    print(f"upylab bench --quick: {quick_run['elapsed']:.0f} s")
    assert "bench: 100%" in quick_run["stderr"]          # the progress bar ran to the end


def test_quick_run_writes_its_own_file_and_leaves_the_catalog(quick_run):
    assert digest(CATALOG) == quick_run["catalog_before"]
    assert f"rows written to {quick_run['output']}" in quick_run["stdout"]
    assert not list(CATALOG.parent.glob("*.tmp"))


def test_file_validates_against_its_schema(quick_run, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    shutil.copyfile(quick_run["output"], data / "measurements.csv")
    result = subprocess.run([sys.executable, "-m", "upylab", "catalog", "--check", "--data", str(data)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_installable_framework_has_every_figure(quick_run):
    by_framework = {}
    for row in quick_run["rows"]:
        by_framework.setdefault(row["framework"], {})[row["metric"]] = row
    skipped = {name for name, metrics in by_framework.items() if "skipped" in metrics}
    measured = set(by_framework) - skipped
    assert {"raw-socket", "microdot", "picoweb"} <= measured
    if os.environ.get("UPYLAB_MIRROR"):
        assert not skipped, skipped                      # the mirror has the GitHub-only ones
    assert measured | skipped == set(recipes.framework_ids())
    for framework in measured:
        metrics = by_framework[framework]
        missing = FIGURES - set(metrics)
        assert not missing, f"{framework}: no {sorted(missing)}"
        empty = [m for m in FIGURES if metrics[m]["value"] == "" and "import failed" not in metrics[m]["note"]]
        assert not empty, f"{framework}: empty {empty}"
        for row in metrics.values():
            assert row["board_kind"] == "virtual" and row["micropython"].startswith("1.")
            assert row["command"].startswith("upylab bench --quick") and row["framework_version"]
            assert int(row["run_seconds"]) > 0
        assert float(metrics["speed_ratio_1"]["value"]) > 0
        assert int(metrics["smallest_heap_mpy"]["value"]) >= 16 * 1024
        assert int(metrics["static_escape"]["value"]) == 0
        for case in robustness.CASES:
            for role in ("bad", "during", "after"):
                figure = metrics[f"robust_{case}_{role}"]
                assert figure["outcome"] and figure["unit"] == "s"
                assert (figure["bound"] == "at least") == ("timeout" in figure["outcome"]), figure
    assert float(by_framework["raw-socket"]["speed_ratio_1"]["value"]) == 1.0
    assert "1-client req/s" in by_framework["microdot"]["speed_ratio_10"]["note"]


def test_skipped_frameworks_carry_the_install_tools_reason(quick_run):
    env_cache = quick_run["env"]["UPYLAB_CACHE_DIR"]
    previous = os.environ.get("UPYLAB_CACHE_DIR")
    os.environ["UPYLAB_CACHE_DIR"] = env_cache
    try:
        for row in quick_run["rows"]:
            if row["metric"] == "skipped":
                assert row["note"] and row["note"] == bench.skip_reason(row["framework"])
                assert row["framework"] in quick_run["stdout"]
    finally:
        if previous is None:
            os.environ.pop("UPYLAB_CACHE_DIR")
        else:
            os.environ["UPYLAB_CACHE_DIR"] = previous


@pytest.mark.parametrize("args, refusal", [
    (["--quick", "--replace-catalog"], "--replace-catalog takes a full run"),
    (["microdot", "--replace-catalog"], "--replace-catalog takes a full run"),
    (["--quick", "--output", str(CATALOG)], "only a full run with --replace-catalog"),
    (["--quick", "--output", "data/measurements.csv"], "only a full run with --replace-catalog"),
])
def test_only_a_full_run_asked_for_replaces_the_catalog(args, refusal, tmp_path):
    before = digest(CATALOG)
    result = run_bench(*args, env=dict(os.environ, UPYLAB_STATE_DIR=str(tmp_path)), timeout=60)
    assert result.returncode != 0 and refusal in result.stderr, result.stderr
    assert digest(CATALOG) == before


def test_an_interrupted_full_run_leaves_the_catalog(tmp_path, monkeypatch):
    """Ctrl-C half-way through ``upylab bench --replace-catalog``: the catalog's
    file is as it was, nothing half-written, no board left running."""
    monkeypatch.setenv("UPYLAB_STATE_DIR", str(tmp_path))
    before = digest(CATALOG)
    process = subprocess.Popen([sys.executable, "-m", "upylab", "bench", "--replace-catalog"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=paths.ROOT)
    try:
        seen, deadline = b"", time.monotonic() + 120
        while b"raw-socket: RAM" not in seen:          # under way: a board up, the baseline measured
            assert time.monotonic() < deadline and process.poll() is None, seen[-2000:]
            if select.select([process.stderr], [], [], 1)[0]:
                seen += os.read(process.stderr.fileno(), 65536)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    assert digest(CATALOG) == before
    assert not list(CATALOG.parent.glob("*.tmp"))
    assert registry.running() == []


def test_a_framework_that_fails_keeps_the_catalog(tmp_path):
    run = "20260101T000000Z"
    assert bench.final_output(bench.catalog_file(), True, {}, run) == bench.catalog_file()
    kept = bench.final_output(bench.catalog_file(), True, {"microdot": "AppDown"}, run)
    assert kept == bench.own_file(run) and kept != bench.catalog_file()
    assert bench.final_output(tmp_path / "x.csv", False, {"microdot": "AppDown"}, run) == tmp_path / "x.csv"


def test_bench_on_a_board_named_by_its_device_path(board, tmp_path):
    """--board with a serial device, as for a real ESP32: files over the serial
    line, the board kind recorded, the board left running."""
    output = tmp_path / "run.csv"
    result = run_bench("microdot", "--quick", "--board", board.device, "--output", str(output),
                   env=dict(os.environ), timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    with open(output, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert {row["framework"] for row in rows} == {"raw-socket", "microdot"}
    for row in rows:
        if row["metric"].startswith("smallest_heap"):
            assert row["board_kind"] == "virtual" and "fresh virtual boards" in row["note"]
        else:
            assert (row["board_kind"], row["heap_preset"], row["board_heap"]) == \
                ("virtual", presets.DEFAULT, str(board.heap_bytes))
    assert all(row["command"].endswith(f"--board {board.device} --output {output}")
               for row in rows)
    lib = Path(board.flash) / "lib" / "microdot"
    assert list(lib.glob("*.mpy")) and not list(lib.glob("*.py"))   # the .mpy install, no stale source
    assert (Path(board.flash) / "led_microdot.py").is_file()
    assert [record.name for record in registry.running()] == [board.name]
    assert runner.given_board(board.device).kind == "virtual"


def test_bisection_finds_the_smallest_passing_heap():
    asked = []

    def fits(needed):
        return lambda heap: asked.append(int(heap)) or int(heap) >= needed

    assert runner.smallest_heap(fits(50_000), 1024) - 50_000 < 1024
    assert runner.smallest_heap(fits(10_000), 1024) == 16 * 1024
    assert runner.smallest_heap(fits(300_000), 1024) - 300_000 < 1024
    assert runner.smallest_heap(fits(2_000_000), 1024) is None
    assert len(asked) < 60


@pytest.mark.board
def test_a_heap_check_says_why_it_failed(state_dir):
    """The reason goes into the smallest heap's note: a bisection whose checks
    disagree (a larger heap failing) can then be read."""
    check = runner.heap_failure
    assert check("raw-socket", str(presets.PRESETS[presets.DEFAULT]), 12, {}, "heap-ok", 3.0) == ""
    failure = check("raw-socket", str(presets.MIN_HEAP), 12, {}, "heap-small", 3.0)
    # one short line for the note (what the board or the client saw; here, as a
    # rule, the board never gets back to its prompt)
    assert failure and "\n" not in failure and len(failure) < 200, failure
