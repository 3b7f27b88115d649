"""Which board a name means: one selection, the same answer in every tool.

``%serialconnect``, ``upylab install``, ``doctor``, ``bench``, ``lab``,
``lessons execute`` and a class hub's kernels all ask ``choose``, which
looks, in this order, at:

1. the value given (``--board``, ``%serialconnect --port=``): a serial
   device (a path, or ``COM3`` on Windows) or a running virtual board's
   name;
2. ``UPYLAB_BOARD``, read the same way;
3. the running virtual board: the only one, or the one named ``default``;
4. a board on USB: the one USB serial port the host lists (an ESP32's
   USB-serial chip, a board's native USB).  Other serial ports, such as a
   PC's built-in ``/dev/ttyS0``, are never taken for a board; with several
   USB ports the user says which.

A virtual board is named without its host path (``virtual board
'default'``), so saved outputs do not depend on the machine that saved them.
"""
import os
import re
from dataclasses import dataclass

import serial.tools.list_ports

from upylab.board import registry
from upylab.errors import UpylabError

ENV = "UPYLAB_BOARD"
WINDOWS_PORT = re.compile(r"COM\d+", re.IGNORECASE)


@dataclass
class Target:
    device: str
    label: str                     # what messages call it
    record: object = None          # the virtual board (registry.BoardRecord), if it is one


def is_device(value: str) -> bool:
    """A path or a Windows port name, as opposed to a virtual board's name."""
    return "/" in value or "\\" in value or bool(WINDOWS_PORT.fullmatch(value))


def choose(value: str | None = None, how: str = "--board") -> Target:
    """The board the user means; a ``UpylabError`` saying what to do when there is none."""
    if value:
        return named(value, how)
    if os.environ.get(ENV):
        return named(os.environ[ENV], ENV)
    boards = registry.running()
    chosen = [b for b in boards if len(boards) == 1 or b.name == registry.DEFAULT_NAME]
    if chosen:
        return virtual(chosen[0])
    ports = usb_ports()
    if len(ports) == 1:
        return Target(ports[0].device, f"{ports[0].device} (the board on USB)")
    if ports:
        raise UpylabError(f"several boards on USB ({', '.join(p.device for p in ports)}): "
                          f"set {ENV} to the one to use, or pass its port")
    several = f" ({', '.join(b.name for b in boards)}: say which)" if boards else ""
    raise UpylabError(
        f"no board found{several}: plug in an ESP32, or start a virtual board with "
        f"`upylab board start`, or set {ENV} to a port or a board name")


def named(value: str, how: str) -> Target:
    if is_device(value):
        return Target(value, f"{value} ({how})", virtual_board(value))
    return virtual(registry.find(value))


def virtual(record) -> Target:
    return Target(record.device, f"virtual board {record.name!r}", record)


def usb_ports() -> list:
    """The serial ports on USB the host lists, by device name."""
    return sorted((port for port in serial.tools.list_ports.comports() if port.vid is not None),
                  key=lambda port: port.device)


def virtual_board(device: str):
    """The running virtual board whose serial device ``device`` is (its link or its
    pseudo-terminal), or None: a real board."""
    real = os.path.realpath(device)
    for record in registry.running():
        if real in (os.path.realpath(record.device), os.path.realpath(record.pts)):
            return record
    return None
