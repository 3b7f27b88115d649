"""Validation of the catalog's tables: one ``Problem`` per fault found.

Two layers, each message naming file, row, column and rule
(``data/frameworks.csv:4:created: type-error ...``, the header is row 1):

1. The Frictionless schemas in ``datapackage.json``: types, enums,
   patterns, required cells, keys between the tables.
2. Rules a schema can't state (run once the schemas pass, since they read
   typed values):

   - ``date-order``: created <= updated <= checked, latest_date <= checked.
   - ``missing-framework``: every survey row has a catalog row.  A catalog
     row needs no survey row: a framework the survey missed is one new
     catalog row (plus its lesson), and has nothing to correct.
   - ``snippets-folder``: a row's snippets folder is ``snippets/<id>/``.
   - ``duplicate-lesson``: no two rows share a lesson notebook.
   - ``wrong-kind``: a lesson path that exists is a file, a snippets path
     that exists is a folder.
   - ``app-module``: a reference app's module (``data/apps.csv``) is a file
     of its snippets folder, where that folder exists.
   - ``missing-lesson`` / ``missing-snippets`` / ``missing-app``: only with
     ``require_lessons`` (``missing-app``: a framework with no row in
     ``data/apps.csv``).  Lessons are written after the catalog (issues 5
     and 6), so by default a path that does not exist *yet* is not an
     error: ``pending`` lists them, and the CLI and a test print the list.
     Once every lesson exists, ``--require-lessons`` turns the list into
     errors.
   - ``unknown-field``, ``survey-mismatch``, ``catalog-mismatch``: each
     correction names a catalog field that has a survey column, quotes the
     survey cell exactly, and gives the catalog's value exactly.
   - ``unrecorded-difference``: where a survey cell has a mechanical
     reading (``readings``) and the catalog says otherwise, a correction
     must record it; ``needless-correction``: a correction whose catalog
     value is just what the survey says.
"""
from dataclasses import dataclass

import frictionless

from upylab.catalog.readings import reading
from upylab.catalog.tables import Catalog

DATE_ORDER = (("created", "updated"), ("updated", "checked"), ("created", "checked"),
              ("latest_date", "checked"))


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    rule: str

    def __str__(self):
        return f"{self.file}:{self.row}:{self.column}: {self.rule}"


def check(catalog: Catalog, require_lessons: bool = False) -> list:
    """Every problem in the catalog's tables; an empty list means valid."""
    problems = schema_problems(catalog)
    if problems:
        return problems
    return (date_problems(catalog) + id_problems(catalog)
            + lesson_problems(catalog, require_lessons) + app_problems(catalog, require_lessons)
            + correction_problems(catalog))


def schema_problems(catalog: Catalog) -> list:
    """What Frictionless finds against ``datapackage.json``."""
    report = frictionless.validate(str(catalog.descriptor))
    tables = {table.name: table for table in catalog.tables()}
    problems = [Problem(catalog.descriptor.name, 0, "-", f"{error.type}: {error.note}")
                for error in report.errors]
    for task in report.tasks:
        table = tables[task.name]
        for error in task.errors:
            problems.append(Problem(table.label, getattr(error, "row_number", None) or 1,
                                    _error_column(table, error), _error_rule(error)))
    return problems


def _error_column(table, error) -> str:
    name = getattr(error, "field_name", None) or getattr(error, "label", None)
    if name:
        return name
    if error.type == "primary-key":
        return ",".join(table.schema["primaryKey"])
    if error.type == "foreign-key":
        return ",".join(table.schema["foreignKeys"][0]["fields"])
    return "-"


def _error_rule(error) -> str:
    cell = getattr(error, "cell", None)
    value = f" {cell!r}" if cell not in (None, "") else ""
    return f"{error.type}{value}: {error.note}" if error.note else f"{error.type}{value}"


def date_problems(catalog: Catalog) -> list:
    table = catalog.frameworks
    problems = []
    for index, row in enumerate(table.rows):
        values = table.typed(row)
        for earlier, later in DATE_ORDER:
            if values[earlier] is not None and values[later] is not None \
                    and str(values[earlier])[:7] > str(values[later])[:7]:
                problems.append(Problem(table.label, table.row_number(index), earlier,
                                        f"date-order: {row[earlier]} is after {later} {row[later]}"))
    return problems


def id_problems(catalog: Catalog) -> list:
    known = {row["id"] for row in catalog.frameworks.rows}
    return [Problem(catalog.survey.label, catalog.survey.row_number(index), "id",
                    f"missing-framework: survey row {row['id']!r} has no row in {catalog.frameworks.label}")
            for index, row in enumerate(catalog.survey.rows) if row["id"] not in known]


