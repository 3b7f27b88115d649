"""The host's view of a virtual board's GPIOs.

The board's ``machine.Pin`` keeps two bytes per GPIO in the board's pin
file: the mode (``-`` unused, ``i`` input, ``o`` output) and the value.
Tests and ``upylab board pins`` read it; ``set_input`` lets a test press
a button wired to an input pin.
"""
from dataclasses import dataclass

MODES = {b"i": "in", b"o": "out"}


@dataclass(frozen=True)
class PinState:
    mode: str   # "in" or "out"
    value: int


def read(record) -> dict[int, PinState]:
    """Configured pins only, by GPIO number."""
    data = record.pins_file.read_bytes()
    states = {}
    for number in range(len(data) // 2):
        mode = data[2 * number:2 * number + 1]
        if mode in MODES:
            states[number] = PinState(MODES[mode], 1 if data[2 * number + 1] == ord("1") else 0)
    return states


def value(record, number: int):
    """A pin's value, or None if the board has not configured it."""
    state = read(record).get(number)
    return state.value if state else None


def set_input(record, number: int, level: int):
    """Drive an input pin from outside, as a button or a sensor would."""
    with open(record.pins_file, "r+b") as file:
        file.seek(2 * number + 1)
        file.write(b"1" if level else b"0")
