"""Ctrl-C reaches the board whatever it does: booting, in main.py, at the REPL.

The repeated tests sample race windows a single run can miss.  Their size
is ``--soak N`` times the default (``make test`` runs N = 1, a few seconds);
the README's release check runs a longer soak.
"""
import time
from pathlib import Path

from mpremote.transport_serial import SerialTransport

from support import stop_and_check
from upylab.board import registry
from upylab.link.transport import Link

SERVES_FOR_EVER = ("import socket\ns = socket.socket()\ns.bind(('', 80))\ns.listen(1)\n"
                   "while True:\n    s.accept()[0].close()\n")
RESETS = 50      # board resets, each followed by mpremote's way in
CLI_RESETS = 2   # the same with mpremote's command line: two program starts each
STORM = 1000     # REPL lines, each chased by a Ctrl-C


def _mpremote_exec(device, code: str) -> bytes:
    """`mpremote exec CODE`, done by mpremote's own serial transport in this process."""
    transport = SerialTransport(device)
    try:
        transport.enter_raw_repl(soft_reset=True)  # Ctrl-C, Ctrl-A, Ctrl-D: as its CLI does
        return transport.exec(code)
    finally:
        if transport.in_raw_repl:
            transport.exit_raw_repl()
        transport.close()


def test_mpremote_reaches_main_py_serving_for_ever_right_after_every_reset(board, soak):
    """The reset returns as the next interpreter starts: mpremote's Ctrl-C
    lands while it boots, between its steps or in main.py's accept()."""
    (Path(board.flash) / "main.py").write_text(SERVES_FOR_EVER)
    first = board.interpreter_pid
    for round_ in range(RESETS * soak):
        registry.reset(board.name)
        assert _mpremote_exec(board.device, "print('reached')") == b"reached\r\n", round_
    assert registry.find(board.name).interpreter_pid != first


def test_mpremote_reset_then_exec_from_the_command_line(board, mpremote, soak):
    """The issue's loop: `mpremote reset`, then at once `mpremote exec`."""
    (Path(board.flash) / "main.py").write_text(SERVES_FOR_EVER)
    for round_ in range(CLI_RESETS * soak):
        mpremote("reset")
        assert mpremote("exec", "print('reached')").stdout == "reached\n", round_


def test_ctrl_c_while_powering_on_stops_main_py(state_dir, tmp_path):
    """Sent before main.py starts, it is held, and stops main.py when it does."""
    flash = tmp_path / "flash"
    flash.mkdir()
    (flash / "main.py").write_text(SERVES_FOR_EVER)
    record = registry.start(name="early-main", flash=flash)  # returns as it boots
    line = Link.open(record.device)
    try:
        line.write(b"\x03")
        reply = line.read_until(b">>> ")
        assert b'File "main.py"' in reply and b"KeyboardInterrupt" in reply
        assert registry.find(record.name).interpreter_pid == record.interpreter_pid
    finally:
        line.close()
        stop_and_check(record.name)


def test_ctrl_c_chasing_repl_lines_never_kills_the_interpreter(board, line, soak):
    """Each Ctrl-C lands as a line starts, runs or ends: a KeyboardInterrupt
    or a key for the prompt, never the unix port's default SIGINT action."""
    line.friendly()
    line.write(b"import time\r")
    for round_ in range(STORM * soak):
        line.write(b"time.sleep_us(%d)\r\x03\rprint('round', %d)\r" % (round_ % 1000, round_))
        found, reply = line.read_until_any([b"round %d\r\n>>> " % round_, b"resetting]"])
        assert found != b"resetting]", reply
    assert registry.find(board.name).interpreter_pid == board.interpreter_pid


def test_ctrl_c_right_after_power_on_does_not_reboot(state_dir):
    record = registry.start(name="early")
    line = Link.open(record.device)
    try:
        line.friendly()
        assert registry.find("early").interpreter_pid == record.interpreter_pid
    finally:
        line.close()
        stop_and_check("early")


def test_ctrl_c_storm_while_booting_never_kills_the_interpreter(state_dir):
    """Ctrl-C between the board's own steps (set-up, after main.py, before
    the prompt) must not end the interpreter: only boot.py, main.py and
    REPL commands are interruptible, as on a board."""
    for attempt in range(3):
        record = registry.start(name=f"storm{attempt}")
        line = Link.open(record.device)
        try:
            for _ in range(40):  # spread over the boot, not waiting for anything
                line.write(b"\x03")
                time.sleep(0.005)
            line.friendly()
            assert registry.find(record.name).interpreter_pid == record.interpreter_pid
        finally:
            line.close()
            stop_and_check(record.name)


def test_ctrl_c_right_after_a_collection_is_never_lost(line, soak):
    """The unix port lost this KeyboardInterrupt (no traceback, the loop ran on) at
    the first try, and its SIGINT handler, raising inside the collector, left the
    heap locked; the board delivers it as an ESP32 does (bridge.RESIGNAL_AFTER_S,
    sandbox.KEYBOARD_SIGNAL)."""
    line.friendly()
    for turn in range(20 * soak):
        if turn % 10 == 0:
            line.write(b"import gc; print('free', gc.mem_free())\r")
            line.read_until(b">>> ")
        line.write(b"\x01")
        line.read_until(b"raw REPL; CTRL-B to exit\r\n>")
        line.write(b"import time, gc\ngc.collect()\nwhile True: time.sleep_ms(10)\x04")
        line.read_until(b"OK")
        line.write(b"\x03")
        reply = line.read_until(b"\x04>", timeout=10)
        assert b"KeyboardInterrupt" in reply and b"MemoryError" not in reply, reply
        line.write(b"\x02")
        line.read_until(b">>> ")
    line.write(b"print(len(bytearray(4096)))\r")
    assert b"4096\r\n>>> " in line.read_until(b"4096\r\n>>> ")
