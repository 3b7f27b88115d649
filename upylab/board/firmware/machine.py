# machine for the virtual board: the ESP32's Pin, PWM, ADC, Timer, reset and ids.
#
# Numbers and messages follow the ESP32 port (ports/esp32/machine_pin.c,
# machine_pin.h, machine_pwm.c, machine_adc.c, machine_timer.c).  From the
# unix port's own machine only Signal, idle and time_pulse_us are kept:
# its mem8/mem16/mem32 would read and write the interpreter's memory.
#
# Pin states live in the board's pin file, which the host reads and writes
# (upylab/board/pins.py has the layout): 16 bytes per GPIO.  The host
# drives inputs (a button, a sensor) and tells the board on its events
# FIFO; a thread of the board reads those events and runs Pin.irq and
# Timer callbacks as the ESP32 does, through micropython.schedule, then
# asks the bridge to wake the main thread from a sleep.  Both files and the
# control pipe are opened here, before the flash is mounted as '/'.
from umachine import Signal, idle, time_pulse_us  # noqa: F401
from uos import getenv as _getenv
import micropython as _micropython
import select as _select
import struct as _struct
import time as _time
import _thread

_RECORD = 16
_pins = open(_getenv("UPYLAB_PINS"), "r+b")
_events = open(_getenv("UPYLAB_PINS") + ".events", "r+b")  # a FIFO: O_RDWR never blocks
_control = open(int(_getenv("UPYLAB_CONTROL_FD")), "wb")
_UID = bytes.fromhex(_getenv("UPYLAB_UID") or "240ac4000000")
_RESET_CAUSE = int(_getenv("UPYLAB_RESET_CAUSE") or 1)
del _getenv
# GPIOs of an ESP32 (machine_pin.h, CONFIG_IDF_TARGET_ESP32, no SPIRAM);
# 34-39 are input only (GPIO_FIRST_NON_OUTPUT in machine_pin.c).
_VALID = set(range(24)) | {25, 26, 27} | set(range(32, 40))
_FIRST_INPUT_ONLY = 34
_freq = 160000000


def _read(number):
    _pins.seek(_RECORD * number)
    return _pins.read(_RECORD)


def _write(number, offset, data):
    _pins.seek(_RECORD * number + offset)
    _pins.write(data)  # unbuffered: the host sees it at once (flush() would fsync)


def _level(record):
    """What the pad reads: driven by the board, else from outside, else its pull."""
    mode, out, pull, outside = record[0:1], record[1:2], record[2:3], record[3:4]
    if mode == b"o" or (mode == b"d" and out == b"0"):
        return 1 if out == b"1" else 0
    if outside in (b"0", b"1"):
        return 1 if outside == b"1" else 0
    return 1 if pull == b"u" else 0


def _request(what):
    _control.write(what)


class _Events:
    """The thread that turns host events and timer deadlines into scheduled callbacks."""

    started = False
    handlers = {}   # GPIO -> [handler, trigger, pin, last level]
    timers = ()     # [deadline_ms, period_ms or 0, callback, timer], replaced whole

    @classmethod
    def start(cls):
        if not cls.started:
            cls.started = True
            _thread.start_new_thread(cls._run, ())

    @classmethod
    def changed(cls):
        """Wake the thread: a handler or timer was set."""
        cls.start()
        _events.write(b"\xff")

    @classmethod
    def _run(cls):
        poller = _select.poll()
        poller.register(_events, _select.POLLIN)
        while True:
            now = _time.ticks_ms()
            waits = [_time.ticks_diff(timer[0], now) for timer in cls.timers if timer[2]]
            if poller.poll(max(min(waits), 0) if waits else -1):
                number = _events.read(1)[0]
                entry = cls.handlers.get(number)
                if entry and entry[0]:
                    level = _level(_read(number))
                    edge = (1 if level else 2) if level != entry[3] else 0
                    entry[3] = level
                    if edge & entry[1]:
                        cls._schedule(entry[0], entry[2])
            now = _time.ticks_ms()
            for timer in cls.timers:
                if timer[2] and _time.ticks_diff(timer[0], now) <= 0:
                    callback = timer[2]
                    if timer[1]:
                        timer[0] = _time.ticks_add(timer[0], timer[1])
                    else:
                        timer[2] = None
                    cls._schedule(callback, timer[3])

    @staticmethod
    def _schedule(function, argument):
        try:
            _micropython.schedule(function, argument)
        except RuntimeError:  # the queue is full: the ESP32 drops it too
            return
        _request(b"W")


