"""The board notebooks run on, for ``tests/notebooks``.

A fresh virtual board per test (the shared ``board`` fixture); with
``UPYLAB_BOARD`` already set (``UPYLAB_BOARD=/dev/ttyUSB0 make
test-notebooks``) the notebooks run on that board instead, and no virtual
board is started.
"""
import os

import pytest


@pytest.fixture
def board_name(request):
    """``UPYLAB_BOARD`` if set, else a fresh virtual board's name."""
    if os.environ.get("UPYLAB_BOARD"):
        return os.environ["UPYLAB_BOARD"]
    return request.getfixturevalue("board").name
