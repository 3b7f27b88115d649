"""``upylab bench [FRAMEWORK...] [--quick] [--board NAME|PORT] [--output CSV | --replace-catalog]``.

Measures every framework's reference app (``snippets/<id>/``) and the
raw-socket baseline, in one run, one figure per CSV row (with the board
kind, heap, MicroPython and framework versions, date, command and the
run's duration):

* code size: bytes of the code the board needs (the framework's files for
  /lib, the app module, led.py, templates), as source (``code_bytes_py``)
  and compiled with mpy-cross (``code_bytes_mpy``);
* RAM, for each way ``upylab install`` puts a framework on a board (source,
  ``_py``; precompiled, ``_mpy``): heap used (after gc.collect()) after
  importing the framework, and after importing the app module (the app
  built); an import that fails (a MemoryError) is an empty figure with the
  error.  With the .mpy install: allocated per request (gc disabled over a
  few requests, minus the same time idle) and kept per request;
* smallest heap, for both installs: bisected over ``--heap`` sizes on fresh
  virtual boards, the smallest on which the app (its ``run()``, as the
  lessons run it) boots and serves 100 requests over all its routes
  correctly on 3 fresh boards in a row, to 1 KB.  Near the edge a heap
  sometimes works and sometimes fails (fragmentation differs between
  boots): 3 boots make the figure one that works, not one that once worked;
* speed (the app's ``run()``): req/s and latency p50/p99 with 1 client and
  with 10 concurrent clients, keep-alive where the server keeps the
  connection; errors and dropped connections counted.  ``speed_ratio_1`` and
  ``speed_ratio_10`` divide by the raw-socket baseline's 1-client req/s of
  the same run (the baseline serves one client at a time, so its own
  10-client figure measures its listen queue, not a framework);
* robustness (``upylab.bench.robustness``): per bad client, what it got (a
  status code, closed, reset, refused, timeout) and when, and how long a
  good request made during it, and one after it, waited.  A timeout is a
  lower bound (``bound`` "at least"): "waited at least 9 s".

Heap figures come from the 64-bit unix port: they rank the frameworks, but
overstate what a 32-bit ESP32 needs (its objects are about half the size).
Speed, RAM and robustness are measured with the framework as .mpy; the
app's own modules stay source.  A framework that cannot be fetched here is
listed as skipped with the install tool's reason, never measured from
elsewhere.

Where the figures go: ``data/measurements.csv`` is the catalog's, and only
``--replace-catalog`` (a full run: every framework, not --quick) replaces
it, once every framework was measured; a run that fails half-way leaves it
as it was.  Any other run writes its own file (``--output CSV``, or
``measurements-<run>.csv`` in upylab's state folder) and prints a summary.

``--board NAME|PORT`` measures on a board the other commands accept: a
running virtual board, by name or serial device, or a real ESP32 on its
port (``/dev/ttyUSB0``), whose files the bench writes over the serial
line; the host reaches a real board's servers at its Wi-Fi address (it
joins the network saved in ``wifi_secrets.py``, lesson 00), so the host
must be on the same network.  The bench replaces the framework's files in
that board's /lib.  The smallest heap is always bisected on fresh virtual
boards (its rows say so).  Without ``--board``, each framework gets a
fresh virtual board with the ESP32's heap.

Duration on the 2-CPU machine that made the committed figures: see the
``run_seconds`` column (about 400 s; ``--quick``: 40 s, under a minute,
figures rough, for CI: its boards run three at a time).  On that machine,
shared with other jobs, a speed ratio moved by up to 10x between two full
runs (the baseline's own 1-client rate by 4x): compare within a run, and
re-run on a quiet machine before drawing a conclusion from speed.
"""
import csv
import shlex
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from upylab import paths
from upylab.bench import apps, load, robustness, runner
from upylab.board import presets, registry
from upylab.catalog import tables
from upylab.catalog.apps import apps as reference_apps
from upylab.errors import UpylabError
from upylab.install import cache, mpy, recipes

BASELINE = "raw-socket"
FORM = "mpy"              # how speed, per-request RAM and robustness are measured
COLUMNS = ["run", "framework", "metric", "value", "unit", "outcome", "bound", "board_kind", "board_heap",
           "heap_preset", "micropython", "framework_version", "form", "date", "command", "run_seconds",
           "note"]
