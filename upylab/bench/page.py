"""The Measured section of the static catalog page (``upylab catalog --html``).

``measured_section(catalog)`` renders the ``measurements`` table (written by
``upylab bench``) from ``results``: a summary a framework per row, the
robustness values (what each bad client got, how long a good client
waited), and "which one should I use?", with the caveats every figure
carries.  An empty string when the catalog has no measurements.

``Table`` is the same tables in notebooks/91-compare: HTML to read, and a
plain-text form that nbval compares with the saved notebook.
"""
import html
import re

from upylab.bench import results as figures

COLUMNS = (  # (metric, heading, scale, format)
    ("code_bytes_mpy", "code KB, .mpy", 1024, "{:.1f}"),
    ("ram_after_import_mpy", "heap after import KB, .mpy", 1024, "{:.1f}"),
    ("ram_after_import_py", "heap after import KB, source", 1024, "{:.1f}"),
    ("ram_per_request", "allocated per request KB", 1024, "{:.1f}"),
    ("smallest_heap_mpy", "smallest heap KB, .mpy", 1024, "{:.0f}"),
    ("smallest_heap_py", "smallest heap KB, source", 1024, "{:.0f}"),
    ("speed_ratio_1", "speed, 1 client ×baseline", 1, "{:.2f}"),
    ("speed_ratio_10", "speed, 10 clients ×baseline", 1, "{:.2f}"),
    ("static_escape", "left static/ on ..", 1, None),
)


_UNBROKEN = re.compile(r"(≥) | (s|ms|KB)\b")


def _cell(value) -> str:
    """A cell's lines; '≥ 10 s' never broken across lines."""
    lines = value if isinstance(value, list) else [value]
    return "<br>".join(_UNBROKEN.sub(lambda m: f"{m[1]}&nbsp;" if m[1] else f"&nbsp;{m[2]}",
                                     html.escape(str(line))) for line in lines)


