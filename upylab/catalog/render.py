"""The catalog shown to people: a terminal table and one static HTML page.

Both are built from the tables alone, so what they show is what
``--check`` validated.  Where a correction exists, the page shows our value
and the survey's side by side and links to the correction's evidence; the
terminal marks the cell with ``*``.  The page has no generation date and no
absolute path, so the same data always gives the same bytes.
"""
import html

from upylab.catalog.tables import Catalog

TERMINAL_COLUMNS = ("id", "name", "created", "updated", "async", "routes", "send_file",
                    "distribution", "install", "license", "latest")
PAGE_COLUMNS = ("name", "created", "updated", "devices", "async", "routes", "send_file",
                "distribution", "comment", "install", "license", "latest", "latest_date",
                "lesson", "checked", "notes")
NAME_WIDTH = 32
FREE_TEXT = ("comment", "notes")
UNKNOWN = '<span class="unknown">unknown</span>'


def terminal_table(catalog: Catalog) -> str:
    """A plain-text table, one line per framework; ``*`` marks a corrected cell."""
    lines = [list(TERMINAL_COLUMNS)]
    for row in catalog.frameworks.rows:
        cells = []
        for column in TERMINAL_COLUMNS:
            text = row[column] or "?"
            if column == "name" and len(text) > NAME_WIDTH:
                text = text[:NAME_WIDTH - 1] + "…"
            if catalog.correction(row["id"], column) is not None:
                text += "*"
            cells.append(text)
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(TERMINAL_COLUMNS))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    text.append("")
    text.append(f"? unknown   * differs from the survey: {len(catalog.corrections.rows)} corrections"
                f" with evidence in {catalog.corrections.label}")
    return "\n".join(text) + "\n"


def html_page(catalog: Catalog, measured: str = "") -> str:
    """One self-contained page: a sortable, filterable table and the corrections;
    ``measured`` is the Measured section (``upylab.bench.page``: the bench's figures
    are rendered by the bench, which reads the catalog, not the other way round)."""
    fields = catalog.frameworks.fields
    return PAGE.format(
        count=len(catalog.frameworks.rows),
        filters="\n".join(_enum_filter(name, fields[name]) for name in PAGE_COLUMNS
                          if "enum" in fields[name].get("constraints", {})),
        head="".join(f'<th data-field="{name}" aria-sort="none"><button type="button">{_label(name)}</button></th>'
                     for name in PAGE_COLUMNS),
        rows="\n".join(_row(catalog, row) for row in catalog.frameworks.rows),
        corrections="\n".join(_correction(catalog, row) for row in catalog.corrections.rows),
        survey=_survey(catalog),
        measured=measured,
        script=SCRIPT,
        style=STYLE,
    )


def _label(name: str) -> str:
    return html.escape(name.replace("_", " "))


def _enum_filter(name: str, field: dict) -> str:
    options = "".join(f'<option value="{html.escape(value)}">{html.escape(value)}</option>'
                      for value in field["constraints"]["enum"])
    return (f'<label>{_label(name)} <select class="filter" data-field="{name}">'
            f'<option value="">any</option>{options}</select></label>')


def _row(catalog: Catalog, row: dict) -> str:
    cells = []
    for name in PAGE_COLUMNS:
        shown = _value(name, row)
        correction = catalog.correction(row["id"], name)
        if correction is not None:
            shown = (f'<span class="ours">{shown}</span> '
                     f'<del class="survey" title="the survey says">{html.escape(correction["survey_value"])}</del> '
                     f'<a class="evidence" href="#{_anchor(correction)}">evidence</a>')
            css = ' class="corrected"'
        else:
            css = ""
        cells.append(f'<td data-field="{name}" data-value="{html.escape(row[name])}"{css}>{shown}</td>')
    return f'<tr id="fw-{html.escape(row["id"])}">{"".join(cells)}</tr>'


def _value(name: str, row: dict) -> str:
    value = row[name]
    if value == "":
        return "" if name in FREE_TEXT else UNKNOWN
    if name == "name":
        return f'<a href="{html.escape(row["site"])}">{html.escape(value)}</a>'
    if name == "devices":
        return html.escape(value.replace(";", ", "))
    return html.escape(value)


