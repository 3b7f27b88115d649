"""Run All stops at the first error, even when the error comes before the rest of the run."""
import time

import pytest

from upylab.kernel import runall

pytestmark = [pytest.mark.board, pytest.mark.timeout(90)]

CELLS = 12
# JupyterLab 4.6 sends a Run All's requests a few milliseconds apart; this spaces them so.
SPREAD = 0.01


def statuses(session, msg_ids):
    found = {}
    while len(found) < len(msg_ids):
        message = session.client.get_shell_msg(timeout=30)
        if message["parent_header"].get("msg_id") in msg_ids:
            found[message["parent_header"]["msg_id"]] = message["content"]["status"]
    return [found[msg_id] for msg_id in msg_ids]


def run_all(session, cells):
    msg_ids = []
    for cell in cells:
        msg_ids.append(session.client.execute(cell))
        time.sleep(SPREAD)
    return statuses(session, msg_ids)


def test_a_fast_error_aborts_the_rest_of_the_run(kernel):
    """The first cell fails at once (no board): none of the rest runs, every time."""
    for _ in range(3):
        cells = ["print('no board yet')"] + [f"%upylab help\n# cell {n}" for n in range(CELLS)]
        assert run_all(kernel, cells) == ["error"] + ["aborted"] * CELLS
    assert CELLS * SPREAD < runall.SAME_RUN


def test_a_client_that_waits_for_the_error_runs_its_next_cell(connected):
    """nbval, nbclient and a student send the next cell after reading the error."""
    reply, _ = connected.run("1 / 0")
    assert reply["status"] == "error"
    assert connected.text("print('next')") == "next\n"


def test_a_cell_allowed_to_fail_does_not_stop_the_run(connected):
    """Cells tagged raises-exception: JupyterLab and nbclient send them without stop_on_error."""
    first = connected.client.execute("1 / 0", stop_on_error=False)
    second = connected.client.execute("print('after')")
    assert statuses(connected, [first, second]) == ["error", "ok"]


def test_a_fast_error_is_held_back_until_a_run_has_arrived(connected):
    started = time.monotonic()
    connected.run("1 / 0")
    assert time.monotonic() - started >= runall.SAME_RUN
