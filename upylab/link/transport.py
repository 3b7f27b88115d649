"""A board's serial line: mpremote's ``SerialTransport``, and the two ways to drive it.

mpremote keeps its transport (opening the port; the raw REPL: entering
it, sending code by raw paste with flow control, following the answer)
apart from the commands built on it, and so does this package: ``Link``
is the transport, with mpremote's ``SerialTransport`` unchanged
underneath; ``commands`` holds what runs over it.  A board is driven two
ways, both with a deadline on every read:

* **the raw REPL**, as tools drive it: ``run(code)`` returns what the code
  printed, or raises the board's exception as a ``BoardError`` (built from
  the raw REPL's error section); ``eval``, ``soft_reset``, ``recover``;
* **the friendly REPL**, as a person at a terminal drives it: ``write``,
  ``read_until``, ``friendly()``...: the bench drives an app's ``run()``
  and its on-board helper this way, and the tests drive the REPL.

A board that does not answer in time is a ``BoardTimeout``, whichever
REPL was read.  ``Link.open`` opens the port exclusively (as mpremote
does), so a port another program holds is refused with one sentence that
says what to do; the kernel opens its port the same way and lends it to
upstream's kernel between ``%upylab`` commands (``release_prompt``).
"""
import ast
import contextlib
import io
import os
import secrets
import time

import serial.tools.list_ports
from mpremote.transport import TransportError
from mpremote.transport_serial import SerialTransport

from upylab.errors import UpylabError
from upylab.link.errors import BoardTimeout, parse

BAUDRATE = 115200
POLL = 0.05             # seconds a friendly-REPL read waits for the next bytes
PATIENCE = 10.0         # seconds the raw REPL may stay silent mid-answer (mpremote's default)
RUN_TIMEOUT = 30.0      # seconds of silence before a command is given up
RAW_TIMEOUT = 10.0      # seconds to reach the raw REPL's prompt
RAW_PROMPT = b">"


