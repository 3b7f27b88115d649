"""Every framework's run(), as a lesson's student uses it: run, ■, run again.

The lesson says: start the server in a new cell, stop it with the stop
button, run the cell again.  Here that is done through the real kernel (the
stop button is a kernel interrupt), for each reference app: after ■ the
cell ends in one KeyboardInterrupt line, the board listens on no port, and
the second run serves again (no EADDRINUSE).
"""
import os

import pytest
from jupyter_client.manager import start_new_kernel

from lesson_apps import FRAMEWORKS, answering, prepared
from support import Session, bound_ports, says_port_taken
from upylab.catalog.apps import apps
from upylab.kernel.install import KERNEL_NAME
from upylab.link import choose

pytestmark = [pytest.mark.board, pytest.mark.timeout(300)]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_stop_button_then_run_again(framework, framework_cache, tmp_path):
    module = apps()[framework].module
    with prepared(framework) as board:
        manager, client = start_new_kernel(
            kernel_name=KERNEL_NAME, startup_timeout=30, cwd=str(tmp_path),
            env=dict(os.environ, **{choose.ENV: board.name}))
        session = Session(manager, client)
        try:
            session.text("%serialconnect")
            base = f"http://127.0.0.1:{board.host_port(80)}"
            for attempt in ("first run", "after the stop button"):
                running = session.started(f"import {module}\n{module}.run()", until="serving on port 80")
                assert answering(base) == 200, attempt
                manager.interrupt_kernel()
                reply, outputs = session.finished(running)
                assert (reply["ename"], reply["evalue"]) == ("KeyboardInterrupt", "the cell was stopped")
                assert reply["traceback"][-1] == "KeyboardInterrupt: the cell was stopped"
                assert not says_port_taken(outputs)
                assert bound_ports(board) == [], f"{attempt}: a port is still bound"
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
