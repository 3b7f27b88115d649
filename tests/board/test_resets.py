"""Soft reboot, hard reset and boot.py/main.py, as on an ESP32."""
from pathlib import Path

from support import mpremote_hard_reset


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


def test_mpremote_reset_is_a_hard_reset(board, mpremote, line):
    line.close()
    mpremote_hard_reset(board, mpremote)   # a new interpreter, booted by a hard reset
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
