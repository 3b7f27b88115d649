"""The board's serial line behaves like an ESP32's: REPL modes, line endings, Ctrl-C."""


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
    line.read_until(b"R\x01")
    window = int.from_bytes(line.read_count(2), "little")
    assert window >= 32
    line.write(b"print('pasted')\x04")
    assert b"pasted\r\n\x04" in line.read_until(b"\x04>")


def _interrupt_while_running(line, statement: bytes):
    """``statement`` prints 'running' then runs until a Ctrl-C stops it."""
    line.friendly()
    line.write(statement)
    line.read_until(b"running\r\n")
    line.write(b"\x03")
    reply = line.read_until(b">>> ")
    assert b"Traceback" in reply and b"KeyboardInterrupt" in reply
    line.write(b"print('usable')\r")
    assert b"usable\r\n>>> " in line.read_until(b"usable\r\n>>> ")


def test_ctrl_c_interrupts_busy_loop(line):
    _interrupt_while_running(line, b"exec(\"print('running')\\nwhile True: pass\")\r")


def test_ctrl_c_interrupts_server_blocked_in_accept(line):
    _interrupt_while_running(
        line, b"import socket; s = socket.socket(); s.bind(('', 80)); s.listen(1); "
              b"print('running'); s.accept()\r")


def test_ctrl_c_in_raw_repl(line):
    line.friendly()
    line.write(b"\x01")
    line.read_until(b"raw REPL; CTRL-B to exit\r\n>")
    line.write(b"import time\nwhile True: time.sleep_ms(10)\x04")
    line.read_until(b"OK")
    line.write(b"\x03")
    assert b"KeyboardInterrupt" in line.read_until(b"\x04>")
