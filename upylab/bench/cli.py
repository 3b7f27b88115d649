"""``upylab bench [FRAMEWORK...] [--board NAME] [--quick] [--output CSV]``.

Measures every framework's reference app (``snippets/<id>/``) and the
raw-socket baseline, in one run, on virtual boards, and writes every
figure to ``data/measurements.csv`` (one row per figure, with the board
kind, heap preset, MicroPython and framework versions, date and command):

* code size: bytes of the code the board needs (the framework's files for
  /lib, the app module, led.py, templates), as source and as .mpy;
* RAM: heap used (after gc.collect()) after importing the framework, after
  importing the app module (the app built), allocated per request (gc
  disabled over a few requests, minus the same time idle) and kept per
  request (steady state, after gc.collect());
* smallest heap: bisected over ``--heap`` sizes on fresh virtual boards, the
  smallest on which the app (its ``run()``, as the lessons run it) boots and
  serves 100 requests over all its routes correctly on 3 fresh boards in a
  row, to 1 KB (``--quick``: 7 requests, one board, 40 KB steps).  Near the
  edge a heap sometimes works and sometimes fails (fragmentation differs
  between boots): 3 boots make the figure one that works, not one that
  once worked;
* speed (the app's ``run()``, as the lessons run it): req/s and latency p50/p99 with 1 client and with 10 concurrent
  clients from the host on 127.0.0.1, keep-alive where the server keeps
  the connection; errors and dropped connections are counted.  The catalog
  shows speed only as the ratio to the raw-socket baseline of the same run:
  a virtual board runs at the host CPU's speed, not an ESP32's;
* robustness: a fixed suite of bad clients (malformed request line,
  oversized headers, connect and send nothing, a slow sender, non-UTF-8
  bytes, an unfinished body, ``..`` in static paths); per case, whether a
  good request still works afterwards, and whether static serving ever
  showed a file from outside static/.

Heap figures come from the 64-bit unix port: they rank the frameworks, but
overstate what a 32-bit ESP32 needs (its objects are about half the size).

The framework is put on the board as .mpy (microdot does not compile from
source in an ESP32's heap); the app's own modules stay source.  A
framework that cannot be fetched here (GitHub) is listed as skipped with
the install tool's reason, never measured from elsewhere.  ``--board``
uses a running virtual board (its flash receives the app's files) instead
of fresh ones; the smallest heap always uses fresh boards (two at a time).

Duration, on the 2-CPU machine that made the committed figures (raw-socket,
microdot and picoweb measured, three GitHub-only frameworks skipped): the
full run took 148 s (`upylab bench`), ``--quick`` about 55 s.  Speed
ratios moved by up to 2-3x between two full runs on that shared machine
(other jobs used the CPUs; with 10 clients, the raw-socket app's backlog of
2 makes its own figure depend on the kernel's 1 s SYN retries): compare
them within a run, and re-run before drawing a fine conclusion.
"""
import csv
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from upylab.bench import apps, load, runner
from upylab.board import registry
from upylab.catalog import tables
from upylab.errors import UpylabError
from upylab.install import cache, mpy, recipes

BASELINE = "raw-socket"
FORM = "mpy"
COLUMNS = ["run", "framework", "metric", "value", "unit", "board_kind", "board_heap",
           "heap_preset", "micropython", "framework_version", "form", "date", "command", "note"]
FULL = {"requests": 100, "heap_step": 1024, "boots": 3, "one": 300, "ten": 50, "window": 5, "steady": 50}
QUICK = {"requests": 7, "heap_step": 40 * 1024, "boots": 1, "one": 20, "ten": 4, "window": 3, "steady": 10}
STEPS = ("size", "ram", "speed", "robustness", "smallest heap")


