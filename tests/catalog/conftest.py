"""Fixtures for the catalog tests: a private copy of the data folder to break.

Each test that feeds bad data edits a copy under ``tmp_path/data``, so the
messages name ``data/<table>.csv`` as they do for the real folder.
"""
import shutil

import pytest

from catalog_helpers import DATA


@pytest.fixture
def data_copy(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    return folder
