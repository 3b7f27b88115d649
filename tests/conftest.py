"""Fixtures shared by every test folder.

``board`` gives a test its own fresh virtual board, in a state folder of
its own, and stops it afterwards (the test fails if any of the board's
processes outlives it).  ``mpremote`` runs the real mpremote against it;
``line`` opens its serial device with pyserial, as a terminal would.
``framework_cache`` is the one framework cache of a test run, shared by
pytest-xdist's workers (each part is fetched once, never into the user's
cache: the cache's writes are atomic, so workers may fill it together);
``browser`` is headless Chromium, one per worker.  ``soak`` is ``--soak
N``: how many times longer the repeated board tests run (1 in ``make
test``; more for a release check).

``make test`` runs the suite in parallel (pytest-xdist workers).  Every
test has its own boards, state folder and ports; what a module shares (a
module-scoped fixture: one server, one hub) keeps that module's tests on one
worker, and the class hub's tests, which create the same system users, all
on one.  Tests marked ``long(SECONDS)`` are handed out first, longest first
(SECONDS: about how long the test, or its group, keeps one worker busy),
so the run does not end waiting on one of them; the Makefile turns off
xdist's own reordering (largest group first) so that this order holds.
"""
import signal
from pathlib import Path

import pytest

from support import CHROMIUM, CHROMIUM_ARGS, run_mpremote, stop_and_check
from upylab.board import presets, registry
from upylab.link.transport import Link

LONG = 20   # seconds, for a test marked long without a figure


def pytest_itemcollected(item):
    """xdist groups (``--dist loadgroup``) for shared fixtures and the class's users.

    Marked as each test is collected: xdist reads the marks in its own
    ``pytest_collection_modifyitems``, which may run before ours."""
    if "classroom" in item.path.parts:
        item.add_marker(pytest.mark.xdist_group("classroom"))
        item.add_marker(pytest.mark.long(100))   # the hub (70 s) and the lifecycle tests (35 s)
    elif any(definition.scope in ("module", "package")
             for definitions in item._fixtureinfo.name2fixturedefs.values()
             for definition in definitions):
        item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def seconds_busy(item) -> float:
    """What the item's ``long`` mark says it (or its group) takes; 0 for the rest."""
    mark = item.get_closest_marker("long")
    return 0 if mark is None else mark.args[0] if mark.args else LONG


def pytest_collection_modifyitems(items):
    """Longest first: the run does not end waiting on one of them (a stable sort:
    the rest stay in the order they were collected)."""
    items.sort(key=lambda item: -seconds_busy(item))


def pytest_configure(config):
    """SIGINT at its default, as in a terminal's foreground, even if the suite runs in the background.

    A shell starts a background job (``nohup make test &``) with SIGINT
    ignored, and every process started from it inherits that: the tests
    that press Ctrl-C on a command (``upylab board pins --watch``) would
    see it ignored and wait in vain.  Runs in each xdist worker too.
    """
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_addoption(parser):
    parser.addoption("--soak", type=int, default=1, metavar="N",
                     help="run the repeated board tests N times longer (release checks)")


@pytest.fixture
def soak(request):
    return request.config.getoption("--soak")


@pytest.fixture
def state_dir(tmp_path, monkeypatch):
    """An empty upylab state folder, also seen by child processes."""
    folder = tmp_path / "state"
    monkeypatch.setenv("UPYLAB_STATE_DIR", str(folder))
    return folder


@pytest.fixture
def board(state_dir):
    record = registry.start(name="test", heap=presets.DEFAULT)
    yield record
    stop_and_check(record.name)


@pytest.fixture
def mpremote(board):
    return lambda *args, **options: run_mpremote(board.device, *args, **options)


@pytest.fixture
def line(board):
    connection = Link.open(board.device)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def framework_cache(tmp_path_factory, worker_id):
    run_folder = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # each worker's base is a folder of the run's
        run_folder = run_folder.parent
    folder = run_folder / "upylab-cache"
    folder.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UPYLAB_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium) "
                    "or `apt-get install chromium`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
