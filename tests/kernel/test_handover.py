"""One board, many notebooks: the handover of the board's port between kernels."""
import pytest
import serial

from upylab.kernel import handover

pytestmark = [pytest.mark.board, pytest.mark.timeout(120)]


def test_an_idle_notebook_hands_the_board_over_without_a_reset(start_kernel):
    first = start_kernel(notebook="00-start-here.ipynb")
    second = start_kernel(notebook="01-raw-sockets.ipynb")
    first.text("%serialconnect\nx = 41")
    out = second.text("%serialconnect\nprint(x + 1)")
    assert out.startswith("Connected to virtual board 'test'\n(taken over from "
                          "00-start-here.ipynb, whose kernel was idle: the board was not reset")
    assert out.endswith("42\n"), "the board kept its variables"
    # The first notebook takes its board back by itself, and says so.
    assert first.text("print(x)") == (
        "(This notebook has the board back from 01-raw-sockets.ipynb, which used it meanwhile: "
        "what ran there ran on this board too.)\n41\n")
    assert first.text("print('and keeps it')") == "and keeps it\n"


def test_a_notebook_running_a_cell_keeps_the_board_and_is_named(start_kernel):
    busy = start_kernel(notebook="02-microdot.ipynb")
    other = start_kernel(notebook="01-raw-sockets.ipynb")
    busy.text("%serialconnect")
    running = busy.started("print('serving')\nwhile True:\n    pass", until="serving")
    reply, _ = other.run("%serialconnect")
    assert reply["status"] == "error"
    assert reply["evalue"] == (
        "the board is busy: 02-microdot.ipynb is running a cell on it. Stop that cell there "
        "(the stop button, or Kernel > Interrupt Kernel), then run this cell again")
    busy.manager.interrupt_kernel()
    assert busy.finished(running)[0]["ename"] == "KeyboardInterrupt"
    assert other.text("%serialconnect").startswith("Connected to virtual board 'test'\n(taken over")


def test_the_port_is_the_key_however_it_is_named(start_kernel, board):
    """A device path (as for an ESP32 on USB) and a board name reach the same holder."""
    first = start_kernel(notebook="a.ipynb")
    second = start_kernel(notebook="b.ipynb")
    first.text("%serialconnect")
    out = second.text(f"%serialconnect --port={board.pts}")
    assert out.startswith(f"Connected to {board.pts} (--port)\n(taken over from a.ipynb")
    assert handover.record_path(board.pts) == handover.record_path(board.device)


def test_a_kernel_that_died_leaves_the_board_free(start_kernel, board):
    gone = start_kernel(notebook="gone.ipynb")
    gone.text("%serialconnect")
    gone.manager.shutdown_kernel(now=True)       # killed: no chance to let go
    assert handover.record_path(board.device).exists(), "its record is left behind"
    out = start_kernel(notebook="next.ipynb").text("%serialconnect")
    assert "taken over" not in out


def test_another_program_is_not_asked(kernel, board):
    """Without a kernel's record, a busy port is another program's (mpremote, Thonny)."""
    with serial.Serial(board.device, exclusive=True):
        reply, _ = kernel.run("%serialconnect")
    assert reply["evalue"].startswith(f"port {board.device} is busy: another program")


def test_disconnect_and_shutdown_let_go(start_kernel, board):
    first = start_kernel(notebook="a.ipynb")
    first.text("%serialconnect")
    first.text("%disconnect")
    assert not handover.record_path(board.device).exists()
    first.text("%serialconnect")
    first.manager.shutdown_kernel()              # as JupyterLab's "Shut Down Kernel"
    assert not handover.record_path(board.device).exists()
    serial.Serial(board.device, exclusive=True).close()
