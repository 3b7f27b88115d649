"""Which board ``%serialconnect`` reaches, and opening its port.

One notebook must serve a real ESP32 and a virtual board, so lessons say
plain ``%serialconnect`` and the board is chosen here, in this order:

1. ``--port=`` in the cell (a device, or a virtual board's name);
2. ``UPYLAB_BOARD``: a device such as ``/dev/ttyUSB0`` or ``COM3``, or a
   virtual board's name;
3. the running virtual board: the only one, or the one named ``default``;
4. upstream's own guess: the first serial port the system lists.

The port is opened exclusively (an ``flock``, as mpremote does), so a
port another program holds is refused with one clear sentence instead of
two programs interleaving on the same REPL; when that program is another
notebook's kernel, the kernel asks it to let go (``handover``).  A virtual
board is named without its host path, so saved outputs do not depend on
the machine that saved them.
"""
import errno
import os
import re
from dataclasses import dataclass

import serial
from jupyter_micropython_kernel.deviceconnector import guessserialport, serialtimeout

from upylab.board import registry
from upylab.errors import UpylabError

ENVIRONMENT = "UPYLAB_BOARD"
WINDOWS_PORT = re.compile(r"COM\d+", re.IGNORECASE)


@dataclass
class Target:
    device: str
    label: str    # what the connect message calls it


def is_device(value: str) -> bool:
    """A path or a Windows port name, as opposed to a virtual board's name."""
    return "/" in value or "\\" in value or bool(WINDOWS_PORT.fullmatch(value))


def named(value: str, how: str) -> Target:
    if is_device(value):
        return Target(value, f"{value} ({how})")
    return virtual(registry.find(value))


def virtual(record) -> Target:
    return Target(record.device, f"virtual board {record.name!r}")


def choose(port: str | None = None) -> Target:
    """The board to connect to; raises UpylabError when there is none."""
    if port:
        return named(port, "--port")
    if os.environ.get(ENVIRONMENT):
        return named(os.environ[ENVIRONMENT], ENVIRONMENT)
    boards = registry.running()
    chosen = [b for b in boards if len(boards) == 1 or b.name == registry.DEFAULT_NAME]
    if chosen:
        return virtual(chosen[0])
    ports = guessserialport()
    if ports:
        return Target(ports[0], f"{ports[0]} (first serial port found)")
    several = f" ({', '.join(b.name for b in boards)}: say which)" if boards else ""
    raise UpylabError(
        f"no board found{several}: plug in an ESP32, or start a virtual board with "
        f"`upylab board start`, or set {ENVIRONMENT} to a port or a board name")


def open_port(target: Target, baudrate: int) -> serial.Serial:
    """The board's serial port, locked for this kernel alone."""
    exclusive = True if os.name == "posix" else None  # Windows ports are exclusive anyway
    try:
        return serial.Serial(target.device, baudrate, timeout=serialtimeout, exclusive=exclusive)
    except (serial.SerialException, OSError) as error:
        raise UpylabError(_explain(target.device, error)) from None


def _explain(device: str, error: Exception) -> str:
    code = getattr(error, "errno", None)
    if code in (errno.EAGAIN, errno.EBUSY, errno.EWOULDBLOCK) or "busy" in str(error).lower():
        return (f"port {device} is busy: another program (mpremote, Thonny, a serial monitor) "
                f"has it open; close that program")
    if code == errno.ENOENT or not os.path.exists(device) and os.name == "posix":
        return f"no port {device}: is the board plugged in (and is that its name)?"
    if code == errno.EACCES:
        return (f"no permission to open {device}: on Linux add yourself to the dialout "
                f"group (`sudo usermod -aG dialout $USER`, then log in again)")
    return f"cannot open {device}: {error}"
