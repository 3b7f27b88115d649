"""Every framework's run(), as a lesson's student uses it: run, ■, run again.

The lesson says: start the server in a new cell, stop it with the stop
button, run the cell again.  Here that is done through the real kernel (the
stop button is a kernel interrupt), for each app of the reference-app table:
after ■ the cell ends in one KeyboardInterrupt line, the board listens on no
port, and the second run serves again (no EADDRINUSE).
"""
import os
import time

import pytest
from jupyter_client.manager import start_new_kernel

from lesson_apps import install_or_skip, module_board, request, send
from support import Session, bound_ports
from upylab.catalog.apps import apps
from upylab.install import recipes
from upylab.kernel.install import KERNEL_NAME

pytestmark = [pytest.mark.board, pytest.mark.timeout(300)]

START_TIMEOUT = 20


def answering(base):
    """The app's status code once it answers (run() prints before it listens)."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            return request(base, "GET", "/api/status", timeout=2)[0]
        except OSError:
            assert time.monotonic() < deadline, f"{base} did not answer within {START_TIMEOUT} s"
            time.sleep(0.2)


@pytest.mark.parametrize("framework", sorted(apps()))
def test_stop_button_then_run_again(framework, framework_cache, tmp_path):
    app = apps()[framework]
    with module_board() as board:
        if recipes.parts_for(framework):
            install_or_skip(framework, board)
        send(board, *app.snippets)
        manager, client = start_new_kernel(
            kernel_name=KERNEL_NAME, startup_timeout=30, cwd=str(tmp_path),
            env=dict(os.environ, UPYLAB_BOARD=board.name))
        session = Session(manager, client)
        try:
            session.text("%serialconnect")
            base = f"http://127.0.0.1:{board.host_port(80)}"
            for attempt in ("first run", "after the stop button"):
                running = session.started(f"import {app.module}\n{app.module}.run()",
                                          until="serving on port 80")
                assert answering(base) == 200, attempt
                manager.interrupt_kernel()
                reply, outputs = session.finished(running)
                assert (reply["ename"], reply["evalue"]) == ("KeyboardInterrupt", "the cell was stopped")
                assert reply["traceback"][-1] == "KeyboardInterrupt: the cell was stopped"
                assert "EADDRINUSE" not in str(outputs)
                assert bound_ports(board) == [], f"{attempt}: a port is still bound"
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)

