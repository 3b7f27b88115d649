"""The static page in headless Chromium: it sorts, filters and links evidence.

Chromium is Debian's (``/usr/bin/chromium``, which ``make test`` installs);
Playwright only drives it, so no browser is ever downloaded.  Expected
orders are computed here from the CSV, not taken from the page.
"""
import csv

import pytest

from catalog_helpers import DATA, run_cli


def catalog_rows() -> list:
    with (DATA / "frameworks.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture
def page(browser, tmp_path, capsys):
    target = tmp_path / "catalog" / "index.html"
    status, _, _ = run_cli(capsys, "catalog", "--html", str(target))
    assert status == 0
    page = browser.new_page()
    page.goto(target.as_uri())
    yield page
    page.close()


def shown_ids(page) -> list:
    return page.eval_on_selector_all("#catalog tbody tr:not([hidden])", "rows => rows.map(r => r.id.slice(3))")


def sort_key(value: str):
    return (value == "", value)


def test_rows_start_in_file_order(page):
    assert shown_ids(page) == [row["id"] for row in catalog_rows()]
    assert page.inner_text("#count") == "6 of 6 frameworks shown"


def test_sorting_by_a_date_puts_unknown_last_both_ways(page):
    rows = catalog_rows()
    header = page.locator('th[data-field="created"] button')
    header.click()
    ascending = [row["id"] for row in sorted(rows, key=lambda row: sort_key(row["created"]))]
    assert shown_ids(page) == ascending
    assert page.get_attribute('th[data-field="created"]', "aria-sort") == "ascending"
    header.click()
    known = [row for row in rows if row["created"]]
    unknown = [row["id"] for row in rows if not row["created"]]
    descending = [row["id"] for row in sorted(known, key=lambda row: row["created"], reverse=True)]
    assert shown_ids(page) == descending + unknown
    assert page.get_attribute('th[data-field="created"]', "aria-sort") == "descending"


def test_sorting_by_name_ignores_case(page):
    page.locator('th[data-field="name"] button').click()
    expected = [row["id"] for row in sorted(catalog_rows(), key=lambda row: row["name"].lower())]
    assert shown_ids(page) == expected


def test_filtering_by_text(page):
    page.fill("#filter", "pypi:")
    expected = [row["id"] for row in catalog_rows() if row["install"].startswith("pypi:")]
    assert shown_ids(page) == expected
    assert page.inner_text("#count") == f"{len(expected)} of 6 frameworks shown"
    page.fill("#filter", "")
    assert len(shown_ids(page)) == 6


def test_filtering_by_an_enum_and_text_together(page):
    page.select_option('select[data-field="async"]', "asyncio")
    asyncio = [row for row in catalog_rows() if row["async"] == "asyncio"]
    assert shown_ids(page) == [row["id"] for row in asyncio]
    page.fill("#filter", "github:")
    assert shown_ids(page) == [row["id"] for row in asyncio if row["install"].startswith("github:")]


def test_a_corrected_cell_shows_both_values_and_links_its_evidence(page):
    with (DATA / "corrections.csv").open(encoding="utf-8", newline="") as stream:
        correction = next(row for row in csv.DictReader(stream)
                          if row["id"] == "micropyserver" and row["field"] == "updated")
    cell = page.locator('#fw-micropyserver td[data-field="updated"]')
    assert cell.locator(".ours").inner_text() == correction["catalog_value"]
    assert cell.locator("del.survey").inner_text() == correction["survey_value"]
    cell.locator("a.evidence").click()
    assert page.evaluate("location.hash") == "#fix-micropyserver-updated"
    assert page.locator("#fix-micropyserver-updated").is_visible()


def test_every_correction_shows_its_evidence_whole(page):
    """A command to rerun is shown as code, a URL as a link to it."""
    with (DATA / "corrections.csv").open(encoding="utf-8", newline="") as stream:
        corrections = list(csv.DictReader(stream))
    for correction in corrections:
        target = page.locator(f"#fix-{correction['id']}-{correction['field']}")
        evidence = correction["evidence"]
        if evidence.startswith("$ "):
            assert target.locator("code").inner_text() == evidence
        else:
            links = target.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
            assert links == evidence.split()


def test_the_page_is_self_contained(tmp_path, capsys):
    target = tmp_path / "index.html"
    run_cli(capsys, "catalog", "--html", str(target))
    text = target.read_text(encoding="utf-8")
    assert "<script src" not in text and "<link " not in text
    assert str(tmp_path) not in text and str(DATA) not in text
    again = tmp_path / "again.html"
    run_cli(capsys, "catalog", "--html", str(again))
    assert again.read_text(encoding="utf-8") == text, "the page must not change between runs"
