"""Client input as an ESP32's raw REPL reads it: CRLF is one line end, raw-paste bytes untouched."""
from upylab.board.replinput import FRIENDLY, RAW, RAW_PASTE, ReplInput


def test_modes_follow_ctrl_a_ctrl_b_and_the_raw_paste_request():
    tracker = ReplInput()
    assert tracker.mode == FRIENDLY and not tracker.raw
    tracker.feed(b"\r\x01")
    assert tracker.mode == RAW
    tracker.feed(b"\x05A")
    tracker.feed(b"\x01")
    assert tracker.mode == RAW_PASTE
    tracker.feed(b"print(1)\x04")
    assert tracker.mode == RAW and tracker.raw
    tracker.feed(b"\x02")
    assert tracker.mode == FRIENDLY


def test_crlf_becomes_one_line_end_in_the_raw_repl_only():
    tracker = ReplInput()
    assert tracker.feed(b"a\r\n") == b"a\r\n"          # friendly: as typed
    tracker.feed(b"\x01")
    assert tracker.feed(b"a=1\r\nb=2\r") + tracker.feed(b"\n") == b"a=1\rb=2\r"
    assert tracker.feed(b"x\n") == b"x\n"


def test_raw_paste_bytes_pass_untouched():
    tracker = ReplInput()
    tracker.feed(b"\x01\x05A\x01")
    assert tracker.feed(b"a=1\r\nb=2\r\n") == b"a=1\r\nb=2\r\n"


def test_traceback_line_numbers_with_crlf(line):
    line.friendly()
    line.write(b"\x01")
    line.read_until(b"raw REPL; CTRL-B to exit\r\n>")
    line.write(b'a = 1\r\nb = """p\r\nq"""\r\nprint(repr(b))\r\n1 / 0\x04')
    reply = line.read_until(b"\x04>")
    assert b"'p\\nq'" in reply
    assert b'line 5, in <module>' in reply  # the 5th line, as on an ESP32


def test_mpremote_runs_a_crlf_file_through_raw_paste(mpremote, tmp_path):
    script = tmp_path / "windows.py"
    lines = [f"value_{n} = {n}" for n in range(300)] + ["print(value_299)"]
    script.write_bytes("\r\n".join(lines).encode() + b"\r\n")
    assert mpremote("run", str(script)).stdout.strip() == "299"
