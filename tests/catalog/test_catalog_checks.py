"""``upylab catalog --check``: each kind of bad row gives its one clear line.

Every case breaks one thing in a copy of the real data and expects the exact
``file:row:column: rule`` line among the output, a non-zero exit, and no
traceback.  The real data must pass.
"""
import pytest

from catalog_helpers import DATA, read_rows, run_cli, set_cell, write_rows
from upylab.catalog import checks, tables


# The one line a valid catalog gives: its counts, from the data itself.
VALID = (f"catalog OK: {len(read_rows(DATA / 'frameworks.csv')) - 1} frameworks, "
         f"{len(read_rows(DATA / 'corrections.csv')) - 1} corrections")


def test_the_real_data_passes(capsys):
    status, out, err = run_cli(capsys, "catalog", "--check")
    assert status == 0, out
    assert out[0] == VALID


def test_every_catalog_row_has_its_lesson_and_snippets(capsys):
    """All the survey's rows have lessons now: a row without one fails."""
    status, out, _ = run_cli(capsys, "catalog", "--check", "--require-lessons")
    assert (status, out) == (0, [VALID])


def frameworks(folder, row_id, column, value):
    set_cell(folder / "frameworks.csv", row_id, column, value)


def corrections(folder, row_id, field, column, value):
    set_cell(folder / "corrections.csv", row_id, column, value, field=field)


def add_correction(folder, *cells):
    rows = read_rows(folder / "corrections.csv")
    write_rows(folder / "corrections.csv", rows + [list(cells)])


def drop_rows(folder, table, row_id):
    rows = read_rows(folder / table)
    write_rows(folder / table, [row for row in rows if row[0] != row_id])


def drop_framework(folder, row_id):
    for table in ("frameworks.csv", "corrections.csv", "install.csv", "apps.csv"):
        drop_rows(folder, table, row_id)


def make_dir(folder, path):
    (folder.parent / path).mkdir(parents=True)


def app_without_module(folder, row_id, module):
    """The app names a module its (existing) snippets folder lacks."""
    set_cell(folder / "apps.csv", row_id, "module", module)
    make_dir(folder, f"snippets/{row_id}")


