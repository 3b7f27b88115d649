"""Every framework's run(), as a lesson's student uses it: run, ■, run again.

The lesson says: start the server in a new cell, stop it with the stop
button, run the cell again.  Here that is done through the real kernel (the
stop button is a kernel interrupt), for each reference app: after ■ the
cell ends in one KeyboardInterrupt line, the board listens on no port, and
the second run serves again (no EADDRINUSE).
"""
import os

import pytest
from lesson_apps import FRAMEWORKS, answering, prepared
from support import bound_ports, kernel_session, says_port_taken
from upylab.catalog.apps import apps
from upylab.link import choose

pytestmark = [pytest.mark.board, pytest.mark.timeout(300)]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_stop_button_then_run_again(framework, framework_cache, tmp_path):
    module = apps()[framework].module
    with prepared(framework) as board, \
            kernel_session(tmp_path, dict(os.environ, **{choose.ENV: board.name})) as session:
        session.text("%serialconnect")
        base = f"http://127.0.0.1:{board.host_port(80)}"
        for attempt in ("first run", "after the stop button"):
            running = session.started(f"import {module}\n{module}.run()", until="serving on port 80")
            assert answering(base) == 200, attempt
            session.manager.interrupt_kernel()
            reply, outputs = session.finished(running)
            assert (reply["ename"], reply["evalue"]) == ("KeyboardInterrupt", "the cell was stopped")
            assert reply["traceback"][-1] == "KeyboardInterrupt: the cell was stopped"
            assert not says_port_taken(outputs)
            assert bound_ports(board) == [], f"{attempt}: a port is still bound"
