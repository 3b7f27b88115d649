"""A board's serial line from the host, read with deadlines (never blocks for ever).

What a person at a terminal does, for programs: the bench drives its
on-board helper through it, and the tests drive the REPL.
"""
import secrets
import time

import serial


class Line:
    def __init__(self, device):
        self.port = serial.Serial(device, 115200, timeout=0.05, exclusive=True)
        self._buffer = b""

    def write(self, data: bytes):
        self.port.write(data)

    def read_until(self, expected: bytes, timeout=5.0) -> bytes:
        """Everything up to and including ``expected``; the rest stays buffered."""
        deadline = time.monotonic() + timeout
        while expected not in self._buffer:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {expected!r} within {timeout} s; got {self._buffer!r}")
            self._buffer += self._read_some()
        end = self._buffer.index(expected) + len(expected)
        data, self._buffer = self._buffer[:end], self._buffer[end:]
        return data

    def seen(self, expected: bytes) -> bool:
        """Has ``expected`` arrived?  Reads what is waiting (waiting at most the
        port's 0.05 s timeout) and keeps it buffered for the next read."""
        self._buffer += self._read_some()
        return expected in self._buffer

    def read_for(self, seconds: float) -> bytes:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._buffer += self._read_some()
        data, self._buffer = self._buffer, b""
        return data

    def friendly(self) -> bytes:
        """Interrupt whatever runs and get to a fresh friendly prompt.

        The prompt is the one after a line whose output only the board can
        print (its echo differs), so nothing printed before it is left.
        """
        token = secrets.token_hex(4).encode()
        self.write(b"\r\x03\x03\x02\rprint('fresh', '" + token + b"')\r")
        return self.read_until(b"fresh " + token + b"\r\n>>> ")

    def read_count(self, count: int, timeout=5.0) -> bytes:
        """The next ``count`` bytes."""
        deadline = time.monotonic() + timeout
        while len(self._buffer) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"not {count} bytes within {timeout} s; got {self._buffer!r}")
            self._buffer += self._read_some()
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def close(self):
        self.port.close()

    def _read_some(self) -> bytes:
        """What has arrived, or the next bytes within the port's timeout: never waits for more."""
        return self.port.read(max(1, self.port.in_waiting))

    def read_until_any(self, options, timeout=5.0) -> tuple:
        """(which of ``options`` came first, everything up to it); raises on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            found = [(self._buffer.index(o), o) for o in options if o in self._buffer]
            if found:
                _, option = min(found)
                return option, self.read_until(option)
            if time.monotonic() > deadline:
                raise AssertionError(f"none of {options!r} within {timeout} s; got {self._buffer[-300:]!r}")
            self._buffer += self._read_some()
