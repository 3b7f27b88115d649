"""One board selection, the same answer everywhere: ``upylab.link.choose``.

The order (a name given, ``UPYLAB_BOARD``, the running virtual board, the
one board on USB) with a fake list of the host's serial ports; then the
case the tools used to disagree on, a USB ESP32 alone, played by a virtual
board's pseudo-terminal listed as a USB serial port (a ``sitecustomize``
fakes pyserial's port list in every process the test starts) and no
virtual board running as far as the tools can see: ``%serialconnect``,
``upylab install`` and ``upylab doctor`` all reach it.
"""
import os
import subprocess
import sys

import pytest
import serial.tools.list_ports
from serial.tools.list_ports_common import ListPortInfo

from support import kernel_session
from upylab.board import registry
from upylab.errors import UpylabError
from upylab.install import cache, recipes
from upylab.link import choose

USB = (0x10C4, 0xEA60, "CP2102 USB to UART Bridge Controller")    # an ESP32 DevKit's chip
# Imported by every Python the test starts (PYTHONPATH): pyserial lists the pty as a USB port.
FAKE_PORTS = f"""\
import os
import serial.tools.list_ports
from serial.tools.list_ports_common import ListPortInfo

def _comports(include_links=False):
    port = ListPortInfo(os.environ["UPYLAB_TEST_USB_PORT"], skip_link_detection=True)
    port.vid, port.pid, port.description = {USB!r}
    port.hwid = "USB VID:PID=%04X:%04X" % (port.vid, port.pid)
    return [port]

serial.tools.list_ports.comports = _comports
"""


def port(device, usb=True):
    info = ListPortInfo(device, skip_link_detection=True)
    if usb:
        info.vid, info.pid, info.description = USB
    return info


@pytest.fixture
def ports(monkeypatch, state_dir):
    """The host's serial ports, as the test says; no UPYLAB_BOARD, no virtual board running."""
    listed = []
    monkeypatch.setattr(serial.tools.list_ports, "comports", lambda include_links=False: listed)
    monkeypatch.delenv(choose.ENV, raising=False)
    return listed


def test_the_one_usb_port_is_the_board_and_a_pcs_own_port_is_not(ports):
    ports += [port("/dev/ttyS0", usb=False), port("/dev/ttyUSB0")]
    target = choose.choose()
    assert (target.device, target.label, target.record) == \
        ("/dev/ttyUSB0", "/dev/ttyUSB0 (the board on USB)", None)


def test_no_usb_port_is_no_board(ports):
    ports.append(port("/dev/ttyS0", usb=False))
    with pytest.raises(UpylabError, match="no board found: plug in an ESP32"):
        choose.choose()


def test_several_usb_ports_are_the_users_choice(ports):
    ports += [port("/dev/ttyUSB1"), port("/dev/ttyACM0")]
    with pytest.raises(UpylabError, match=r"several boards on USB \(/dev/ttyACM0, /dev/ttyUSB1\): "
                                          "set UPYLAB_BOARD"):
        choose.choose()


def test_a_name_then_upylab_board_then_a_virtual_board_come_before_usb(ports, monkeypatch):
    ports.append(port("/dev/ttyUSB0"))
    record = registry.start(name="first")
    try:
        assert choose.choose().label == "virtual board 'first'"
        monkeypatch.setenv(choose.ENV, "/dev/ttyACM3")
        assert choose.choose().label == "/dev/ttyACM3 (UPYLAB_BOARD)"
        assert choose.choose("first", how="--port").record.name == "first"
        assert choose.choose(record.device).record.name == "first"   # its device path: still it
    finally:
        registry.stop("first")


# -- a USB ESP32 alone, as every tool finds it --------------------------------------

@pytest.fixture
def usb_environment(tmp_path, board):
    """What the tools run with: the test's virtual board seen only as /dev/pts/N on USB
    (a state folder where no virtual board runs, and the fake port list)."""
    fake = tmp_path / "fake-ports"
    fake.mkdir()
    (fake / "sitecustomize.py").write_text(FAKE_PORTS)
    environment = dict(os.environ, UPYLAB_TEST_USB_PORT=board.pts,
                       UPYLAB_STATE_DIR=str(tmp_path / "no-virtual-board"),
                       PYTHONPATH=os.pathsep.join(filter(None, [str(fake), os.environ.get("PYTHONPATH")])))
    environment.pop(choose.ENV, None)
    return environment


def upylab(environment, *args):
    return subprocess.run([sys.executable, "-m", "upylab", *args], capture_output=True,
                          text=True, timeout=240, env=environment)


@pytest.mark.board
@pytest.mark.timeout(300)
def test_serialconnect_install_and_doctor_agree_on_a_usb_board(usb_environment, board, framework_cache,
                                                                 tmp_path):
    label = f"{board.pts} (the board on USB)"
    with kernel_session(tmp_path, usb_environment) as session:
        connected = session.text("%serialconnect")
    assert connected.startswith(f"Connected to {label}\nMicroPython "), connected

    for part in recipes.parts_for("microdot"):
        try:
            cache.ensure(part, log=lambda message: None)
        except cache.FetchError as error:
            pytest.skip(f"cannot fetch microdot here: {error}")
    installed = upylab(usb_environment, "install", "microdot")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert f"board: {label}: MicroPython " in installed.stdout

    doctor = upylab(usb_environment, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert f"  {board.pts}: {USB[2]} [USB VID:PID=10C4:EA60]" in doctor.stdout
    assert f"Board {label}\n  MicroPython " in doctor.stdout
    assert "    microdot 2.7.0 (mpy, installed " in doctor.stdout