def register(subparsers):
    parser = subparsers.add_parser(
        "bench", help="measure size, RAM, smallest heap, speed and robustness of each framework",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    parser.add_argument("frameworks", nargs="*", metavar="FRAMEWORK",
                        help="framework ids of data/frameworks.csv (default: all); "
                             "the raw-socket baseline is always measured")
    parser.add_argument("--board", help="a running virtual board to measure on "
                        "(default: a fresh esp32-preset board per framework)")
    parser.add_argument("--quick", action="store_true",
                        help="few requests, coarse heap bisection: under a minute (for CI)")
    parser.add_argument("--output", type=Path,
                        help="CSV to update (default: data/measurements.csv); rows of the "
                             "frameworks measured are replaced, others kept")
    parser.set_defaults(func=run)


def skip_reason(framework):
    """Why a framework cannot be measured here, or '' if it can."""
    for part in recipes.parts_for(framework):
        try:
            cache.ensure(part, log=lambda message: None)
        except cache.FetchError as error:
            return f"cannot install {framework} here: {error}"
    if framework not in apps.APPS:
        return f"no reference app for {framework} in snippets/ yet"
    return ""


def run(args):
    known = recipes.framework_ids()
    for name in args.frameworks:
        if name not in known:
            raise UpylabError(f"unknown framework {name!r}: choose from {', '.join(known)}")
    wanted = list(dict.fromkeys([BASELINE, *(args.frameworks or known)]))
    if args.board:
        registry.find(args.board)
    settings = QUICK if args.quick else FULL
    started = time.monotonic()
    context = {
        "run": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["upylab bench", shlex.join(
            sys.argv[2:] if sys.argv[1:2] == ["bench"] else
            [*args.frameworks, *(["--quick"] if args.quick else [])])]).strip(),
    }
    rows, measured, skipped = [], [], []
    for framework in wanted:
        reason = skip_reason(framework)
        if reason:
            skipped.append((framework, reason))
        else:
            measured.append(framework)
    for framework, reason in skipped:
        print(f"{framework}: skipped: {reason}", file=sys.stderr, flush=True)
        rows.append(row(context, framework, "skipped", "", "", note=reason,
                        framework_version=apps.framework_version(framework)))
    with tqdm(total=len(measured) * len(STEPS), desc="bench", unit="step", file=sys.stderr) as bar:
        results = {}
        for framework in measured:
            try:
                results[framework] = bench_one(framework, args.board, settings, bar, context)
            except (runner.AppDown, AssertionError, OSError) as error:   # a failure is a finding
                message = " ".join(str(error).split())[-400:]
                print(f"{framework}: failed: {message}", file=sys.stderr, flush=True)
                rows.append(row(context, framework, "failed", "", "", note=message,
                                framework_version=apps.framework_version(framework)))
        bar.set_postfix_str("smallest heaps")
        smallest_heaps(results, settings, bar)
    rows += figures(results, context)
    output = args.output or tables.default_data_dir() / "measurements.csv"
    write(output, rows, {framework for framework, _ in skipped} | set(measured))
    elapsed = time.monotonic() - started
    print(summary(results, skipped))
    print(f"{len(rows)} rows written to {output} in {elapsed:.0f} s")
    return 0


