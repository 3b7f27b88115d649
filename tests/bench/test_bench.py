"""``upylab bench --quick``: one real run on fresh virtual boards, then its file.

The run measures raw sockets, Microdot and picoWeb (the frameworks this
machine can install); GitHub-only frameworks must appear as skipped with
the install tool's reason.  The output goes to a temporary CSV, which must
validate against data/datapackage.json's schema like the committed one.
"""
import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from upylab.bench import cli as bench
from upylab.bench import load, runner
from upylab.install import recipes

ROOT = Path(__file__).resolve().parents[2]
QUICK_BUDGET = 120      # seconds; the run itself aims at under 60
FIGURES = {"code_source_bytes", "code_mpy_bytes", "ram_after_import", "ram_app_built",
           "ram_per_request", "ram_kept_per_request", "smallest_heap",
           *(f"{m}_{n}" for m in ("rps", "p50", "p99", "errors", "dropped", "speed_ratio")
             for n in (1, 10)),
           *(f"robust_{case}" for case in load.CASES), "robust_passed", "static_escape"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, UPYLAB_STATE_DIR=str(folder / "state"),
               UPYLAB_CACHE_DIR=str(folder / "cache"))
    output = folder / "measurements.csv"
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "upylab", "bench", "--quick", "--output", str(output)],
                            capture_output=True, text=True, timeout=QUICK_BUDGET + 60, env=env)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    with open(output, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return {"rows": rows, "output": output, "elapsed": elapsed, "stdout": result.stdout,
            "stderr": result.stderr, "env": env}


def test_quick_run_is_quick(quick_run):
    print(f"upylab bench --quick: {quick_run['elapsed']:.0f} s")
    assert quick_run["elapsed"] < QUICK_BUDGET
    assert "bench: 100%" in quick_run["stderr"]          # the progress bar ran to the end


def test_file_validates_against_its_schema(quick_run, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
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
    assert measured | skipped == set(recipes.framework_ids())
    for framework in measured:
        metrics = by_framework[framework]
        missing = FIGURES - set(metrics)
        assert not missing, f"{framework}: no {sorted(missing)}"
        empty = [m for m in FIGURES if metrics[m]["value"] == ""]
        assert not empty, f"{framework}: empty {empty}"
        for row in metrics.values():
            assert row["board_kind"] == "virtual" and row["micropython"].startswith("1.")
            assert row["command"].startswith("upylab bench --quick") and row["framework_version"]
        assert float(metrics["speed_ratio_1"]["value"]) > 0
        assert int(metrics["smallest_heap"]["value"]) >= 16 * 1024
        assert int(metrics["static_escape"]["value"]) == 0
    assert float(by_framework["raw-socket"]["speed_ratio_1"]["value"]) == 1.0


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


def test_bisection_finds_the_smallest_passing_heap():
    asked = []

    def fits(needed):
        return lambda heap: asked.append(int(heap)) or int(heap) >= needed

    assert runner.smallest_heap(fits(50_000), 1024) - 50_000 < 1024
    assert runner.smallest_heap(fits(10_000), 1024) == 16 * 1024
    assert runner.smallest_heap(fits(300_000), 1024) - 300_000 < 1024
    assert runner.smallest_heap(fits(2_000_000), 1024) is None
    assert len(asked) < 60
