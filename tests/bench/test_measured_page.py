"""The static catalog page shows the committed measurements, with their caveats."""
import csv
import dataclasses
import re

from upylab.bench import page
from upylab.catalog import render, tables


def test_the_page_shows_every_measured_and_skipped_framework():
    catalog = tables.load()
    html = render.html_page(catalog)
    section = html[html.index('<h2 id="measured">'):html.index('<h2 id="corrections">')]
    with open(catalog.data_dir / "measurements.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    frameworks = {row["framework"] for row in rows}
    skipped = {row["framework"] for row in rows if row["metric"] == "skipped"}
    for framework in frameworks:
        assert f'href="#fw-{framework}"' in section
    assert section.count('class="skipped"') == len(skipped)
    measured = len(frameworks - skipped)
    assert len(re.findall(r'data-metric="speed_ratio_10">\d', section)) == measured
    assert "64-bit unix port" in section and "ratio to the raw-socket" in section
    assert "/root/" not in section and "/home/" not in section      # no local paths
    assert "picoWeb's README" in section                              # the published claim beside ours


def test_no_section_without_measurements():
    catalog = tables.load()
    without = dataclasses.replace(catalog, others=tuple(t for t in catalog.others if t.name != "measurements"))
    assert page.measured_section(without) == ""