def bench_one(framework, board_name, settings, bar, context) -> dict:
    app = apps.APPS[framework]
    files = apps.framework_files(framework)
    out = {"framework_version": apps.framework_version(framework)}
    own = board_name is None
    name = f"bench-{framework}"
    record = registry.start(name=name, heap="esp32") if own else registry.find(board_name)
    out["board_kind"], out["heap_preset"], out["board_heap"] = "virtual", record.heap, record.heap_bytes
    session = None
    try:
        session = runner.Session(record)
        mpy_word, version = session.info()
        out["micropython"] = version
        mpy_version = mpy.board_mpy_version(mpy_word)
        # size
        bar.set_postfix_str(f"{framework}: size")
        code = apps.code_files(app)
        source = {**{"lib/" + p: d for p, d in files.items()}, **code}
        compiled = mpy.compile_files(source, mpy_version)
        out["code_source_bytes"] = sum(map(len, source.values()))
        out["code_mpy_bytes"] = sum(map(len, compiled.values()))
        bar.update()
        # RAM
        bar.set_postfix_str(f"{framework}: RAM")
        apps.prepare(record.flash, framework, FORM, mpy_version, files)
        if not own:
            session.fresh()
        out["ram_after_import"], out["ram_app_built"] = session.imports(app)
        session.start(app, "serve")
        for _ in range(3):
            load.good(session.port)
        out.update(per_request(session, settings))
        session.fresh()     # a KeyboardInterrupt leaves serve()'s socket open: start clean
        bar.update()
        session.start(app, "run")
        # speed
        bar.set_postfix_str(f"{framework}: speed")
        out["one"] = load.load(session.port, 1, settings["one"])
        out["ten"] = load.load(session.port, 10, settings["ten"])
        if not load.good(session.port):
            session.restart()
        bar.update()
        # robustness
        bar.set_postfix_str(f"{framework}: robustness")
        out["robustness"], out["escaped"] = {}, False
        for case in load.CASES:
            survived, escaped = load.robustness(session.port, case, quick=settings is QUICK)
            out["robustness"][case] = survived
            out["escaped"] |= escaped
            if not survived:
                session.restart()
        bar.update()
    finally:
        if session:
            session.stop()
            session.close()
        if own:
            registry.stop(name)
    out["mpy_version"] = mpy_version
    out["boots"] = settings["boots"]
    out["files"] = files
    return out


def smallest_heaps(results, settings, bar):
    """The smallest heap of each framework, bisected on fresh boards (two at a time)."""
    from concurrent.futures import ThreadPoolExecutor

    def bisect(framework):
        r = results[framework]
        checks = []

        def check(heap):
            ok = all(runner.heap_check(framework, heap, settings["requests"], r["files"], FORM,
                                       r["mpy_version"]) for _ in range(settings["boots"]))
            checks.append((heap, ok))
            return ok

        smallest = runner.smallest_heap(check, settings["heap_step"])
        bar.update()
        return framework, smallest, checks

    with ThreadPoolExecutor(max_workers=2) as pool:
        for framework, smallest, checks in pool.map(bisect, list(results)):
            results[framework]["smallest_heap"] = smallest
            results[framework]["heap_checks"] = checks


def per_request(session, settings) -> dict:
    """Heap allocated per request (gc off, minus as long idle) and kept per request."""
    used_before = session.command("c")[0]
    start_used = session.command("d")[0]
    started = time.monotonic()
    for _ in range(settings["window"]):
        load.good(session.port)
    window = time.monotonic() - started
    allocated = session.command("e")[0] - start_used
    idle_start = session.command("d")[0]
    time.sleep(window)
    idle = session.command("e")[0] - idle_start
    for _ in range(settings["steady"]):
        load.good(session.port)
    used_after = session.command("c")[0]
    count = settings["window"] + settings["steady"]
    return {"ram_per_request": max(0, allocated - idle) / settings["window"],
            "ram_kept_per_request": max(0, used_after - used_before) / count,
            "window_note": f"gc off over {settings['window']} requests ({allocated} B) "
                           f"minus {window:.2f} s idle ({idle} B)"}


def row(context, framework, metric, value, unit, note="", **extra):
    values = {"run": context["run"], "framework": framework, "metric": metric,
              "value": "" if value is None else (round(value, 3) if isinstance(value, float) else value),
              "unit": unit, "board_kind": "", "board_heap": "", "heap_preset": "",
              "micropython": "", "framework_version": "", "form": "", "date": context["date"],
              "command": context["command"], "note": note}
    values.update(extra)
    return values


