"""The host's view of a virtual board's GPIOs: read them, drive them.

The board's ``machine`` (firmware/machine.py) keeps 16 bytes per GPIO in
the board's pin file:

====== =====================================================================
offset what
====== =====================================================================
0      mode: ``-`` unconfigured, ``i`` input, ``o`` output, ``d`` open
       drain, ``p`` PWM, ``a`` ADC
1      the level the board drives, ``0``/``1``
2      the pull resistor: ``-``, ``u`` (PULL_UP), ``d`` (PULL_DOWN)
3      a level driven from outside (a button, a sensor), or ``-``
4-7    PWM frequency, Hz (little-endian)
8-9    PWM duty_u16
10-11  the analog input ADC.read_u16() reads
====== =====================================================================

Tests and ``upylab board pins`` read it; ``set_input`` presses a button
wired to an input (and the board's ``Pin.irq`` handlers fire: the board
is told on its events FIFO), ``set_analog`` puts a voltage on an ADC pin.
"""
import os
import struct
from dataclasses import dataclass
from pathlib import Path

RECORD = 16
COUNT = 64
UNCONFIGURED = b"-0--" + bytes(RECORD - 4)
MODES = {b"i": "in", b"o": "out", b"d": "open-drain", b"p": "pwm", b"a": "adc"}
PULLS = {b"u": "up", b"d": "down"}


@dataclass(frozen=True)
class PinState:
    mode: str          # in, out, open-drain, pwm or adc
    value: int         # the level the pad reads
    pull: str = ""     # up, down or ""
    freq: int = 0      # PWM only
    duty_u16: int = 0  # PWM only


def level(record: bytes) -> int:
    """What the pad reads (the board's machine._level, in Python)."""
    mode, out, pull, outside = record[0:1], record[1:2], record[2:3], record[3:4]
    if mode == b"o" or (mode == b"d" and out == b"0"):
        return 1 if out == b"1" else 0
    if outside in (b"0", b"1"):
        return 1 if outside == b"1" else 0
    return 1 if pull == b"u" else 0


def events_path(pins_file) -> Path:
    return Path(f"{pins_file}.events")


def reset_file(pins_file: Path):
    """Power-on state: every GPIO unconfigured; what the outside drives stays."""
    try:
        old = pins_file.read_bytes()
    except FileNotFoundError:
        old = b""
    states = bytearray(UNCONFIGURED * COUNT)
    for number in range(min(len(old) // RECORD, COUNT)):
        start = RECORD * number
        states[start + 3] = old[start + 3]
        states[start + 10:start + 12] = old[start + 10:start + 12]
    pins_file.write_bytes(bytes(states))
    if not events_path(pins_file).exists():
        os.mkfifo(events_path(pins_file), 0o600)


def read(record) -> dict[int, PinState]:
    """Configured pins only, by GPIO number."""
    data = record.pins_file.read_bytes()
    states = {}
    for number in range(len(data) // RECORD):
        pin = data[RECORD * number:RECORD * (number + 1)]
        if pin[0:1] in MODES:
            freq, duty = struct.unpack("<IH", pin[4:10]) if pin[0:1] == b"p" else (0, 0)
            states[number] = PinState(MODES[pin[0:1]], level(pin), PULLS.get(pin[2:3], ""),
                                      freq, duty)
    return states


def value(record, number: int):
    """A pin's value, or None if the board has not configured it."""
    state = read(record).get(number)
    return state.value if state else None


def set_input(record, number: int, level: int):
    """Drive a pin from outside, as a button or a sensor would; the board's irq sees it."""
    _write(record, number, 3, b"1" if level else b"0")


def release(record, number: int):
    """Stop driving a pin from outside: it reads its pull again."""
    _write(record, number, 3, b"-")


def set_analog(record, number: int, value_u16: int):
    """The reading an ADC on that pin gives (read_u16; read() and read_uv() scale it)."""
    _write(record, number, 10, struct.pack("<H", value_u16))


def _write(record, number: int, offset: int, data: bytes):
    with open(record.pins_file, "r+b") as file:
        file.seek(RECORD * number + offset)
        file.write(data)
    try:  # tell the board; nobody reading (no board) is fine, so is a full FIFO
        fd = os.open(events_path(record.pins_file), os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return
    try:
        os.write(fd, bytes([number]))
    except BlockingIOError:
        pass
    finally:
        os.close(fd)
