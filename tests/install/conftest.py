"""Fixtures for ``upylab install`` / ``upylab doctor`` tests.

The framework cache is shared by the whole session (one fetch per part),
in a temporary folder, never the user's.  A part that cannot be fetched
here skips the tests that need it, with the fetch error as the reason.
Boards come from the shared ``board`` fixture (ESP32-sized heap) or
``big_board`` (the esp32-spiram preset) for source forms that need more.
"""

import pytest

from upylab.board import registry
from upylab.install import cache, recipes


def fetch_or_skip(framework):
    """Fetch every part of a framework into the session cache, or skip with why."""
    for part in recipes.parts_for(framework):
        try:
            cache.ensure(part, log=lambda message: None)
        except cache.FetchError as error:
            pytest.skip(f"cannot fetch {framework} here: {error}")


@pytest.fixture
def fetched(framework_cache):
    return fetch_or_skip


@pytest.fixture
def big_board(state_dir):
    record = registry.start(name="big", heap="esp32-spiram")
    yield record
    registry.stop(record.name)