def html_table(headings, rows, table_id="") -> str:
    """A table of text cells; a cell that is a list shows one line per item."""
    head = "".join(f"<th>{html.escape(heading)}</th>" for heading in headings)
    body = "\n".join("<tr>" + "".join(f"<td>{_cell(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    ident = f' id="{table_id}"' if table_id else ""
    return f"<table{ident}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


class Table:
    """A table for a notebook: ``display(Table(headings, rows))``."""

    def __init__(self, headings, rows):
        self.headings, self.rows = headings, rows

    def _repr_html_(self):
        return html_table(self.headings, self.rows)

    def __repr__(self):
        texts = [self.headings] + [["; ".join(c) if isinstance(c, list) else str(c) for c in row]
                                   for row in self.rows]
        widths = [max(len(row[i]) for row in texts) for i in range(len(self.headings))]
        return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
                         for row in texts)


def _microdot_claim(measured) -> str:
    """The survey says Microdot "lacks memory" on an ESP8266: what the figure says."""
    from upylab.board import presets
    value = measured.value("microdot", "smallest_heap_mpy")
    if value is None:
        return ""
    verdict = "more than" if value > presets.PRESETS["esp8266"] else "no more than"
    return (f"The survey's \"lacks memory\" for Microdot on an ESP8266: as .mpy it needed {value / 1024:.0f} KB "
            f"here, {verdict} an ESP8266's {presets.PRESETS['esp8266'] / 1024:.0f} KB (a 64-bit figure: "
            f"a warning, not a verdict). ")


def _table(catalog):
    return next((table for table in catalog.others if table.name == "measurements"), None)


def summary_rows(catalog, measured) -> list:
    lines = []
    order = [row["id"] for row in catalog.frameworks.rows]
    named = sorted(set(measured.rows) | set(measured.skipped) | set(measured.failed),
                   key=lambda f: order.index(f) if f in order else 99)
    for framework in named:
        label = f'<td><a href="#fw-{html.escape(framework)}">{html.escape(framework)}</a></td>'
        why = measured.skipped.get(framework) or measured.failed.get(framework)
        if why:
            what = "not measured" if framework in measured.skipped else "measuring it failed"
            reason = why.split("; ")[0]   # the why, without local paths
            lines.append(f'<tr class="skipped">{label}<td colspan="{len(COLUMNS)}">{what}: '
                         f'{html.escape(reason)}</td></tr>')
            continue
        cells = []
        for metric, _, scale, shape in COLUMNS:
            value = measured.value(framework, metric)
            if value is None:
                shown = "—"
            elif shape is None:
                shown = "yes" if value else "no"
            else:
                shown = shape.format(value / scale)
            cells.append(f'<td data-metric="{metric}">{shown}</td>')
        lines.append(f"<tr>{label}{''.join(cells)}</tr>")
    return lines


def measured_section(catalog) -> str:
    table = _table(catalog)
    if table is None or not table.rows:
        return ""
    measured = figures.load(table.path)
    head = "".join(f"<th>{html.escape(heading)}</th>" for _, heading, _, _ in COLUMNS)
    made = "; ".join(
        f"<code>{html.escape(command)}</code> on {html.escape(date)}"
        + (f", {html.escape(seconds)} s" if seconds else "")
        + f" (MicroPython {html.escape(version)}, {html.escape(kind)} board"
        + (f", {html.escape(preset)} heap" if preset else "") + ")"
        for date, command, seconds, version, kind, preset in measured.runs)
    claims = ""
    picoweb = measured.value("picoweb", "smallest_heap_mpy")
    if picoweb:
        claims = (f"<p>Against the projects' own claims: picoWeb's README (and the survey) says about "
                  f"36 KB, or 64 KB for a trivial app, on 32-bit boards; the whole reference app needed "
                  f"{picoweb / 1024:.0f} KB (as .mpy) on the 64-bit virtual board. "
                  f"{_microdot_claim(measured)}Plots: <code>notebooks/91-compare.ipynb</code>.</p>")
    limits = ""
    hold = measured.row(measured.frameworks[0], "robust_idle_client_bad") if measured.frameworks else {}
    if hold:
        limits = f" ({html.escape(hold['note'].split('(')[-1].rstrip(')'))})"
    return f"""<h2 id="measured">Measured</h2>
<p>Every framework serving the same reference app (the lessons' LED page), measured by
<code>upylab bench</code> into {html.escape(table.label)}: {made}.
Heap figures come from the virtual board, MicroPython's 64-bit unix port: they rank the frameworks
but overstate what a 32-bit ESP32 needs; "source" is the framework installed as .py files
(<code>upylab install --source</code>), compiled on the board. Speed is shown only as a ratio to the
raw-socket app's 1-client rate of the same run (×baseline), since a virtual board runs at the host
CPU's speed. A framework this machine could not install is listed with the reason, not measured
elsewhere.</p>
{claims}
<table id="measurements">
<thead><tr><th>framework</th>{head}</tr></thead>
<tbody>
{chr(10).join(summary_rows(catalog, measured))}
</tbody>
</table>
<h3 id="robustness">Bad clients</h3>
<p>Each bad client, on its own connection, and another client's good request made while it is
connected{limits}: what the bad client got (a status code, <em>closed</em> without an answer,
<em>reset</em>, <em>refused</em>, or nothing) and after how long, and how long the other client
waited. "≥" marks a lower bound: the client gave up at its cap.</p>
{html_table(*figures.robustness_table(measured), table_id="robustness-values")}
<h3 id="which-one">Which one should I use?</h3>
<p>Derived from the figures above, and only from them (features are in the table above this section).
"Held up by": bad clients during which the other client waited a second or more (or was not
served at all). "Bad requests refused":
of a malformed request line, non-UTF-8 bytes and 64 KB of headers, how many got an error status
back rather than silence or a normal answer.</p>
{html_table(*figures.choose(measured), table_id="which-one-table")}"""
