# machine for the virtual board: ESP32-style Pin, reset and ids on top of the
# unix port's own machine module (still reachable: everything it exports is
# re-exported here).
#
# Pin states live in a small file the host reads (`upylab board pins NAME`):
# two bytes per GPIO, mode ('-' unused, 'i' input, 'o' output) and value
# ('0'/'1'). The file is opened before the flash folder is mounted as '/',
# so the handle keeps pointing at the host's file.
from umachine import *  # noqa: F401,F403
from os import getenv as _getenv, system as _system
import time as _time
from micropython import kbd_intr as _kbd_intr

_pins = open(_getenv("UPYLAB_PINS"), "r+b")
_SUPERVISOR = _getenv("UPYLAB_SUPERVISOR_PID")
_UID = bytes.fromhex(_getenv("UPYLAB_UID") or "240ac4000000")
# GPIOs an ESP32 (WROOM) exposes; 34-39 are input only.
_VALID = set(range(40)) - {20, 24, 28, 29, 30, 31}
_INPUT_ONLY = set(range(34, 40))
_freq = 160000000


def _write(pin, mode, value):
    _pins.seek(2 * pin)
    _pins.write(mode + (b"1" if value else b"0"))
    _pins.flush()


def _read(pin):
    _pins.seek(2 * pin + 1)
    return 1 if _pins.read(1) == b"1" else 0


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_RISING = 1
    IRQ_FALLING = 2

    def __init__(self, id, mode=-1, pull=-1, *, value=None, **kwargs):
        if id not in _VALID:
            raise ValueError("invalid pin")
        self._id = id
        self._mode = None
        self.init(mode, pull, value=value)

    def init(self, mode=-1, pull=-1, *, value=None, **kwargs):
        if mode in (Pin.OUT, Pin.OPEN_DRAIN):
            if self._id in _INPUT_ONLY:
                raise ValueError("pin can only be input")
            self._mode = b"o"
            _write(self._id, b"o", value if value is not None else _read(self._id))
        elif mode == Pin.IN:
            self._mode = b"i"
            _write(self._id, b"i", _read(self._id))

    def value(self, x=None):
        if x is None:
            return _read(self._id)
        _write(self._id, self._mode or b"o", x)

    __call__ = value

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def toggle(self):
        self.value(1 - _read(self._id))

    def __repr__(self):
        return "Pin(%d)" % self._id


def unique_id():
    return _UID


def freq(hz=None):
    global _freq
    if hz is None:
        return _freq
    if hz not in (20000000, 40000000, 80000000, 160000000, 240000000):
        raise ValueError("frequency must be 20MHz, 40MHz, 80Mhz, 160MHz or 240MHz")
    _freq = hz


def reset():
    """Hard reset: the host bridge restarts the interpreter; never returns.

    From here on Ctrl-C is not taken (the bridge holds it for the board
    that boots next), as a board that is resetting takes none.
    """
    _kbd_intr(-1)
    _system("kill -USR1 " + _SUPERVISOR)
    while True:
        _time.sleep(1)


def soft_reset():
    raise SystemExit


def reset_cause():
    return int(_getenv("UPYLAB_RESET_CAUSE") or 1)


PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5
