"""The tables against their Frictionless schemas (data/datapackage.json)."""
import frictionless

from catalog_helpers import DATA, set_cell


def test_the_real_tables_are_valid():
    report = frictionless.validate(str(DATA / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_every_table_has_a_schema():
    package = frictionless.Package(str(DATA / "datapackage.json"))
    assert sorted(resource.path for resource in package.resources) == sorted(
        path.name for path in DATA.glob("*.csv"))
    for resource in package.resources:
        assert resource.schema.fields, resource.name


def test_frictionless_catches_a_bad_type(data_copy):
    set_cell(data_copy / "frameworks.csv", "picoweb", "checked", "yesterday")
    report = frictionless.validate(str(data_copy / "datapackage.json"))
    assert report.flatten(["rowNumber", "fieldName", "type"]) == [[5, "checked", "type-error"]]
