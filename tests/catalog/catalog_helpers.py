"""Helpers for the catalog tests: where the data is, and how to edit a copy of it."""
import csv
from pathlib import Path

from upylab import paths
from upylab.cli import main

DATA = paths.data_dir()


def read_rows(path: Path) -> list:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def write_rows(path: Path, rows: list):
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


def set_cell(path: Path, row_id: str, column: str, value: str, field: str = None):
    """Set one cell of the row whose id (and, for corrections, field) match."""
    rows = read_rows(path)
    header = rows[0]
    for row in rows[1:]:
        if row[0] == row_id and (field is None or row[header.index("field")] == field):
            row[header.index(column)] = value
            break
    else:
        raise AssertionError(f"no row {row_id!r} {field or ''} in {path}")
    write_rows(path, rows)


def run_cli(capsys, *args) -> tuple:
    """Run ``upylab ARGS`` in-process: (exit status, stdout lines, stderr)."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err
