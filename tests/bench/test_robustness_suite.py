"""The robustness suite finds exactly the faults of a deliberately fragile app.

``fragile/led_fragile.py`` runs on a virtual board, reached by its device
path as ``upylab bench --board`` reaches a board; the suite's figures (as
the bench writes them) must show each of its faults, and nothing else:
where it has no fault, the figures are those of a healthy server.
"""
import shutil
from pathlib import Path

import pytest

from support import stop_and_check
from upylab import snippets
from upylab.bench import robustness, runner
from upylab.board import presets, registry
from upylab.catalog.apps import COMMON, App

pytestmark = [pytest.mark.board, pytest.mark.timeout(180)]
FRAGILE = Path(__file__).with_name("fragile") / "led_fragile.py"
NO_ANSWER = {"closed", "reset"}


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    """One board for the module's tests (the suite runs once), in a state folder of its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UPYLAB_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        record = registry.start(name="fragile", heap=presets.DEFAULT)
        yield record
        stop_and_check(record.name)


@pytest.fixture(scope="module")
def figures(board):
    snippets.deploy(board.flash, COMMON)
    shutil.copyfile(FRAGILE, Path(board.flash) / FRAGILE.name)
    target = runner.given_board(board.device)
    session = runner.Session(target)
    restarts = []

    def restart():
        restarts.append(True)
        session.restart()

    try:
        session.start(App("fragile", "led_fragile", ""), "run")
        limits = robustness.QUICK
        results = robustness.suite(target.address, limits, restart)
        rows = robustness.figures(results, robustness.escapes(target.address, limits))
    finally:
        session.stop()
        session.close()
    assert not restarts, "the fragile app never stops serving: nothing to restart"
    return {metric: {"value": value, "unit": unit, "got": got, "bound": bound}
            for metric, value, unit, got, bound, _ in rows}, limits


def test_an_idle_client_holds_everyone_up(figures):
    rows, limits = figures
    bad, during = rows["robust_idle_client_bad"], rows["robust_idle_client_during"]
    assert (bad["got"], bad["bound"]) == ("timeout", "at least") and bad["value"] >= limits.hold
    assert (during["got"], during["bound"]) == ("timeout", "at least") and during["value"] >= limits.during
    assert rows["robust_idle_client_after"]["got"] == "200"


def test_a_request_in_pieces_is_cut_at_the_first(figures):
    rows, limits = figures
    slow = rows["robust_slow_headers_bad"]
    assert slow["got"] in NO_ANSWER and slow["value"] < limits.hold       # after its first byte
    assert rows["robust_split_body_bad"]["got"] in NO_ANSWER
    assert rows["robust_split_body_body_read"]["value"] == 0


@pytest.mark.parametrize("case", ["handler_raises", "malformed_request_line", "non_utf8_bytes",
                                  "unfinished_body", "encoded_dotdot_path"])
def test_errors_close_the_connection_without_an_answer(figures, case):
    rows, limits = figures
    bad = rows[f"robust_{case}_bad"]
    assert bad["got"] == "closed" and not bad["bound"], bad


def test_dotdot_leaves_static(figures):
    rows, _ = figures
    assert rows["robust_dotdot_path_bad"]["got"] == "200"
    assert rows["static_escape"]["value"] == 1


def test_no_fault_where_it_has_none(figures):
    rows, limits = figures
    # The rest of oversized headers stays unread: the answer, or the reset that closing
    # a socket with unread bytes sends, whichever reaches the client first.
    assert rows["robust_oversized_headers_bad"]["got"] in {"200", "reset"}
    assert rows["robust_concurrent_connections_bad"]["got"] == f"200×{limits.concurrent}"
    assert rows["robust_concurrent_connections_ok"]["value"] == limits.concurrent
    for case in robustness.CASES:
        assert rows[f"robust_{case}_after"]["got"] == "200", case
        if case != "idle_client":
            assert rows[f"robust_{case}_during"]["got"] == "200", case
