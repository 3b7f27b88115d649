"""``upylab class measure``: what a class of N costs this machine, recorded in data/.

It runs a real class (as root) in a folder of its own, never the
teacher's: N students log in through the hub, all their servers are
started at once, each opens a MicroPython kernel on their own board, and
every board runs the first cells of a lesson at the same time, as a room
does when the teacher says "run the first cells".  Measured:

* the time from the N start requests until every server is ready;
* memory per student: the proportional set size (PSS: shared pages split
  between their users, so libraries are not counted N times) of every
  process of the student's account, i.e. server + kernel + board, and
  their RSS for comparison; the hub's own (hub, proxy, culler);
* each cell's round trip (request sent to kernel idle) with N busy, p50
  and p99, for all cells and for the board cells alone (the others are
  host-side magics, e.g. sending files to the board);
* how many students this machine would hold at that memory per student,
  with what the hub uses and what was in use before the class started.

Rows go to ``data/class-measurements.csv`` (schema in datapackage.json).
"""
import asyncio
import csv
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from upylab import paths
from upylab.board import presets
from upylab.classroom import accounts, hub, settings
from upylab.classroom.client import Student
from upylab.errors import UpylabError

OUTPUT = "class-measurements.csv"     # in data/
COLUMNS = ("run", "metric", "value", "unit", "students", "machine", "date", "command", "note")
LESSON = "01-raw-sockets.ipynb"
FIRST_CELLS = 8
READY_TIMEOUT = 900.0
POLL = 1.0