class _IRQ:
    def __init__(self, pin):
        self._pin = pin

    def trigger(self, value=None):
        entry = _Events.handlers.get(self._pin._id)
        return entry[1] if entry else 0

    def __call__(self):
        entry = _Events.handlers.get(self._pin._id)
        if entry and entry[0]:
            _Events._schedule(entry[0], self._pin)


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_DOWN = 1
    PULL_UP = 2
    IRQ_RISING = 1
    IRQ_FALLING = 2
    WAKE_LOW = 4
    WAKE_HIGH = 5
    DRIVE_0 = 0
    DRIVE_1 = 1
    DRIVE_2 = 2
    DRIVE_3 = 3
    _all = {}

    def __new__(cls, id, *args, **kwargs):
        if isinstance(id, Pin):
            return id
        if id not in _VALID:
            raise ValueError("invalid pin")
        pin = cls._all.get(id)
        if pin is None:
            pin = object.__new__(cls)
            pin._id = id
            cls._all[id] = pin
        return pin

    def __init__(self, id, mode=None, pull=-1, *, value=None, drive=None, hold=None):
        if mode is not None or pull != -1 or value is not None:
            self.init(mode, pull, value=value)

    def init(self, mode=None, pull=-1, *, value=None, drive=None, hold=None):
        if value is not None:
            _write(self._id, 1, b"1" if value else b"0")
        if mode is not None:
            if self._id >= _FIRST_INPUT_ONLY and mode & 2:
                raise ValueError("pin can only be input")
            _write(self._id, 0, {1: b"i", 3: b"o", 7: b"d"}.get(mode, b"i"))
        if pull != -1:
            pull = pull or 0
            _write(self._id, 2, b"d" if pull & 1 else b"u" if pull & 2 else b"-")

    def value(self, x=None):
        if x is None:
            return _level(_read(self._id))
        _write(self._id, 1, b"1" if x else b"0")

    def __call__(self, x=None):
        return self.value(x)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def toggle(self):  # the ESP32 port has it since v1.25.0
        _write(self._id, 1, b"0" if _read(self._id)[1:2] == b"1" else b"1")

    def irq(self, handler=None, trigger=IRQ_FALLING | IRQ_RISING, wake=None, hard=False):
        _Events.handlers[self._id] = [handler, trigger if handler else 0, self,
                                      _level(_read(self._id))]
        if handler:
            _Events.changed()
        return _IRQ(self)

    def __repr__(self):
        record = _read(self._id)
        mode = {b"o": "OUT", b"d": "OPEN_DRAIN"}.get(record[0:1], "IN")
        pull = {b"u": ", pull=Pin.PULL_UP", b"d": ", pull=Pin.PULL_DOWN"}.get(record[2:3], "")
        return "Pin(%d, mode=Pin.%s%s)" % (self._id, mode, pull)