def lesson_problems(catalog: Catalog, require_lessons: bool) -> list:
    table = catalog.frameworks
    problems = []
    seen = {}
    for index, row in enumerate(table.rows):
        number = table.row_number(index)
        expected = f"snippets/{row['id']}/"
        if row["snippets"] != expected:
            problems.append(Problem(table.label, number, "snippets",
                                    f"snippets-folder: must be {expected}, not {row['snippets']}"))
        if row["lesson"] in seen:
            problems.append(Problem(table.label, number, "lesson",
                                    f"duplicate-lesson: {row['lesson']} is also row {seen[row['lesson']]}'s lesson"))
        seen.setdefault(row["lesson"], number)
        for column, is_kind, kind in (("lesson", "is_file", "file"), ("snippets", "is_dir", "folder")):
            path = catalog.root / row[column]
            if path.exists() and not getattr(path, is_kind)():
                problems.append(Problem(table.label, number, column,
                                        f"wrong-kind: {row[column]} exists but is not a {kind}"))
            elif require_lessons and not path.exists():
                problems.append(Problem(table.label, number, column,
                                        f"missing-{column}: {row[column]} does not exist"))
    return problems


def app_problems(catalog: Catalog, require_lessons: bool) -> list:
    apps = next((table for table in catalog.others if table.name == "apps"), None)
    if apps is None:
        return []
    problems = []
    for index, row in enumerate(apps.rows):
        folder = catalog.root / "snippets" / row["id"]
        module = folder / f"{row['module']}.py"
        if folder.is_dir() and not module.is_file():
            problems.append(Problem(apps.label, apps.row_number(index), "module",
                                    f"app-module: snippets/{row['id']}/{row['module']}.py does not exist"))
    if require_lessons:
        with_app = {row["id"] for row in apps.rows}
        problems += [Problem(catalog.frameworks.label, catalog.frameworks.row_number(index), "id",
                             f"missing-app: {row['id']!r} has no row in {apps.label}")
                     for index, row in enumerate(catalog.frameworks.rows) if row["id"] not in with_app]
    return problems


def pending(catalog: Catalog) -> list:
    """Lesson notebooks and snippets folders the catalog names that don't exist yet."""
    return [row[column] for row in catalog.frameworks.rows for column in ("lesson", "snippets")
            if not (catalog.root / row[column]).exists()]


def correction_problems(catalog: Catalog) -> list:
    table = catalog.corrections
    problems = []
    for index, row in enumerate(table.rows):
        number = table.row_number(index)
        column = catalog.survey_column(row["field"])
        if column is None:
            problems.append(Problem(table.label, number, "field",
                                    f"unknown-field: {row['field']!r} is not a catalog field with a survey column"))
            continue
        survey = catalog.survey_row(row["id"])
        framework = next(r for r in catalog.frameworks.rows if r["id"] == row["id"])
        if survey is None:
            problems.append(Problem(table.label, number, "survey_value",
                                    f"survey-mismatch: {catalog.survey.label} has no row {row['id']!r}"))
        elif survey[column] != row["survey_value"]:
            problems.append(Problem(table.label, number, "survey_value",
                                    f"survey-mismatch: {catalog.survey.label} has {survey[column]!r}"
                                    f" in {column!r} for {row['id']}"))
        if framework[row["field"]] != row["catalog_value"]:
            problems.append(Problem(table.label, number, "catalog_value",
                                    f"catalog-mismatch: {catalog.frameworks.label} has"
                                    f" {framework[row['field']]!r} in {row['field']!r} for {row['id']}"))
        field = catalog.frameworks.fields[row["field"]]
        if reading(field, row["survey_value"]) == row["catalog_value"]:
            problems.append(Problem(table.label, number, "catalog_value",
                                    f"needless-correction: the survey already says {row['catalog_value']!r}"))
    return problems + unrecorded_differences(catalog)


def unrecorded_differences(catalog: Catalog) -> list:
    table = catalog.frameworks
    problems = []
    for index, row in enumerate(table.rows):
        survey = catalog.survey_row(row["id"])
        if survey is None:
            continue
        for name, field in table.fields.items():
            column = field.get("survey")
            if column is None or catalog.correction(row["id"], name) is not None:
                continue
            says = reading(field, survey[column])
            if says is not None and says != row[name]:
                problems.append(Problem(table.label, table.row_number(index), name,
                                        f"unrecorded-difference: the survey says {survey[column]!r}"
                                        f" (read as {says!r}) but {table.label} has {row[name]!r}"
                                        f" and {catalog.corrections.label} has no row for it"))
    return problems