def lesson_cells(lesson: str = LESSON, count: int = FIRST_CELLS) -> list:
    notebook = nbformat.read(paths.NOTEBOOKS / lesson, as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"][:count]


def run(students: int, output: Path = None) -> int:
    if os.geteuid() != 0:
        raise UpylabError("measuring a class needs root: it makes an account per student")
    started = datetime.now(timezone.utc)
    names = [f"measure{number:02d}" for number in range(1, students + 1)]
    available_before = _meminfo()["MemAvailable"]
    with tempfile.TemporaryDirectory(prefix="upylab-measure-") as folder:
        os.environ[settings.CLASS_ENV] = folder   # never the teacher's class folder
        options = hub.start(names, "teacher", "127.0.0.1", hub.free_port(), "", presets.DEFAULT, "",
                            3600, False)
        try:
            figures = _measure(options, names)
        except BaseException:
            kept = paths.state_dir() / "class-measure-hub.log"
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(folder) / "hub.log", kept)
            print(f"the hub's log is kept in {kept}", file=sys.stderr)
            raise
        finally:
            forced = hub.stop(remove_users=True)
            del os.environ[settings.CLASS_ENV]
    figures["capacity_by_memory"] = (
        int((_mib(available_before) - figures["memory_hub"][0])
            // figures["memory_per_student_pss"][0]),
        "students", "MemAvailable before the class, less the hub's memory, over PSS per student")
    if forced:
        print(f"stopping the class had to end: {', '.join(forced)}", file=sys.stderr)
    _write(output or paths.data_dir() / OUTPUT, started, students, figures)
    for metric, (value, unit, _) in figures.items():
        print(f"{metric}\t{value}\t{unit}")
    return 0


def _measure(options, names) -> dict:
    students = [Student(options.url, name, options.passwords[name]).login() for name in names]
    begun = time.monotonic()
    with ThreadPoolExecutor(len(students)) as pool:
        list(pool.map(Student.start_server, students))
    ready = _wait_all_ready(options, names, begun)
    print(f"all {len(names)} servers ready in {max(ready):.0f} s; running the lesson's first "
          f"cells on every board", file=sys.stderr, flush=True)
    with ThreadPoolExecutor(len(students)) as pool:
        kernels = list(pool.map(Student.start_kernel, students))
    cells = lesson_cells()

    async def every_board():
        return await asyncio.gather(*(_run_cells(student, kernel, cells)
                                      for student, kernel in zip(students, kernels)))
    timings = [timing for one in asyncio.run(every_board()) for timing in one]
    errors = [error for _, _, error in timings if error]
    if errors:
        raise UpylabError(f"{len(errors)} lesson cells failed, e.g. {errors[0]}")
    memory = [_memory_of_user(name) for name in names]
    all_ms = [ms for _, ms, _ in timings]
    board_ms = [ms for code, ms, _ in timings if not code.lstrip().startswith("%")]
    return {
        "ready_all": (round(max(ready), 1), "s", "from all start requests until every server is ready"),
        "ready_p50": (round(statistics.median(ready), 1), "s", "a student's server, median"),
        "memory_per_student_pss": (_mib(statistics.mean(pss for pss, _ in memory)), "MiB",
                                   "server + kernel + board, mean"),
        "memory_per_student_rss": (_mib(statistics.mean(rss for _, rss in memory)), "MiB",
                                   "the same, RSS (shared pages counted in each)"),
        "memory_hub": (_mib(_memory_of_tree(options.hub_pid)[0]), "MiB",
                       "JupyterHub, configurable-http-proxy, idle culler (PSS)"),
        "cell_p50": (_percentile(all_ms, 50), "ms", f"first {len(cells)} code cells of {LESSON}"),
        "cell_p99": (_percentile(all_ms, 99), "ms", f"first {len(cells)} code cells of {LESSON}"),
        "board_cell_p50": (_percentile(board_ms, 50), "ms", "cells that run on the board"),
        "board_cell_p99": (_percentile(board_ms, 99), "ms", "cells that run on the board"),
        "cells": (len(all_ms), "cells", "round trips measured"),
        "machine_memory": (_mib(_meminfo()["MemTotal"]), "MiB", f"{os.cpu_count()} cores"),
    }


def _wait_all_ready(options, names, begun) -> list:
    """Seconds from ``begun`` until each server was seen ready (the hub's user list)."""
    ready = {}
    deadline = begun + READY_TIMEOUT
    while len(ready) < len(names):
        if time.monotonic() > deadline:
            raise UpylabError(f"only {len(ready)} of {len(names)} servers were ready "
                              f"within {READY_TIMEOUT:.0f} s")
        for user in hub.api(options, "GET", "users"):
            server = user["servers"].get("")
            if user["name"] in names and user["name"] not in ready and server and server["ready"]:
                ready[user["name"]] = time.monotonic() - begun
        time.sleep(POLL)
    return list(ready.values())


async def _run_cells(student, kernel, cells) -> list:
    timings = []
    async with student.channels(kernel) as channels:
        for number, code in enumerate(cells, 1):
            begun = time.monotonic()
            try:
                cell = await channels.run(code)
            except UpylabError as error:
                raise UpylabError(f"{student.name}, cell {number} ({code.splitlines()[0]}): "
                                  f"{error}") from None
            timings.append((code, round((time.monotonic() - begun) * 1000, 1), cell.error))
    return timings


def _memory_of_user(name) -> tuple:
    """(PSS, RSS) in bytes of every process of the account."""
    import pwd
    pids = accounts.processes_of(pwd.getpwnam(name).pw_uid)
    return tuple(map(sum, zip(*(_memory_of_pid(pid) for pid in pids))))


def _memory_of_tree(root: int) -> tuple:
    """(PSS, RSS) of a process and its descendants of the same user.

    The students' servers are the hub's children too, but run as the
    students: they are counted per student, not here.
    """
    children, owner = {}, Path(f"/proc/{root}").stat().st_uid
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
                if entry.stat().st_uid != owner:
                    continue
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tuple(map(sum, zip(*(_memory_of_pid(pid) for pid in tree))))


def _memory_of_pid(pid) -> tuple:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    fields = {line.split(":")[0]: int(line.split()[1]) * 1024
              for line in rollup.splitlines()[1:] if line.endswith("kB")}
    return fields.get("Pss", 0), fields.get("Rss", 0)


def _meminfo() -> dict:
    return {line.split(":")[0]: int(line.split()[1]) * 1024
            for line in Path("/proc/meminfo").read_text().splitlines()}


def _mib(value) -> float:
    return round(value / 2**20, 1)


def _percentile(values, percent) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(percent / 100 * (len(ordered) - 1))))]


def _write(path: Path, started: datetime, students: int, figures: dict):
    new = not path.exists()
    run_id = started.strftime("%Y%m%dT%H%M%SZ")
    machine = f"{os.cpu_count()} cores, {_meminfo()['MemTotal'] / 2**30:.0f} GiB"
    with path.open("a", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        if new:
            writer.writerow(COLUMNS)
        for metric, (value, unit, note) in figures.items():
            writer.writerow([run_id, metric, value, unit, students, machine,
                             started.isoformat(timespec="seconds"),
                             f"upylab class measure --students {students}", note])
