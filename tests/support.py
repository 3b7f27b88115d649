"""Helpers the tests share (imported by name: ``from support import ...``).

Fixtures live in ``conftest.py``; plain helpers live here, because several
folders have a ``conftest.py`` and ``from conftest import`` would pick
whichever pytest loaded first.
"""
import subprocess
import sys
import time
from pathlib import Path

import serial

from upylab.board import registry

BIN = Path(sys.executable).parent


def stop_and_check(name):
    """Stop a board; fail if its bridge or interpreter is still running."""
    stopped = registry.stop(name)
    leftovers = [pid for pid in (stopped.pid, stopped.interpreter_pid) if registry.is_running(pid)]
    assert not leftovers, f"board processes left running: {leftovers}"


def run_mpremote(device, *args, timeout=30, check=True):
    """The real mpremote against a device; returns the finished process."""
    result = subprocess.run(
        [str(BIN / "mpremote"), "connect", device, *args],
        capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"mpremote {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result



class Line:
    """A board's serial line, read with deadlines (never blocks for ever)."""

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
