"""The measured columns of the static catalog page (``upylab catalog --html``).

``measured_section(catalog)`` renders the ``measurements`` table (written by
``upylab bench``) as one HTML table, a framework per row, with the caveats
every figure carries: virtual-board heap figures rank but overstate a
32-bit board; speed is a ratio to the raw-socket baseline of the same run.
An empty string when the catalog has no measurements.
"""
import html

COLUMNS = (  # (metric, heading, scale, format)
    ("code_source_bytes", "code, source KB", 1024, "{:.1f}"),
    ("code_mpy_bytes", "code, .mpy KB", 1024, "{:.1f}"),
    ("ram_after_import", "heap after import KB", 1024, "{:.1f}"),
    ("ram_app_built", "heap, app built KB", 1024, "{:.1f}"),
    ("ram_per_request", "allocated per request KB", 1024, "{:.1f}"),
    ("smallest_heap", "smallest heap KB", 1024, "{:.0f}"),
    ("speed_ratio_1", "speed ×raw, 1 client", 1, "{:.2f}"),
    ("speed_ratio_10", "speed ×raw, 10 clients", 1, "{:.2f}"),
    ("robust_passed", "robustness cases passed", 1, "{:.0f}/7"),
    ("static_escape", "left static/ on ..", 1, None),
)


def _microdot_claim(by_framework) -> str:
    """The survey says Microdot "lacks memory" on an ESP8266: what the figure says."""
    from upylab.board import presets
    value = by_framework.get("microdot", {}).get("smallest_heap", {}).get("value", "")
    if not value:
        return ""
    verdict = ("more than" if float(value) > presets.PRESETS["esp8266"] else "no more than")
    return (f"The survey's \"lacks memory\" for Microdot on an ESP8266: it needed {float(value) / 1024:.0f} KB "
            f"here, {verdict} an ESP8266's {presets.PRESETS['esp8266'] / 1024:.0f} KB (a 64-bit figure: "
            f"a warning, not a verdict). ")


def _table(catalog):
    return next((table for table in catalog.others if table.name == "measurements"), None)


def measured_section(catalog) -> str:
    table = _table(catalog)
    if table is None or not table.rows:
        return ""
    by_framework, meta = {}, {}
    for row in table.rows:
        by_framework.setdefault(row["framework"], {})[row["metric"]] = row
        meta.setdefault(row["framework"], row)
    head = "".join(f"<th>{html.escape(heading)}</th>" for _, heading, _, _ in COLUMNS)
    lines = []
    order = [row["id"] for row in catalog.frameworks.rows]
    for framework, metrics in sorted(by_framework.items(),
                                     key=lambda item: order.index(item[0]) if item[0] in order else 99):
        label = f'<td><a href="#fw-{html.escape(framework)}">{html.escape(framework)}</a></td>'
        if "skipped" in metrics:
            reason = metrics["skipped"]["note"].split("; ")[0]   # the why, without local paths
            lines.append(f'<tr class="skipped">{label}<td colspan="{len(COLUMNS)}">not measured: '
                         f'{html.escape(reason)}</td></tr>')
            continue
        cells = []
        for metric, _, scale, shape in COLUMNS:
            value = metrics.get(metric, {}).get("value", "")
            if value == "":
                shown = "?"
            elif shape is None:
                shown = "yes" if float(value) else "no"
            else:
                shown = shape.format(float(value) / scale)
            cells.append(f'<td data-metric="{metric}">{shown}</td>')
        lines.append(f"<tr>{label}{''.join(cells)}</tr>")
    runs = sorted({(row["date"], row["command"], row["micropython"], row["heap_preset"])
                   for row in meta.values() if row["micropython"]})
    made = "; ".join(f"<code>{html.escape(command)}</code> on {html.escape(date)} "
                     f"(MicroPython {html.escape(version)}, virtual board, {html.escape(preset)} heap)"
                     for date, command, version, preset in runs)
    claims = ""
    picoweb = by_framework.get("picoweb", {}).get("smallest_heap", {}).get("value", "")
    if picoweb:
        claims = (f"<p>Against the projects' own claims: picoWeb's README (and the survey) says about "
                  f"36 KB, or 64 KB for a trivial app, on 32-bit boards; the whole reference app needed "
                  f"{float(picoweb) / 1024:.0f} KB on the 64-bit virtual board. "
                  f"{_microdot_claim(by_framework)}Plots and a \"which one should I use?\" table: "
                  f"<code>notebooks/91-compare.ipynb</code>.</p>")
    return f"""<h2 id="measured">Measured</h2>
<p>Every framework serving the same reference app (the lessons' LED page), measured by
<code>upylab bench</code> into {html.escape(table.label)}: {made}.
Heap figures come from the virtual board, MicroPython's 64-bit unix port: they rank the frameworks
but overstate what a 32-bit ESP32 needs. Speed is shown only as a ratio to the raw-socket app of the
same run, since a virtual board runs at the host CPU's speed. A framework this machine could not
install is listed with the reason, not measured elsewhere.</p>
{claims}
<table id="measurements">
<thead><tr><th>framework</th>{head}</tr></thead>
<tbody>
{chr(10).join(lines)}
</tbody>
</table>"""
