"""A board's serial line from the host, read with deadlines (never blocks for ever).

What a person at a terminal does, for programs: the bench drives its
on-board helper through it, and the tests drive the REPL.
"""
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
            self._buffer += self.port.read(4096)
        end = self._buffer.index(expected) + len(expected)
        data, self._buffer = self._buffer[:end], self._buffer[end:]
        return data

    def seen(self, expected: bytes) -> bool:
        """Has ``expected`` arrived?  Reads what is waiting (at most the port's
        0.05 s timeout) and keeps it buffered for the next read."""
        self._buffer += self.port.read(4096)
        return expected in self._buffer

    def read_for(self, seconds: float) -> bytes:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._buffer += self.port.read(4096)
        data, self._buffer = self._buffer, b""
        return data

    def friendly(self) -> bytes:
        """Interrupt whatever runs and get to a fresh friendly prompt."""
        self.write(b"\r\x03\x03\x02")
        data = self.read_until(b">>> ") + self.read_for(0.2)
        self.write(b"\r")
        return data + self.read_until(b">>> ")

    def close(self):
        self.port.close()

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
            self._buffer += self.port.read(4096)
