"""The measured figures read back, and the tables made from them.

The catalog page (``page.py``) and ``notebooks/91-compare.ipynb`` show the
same tables, from here: what a figure means is said once.

    load(path=None)            Results of a measurements CSV (default: the catalog's)
    Results                    .frameworks (measured, in catalog order), .skipped,
                               .failed, .value(framework, metric), .row(...), .runs
    outcome_text(row)          '400 in 0.01 s', 'nothing in ≥ 10 s', 'closed in 3.0 s'
    robustness_table(results)  a row per bad client: what it got, and how long a
                               good request made during it waited, per framework
    speed_table(results)       req/s, ratios to the baseline's 1-client rate, p50/p99
    memory_table(results)      code, RAM and smallest heap, .mpy and source installs
    choose(results)            "which one should I use?": a row per framework,
                               each column derived from the figures above
"""
import csv
from dataclasses import dataclass, field
from pathlib import Path

from upylab.bench import robustness
from upylab.board import presets
from upylab.catalog import tables

BASELINE = "raw-socket"
CATALOG_ORDER = ("raw-socket", "microdot", "tinyweb", "picoweb", "micropyserver", "aioweb")
# Bad requests a server should refuse with an error status, not silence or a normal answer.
REFUSE = ("malformed_request_line", "non_utf8_bytes", "oversized_headers")
# Bad clients that must not hold other visitors up, and how long a wait counts as held up.
HOLD_UP = ("idle_client", "slow_headers", "unfinished_body")
HELD = 1.0                 # seconds


@dataclass
class Results:
    rows: dict = field(default_factory=dict)     # framework -> metric -> CSV row
    skipped: dict = field(default_factory=dict)  # framework -> why
    failed: dict = field(default_factory=dict)

    @property
    def frameworks(self) -> list:
        return sorted(self.rows, key=lambda f: CATALOG_ORDER.index(f) if f in CATALOG_ORDER else 99)

    @property
    def options(self) -> list:
        """The frameworks, without the raw-socket baseline."""
        return [f for f in self.frameworks if f != BASELINE]

    def row(self, framework, metric) -> dict:
        return self.rows.get(framework, {}).get(metric, {})

    def value(self, framework, metric):
        text = self.row(framework, metric).get("value", "")
        return float(text) if text != "" else None

    @property
    def runs(self) -> list:
        """(date, command, run_seconds, micropython, board_kind, heap_preset) of each run in the file."""
        found = set()
        for metrics in self.rows.values():
            for row in metrics.values():
                if row["micropython"] and not row["metric"].startswith("smallest_heap"):
                    found.add((row["date"], row["command"], row.get("run_seconds", ""), row["micropython"],
                               row["board_kind"], row["heap_preset"]))
        return sorted(found)