def figures(results, context) -> list:
    baseline = results.get(BASELINE)
    out = []
    for framework, r in results.items():
        common = {key: r[key] for key in ("board_kind", "board_heap", "heap_preset", "micropython",
                                          "framework_version")}
        common["form"] = FORM

        def add(metric, value, unit, note=""):
            out.append(row(context, framework, metric, value, unit, note, **common))

        add("code_source_bytes", r["code_source_bytes"], "B", "framework files for /lib + app code")
        add("code_mpy_bytes", r["code_mpy_bytes"], "B", "the same, compiled with mpy-cross")
        add("ram_after_import", r["ram_after_import"], "B", "64-bit unix port: overstates a 32-bit board")
        add("ram_app_built", r["ram_app_built"], "B", "after importing the app module; 64-bit unix port")
        add("ram_per_request", r["ram_per_request"], "B", r["window_note"])
        add("ram_kept_per_request", r["ram_kept_per_request"], "B", "after gc.collect(), steady state")
        checks = "; ".join(f"{h}:{'ok' if ok else 'fail'}" for h, ok in r["heap_checks"])
        add("smallest_heap", r["smallest_heap"], "B",
            f"gc.mem_free() after boot; 64-bit unix port: ranks, overstates a 32-bit board; "
            f"each check {r['boots']} fresh boot(s): {checks}")
        for label in ("one", "ten"):
            clients = 1 if label == "one" else 10
            s = r[label]
            add(f"rps_{clients}", s["rps"], "req/s", "host CPU, not an ESP32's: compare ratios")
            add(f"p50_{clients}", s["p50"], "ms")
            add(f"p99_{clients}", s["p99"], "ms")
            add(f"errors_{clients}", s["errors"], "requests")
            add(f"dropped_{clients}", s["dropped"], "connections")
            if baseline and baseline[label]["rps"]:
                add(f"speed_ratio_{clients}", s["rps"] / baseline[label]["rps"], "ratio",
                    "req/s over the raw-socket baseline of the same run")
        for case, survived in r["robustness"].items():
            add(f"robust_{case}", int(survived), "pass", "a good request works afterwards")
        add("robust_passed", sum(r["robustness"].values()), "cases", f"of {len(load.CASES)}")
        add("static_escape", int(r["escaped"]), "bool", "1: a '..' path served a file outside static/")
    return out


def write(path, rows, replaced):
    path = Path(path)
    kept = []
    if path.exists():
        with open(path, newline="", encoding="utf-8") as file:
            kept = [r for r in csv.DictReader(file) if r["framework"] not in replaced]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept + rows)
    temporary.replace(path)


def summary(results, skipped) -> str:
    lines = [f"{'framework':<14}{'source B':>10}{'.mpy B':>9}{'import B':>10}{'app B':>9}"
             f"{'req B':>8}{'min heap':>10}{'x raw 1':>9}{'x raw 10':>9}{'robust':>8}"]
    baseline = results.get(BASELINE)
    for framework, r in results.items():
        ratio = [f"{r[k]['rps'] / baseline[k]['rps']:.2f}" if baseline and baseline[k]["rps"] else "-"
                 for k in ("one", "ten")]
        heap = r["smallest_heap"]
        lines.append(f"{framework:<14}{r['code_source_bytes']:>10}{r['code_mpy_bytes']:>9}"
                     f"{r['ram_after_import']:>10}{r['ram_app_built']:>9}{r['ram_per_request']:>8.0f}"
                     f"{f'{heap / 1024:.0f}k' if heap else '>1M':>10}{ratio[0]:>9}{ratio[1]:>9}"
                     f"{sum(r['robustness'].values()):>5}/{len(load.CASES)}")
    for framework, reason in skipped:
        lines.append(f"{framework:<14}skipped: {reason}")
    lines.append("Heap figures: 64-bit unix port (virtual board); they rank the frameworks but "
                 "overstate a 32-bit ESP32. Speed: ratio to raw sockets in this run.")
    return "\n".join(lines)