CASES = {
    "type": (frameworks, ("microdot", "created", "2019-13"),
             "data/frameworks.csv:3:created: type-error '2019-13': type is \"yearmonth/default\""),
    "enum": (frameworks, ("tinyweb", "async", "trio"),
             "data/frameworks.csv:4:async: constraint-error 'trio': constraint \"enum\" is \"['none', 'asyncio', 'unknown']\""),
    "pattern": (frameworks, ("picoweb", "install", "npm:picoweb"),
                "data/frameworks.csv:5:install: constraint-error 'npm:picoweb': constraint \"pattern\" is "
                "\"^(pypi:[A-Za-z0-9._-]+|github:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+|builtin:[a-z_]+)$\""),
    "required": (frameworks, ("aioweb", "lesson", ""),
                 "data/frameworks.csv:7:lesson: constraint-error: constraint \"required\" is \"True\""),
    "evidence": (corrections, ("tinyweb", "comment", "evidence", "the README"),
                 "data/corrections.csv:5:evidence: constraint-error 'the README': constraint \"pattern\" is "
                 "\"^(https?://\\S+( https?://\\S+)*|\\$ .+)$\""),
    "duplicate id": (frameworks, ("picoweb", "id", "tinyweb"),
                     "data/frameworks.csv:5:id: primary-key: the same as in the row at position 4"),
    "unknown id": (corrections, ("aioweb", "send_file", "id", "aioweb2"),
                   "data/corrections.csv:14:id: foreign-key: for \"id\": values \"aioweb2\" not found"
                   " in the lookup table \"frameworks\" as \"id\""),
    "missing framework": (drop_framework, ("aioweb",),
                          "data/survey.csv:7:id: missing-framework: survey row 'aioweb' has no row in data/frameworks.csv"),
    "created after updated": (frameworks, ("raw-socket", "created", "2023-07"),
                              "data/frameworks.csv:2:created: date-order: 2023-07 is after updated 2023-06"),
    "updated after checked": (frameworks, ("picoweb", "checked", "2020-06-30"),
                              "data/frameworks.csv:5:updated: date-order: 2020-07 is after checked 2020-06-30"),
    "snippets folder": (frameworks, ("microdot", "snippets", "snippets/flask/"),
                        "data/frameworks.csv:3:snippets: snippets-folder: must be snippets/microdot/, not snippets/flask/"),
    "duplicate lesson": (frameworks, ("aioweb", "lesson", "notebooks/06-micropyserver.ipynb"),
                         "data/frameworks.csv:7:lesson: duplicate-lesson: notebooks/06-micropyserver.ipynb"
                         " is also row 6's lesson"),
    "app module": (app_without_module, ("aioweb", "led_web"),
                   "data/apps.csv:7:module: app-module: snippets/aioweb/led_web.py does not exist"),
    "lesson is a folder": (make_dir, ("notebooks/02-microdot.ipynb",),
                           "data/frameworks.csv:3:lesson: wrong-kind: notebooks/02-microdot.ipynb exists but is not a file"),
    "unknown field": (corrections, ("tinyweb", "comment", "field", "license"),
                      "data/corrections.csv:5:field: unknown-field: 'license' is not a catalog field with a survey column"),
    "survey value": (corrections, ("micropyserver", "created", "survey_value", "2019-Nov (first commit)"),
                     "data/corrections.csv:8:survey_value: survey-mismatch: data/survey.csv has"
                     " '2029-Nov (first commit)' in 'creation date' for micropyserver"),
    "catalog value": (corrections, ("micropyserver", "updated", "catalog_value", "2024-12"),
                      "data/corrections.csv:9:catalog_value: catalog-mismatch: data/frameworks.csv has"
                      " '2025-01' in 'updated' for micropyserver"),
    "unrecorded difference": (frameworks, ("picoweb", "updated", "2021-01"),
                              "data/frameworks.csv:5:updated: unrecorded-difference: the survey says"
                              " '2020-Jul (latest commit)' (read as '2020-07') but data/frameworks.csv has"
                              " '2021-01' and data/corrections.csv has no row for it"),
    "needless correction": (add_correction, ("tinyweb", "created", "2017-Dec", "2017-12", "contradicted",
                                             "https://github.com/belyalov/tinyweb", "same"),
                            "data/corrections.csv:15:catalog_value: needless-correction: the survey already says '2017-12'"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_row_gives_its_message(case, data_copy, capsys):
    edit, arguments, expected = CASES[case]
    edit(data_copy, *arguments)
    status, out, err = run_cli(capsys, "catalog", "--check", "--data", str(data_copy))
    assert status == 1
    assert expected in out, "\n".join(out)
    assert "Traceback" not in err
    assert err.startswith("upylab: ") and err.count("\n") == 1


def test_missing_lesson_is_an_error_when_required(data_copy, capsys):
    status, out, _ = run_cli(capsys, "catalog", "--check", "--require-lessons", "--data", str(data_copy))
    assert status == 1
    assert "data/frameworks.csv:3:lesson: missing-lesson: notebooks/02-microdot.ipynb does not exist" in out
    assert "data/frameworks.csv:3:snippets: missing-snippets: snippets/microdot/ does not exist" in out


def test_existing_lesson_and_snippets_pass_when_required(data_copy, capsys):
    catalog = tables.load(data_copy)
    for row in catalog.frameworks.rows:
        (catalog.root / row["snippets"]).mkdir(parents=True)
        (catalog.root / row["lesson"]).parent.mkdir(exist_ok=True)
        (catalog.root / row["lesson"]).write_text("{}")
    for row in tables.table("apps", data_copy).rows:
        (catalog.root / "snippets" / row["id"] / f"{row['module']}.py").write_text("")
    assert checks.check(tables.load(data_copy), require_lessons=True) == []


def test_a_framework_without_an_app_is_an_error_when_required(data_copy, capsys):
    drop_rows(data_copy, "apps.csv", "tinyweb")
    status, out, _ = run_cli(capsys, "catalog", "--check", "--require-lessons", "--data", str(data_copy))
    assert status == 1
    assert "data/frameworks.csv:4:id: missing-app: 'tinyweb' has no row in data/apps.csv" in out


def test_a_missing_table_is_one_line(data_copy, capsys):
    (data_copy / "corrections.csv").unlink()
    status, out, err = run_cli(capsys, "catalog", "--check", "--data", str(data_copy))
    assert status == 2
    assert err == ("upylab: data/corrections.csv: missing (datapackage.json names it for table"
                   " 'corrections')\n")


def test_a_folder_without_tables_is_one_line(tmp_path, capsys):
    status, _, err = run_cli(capsys, "catalog", "--check", "--data", str(tmp_path))
    assert status == 2
    assert err == (f"upylab: no datapackage.json in {tmp_path}: pass --data DIR,"
                   " the folder holding the catalog's tables\n")


def test_a_new_framework_is_one_catalog_row(data_copy, capsys):
    rows = read_rows(data_copy / "frameworks.csv")
    header = rows[0]
    new = dict(zip(header, rows[1]))
    new.update(id="nanoweb", name="Nanoweb", site="https://github.com/hugokernel/micropython-nanoweb",
               created="", updated="", install="github:hugokernel/micropython-nanoweb",
               lesson="notebooks/08-nanoweb.ipynb", snippets="snippets/nanoweb/", evidence="", notes="")
    write_rows(data_copy / "frameworks.csv", rows + [[new[column] for column in header]])
    status, out, _ = run_cli(capsys, "catalog", "--check", "--data", str(data_copy))
    assert status == 0, out
    assert "notebooks/08-nanoweb.ipynb" in out[1]
    status, out, _ = run_cli(capsys, "catalog", "--data", str(data_copy))
    assert any(line.startswith("nanoweb ") for line in out)


def test_a_correction_needs_a_survey_row(data_copy, capsys):
    test_a_new_framework_is_one_catalog_row(data_copy, capsys)
    add_correction(data_copy, "nanoweb", "async", "uasyncio", "asyncio", "newer", "https://example.org", "x")
    status, out, _ = run_cli(capsys, "catalog", "--check", "--data", str(data_copy))
    assert status == 1
    assert "data/corrections.csv:15:survey_value: survey-mismatch: data/survey.csv has no row 'nanoweb'" in out
