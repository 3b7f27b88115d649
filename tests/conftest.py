"""Fixtures shared by every test folder.

``board`` gives a test its own fresh virtual board, in a state folder of
its own, and stops it afterwards (the test fails if any of the board's
processes outlives it).  ``mpremote`` runs the real mpremote against it;
``line`` opens its serial device with pyserial, as a terminal would.
"""
import subprocess
import sys
import time
from pathlib import Path

import pytest
import serial

from upylab.board import registry

BIN = Path(sys.executable).parent


@pytest.fixture
def state_dir(tmp_path, monkeypatch):
    """An empty upylab state folder, also seen by child processes."""
    folder = tmp_path / "state"
    monkeypatch.setenv("UPYLAB_STATE_DIR", str(folder))
    return folder


@pytest.fixture
def board(state_dir):
    record = registry.start(name="test", heap="esp32")
    yield record
    stop_and_check(record.name)


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


@pytest.fixture
def mpremote(board):
    return lambda *args, **options: run_mpremote(board.device, *args, **options)


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


@pytest.fixture
def line(board):
    connection = Line(board.device)
    yield connection
    connection.close()