class Link:
    """A board's serial port, in one of its REPLs; ``Link.open(device)``, and close it after."""

    def __init__(self, transport: SerialTransport, label: str):
        self.transport = transport
        self.label = label
        self._buffer = b""           # friendly-REPL bytes read but not yet returned
        self._at_prompt = False      # the raw REPL's '>' is waiting to be read
        self.defined = set()         # helpers the tools defined in the board's interpreter

    @classmethod
    def open(cls, device: str, label: str = None, baudrate: int = BAUDRATE,
             timeout: float = POLL) -> "Link":
        """Open ``device`` for this process alone; a ``UpylabError`` that says why not.

        ``timeout`` bounds each read of the port (a raw-REPL exchange waits
        longer: ``PATIENCE``).
        """
        try:
            transport = SerialTransport(device, baudrate, exclusive=True, timeout=timeout)
        except TransportError:
            raise UpylabError(_why_not(device)) from None
        return cls(transport, label or device)

    @property
    def serial(self):
        """The pyserial port underneath."""
        return self.transport.serial

    def close(self):
        """Leave the raw REPL (the board waits at its friendly prompt) and close the port."""
        try:
            if self.transport.in_raw_repl:
                self.transport.exit_raw_repl()
        except OSError:
            pass                     # the board has gone: closing is all that is left
        try:
            self.transport.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the raw REPL -----------------------------------------------------------

    def raw(self, soft_reset: bool = False, timeout: float = RAW_TIMEOUT):
        """Into the raw REPL from wherever the board is (Ctrl-C, Ctrl-A), its prompt pending;
        with ``soft_reset``, a fresh interpreter first (boot.py runs, main.py does not)."""
        self._buffer = b""
        if soft_reset:
            self.defined.clear()
        try:
            with self._patient(), contextlib.redirect_stdout(io.StringIO()):  # mpremote prints what it read
                self.transport.enter_raw_repl(soft_reset=soft_reset, timeout_overall=timeout)
        except TransportError:
            raise BoardTimeout(
                f"{self.label} does not answer (no raw REPL within {timeout:.0f} s): press the "
                f"board's reset (EN) button or check it runs MicroPython") from None
        self._at_prompt = True

    def run(self, code: str, timeout: float = RUN_TIMEOUT) -> str:
        """Run ``code`` in the raw REPL: what it printed, or its exception as a ``BoardError``.

        ``timeout`` is how long the board may stay silent while the code runs.
        """
        if not self._at_prompt:
            self.raw()
        self._at_prompt = False
        try:
            with self._patient():
                self.transport.exec_raw_no_follow(code)
                out, error = self.transport.follow(timeout)
        except TransportError as error:
            raise BoardTimeout(f"{self.label} stopped answering ({error})") from None
        self._at_prompt = True
        if error:
            raise parse(error.decode(errors="replace"), self.label)
        return out.decode(errors="replace").replace("\r\n", "\n")

    def eval(self, expression: str, timeout: float = RUN_TIMEOUT):
        """A Python literal the board computes (``repr`` on the board, ``literal_eval`` here)."""
        return ast.literal_eval(self.run(f"print(repr({expression}))", timeout).strip())

    def soft_reset(self, timeout: float = 15.0):
        """A fresh interpreter (boot.py runs, main.py does not), back in the raw REPL."""
        self.raw(soft_reset=True, timeout=timeout)

    def recover(self):
        """After an interrupted command: stop whatever runs, back to a clean raw REPL
        (maybe a fresh interpreter: at an empty raw prompt the Ctrl-D soft-resets)."""
        self.defined.clear()
        self.serial.write(b"\x04")          # ends a raw-paste transfer, if one was in flight
        time.sleep(0.2)
        self.serial.write(b"\r\x03\x03")
        time.sleep(0.2)
        self.serial.reset_input_buffer()
        self.raw()

    def release_prompt(self):
        """Read the raw REPL's waiting prompt, for a reader that expects the next answer
        first (upstream's kernel, after an ``%upylab`` command)."""
        if self._at_prompt:
            with self._patient():
                answer = self.transport.read_until(1, RAW_PROMPT, timeout=PATIENCE)
            if not answer.endswith(RAW_PROMPT):
                raise BoardTimeout(f"{self.label}: no raw REPL prompt within {PATIENCE:g} s")
            self._at_prompt = False

    @contextlib.contextmanager
    def _patient(self):
        """Reads of a raw-REPL exchange may wait ``PATIENCE`` (mpremote reads whole
        answers: a short read of its 2-byte raw-paste header would break it)."""
        quick = self.serial.timeout
        self.serial.timeout = PATIENCE
        try:
            yield
        finally:
            self.serial.timeout = quick

    # -- the friendly REPL ------------------------------------------------------

    def write(self, data: bytes):
        """Bytes as typed at a terminal (which may reset the board: helpers are forgotten)."""
        self._at_prompt = False
        self.defined.clear()
        self.serial.write(data)

    def friendly(self) -> bytes:
        """Interrupt whatever runs and get to a fresh friendly prompt.

        The prompt is the one after a line whose output only the board can
        print (its echo differs), so nothing printed before it is left.
        """
        token = secrets.token_hex(4).encode()
        self.write(b"\r\x03\x03\x02\rprint('fresh', '" + token + b"')\r")
        self.transport.in_raw_repl = False
        return self.read_until(b"fresh " + token + b"\r\n>>> ")

    def read_until(self, expected: bytes, timeout: float = 5.0) -> bytes:
        """Everything up to and including ``expected``; the rest stays buffered."""
        deadline = time.monotonic() + timeout
        while expected not in self._buffer:
            if time.monotonic() > deadline:
                raise BoardTimeout(f"{self.label}: no {expected!r} within {timeout} s; "
                                   f"got {self._buffer[-300:]!r}")
            self._buffer += self._read_some()
        end = self._buffer.index(expected) + len(expected)
        data, self._buffer = self._buffer[:end], self._buffer[end:]
        return data

    def read_until_any(self, options, timeout: float = 5.0) -> tuple:
        """(which of ``options`` came first, everything up to it)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [(self._buffer.index(o), o) for o in options if o in self._buffer]
            if found:
                _, option = min(found)
                return option, self.read_until(option)
            if time.monotonic() > deadline:
                raise BoardTimeout(f"{self.label}: none of {options!r} within {timeout} s; "
                                   f"got {self._buffer[-300:]!r}")
            self._buffer += self._read_some()

    def read_count(self, count: int, timeout: float = 5.0) -> bytes:
        """The next ``count`` bytes."""
        deadline = time.monotonic() + timeout
        while len(self._buffer) < count:
            if time.monotonic() > deadline:
                raise BoardTimeout(f"{self.label}: not {count} bytes within {timeout} s; "
                                   f"got {self._buffer!r}")
            self._buffer += self._read_some()
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def seen(self, expected: bytes) -> bool:
        """Has ``expected`` arrived?  Reads what is waiting (waiting at most ``POLL``)
        and keeps it buffered for the next read."""
        self._buffer += self._read_some()
        return expected in self._buffer

    def read_for(self, seconds: float) -> bytes:
        """Everything that arrives within ``seconds``, and what was buffered."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._buffer += self._read_some()
        data, self._buffer = self._buffer, b""
        return data

    def _read_some(self) -> bytes:
        """What has arrived, or the next bytes within the port's timeout: never waits for more."""
        return self.serial.read(max(1, self.serial.in_waiting))


def _why_not(device: str) -> str:
    """Why ``device`` could not be opened, and what to do (mpremote keeps only 'failed')."""
    if os.name == "posix":
        present = os.path.exists(device)
    else:
        present = device.upper() in {port.device.upper() for port in serial.tools.list_ports.comports()}
    if not present:
        return f"no port {device}: is the board plugged in (and is that its name)?"
    if os.name == "posix" and not os.access(device, os.R_OK | os.W_OK):
        return (f"no permission to open {device}: on Linux add yourself to the dialout "
                f"group (`sudo usermod -aG dialout $USER`, then log in again)")
    return (f"port {device} is busy: another program (mpremote, Thonny, a serial monitor) "
            f"has it open; close that program")
