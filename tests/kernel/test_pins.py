"""``%upylab pins``: the board's GPIOs drawn in the cell, live while a server runs."""
import os
import time
import urllib.request

import pytest

from support import kernel_session
from upylab.catalog.apps import led_pin
from upylab.kernel.pinshow import BETWEEN_CELLS

pytestmark = [pytest.mark.board, pytest.mark.timeout(180)]
WAIT = 20       # seconds: generous; the picture is redrawn every 0.1 s


def pictures(outputs):
    return [output for output in outputs if output["type"] in ("display_data", "update_display_data")]


def test_pins_draws_the_led_and_every_pin_set_up(connected):
    first = pictures(connected.run("%upylab pins")[1])
    assert [output["type"] for output in first] == ["display_data"]
    assert first[0]["data"]["text/plain"] == f"LED (GPIO {led_pin()}): off\nno GPIO set up yet\n"
    assert "LED off" in first[0]["data"]["image/svg+xml"]

    connected.text(f"import machine\nmachine.Pin({led_pin()}, machine.Pin.OUT).on()\n"
                   "machine.Pin(4, machine.Pin.IN, machine.Pin.PULL_UP)")
    drawn = pictures(connected.run("%upylab pins")[1])[0]["data"]
    assert drawn["text/plain"] == (f"LED (GPIO {led_pin()}): on\nGPIO {led_pin()} out 1\n"
                                   "GPIO 4 in 1 pull up\n")
    assert "LED on" in drawn["image/svg+xml"] and "GPIO 4 in 1 pull up" in drawn["image/svg+xml"]


def test_live_picture_follows_a_request_while_the_server_runs(connected, board):
    connected.text("%upylab send common/led.py raw-socket")
    msg_id = connected.client.execute("%upylab pins --live\nimport led_raw\nled_raw.run()")
    url = board.url(80, "/led/on")
    seen, deadline, switched = [], time.monotonic() + WAIT, None
    while switched is None:
        assert time.monotonic() < deadline, seen
        message = connected.client.get_iopub_msg(timeout=WAIT)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        seen.append(kind)
        if kind == "display_data":
            display_id = content["transient"]["display_id"]
            assert "LED off" in content["data"]["image/svg+xml"]
        if kind == "stream" and "serving" in content["text"]:
            sent = time.monotonic()
            urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"),
                                   timeout=WAIT).read()
        if kind == "update_display_data":
            assert content["transient"]["display_id"] == display_id
            switched = content
    print(f"redrawn {time.monotonic() - sent:.2f} s after the request")
    assert "LED on" in switched["data"]["image/svg+xml"]
    connected.manager.interrupt_kernel()
    reply, outputs = connected.finished(msg_id)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    assert pictures(outputs) == []          # stopped in the state it showed: nothing to redraw

    later = connected.run(f"import machine\nmachine.Pin({led_pin()}).off()")[1]
    assert pictures(later) == []            # the finished cell's picture is not redrawn


def test_pins_without_a_board_fails_the_cell(kernel):
    reply, _ = kernel.run("%upylab pins")
    assert (reply["status"], reply["ename"]) == ("error", "ConnectionError")


def test_a_real_board_is_read_between_cells(board, tmp_path):
    """A board the kernel knows only by its port (as an ESP32 on USB): its LED pad,
    read over the link before and after the cell, and the picture says so."""
    environment = dict(os.environ, UPYLAB_BOARD=board.pts,
                       UPYLAB_STATE_DIR=str(tmp_path / "no-virtual-board"))
    with kernel_session(tmp_path, environment) as session:
        assert session.text("%serialconnect").startswith(f"Connected to {board.pts} (UPYLAB_BOARD)")
        _, outputs = session.run(f"%upylab pins --live\nimport machine\n"
                                 f"machine.Pin({led_pin()}, machine.Pin.OUT).on()")
        before, after = pictures(outputs)
        assert before["data"]["text/plain"] == (f"LED (GPIO {led_pin()}): off\n"
                                                f"GPIO {led_pin()} reads 0\n{BETWEEN_CELLS}\n")
        assert after["type"] == "update_display_data"
        assert after["data"]["text/plain"].startswith(f"LED (GPIO {led_pin()}): on\n")
