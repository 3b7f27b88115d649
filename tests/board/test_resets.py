"""Soft reboot, hard reset and boot.py/main.py, as on an ESP32."""
import time
from pathlib import Path

from upylab.board.bridge import RESET_CAUSES


def _write(board, name, text):
    (Path(board.flash) / name).write_text(text)


def test_soft_reboot_from_friendly_repl(board, line):
    _write(board, "boot.py", "print('boot ran')\n")
    _write(board, "main.py", "print('main ran')\n")
    line.friendly()
    line.write(b"leftover = 1\r")
    line.read_until(b">>> ")
    line.write(b"\x04")
    reply = line.read_until(b"for more information.\r\n>>> ")
    assert reply.index(b"MPY: soft reboot\r\n") < reply.index(b"boot ran\r\n") < reply.index(b"main ran\r\n")
    line.write(b"print('leftover' in globals())\r")
    assert b"False\r\n>>> " in line.read_until(b"\r\n>>> ")


def test_soft_reboot_from_raw_repl_stays_raw_and_skips_main(board, line):
    _write(board, "boot.py", "print('boot ran')\n")
    _write(board, "main.py", "print('main ran')\n")
    line.friendly()
    line.write(b"\x01")
    line.read_until(b"raw REPL; CTRL-B to exit\r\n>")
    line.write(b"leftover = 1\x04")
    line.read_until(b"\x04>")
    line.write(b"\x04")
    reply = line.read_until(b"raw REPL; CTRL-B to exit\r\n>")
    assert b"MPY: soft reboot\r\nboot ran\r\n" in reply
    assert b"main ran" not in reply and b">>> " not in reply
    line.write(b"print('leftover' in globals())\x04")
    assert line.read_until(b"\x04>").startswith(b"OKFalse\r\n")


def test_exception_in_boot_py_is_reported_and_repl_still_comes(board, line):
    _write(board, "boot.py", "print('before')\nraise ValueError('broken boot')\n")
    line.friendly()
    line.write(b"\x04")
    reply = line.read_until(b">>> ")
    assert b"before\r\n" in reply and b"ValueError: broken boot" in reply


def test_mpremote_soft_reset_runs_boot(board, mpremote):
    _write(board, "boot.py", "booted = 'yes'\n")
    mpremote("exec", "booted = 'changed'")
    assert mpremote("soft-reset", "eval", "booted").stdout.strip() == "yes"


def _reset_cause_is_hard(pid) -> bool:
    """The running interpreter was booted by a hard reset (its environment says so)."""
    try:
        hard = f"UPYLAB_RESET_CAUSE={RESET_CAUSES['hard']}\0".encode()
        return hard in Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False


def test_mpremote_reset_is_a_hard_reset(board, mpremote, line):
    before = board.interpreter_pid
    line.close()
    mpremote("reset")   # returns first: the board resets 100 ms later (mpremote's own sleep_ms)
    from upylab.board import registry
    deadline = time.monotonic() + 10
    while not _reset_cause_is_hard(registry.find(board.name).interpreter_pid):
        assert time.monotonic() < deadline, "no hard reset after mpremote reset"
        time.sleep(0.05)
    assert registry.find(board.name).interpreter_pid != before
    line.serial.open()  # what the board printed meanwhile went nowhere, as on a board
    line.friendly()
    line.write(b"import machine; print(machine.reset_cause() == machine.HARD_RESET)\r")
    assert b"True\r\n" in line.read_until(b"\r\n>>> ")


def test_machine_reset_from_code(line):
    line.friendly()
    line.write(b"import machine; machine.reset()\r")
    assert b"[virtual board: hard reset]" in line.read_until(b"for more information.\r\n>>> ")


def test_host_reset_command(board, line):
    from upylab.board import registry
    line.friendly()
    registry.reset(board.name)
    assert b"[virtual board: hard reset]" in line.read_until(b"for more information.\r\n>>> ")
