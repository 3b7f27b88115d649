"""Fixtures for the classroom tests: a class folder of their own, run as root.

``upylab class start`` makes system users, and only root can start
servers as them, so these tests need root (CI runs as root).  Students
are named ``ulab-*`` so no real account is ever touched (and
``accounts.create`` refuses one that is not a class account).
"""
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from upylab.classroom import hub, settings
from upylab.errors import UpylabError


@pytest.fixture(scope="module")
def class_dir(tmp_path_factory):
    """The class folder (settings, passwords, hub log) of this module's classes."""
    if os.geteuid() != 0:
        pytest.skip("a class hub with several students needs root (CI runs as root)")
    if not shutil.which("npm") and not hub.PROXY.exists():
        pytest.skip("no npm here: `make setup` could not install the hub's proxy")
    try:
        hub.check_readable_by_others("")
    except UpylabError as error:
        pytest.skip(str(error))
    folder = tmp_path_factory.mktemp("class") / "class"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(settings.CLASS_ENV, str(folder))
        yield folder


@pytest.fixture(scope="module")
def shared_folder():
    """A folder every user may read (pytest's own are 0700), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="upylab-class-test-") as folder:
        Path(folder).chmod(0o755)
        yield Path(folder)
