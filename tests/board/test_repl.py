"""The board's serial line behaves like an ESP32's: REPL modes, line endings, Ctrl-C."""
import time


def test_friendly_repl_sends_crlf(line):
    line.friendly()
    line.write(b"print('a'); print('b')\r")
    assert line.read_until(b">>> ").endswith(b"a\r\nb\r\n>>> ")


def test_raw_repl_enter_run_exit(line):
    line.friendly()
    line.write(b"\x01")
    line.read_until(b"raw REPL; CTRL-B to exit\r\n>")
    line.write(b"print(6 * 7)\nprint(1 / 0)\x04")
    reply = line.read_until(b"\x04>")
    assert reply.startswith(b"OK42\r\n\x04")
    assert b"ZeroDivisionError: divide by zero\r\n\x04>" in reply
    line.write(b"\x02")
    line.read_until(b">>> ")


def test_raw_paste_mode(line):
    line.friendly()
    line.write(b"\x01")
    line.read_until(b"raw REPL; CTRL-B to exit\r\n>")
    line.write(b"\x05A\x01")
    header = line.read_until(b"R\x01", timeout=3) + line.read_for(0.1)
    window = int.from_bytes(header[header.index(b"R\x01") + 2:][:2], "little")
    assert window >= 32
    line.write(b"print('pasted')\x04")
    assert b"pasted\r\n\x04" in line.read_until(b"\x04>")


def _interrupt_within_a_second(line, statement: bytes):
    line.friendly()
    line.write(statement)
    time.sleep(0.5)
    assert b">>> " not in line.read_for(0.1), "the statement should still be running"
    started = time.monotonic()
    line.write(b"\x03")
    reply = line.read_until(b"KeyboardInterrupt", timeout=1.0)
    assert time.monotonic() - started < 1.0
    assert b"Traceback" in reply
    line.read_until(b">>> ")
    line.write(b"print('usable')\r")
    assert b"usable\r\n>>> " in line.read_until(b"usable\r\n>>> ")


def test_ctrl_c_interrupts_busy_loop(line):
    _interrupt_within_a_second(line, b"while True: pass\r\r")


def test_ctrl_c_interrupts_server_blocked_in_accept(line):
    _interrupt_within_a_second(
        line,
        b"import socket; s = socket.socket(); s.bind(('', 80)); s.listen(1); s.accept()\r")


def test_ctrl_c_in_raw_repl(line):
    line.friendly()
    line.write(b"\x01")
    line.read_until(b"raw REPL; CTRL-B to exit\r\n>")
    line.write(b"import time\nwhile True: time.sleep_ms(10)\x04")
    line.read_until(b"OK")
    line.write(b"\x03")
    assert b"KeyboardInterrupt" in line.read_until(b"\x04>", timeout=1.0)