def _anchor(correction: dict) -> str:
    return html.escape(f"fix-{correction['id']}-{correction['field']}")


def _correction(catalog: Catalog, row: dict) -> str:
    evidence = row["evidence"]
    if evidence.startswith("$ "):
        proof = f"<code>{html.escape(evidence)}</code>"
    else:
        proof = " ".join(f'<a href="{html.escape(url)}">{html.escape(url)}</a>' for url in evidence.split())
    ours = html.escape(row["catalog_value"]) or UNKNOWN
    return (f'<li id="{_anchor(row)}"><strong>{html.escape(row["id"])}</strong> · {_label(row["field"])}'
            f' · <em>{html.escape(row["kind"])}</em>: <del>{html.escape(row["survey_value"])}</del>'
            f' → <span class="ours">{ours}</span>. {html.escape(row["note"])}<br>Evidence: {proof}</li>')


def _survey(catalog: Catalog) -> str:
    columns = [field["name"] for field in catalog.survey.schema["fields"]]
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "\n".join("<tr>" + "".join(f"<td>{html.escape(row[column])}</td>" for column in columns) + "</tr>"
                     for row in catalog.survey.rows)
    return f'<table id="survey"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }
th button { font: inherit; font-weight: bold; background: none; border: 0; cursor: pointer; padding: 0; }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
.corrected { background: #fff7d6; }
.survey { color: #a33; }
.unknown { color: #888; font-style: italic; }
#controls { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
code { white-space: pre-wrap; word-break: break-all; }
"""

SCRIPT = """
const table = document.getElementById('catalog');
const body = table.tBodies[0];
const text = document.getElementById('filter');
const selects = Array.from(document.querySelectorAll('select.filter'));
const count = document.getElementById('count');
function cell(row, field) { return row.querySelector('td[data-field="' + field + '"]'); }
function applyFilters() {
  const words = text.value.trim().toLowerCase();
  let shown = 0;
  for (const row of body.rows) {
    const visible = (!words || row.textContent.toLowerCase().includes(words)) &&
      selects.every(s => !s.value || cell(row, s.dataset.field).dataset.value === s.value);
    row.hidden = !visible;
    if (visible) shown += 1;
  }
  count.textContent = shown + ' of ' + body.rows.length + ' frameworks shown';
}
function sortBy(th) {
  const field = th.dataset.field;
  const order = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
  for (const other of table.tHead.rows[0].cells) other.setAttribute('aria-sort', 'none');
  th.setAttribute('aria-sort', order);
  const sign = order === 'ascending' ? 1 : -1;
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = cell(a, field).dataset.value, y = cell(b, field).dataset.value;
    if (x === y) return 0;
    if (!x) return 1;   // unknown values go last either way
    if (!y) return -1;
    return sign * x.localeCompare(y, 'en', {numeric: true, sensitivity: 'base'});
  });
  for (const row of rows) body.appendChild(row);
}
for (const th of table.tHead.rows[0].cells) th.querySelector('button').addEventListener('click', () => sortBy(th));
text.addEventListener('input', applyFilters);
for (const s of selects) s.addEventListener('change', applyFilters);
applyFilters();
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MicroPython web-server frameworks: the catalog</title>
<style>{style}</style>
</head>
<body>
<h1>MicroPython web-server frameworks</h1>
<p>{count} frameworks from the survey, with our corrections. A highlighted cell differs from the survey:
our value first, the survey's struck through, then a link to the evidence. Click a column heading to sort.</p>
<div id="controls">
<label>Filter <input id="filter" type="search" placeholder="any text"></label>
{filters}
<span id="count" role="status"></span>
</div>
<table id="catalog">
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
{measured}
<h2 id="corrections">Corrections</h2>
<ol>
{corrections}
</ol>
<details>
<summary>The survey's table, verbatim</summary>
{survey}
</details>
<script>{script}</script>
</body>
</html>
"""
