"""data/survey.csv is the seed survey's table, cell for cell.

The seed lives in the shared folder beside the repository
(``../shared/seed/frameworks-survey.md``); CI lays it out the same way.  A
contributor's clone has no such folder: the tests that compare with the
seed are skipped there, and the rest still check the CSV.
The markdown is parsed here on its own, not with the code that wrote the CSV.
"""
import csv
from pathlib import Path

import pytest

from upylab import paths
from upylab.catalog import tables

SEED = paths.ROOT.parent / "shared" / "seed" / "frameworks-survey.md"
SURVEY = tables.table("survey").path
IDS = ["raw-socket", "microdot", "tinyweb", "picoweb", "micropyserver", "aioweb"]


@pytest.fixture
def seed() -> list:
    if not SEED.is_file():
        pytest.skip(f"no seed survey at {SEED} (the shared folder beside the clone)")
    return markdown_table(SEED)


def markdown_table(path: Path) -> list:
    """The first pipe table of a markdown file, as rows of stripped cells, separator dropped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip()[1:-1].split("|")])
    assert set("".join(table[1])) <= set("- :"), "the second line of the table is its separator"
    return [table[0]] + table[2:]


def survey_csv() -> list:
    with SURVEY.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_header_is_id_then_the_seed_columns(seed):
    assert survey_csv()[0] == ["id"] + seed[0]


def test_every_cell_matches_the_seed(seed):
    rows = survey_csv()[1:]
    assert len(rows) == len(seed) - 1
    for number, (row, seed_row) in enumerate(zip(rows, seed[1:]), start=2):
        assert row[1:] == seed_row, f"data/survey.csv row {number} differs from the seed"


def test_ids_are_the_stable_ones():
    assert [row[0] for row in survey_csv()[1:]] == IDS


def test_the_mistakes_are_kept():
    cells = [cell for row in survey_csv() for cell in row]
    assert "ESP32/ESP8266 MicroPython Web Server \u00e2\u20ac\u201c Control Outputs" in cells
    assert cells.count("2029-Nov (first commit)") == 2
