"""The static catalog page shows the committed measurements, with their caveats:
the summary, the robustness values and "which one should I use?"."""
import dataclasses
import re

from upylab.bench import page, results, robustness
from upylab.catalog import render, tables


def section_of(html):
    return html[html.index('<h2 id="measured">'):html.index('<h2 id="corrections">')]


def test_the_page_shows_every_measured_and_skipped_framework():
    catalog = tables.load()
    section = section_of(render.html_page(catalog, page.measured_section(catalog)))
    measured = results.load()
    for framework in [*measured.frameworks, *measured.skipped, *measured.failed]:
        assert f'href="#fw-{framework}"' in section
    assert section.count('class="skipped"') == len(measured.skipped) + len(measured.failed)
    assert len(re.findall(r'data-metric="speed_ratio_10">\d', section)) == len(measured.frameworks)
    assert "64-bit unix port" in section and "1-client rate" in section
    assert "/root/" not in section and "/home/" not in section      # no local paths
    assert "picoWeb's README" in section                              # the published claim beside ours


def rows_of(section, table_id):
    table = section[section.index(f'<table id="{table_id}">'):]
    table = table[:table.index("</table>")]
    return re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]             # without the heading row


def test_the_robustness_values_a_row_per_bad_client():
    section = section_of(render.html_page(tables.load(), page.measured_section(tables.load())))
    measured = results.load()
    rows = rows_of(section, "robustness-values")
    assert len(rows) == len(robustness.CASES) + 1                     # and "left static/"
    idle = rows[list(robustness.CASES).index("idle_client")]
    assert idle.count("<td>") == 1 + len(measured.frameworks)
    assert "other client" in idle and " s" in idle                    # what it got, and when


def test_which_one_a_row_per_framework():
    section = section_of(render.html_page(tables.load(), page.measured_section(tables.load())))
    measured = results.load()
    rows = rows_of(section, "which-one-table")
    assert [re.search(r"<td>([^<]*)</td>", row)[1] for row in rows] == measured.frameworks


def test_no_section_without_measurements():
    catalog = tables.load()
    without = dataclasses.replace(catalog, others=tuple(t for t in catalog.others if t.name != "measurements"))
    assert page.measured_section(without) == ""
