"""Restart Kernel = a fresh board: a soft reboot with its banner, no variables, no bound ports."""
import pytest

from support import bound_ports

pytestmark = [pytest.mark.board, pytest.mark.timeout(120)]

RESTARTED = ("(Kernel restarted: the board had a soft reboot, so its variables, tasks and "
             "servers are gone.)\n")


def restart(session):
    """What JupyterLab's Restart Kernel does: interrupt, shutdown_request(restart), start again."""
    session.manager.restart_kernel(now=False)
    session.client.wait_for_ready(timeout=30)


def test_restart_while_a_server_runs_gives_a_fresh_board(start_kernel, board):
    session = start_kernel(notebook="01-raw-sockets.ipynb")
    session.text("%serialconnect\n%upylab send common/led.py common/static raw-socket")
    session.text("kept = 1")
    session.started("import led_raw\nled_raw.run()", until="serving on port 80")
    assert bound_ports(board) == [80]
    restart(session)
    assert bound_ports(board) == []
    reply, outputs = session.run("print(kept)")
    banner = outputs[0]["text"]
    assert banner.startswith("MPY: soft reboot\nMicroPython ")
    assert banner.endswith(RESTARTED + "Connected to virtual board 'test' again\n")
    assert (reply["ename"], reply["evalue"]) == ("NameError", "name 'kept' isn't defined")
    assert session.text("import os\nprint('led_raw.py' in os.listdir())") == "True\n"   # files stay


def test_restart_then_serialconnect_shows_the_reboot_once(start_kernel):
    session = start_kernel(notebook="00-start-here.ipynb")
    session.text("%serialconnect")
    restart(session)
    out = session.text("%serialconnect")
    assert out.startswith("MPY: soft reboot\n") and RESTARTED + "Connected to" in out
    assert "soft reboot" not in session.text("%serialconnect")


def test_a_new_kernel_is_not_a_restarted_one(start_kernel):
    first = start_kernel(notebook="a.ipynb")
    first.text("%serialconnect")
    restart(first)
    second = start_kernel(notebook="b.ipynb")        # another notebook's kernel
    assert "soft reboot" not in second.text("%serialconnect")