def load(path=None) -> Results:
    path = Path(path) if path else tables.table("measurements").path
    results = Results()
    with open(path, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["metric"] == "skipped":
                results.skipped[row["framework"]] = row["note"]
            elif row["metric"] == "failed":
                results.failed[row["framework"]] = row["note"]
            else:
                results.rows.setdefault(row["framework"], {})[row["metric"]] = row
    return results


def seconds_text(row) -> str:
    value = float(row["value"])
    shown = f"{value:.0f}" if value >= 9.5 else f"{value:.1f}" if value >= 0.95 else f"{value:.2f}"
    return ("≥ " if row.get("bound") else "") + shown + " s"


def outcome_text(row) -> str:
    """What a client got, and when: '400 in 0.01 s', 'nothing in ≥ 10 s'."""
    if not row:
        return "?"
    got = row["outcome"]
    if got == "timeout":
        return f"nothing in {seconds_text(row)}"
    return f"{got} in {seconds_text(row)}"


def wait_text(row) -> str:
    """How long a good request waited: 'served in 0.00 s', 'waited ≥ 9 s, no answer'."""
    if not row:
        return "?"
    if row["outcome"] == "200":
        return f"served in {seconds_text(row)}"
    if row["outcome"] == "timeout":
        return f"waited {seconds_text(row)}, no answer"
    return f"{row['outcome']} in {seconds_text(row)}"


def robustness_table(results) -> tuple:
    """(headings, rows): a row per bad client; per framework what it got, how long
    the good request during it waited, and the one after it where it was not served."""
    headings = ["bad client", *results.frameworks]
    rows = []
    for case, description in robustness.DESCRIPTIONS.items():
        cells = []
        for framework in results.frameworks:
            bad = results.row(framework, f"robust_{case}_bad")
            during = results.row(framework, f"robust_{case}_during")
            after = results.row(framework, f"robust_{case}_after")
            cell = [outcome_text(bad), "other client " + wait_text(during)]
            if after and after["outcome"] != "200":
                cell.append("next client " + wait_text(after)
                            + (" (the bench restarted the app)" if "restarted" in after["note"] else ""))
            if case == "split_body" and results.value(framework, "robust_split_body_body_read") == 0:
                cell.append("the body was not read")
            cells.append(cell)
        rows.append([[case.replace("_", " "), description], *cells])
    escapes = [f for f in results.frameworks if results.value(f, "static_escape")]
    rows.append([["left static/", "any of " + ", ".join(robustness.TRAVERSALS)],
                 *[["yes: showed led.py" if f in escapes else "no"] for f in results.frameworks]])
    return headings, rows


def ratio_text(value) -> str:
    return "?" if value is None else f"{value:.2f}×"


def speed_table(results) -> tuple:
    headings = ["framework", "req/s, 1 client", "×baseline", "p50 / p99 ms",
                "req/s, 10 clients", "×baseline", "p50 / p99 ms", "errors, dropped"]
    rows = []
    for f in results.frameworks:
        v = lambda metric: results.value(f, metric)                           # noqa: E731
        cells = [f]
        for n in (1, 10):
            cells += [f"{v(f'rps_{n}'):.0f}", ratio_text(v(f"speed_ratio_{n}")),
                      f"{v(f'p50_{n}'):.1f} / {v(f'p99_{n}'):.1f}"]
        cells.append(f"{v('errors_1') + v('errors_10'):.0f}, {v('dropped_1') + v('dropped_10'):.0f}")
        rows.append(cells)
    return headings, rows


def kb(value, digits=0) -> str:
    return "—" if value is None else f"{value / 1024:.{digits}f}"


def memory_table(results) -> tuple:
    headings = ["framework", "code KB .mpy / .py", "heap after import KB .mpy / .py",
                "app built KB .mpy / .py", "per request KB", "smallest heap KB .mpy / .py"]
    rows = []
    for f in results.frameworks:
        v = lambda metric: results.value(f, metric)                           # noqa: E731
        rows.append([f, f"{kb(v('code_bytes_mpy'), 1)} / {kb(v('code_bytes_py'), 1)}",
                     f"{kb(v('ram_after_import_mpy'), 1)} / {kb(v('ram_after_import_py'), 1)}",
                     f"{kb(v('ram_app_built_mpy'), 1)} / {kb(v('ram_app_built_py'), 1)}",
                     kb(v("ram_per_request"), 1),
                     f"{kb(v('smallest_heap_mpy'))} / {kb(v('smallest_heap_py'))}"])
    return headings, rows


def refused(results, framework) -> list:
    """The REFUSE cases that got an HTTP error status (4xx or 5xx) back."""
    return [case for case in REFUSE
            if results.row(framework, f"robust_{case}_bad").get("outcome", "")[:1] in ("4", "5")]


def held_up(results, framework) -> list:
    """'idle client (≥ 9 s)': the HOLD_UP cases during which the other client was
    not served, or waited ``HELD`` seconds or more."""
    held = []
    for case in HOLD_UP:
        during = results.row(framework, f"robust_{case}_during")
        if during and (during["outcome"] != "200" or float(during["value"]) >= HELD):
            held.append(f"{case.replace('_', ' ')} ({seconds_text(during)})")
    return held


def choose(results) -> tuple:
    """(headings, rows) of "which one should I use?", every cell from a figure."""
    options = results.options

    def best(metric, lowest=True) -> set:
        """The frameworks with the best figure; none when every one has it."""
        values = {f: results.value(f, metric) for f in options if results.value(f, metric) is not None}
        if not values:
            return set()
        top = (min if lowest else max)(values.values())
        winners = {f for f, v in values.items() if v == top}
        return winners if len(winners) < len(values) else set()

    picks = {
        "the least RAM": best("smallest_heap_mpy"),
        "the least RAM from source": best("smallest_heap_py"),
        "the least code": best("code_bytes_mpy"),
        "speed, 1 client": best("speed_ratio_1", lowest=False),
        "speed, 10 clients": best("speed_ratio_10", lowest=False),
    }
    headings = ["framework", "smallest heap .mpy", "fits an ESP8266?", "×baseline 1 / 10 clients",
                "held up by", "bad requests refused", "a route that raises", "at once: served",
                "pick it for"]
    rows = []
    for f in results.frameworks:
        heap = results.value(f, "smallest_heap_mpy")
        fits = ("?" if heap is None else "yes" if heap <= presets.PRESETS["esp8266"] else "no (a warning)")
        blocked = held_up(results, f)
        raises = results.row(f, "robust_handler_raises_bad").get("outcome", "?")
        after = results.row(f, "robust_handler_raises_after").get("outcome")
        concurrent = results.row(f, "robust_concurrent_connections_ok")
        total = sum(results.value(f, f"robust_concurrent_connections_{kind}") or 0 for kind in robustness.COUNTS)
        if f == BASELINE:
            pick = "the baseline: no framework, every line yours"
        else:
            pick = ", ".join(rule for rule, winners in picks.items() if f in winners) or "—"
        rows.append([f, f"{kb(heap)} KB", fits,
                     f"{ratio_text(results.value(f, 'speed_ratio_1'))} / {ratio_text(results.value(f, 'speed_ratio_10'))}",
                     ", ".join(blocked) or "nothing",
                     f"{len(refused(results, f))} of {len(REFUSE)}",
                     (raises if raises != "closed" else "closed, no answer")
                     + ("" if after == "200" else ", and the server stops"),
                     f"{concurrent.get('value', '?')} of {total:.0f}",
                     pick])
    return headings, rows