class PWM:
    """LEDC PWM; the host sees mode 'p', the frequency and duty_u16 (machine_pwm.c)."""

    def __init__(self, dest, *, freq=None, duty=None, duty_u16=None, duty_ns=None, invert=0,
                 lightsleep=False):
        self._pin = Pin(dest)
        if self._pin._id >= _FIRST_INPUT_ONLY:
            raise ValueError("pin can only be input")
        self._freq, self._duty, self._active = 5000, 32768, True  # PWM_FREQ, PWM_DUTY
        self.init(freq=freq, duty=duty, duty_u16=duty_u16, duty_ns=duty_ns)

    def init(self, *, freq=None, duty=None, duty_u16=None, duty_ns=None, invert=0,
             lightsleep=False):
        self._active = True
        if freq is not None:
            self.freq(freq)
        if duty is not None:
            self.duty(duty)
        if duty_u16 is not None:
            self.duty_u16(duty_u16)
        if duty_ns is not None:
            self.duty_ns(duty_ns)
        self._show()

    def _show(self):
        _write(self._pin._id, 0, b"p")
        _write(self._pin._id, 4, _struct.pack("<IH", self._freq, self._duty))

    def _check(self):
        if not self._active:
            raise RuntimeError("PWM is inactive")

    def freq(self, value=None):
        self._check()
        if value is None:
            return self._freq
        if not 1 <= value <= 40000000:
            raise ValueError("frequency must be from 1Hz to 40MHz")
        self._freq = value
        self._show()

    def duty_u16(self, value=None):
        self._check()
        if value is None:
            return self._duty
        if not 0 <= value <= 65536:
            raise ValueError("duty_u16 must be from 0 to 65536")
        self._duty = min(value, 65535)
        self._show()

    def duty(self, value=None):
        if value is None:
            return (self.duty_u16() * 1024 + 32768) >> 16
        if not 0 <= value <= 1023:
            raise ValueError("duty must be from 0 to 1023")
        self.duty_u16(value * 65536 // 1024)

    def duty_ns(self, value=None):
        period_ns = 1000000000 // self.freq()
        if value is None:
            return self.duty_u16() * period_ns // 65536
        self.duty_u16(min(value * 65536 // period_ns, 65536))

    def deinit(self):
        self._active = False
        _write(self._pin._id, 0, b"o")
        _write(self._pin._id, 1, b"0")
        _write(self._pin._id, 4, _struct.pack("<IH", 0, 0))

    def __repr__(self):
        if not self._active:
            return "PWM(Pin(%d))" % self._pin._id
        return "PWM(Pin(%d), freq=%d, duty_u16=%d)" % (self._pin._id, self._freq, self._duty)


class ADC:
    """A pin's voltage as the host sets it (pins.set_analog); 12-bit block, 11 dB by default."""

    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3
    WIDTH_9BIT = 9
    WIDTH_10BIT = 10
    WIDTH_11BIT = 11
    WIDTH_12BIT = 12
    # Top of each attenuation's range, mV (docs/esp32/quickref.rst, "ADC").
    _FULL_SCALE_MV = (950, 1250, 1750, 2450)

    def __init__(self, pin, *, atten=ATTN_11DB):
        self._pin = Pin(pin)
        if self._pin._id not in (0, 2, 4, 12, 13, 14, 15, 25, 26, 27) and self._pin._id < 32:
            raise ValueError("invalid pin")
        self._atten, self._bits = atten, 12
        _write(self._pin._id, 0, b"a")

    def init(self, *, atten=None):
        if atten is not None:
            self._atten = atten

    def atten(self, atten):
        self._atten = atten

    def width(self, bits):
        self._bits = bits

    def read_u16(self):
        return _struct.unpack("<H", _read(self._pin._id)[10:12])[0]

    def read(self):
        return self.read_u16() >> (16 - self._bits)

    def read_uv(self):
        return self.read_u16() * self._FULL_SCALE_MV[self._atten] // 65535 * 1000

    def deinit(self):
        pass

    def __repr__(self):
        return "ADC(Pin(%d), atten=%d)" % (self._pin._id, self._atten)


class Timer:
    """Hardware timers 0-3, soft callbacks only (machine_timer.c, quickref "Timers")."""

    ONE_SHOT = 0
    PERIODIC = 1

    def __init__(self, id, *args, **kwargs):
        if not 0 <= id <= 3:
            raise ValueError("invalid Timer number")
        self._id, self._entry = id, None
        if args or kwargs:
            self.init(*args, **kwargs)

    def init(self, *, mode=PERIODIC, period=-1, freq=-1, tick_hz=1000, callback=None, hard=False):
        if hard:
            raise ValueError("hard Timers are not implemented")
        if freq > 0:
            period = max(1000 // freq, 1)
        elif period >= 0:
            period = period * 1000 // tick_hz
        self.deinit()
        self._entry = [_time.ticks_add(_time.ticks_ms(), period),
                       period if mode == Timer.PERIODIC else 0, callback, self]
        _Events.timers = _Events.timers + (self._entry,)
        _Events.changed()

    def deinit(self):
        if self._entry:
            self._entry[2] = None
            _Events.timers = tuple(timer for timer in _Events.timers if timer is not self._entry)
            self._entry = None

    def value(self):
        if not self._entry:
            raise ValueError("timer not set")
        return max(_time.ticks_diff(self._entry[0], _time.ticks_ms()), 0)

    def __repr__(self):
        return "Timer(%d)" % self._id


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
    _micropython.kbd_intr(-1)
    _request(b"H")
    while True:
        _time.sleep(1)


def _soft_reboot():
    """A SystemExit in boot.py or main.py: the bridge starts the board again."""
    _micropython.kbd_intr(-1)
    _request(b"S")
    while True:
        _time.sleep(1)


def soft_reset():
    raise SystemExit


def reset_cause():
    return _RESET_CAUSE


PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5
