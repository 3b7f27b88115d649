"""How a survey cell reads as a catalog value, where it can be read at all.

The survey's cells are prose ("2019-Apr (first commit)", "No mention").  A
cell whose meaning is mechanical has one catalog value: a month and year, a
plain list of boards, a phrase the field's ``surveyReadings`` maps, an enum
value, or free text kept as is.  Anything else ("from 36k heap space ...")
has no mechanical reading, so no rule can say the catalog departs from it.

The checks use this to demand a correction wherever the catalog differs
from what the survey says; the rules are per field *type*, with the phrase
tables in ``datapackage.json``, so a new framework needs no code here.
"""
import re

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_YEAR_MONTH = re.compile(r"^(\d{4})-(" + "|".join(MONTHS) + r")\b")
_PLAIN_LIST = re.compile(r"^[A-Za-z0-9]+(, [A-Za-z0-9]+)*$")


def reading(field: dict, cell: str):
    """The catalog value (as written in the CSV) the survey cell means, or ``None``."""
    phrases = field.get("surveyReadings", {})
    if cell in phrases:
        return phrases[cell]
    kind = field["type"]
    if kind == "yearmonth":
        match = _YEAR_MONTH.match(cell)
        return f"{match[1]}-{MONTHS.index(match[2]) + 1:02d}" if match else None
    if kind == "list":
        return field.get("delimiter", ",").join(cell.split(", ")) if _PLAIN_LIST.match(cell) else None
    enum = field.get("constraints", {}).get("enum")
    if enum is not None:
        return cell if cell in enum else None
    return cell
