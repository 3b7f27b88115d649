"""``%serialconnect``: finding the board, reporting it, refusing clearly."""
import re

import pytest
import serial

from upylab.board import registry

pytestmark = [pytest.mark.board, pytest.mark.timeout(90)]

REPORT = re.compile(
    r"Connected to virtual board 'test'\n"
    r"MicroPython \d+\.\d+\.\d+\S* on \w+, free heap (?P<heap>\d+) bytes\n")


def test_kernel_starts_without_opening_the_port(kernel, board):
    """kernel_info answered (kernel_session waits for it) and the port still free."""
    serial.Serial(board.device, exclusive=True).close()


def test_connects_to_the_board_named_in_upylab_board(kernel, board):
    report = REPORT.fullmatch(kernel.text("%serialconnect"))
    assert report, "unexpected connect message"
    # a heap preset is the free heap right after boot; connecting uses a little
    assert abs(int(report["heap"]) - board.heap_bytes) < 0.05 * board.heap_bytes
    assert kernel.text("print(6 * 7)") == "42\n"


def test_finds_the_only_running_virtual_board(start_kernel):
    kernel = start_kernel(by_name=False)
    assert REPORT.fullmatch(kernel.text("%serialconnect"))


def test_prefers_the_board_named_default(start_kernel, board):
    registry.start(name="default", heap="100k")
    try:
        kernel = start_kernel(by_name=False)
        assert kernel.text("%serialconnect").startswith("Connected to virtual board 'default'\n")
    finally:
        registry.stop("default")


def test_connects_to_a_device_path_given_as_port(kernel, board):
    out = kernel.text(f"%serialconnect --port={board.device}\nprint('on', 'board')")
    assert out.startswith(f"Connected to {board.device} (--port)\n")
    assert out.endswith("on board\n")


def one_line_error(kernel, code):
    reply, outputs = kernel.run(code)
    assert reply["status"] == "error", outputs
    assert [o["type"] for o in outputs] == ["error"], outputs
    assert reply["ename"] == "ConnectionError"
    assert reply["traceback"] == [f"ConnectionError: {reply['evalue']}"]
    assert "\n" not in reply["evalue"]
    return reply["evalue"]


def test_busy_port_is_one_clear_error(kernel, board):
    holder = serial.Serial(board.device, exclusive=True)  # as mpremote holds it
    try:
        message = one_line_error(kernel, "%serialconnect")
    finally:
        holder.close()
    assert message.startswith(f"port {board.device} is busy: another program")
    assert kernel.text("%serialconnect").startswith("Connected to")


def test_missing_port_is_one_clear_error(kernel):
    message = one_line_error(kernel, "%serialconnect --port=/dev/ttyUSB97")
    assert message == "no port /dev/ttyUSB97: is the board plugged in (and is that its name)?"


def test_unknown_virtual_board_is_one_clear_error(kernel):
    message = one_line_error(kernel, "%serialconnect --port=nosuchboard")
    assert message.startswith("no virtual board named 'nosuchboard' is running")


def test_board_code_before_connecting_is_an_error(kernel):
    message = one_line_error(kernel, "# a comment first\nprint('hello')")
    assert message == "no board connected: run %serialconnect first"


def test_lost_board_is_one_clear_error_then_reconnects(connected, board):
    registry.stop(board.name)
    message = one_line_error(connected, "print('anyone?')")
    assert message.startswith("lost the board's serial line (")
    assert message.endswith("): reconnect with %serialconnect")
    registry.start(name=board.name)
    assert connected.text("%serialconnect").startswith("Connected to virtual board 'test'")
    assert connected.text("print('back')") == "back\n"


def test_output_has_no_colour_codes_nor_carriage_returns(connected):
    reply, outputs = connected.run("%lsmagic")
    text = "".join(o.get("text", "") for o in outputs)
    assert "%serialconnect" in text
    assert "\x1b" not in text and "\r" not in text