FULL = {"requests": 100, "heap_step": 1024, "boots": 3, "one": 300, "ten": 50, "window": 5, "steady": 50,
        "limits": robustness.FULL, "check_timeout": 5.0, "workers": 1}
QUICK = {"requests": 7, "heap_step": 1024 * 1024, "boots": 1, "one": 20, "ten": 4, "window": 3, "steady": 5,
         "limits": robustness.QUICK, "check_timeout": 3.0, "workers": 3}
STEPS = ("size", "RAM", "speed", "robustness", "smallest heap (py)", "smallest heap (mpy)")


def register(subparsers):
    parser = subparsers.add_parser(
        "bench", help="measure size, RAM, smallest heap, speed and robustness of each framework",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    parser.add_argument("frameworks", nargs="*", metavar="FRAMEWORK",
                        help="framework ids of data/frameworks.csv (default: all); "
                             "the raw-socket baseline is always measured")
    parser.add_argument("--board", metavar="NAME|PORT",
                        help="measure on this board: a running virtual board (name or device) "
                             "or a real one's serial port (default: a fresh virtual board per framework)")
    parser.add_argument("--quick", action="store_true",
                        help="few requests, short holds, coarse heap bisection, boards in parallel: "
                             "under a minute, rough figures (for CI)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--output", type=Path, metavar="CSV",
                       help="write this run's figures here (default: measurements-<run>.csv "
                            "in upylab's state folder)")
    where.add_argument("--replace-catalog", action="store_true",
                       help="a full run only: replace data/measurements.csv with this run's figures "
                            "(kept as it was if any framework fails)")
    parser.set_defaults(func=run)


def catalog_file() -> Path:
    return tables.table("measurements").path


def skip_reason(framework):
    """Why a framework cannot be measured here, or '' if it can."""
    for part in recipes.parts_for(framework):
        try:
            cache.ensure(part, log=lambda message: None)
        except cache.FetchError as error:
            return f"cannot install {framework} here: {error}"
    if framework not in reference_apps():
        return f"no reference app for {framework} in data/apps.csv yet"
    return ""


def destination(args, run_id) -> Path:
    """Where this run's figures go; never the catalog's file unless asked, for a full run."""
    if args.replace_catalog:
        if args.quick or args.frameworks:
            raise UpylabError("--replace-catalog takes a full run: every framework, without --quick "
                              "(the catalog's figures all come from one run)")
        return catalog_file()
    if args.output:
        if args.output.resolve() == catalog_file().resolve():
            raise UpylabError(f"{args.output} is the catalog's file: only a full run with "
                              "--replace-catalog replaces it")
        return args.output
    return own_file(run_id)


def own_file(run_id) -> Path:
    return paths.state_dir() / "bench" / f"measurements-{run_id}.csv"


def run(args):
    known = recipes.framework_ids()
    for name in args.frameworks:
        if name not in known:
            raise UpylabError(f"unknown framework {name!r}: choose from {', '.join(known)}")
    wanted = list(dict.fromkeys([BASELINE, *(args.frameworks or known)]))
    started_at = datetime.now(timezone.utc)
    run_id = started_at.strftime("%Y%m%dT%H%M%SZ")
    output = destination(args, run_id)
    given = runner.given_board(args.board) if args.board else None
    settings = QUICK if args.quick else FULL
    started = time.monotonic()
    context = {
        "run": run_id, "date": started_at.isoformat(timespec="seconds"),
        "command": " ".join(["upylab bench", shlex.join(
            sys.argv[2:] if sys.argv[1:2] == ["bench"] else
            [*args.frameworks, *(["--quick"] if args.quick else []),
             *(["--board", args.board] if args.board else [])])]).strip(),
    }
    reasons = {framework: skip_reason(framework) for framework in wanted}
    skipped = [(framework, reason) for framework, reason in reasons.items() if reason]
    measured = [framework for framework, reason in reasons.items() if not reason]
    for framework, reason in skipped:
        print(f"{framework}: skipped: {reason}", file=sys.stderr, flush=True)
    results, failed = measure_all(measured, given, settings)
    context["run_seconds"] = round(time.monotonic() - started)
    rows = [row(context, framework, "skipped", None, "", note=reason,
                framework_version=apps.framework_version(framework)) for framework, reason in skipped]
    rows += [row(context, framework, "failed", None, "", note=reason,
                 framework_version=apps.framework_version(framework)) for framework, reason in failed.items()]
    rows += figures(results, context)
    print(summary(results, skipped, failed))
    written = final_output(output, args.replace_catalog, failed, run_id)
    write(written, rows)
    print(f"{len(rows)} rows written to {written} in {context['run_seconds']} s")
    if written != output:
        print(f"{output} kept as it was: {', '.join(failed)} could not be measured")
        return 1
    return 0


def final_output(output, replacing, failed, run_id) -> Path:
    """The catalog's figures all come from one run: if a framework failed, a
    run meant to replace them writes its own file instead."""
    return own_file(run_id) if replacing and failed else output


def measure_all(frameworks, given, settings) -> tuple:
    """({framework: figures}, {framework: why it failed}), with a progress bar.

    A full run measures one framework at a time (speed and the robustness
    timings need the CPUs to themselves), then bisects the smallest heaps two
    boards at a time; --quick runs all of it ``workers`` boards at a time."""
    results, failed = {}, {}
    lock, probing = threading.Lock(), threading.Lock()
    probed = {}

    def virtual_mpy():
        with probing:
            if "version" not in probed:
                probed["version"] = virtual_mpy_version()
            return probed["version"]

    with tqdm(total=len(frameworks) * len(STEPS), desc="bench", unit="step", file=sys.stderr) as bar:
        def step(label):
            """One step done; ``label`` says what comes next."""
            with lock:
                bar.set_postfix_str(label)
                bar.update()

        def measure_task(framework):
            try:
                results[framework] = measure(framework, given, settings, step)
            except (runner.AppDown, OSError, UpylabError) as error:   # a finding
                message = " ".join(str(error).split())[-400:]
                print(f"{framework}: failed: {message}", file=sys.stderr, flush=True)
                failed[framework] = message

        def heap_task(framework, form):
            lib = apps.lib_forms(framework, virtual_mpy())[form]
            figure = bisect(framework, form, lib, settings)
            step(f"{framework}: smallest heap ({form})")
            return framework, form, figure

        heap_jobs = [(framework, form) for framework in frameworks for form in apps.FORMS]
        if settings["workers"] > 1 and given is None:
            with ThreadPoolExecutor(max_workers=settings["workers"]) as pool:
                measures = [pool.submit(measure_task, framework) for framework in frameworks]
                heaps = [pool.submit(heap_task, *job) for job in heap_jobs]
                for future in measures:
                    future.result()
                heaps = [future.result() for future in heaps]
        else:
            for framework in frameworks:
                measure_task(framework)
            with ThreadPoolExecutor(max_workers=2) as pool:
                heaps = list(pool.map(lambda job: heap_task(*job), heap_jobs))
    for framework, form, figure in heaps:
        if framework in results:
            results[framework][f"smallest_heap_{form}"] = figure
    return {framework: results[framework] for framework in frameworks if framework in results}, failed


def virtual_mpy_version() -> str:
    """The .mpy version a fresh virtual board loads (what its heap checks get)."""
    board = runner.own_board("bench-probe")
    try:
        session = runner.Session(board)
        try:
            return mpy.board_mpy_version(session.info()[0])
        finally:
            session.close()
    finally:
        registry.stop(board.owned)


def measure(framework, given, settings, step) -> dict:
    """Size, RAM, speed and robustness of one framework's app, on ``given`` or on
    a fresh virtual board."""
    app = reference_apps()[framework]
    board = given or runner.own_board(f"bench-{framework}", presets.DEFAULT)
    out = {"framework_version": apps.framework_version(framework)}
    session = None
    try:
        session = runner.Session(board)
        mpy_word, version, free = session.info()
        if board.kind == "real":
            board.heap_bytes = free
        out.update(board_kind=board.kind, heap_preset=board.heap_preset, board_heap=board.heap_bytes,
                   micropython=version)
        forms = apps.lib_forms(framework, mpy.board_mpy_version(mpy_word))
        code = apps.code_files(app)
        out["code_bytes_py"] = sum(map(len, forms["py"].values())) + sum(map(len, code.values()))
        out["code_bytes_mpy"] = sum(map(len, forms["mpy"].values())) + sum(
            map(len, mpy.compile_files(code, mpy.board_mpy_version(mpy_word)).values()))
        step(f"{framework}: RAM")
        files = apps.app_files(app)
        for form in apps.FORMS:                     # the .mpy install last: it stays for the rest
            session.put(forms[form], files)
            out[f"ram_{form}"] = session.imports(app)
        session.fresh()
        session.start(app, "serve")
        for _ in range(3):
            load.good(board.address)
        out.update(per_request(session, settings))
        session.fresh()     # a KeyboardInterrupt leaves serve()'s socket open: start clean
        step(f"{framework}: speed")
        session.start(app, "run")
        out["one"] = load.load(board.address, 1, settings["one"])
        out["ten"] = load.load(board.address, 10, settings["ten"])
        if not load.good(board.address):
            session.restart()
        step(f"{framework}: robustness")
        out["robustness"] = robustness.suite(board.address, settings["limits"], session.restart)
        out["escaped"] = robustness.escapes(board.address, settings["limits"])
        out["limits"] = settings["limits"]
        step(f"{framework}: done")
    finally:
        if session:
            session.stop()
            session.close()
        if board.owned:
            registry.stop(board.owned)
    return out


def bisect(framework, form, lib, settings) -> dict:
    """The smallest heap of one install form, on fresh boards: {'value', 'checks', 'boots'}."""
    checks = []

    def check(heap):
        failure = ""
        for _ in range(settings["boots"]):
            failure = runner.heap_failure(framework, heap, settings["requests"], lib,
                                          f"bench-heap-{framework}-{form}", settings["check_timeout"])
            if failure:
                break
        checks.append((heap, failure))
        return not failure

    return {"value": runner.smallest_heap(check, settings["heap_step"]), "checks": checks,
            "boots": settings["boots"]}


def per_request(session, settings) -> dict:
    """Heap allocated per request (gc off, minus as long idle) and kept per request."""
    address = session.board.address
    used_before = session.command("c")[0]
    start_used = session.command("d")[0]
    started = time.monotonic()
    for _ in range(settings["window"]):
        load.good(address)
    window = time.monotonic() - started
    allocated = session.command("e")[0] - start_used
    idle_start = session.command("d")[0]
    time.sleep(window)
    idle = session.command("e")[0] - idle_start
    for _ in range(settings["steady"]):
        load.good(address)
    used_after = session.command("c")[0]
    count = settings["window"] + settings["steady"]
    return {"ram_per_request": max(0, allocated - idle) / settings["window"],
            "ram_kept_per_request": max(0, used_after - used_before) / count,
            "window_note": f"gc off over {settings['window']} requests ({allocated} B) "
                           f"minus {window:.2f} s idle ({idle} B)"}


def row(context, framework, metric, value, unit, note="", **extra):
    values = {"run": context["run"], "framework": framework, "metric": metric,
              "value": "" if value is None else (round(value, 3) if isinstance(value, float) else value),
              "unit": unit, "outcome": "", "bound": "", "board_kind": "", "board_heap": "",
              "heap_preset": "", "micropython": "", "framework_version": "", "form": "",
              "date": context["date"], "command": context["command"],
              "run_seconds": context.get("run_seconds", ""), "note": note}
    values.update(extra)
    return values


def figures(results, context) -> list:
    baseline = (results.get(BASELINE) or {}).get("one", {}).get("rps")
    out = []
    for framework, r in results.items():
        common = {key: r[key] for key in ("board_kind", "board_heap", "heap_preset", "micropython",
                                          "framework_version")}

        def add(metric, value, unit, note="", form=FORM, **extra):
            out.append(row(context, framework, metric, value, unit, note, **{**common, "form": form, **extra}))

        for form in apps.FORMS:
            what = "source" if form == "py" else "compiled with mpy-cross"
            add(f"code_bytes_{form}", r[f"code_bytes_{form}"], "B",
                f"framework files for /lib + app code, {what}", form)
            after_import, app_built, error = r[f"ram_{form}"]
            failed = f"the import failed on this board: {error}" if error else ""
            add(f"ram_after_import_{form}", after_import, "B",
                failed or "after importing the framework; 64-bit unix port: overstates a 32-bit board", form)
            add(f"ram_app_built_{form}", app_built, "B",
                failed or "after importing the app module; 64-bit unix port", form)
            heap = r[f"smallest_heap_{form}"]
            checks = "; ".join(f"{h}:fail ({failure.replace(';', ',')})" if failure else f"{h}:ok"
                               for h, failure in heap["checks"])
            add(f"smallest_heap_{form}", heap["value"], "B",
                f"gc.mem_free() after boot, fresh virtual boards; 64-bit unix port: ranks, overstates "
                f"a 32-bit board; each check {heap['boots']} fresh boot(s): {checks}"
                + ("" if heap["value"] else "; not even the largest heap tried was enough"),
                form, board_kind="virtual", board_heap="", heap_preset="")
        add("ram_per_request", r["ram_per_request"], "B", r["window_note"])
        add("ram_kept_per_request", r["ram_kept_per_request"], "B", "after gc.collect(), steady state")
        for label, clients in (("one", 1), ("ten", 10)):
            s = r[label]
            add(f"rps_{clients}", s["rps"], "req/s", "host CPU, not an ESP32's: compare ratios")
            add(f"p50_{clients}", s["p50"], "ms")
            add(f"p99_{clients}", s["p99"], "ms")
            add(f"errors_{clients}", s["errors"], "requests")
            add(f"dropped_{clients}", s["dropped"], "connections")
            if baseline:
                add(f"speed_ratio_{clients}", s["rps"] / baseline, "ratio",
                    f"req/s with {clients} client(s) over the raw-socket baseline's 1-client req/s "
                    "of the same run")
        limits = r["limits"]
        for metric, value, unit, outcome, bound, note in robustness.figures(r["robustness"], r["escaped"]):
            if metric.endswith("_bad") or metric.endswith("_during"):
                note += f" (the bad client stays {limits.hold:g} s; the good request's cap {limits.during:g} s)"
            add(metric, value, unit, note, outcome=outcome, bound=bound)
    return out


def write(path, rows):
    """This run's rows, the whole file replaced at once (never half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    temporary.replace(path)


def summary(results, skipped, failed) -> str:
    baseline = (results.get(BASELINE) or {}).get("one", {}).get("rps")
    lines = [f"{'framework':<14}{'.mpy B':>9}{'import B':>10}{'app B':>9}{'req B':>8}"
             f"{'heap mpy':>10}{'heap py':>9}{'x raw1 1':>9}{'x raw1 10':>10}  robustness (bad client got)"]

    def heap(value):
        return f"{value / 1024:.0f}k" if value else ">1M"

    for framework, r in results.items():
        ratio = [f"{r[k]['rps'] / baseline:.2f}" if baseline else "-" for k in ("one", "ten")]
        got = " ".join(f"{result.bad.got.split('×')[0].split(',')[0]}" for result in r["robustness"].values())
        import_b = r["ram_mpy"][0]
        lines.append(f"{framework:<14}{r['code_bytes_mpy']:>9}{import_b if import_b is not None else '-':>10}"
                     f"{r['ram_mpy'][1] if r['ram_mpy'][1] is not None else '-':>9}"
                     f"{r['ram_per_request']:>8.0f}{heap(r['smallest_heap_mpy']['value']):>10}"
                     f"{heap(r['smallest_heap_py']['value']):>9}{ratio[0]:>9}{ratio[1]:>10}  {got}")
    for framework, reason in skipped:
        lines.append(f"{framework:<14}skipped: {reason}")
    for framework, reason in failed.items():
        lines.append(f"{framework:<14}failed: {reason}")
    lines.append("Heap figures: 64-bit unix port (virtual board); they rank the frameworks but overstate "
                 "a 32-bit ESP32. Speed: ratio to the raw-socket baseline's 1-client req/s in this run. "
                 "Robustness, in order: " + ", ".join(robustness.CASES))
    return "\n".join(lines)
