"""The catalog's tables: where they live, and their rows as written and typed.

``datapackage.json`` names every table's file and fields, so this module
holds no per-framework or per-column fact.  Rows are kept as the strings
written in the CSV (what the checks compare and the page shows); ``typed``
turns one into Python values using the field types of its schema.

Paths inside the tables (lessons, snippets) are relative to the folder that
holds the data folder: the repository root for the real data.

This is the one reader of ``data/``: ``load`` reads the whole catalog,
``table`` one table by its name in the descriptor (what other tools read:
``upylab install`` its recipes, the bench and the tests the reference
apps).  Without a folder, both read ``paths.data_dir()``.
"""
import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from upylab import paths
from upylab.errors import UpylabError

DESCRIPTOR = "datapackage.json"


@dataclass(frozen=True)
class Table:
    """One CSV table with its schema: ``rows`` are dicts of the cells as written."""

    name: str
    path: Path
    label: str
    schema: dict
    rows: list

    @property
    def fields(self) -> dict:
        return {field["name"]: field for field in self.schema["fields"]}

    def row_number(self, index: int) -> int:
        """The row's number in the file, as messages give it (the header is row 1)."""
        return index + 2

    def typed(self, row: dict) -> dict:
        """The row's values as Python values; empty cells become ``None``."""
        return {name: _typed(field, row.get(name) or "") for name, field in self.fields.items()}


def _typed(field: dict, text: str):
    if text == "":
        return None
    if field["type"] == "list":
        return text.split(field.get("delimiter", ","))
    if field["type"] == "date":
        return date.fromisoformat(text)
    return text


@dataclass(frozen=True)
class Catalog:
    """The three catalog tables of one data folder, and the others it describes.

    ``others`` holds the tables other tools own (what ``upylab install``
    copies, what ``upylab bench`` measured): they are loaded so that one
    ``--check`` validates every table against its schema.
    """

    data_dir: Path
    survey: Table
    frameworks: Table
    corrections: Table
    others: tuple = ()

    @property
    def root(self) -> Path:
        """The folder that lesson and snippets paths are relative to."""
        return self.data_dir.parent

    @property
    def descriptor(self) -> Path:
        return self.data_dir / DESCRIPTOR

    def tables(self) -> list:
        return [self.survey, self.frameworks, self.corrections, *self.others]

    def survey_column(self, field: str):
        """The survey column a catalog field comes from, or ``None``."""
        return self.frameworks.fields.get(field, {}).get("survey")

    def survey_row(self, framework_id: str):
        return next((row for row in self.survey.rows if row.get("id") == framework_id), None)

    def correction(self, framework_id: str, field: str):
        return next((row for row in self.corrections.rows
                     if row.get("id") == framework_id and row.get("field") == field), None)


def load(data_dir=None) -> Catalog:
    """Read the data folder's descriptor and tables; a missing piece is a ``UpylabError``."""
    data_dir = Path(data_dir) if data_dir is not None else paths.data_dir()
    resources = _resources(data_dir)
    tables = {}
    for name in ("survey", "frameworks", "corrections"):
        if name not in resources:
            raise UpylabError(f"{data_dir / DESCRIPTOR}: no resource named {name!r}")
        tables[name] = _read_table(data_dir, resources[name])
    others = tuple(_read_table(data_dir, resource) for name, resource in resources.items()
                   if name not in tables)
    return Catalog(data_dir, **tables, others=others)


def table(name: str, data_dir=None) -> Table:
    """One table of the data folder, by its resource name (``frameworks``, ``install``...)."""
    data_dir = Path(data_dir) if data_dir is not None else paths.data_dir()
    resources = _resources(data_dir)
    if name not in resources:
        raise UpylabError(f"{data_dir / DESCRIPTOR}: no resource named {name!r}")
    return _read_table(data_dir, resources[name])


def _resources(data_dir: Path) -> dict:
    """The descriptor's resources by name."""
    descriptor = data_dir / DESCRIPTOR
    if not descriptor.is_file():
        raise UpylabError(f"no {DESCRIPTOR} in {data_dir}: pass --data DIR, the folder holding the catalog's tables")
    try:
        package = json.loads(descriptor.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise UpylabError(f"{descriptor}: not valid JSON ({error})") from None
    return {resource.get("name"): resource for resource in package.get("resources", [])}


def _read_table(data_dir: Path, resource: dict) -> Table:
    path = data_dir / resource["path"]
    label = f"{data_dir.name}/{resource['path']}"
    if not path.is_file():
        raise UpylabError(f"{label}: missing (datapackage.json names it for table {resource['name']!r})")
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return Table(resource["name"], path, label, resource["schema"], rows)
