"""Faults a classroom will meet: a dead interpreter, a pulled cable, two programs on one port."""
import os
import signal
from pathlib import Path

from support import run_mpremote, wait_for_file
from upylab.board import registry
from upylab.link.transport import Link


def test_a_dead_interpreter_is_reported_and_the_board_comes_back(board, line):
    line.friendly()
    os.kill(registry.find(board.name).interpreter_pid, signal.SIGKILL)
    reply = line.read_until(b"for more information.\r\n>>> ")
    assert b"[virtual board: MicroPython died (SIGKILL); resetting]" in reply
    line.write(b"print('back')\r")
    line.read_until(b"back\r\n>>> ")
    assert registry.find(board.name).interpreter_pid != board.interpreter_pid


def test_client_leaving_mid_output_then_returning(board, line):
    line.friendly()
    line.write(b"import time\rn = 0\rwhile True: print('tick' * 20); time.sleep_ms(1); n += 1; "
               b"n == 300 and open('printed-to-nobody', 'w').close()\r\r")
    line.read_until(b"tick")
    line.close()
    wait_for_file(Path(board.flash) / "printed-to-nobody")  # 300 lines went to no one
    again = Link.open(board.device)
    try:
        again.friendly()
        again.write(b"print('usable')\r")
        again.read_until(b"usable\r\n>>> ")
    finally:
        again.close()


def test_second_client_on_a_busy_board_gets_a_clear_error(board, line):
    line.friendly()
    result = run_mpremote(board.device, "eval", "1", check=False, timeout=20)
    assert result.returncode != 0
    assert f"failed to access {board.device}" in result.stdout + result.stderr


def test_stop_leaves_nothing_behind(state_dir):
    record = registry.start(name="short-lived")
    registry.stop("short-lived")
    assert not registry.is_running(record.pid)
    assert not registry.is_running(record.interpreter_pid)
    assert not os.path.lexists(record.device)
    assert registry.running() == []
