"""One virtual board: a serial device for clients, MicroPython behind it.

The bridge owns two pseudo-terminals.  Clients (mpremote, the Jupyter
kernel, a terminal program) open the *client* one, exactly as they open
``/dev/ttyUSB0``.  The interpreter runs on the *interpreter* one, in raw
mode, so the unix port's own REPL handles the friendly REPL, raw REPL and
raw-paste mode.

What the bridge adds is what a board does and a process does not:

* Ctrl-C interrupts running code (KeyboardInterrupt) and is a plain key
  at the prompt, and one sent while the board boots stops the main.py
  that starts next (``interrupt.route``); raw-REPL input is read as an
  ESP32 reads it (``replinput.ReplInput``); a KeyboardInterrupt the
  interpreter loses is signalled again (``RESIGNAL_AFTER_S``);
* ``\\r\\n`` line endings (``bootfilter.OutputFilter``);
* Ctrl-D, ``sys.exit()`` and ``machine.soft_reset()`` end the process:
  the bridge prints ``MPY: soft reboot`` and starts a fresh interpreter,
  back in raw-REPL mode if that is where the client was; a ``SystemExit``
  in boot.py or main.py asks for the same on the control pipe;
* ``machine.reset()`` (on the control pipe) and ``upylab board reset``
  are a hard reset; an interpreter that dies is reported on the line and
  the board resets itself, as an ESP32 does after a panic;
* the interpreter sees only the variables its shims read, and fences
  itself in (``sandbox``) before MicroPython starts;
* output keeps flowing when no client is connected (it is dropped, as a
  board's is), and a client that reconnects finds the board running.
"""
import errno
import os
import re
import secrets
import select
import signal
import subprocess
import sys
import time
import tty
from dataclasses import dataclass
from pathlib import Path

from upylab.board import compiled, interrupt, pins, presets, sandbox
from upylab.board.bootfilter import OutputFilter
from upylab.board.replinput import ReplInput

# ESP32 reset causes (machine.PWRON_RESET, HARD_RESET, SOFT_RESET).
RESET_CAUSES = {"power-on": 1, "hard": 2, "soft": 5}
# Output waiting for a slow client: past this the interpreter waits too.
CLIENT_BACKLOG = 64 * 1024
MEASURING_HEAP = 1024 * 1024
IDLE_POLL_MS = 100
# The interpreter sometimes loses a KeyboardInterrupt signalled while it
# runs: raw REPL, `gc.collect()` then a `time.sleep_ms` loop, the signal at
# once, and no traceback comes, the loop runs on (reproduced with the plain
# unix port and SIGINT too, no bridge; the cause inside the interpreter is
# not known).  An ESP32 never loses one.  So while the code still runs and
# has printed nothing since, the bridge signals again, a few times; code
# that catches the KeyboardInterrupt and runs on silently gets those too.
RESIGNAL_AFTER_S = 1.0
RESIGNALS = 3
CTRL_A = 0x01
CTRL_C = b"\x03"
# What the board asks on its control pipe (firmware/machine.py): a hard
# reset, a soft reboot, or to wake its main thread, whose callbacks a
# thread of the board has scheduled (sandbox.WAKE_SIGNAL interrupts a sleep).
HARD_RESET, SOFT_REBOOT, WAKE = b"H", b"S", b"W"


@dataclass
class BoardConfig:
    """What the interpreter needs to know about its board."""

    name: str
    heap_bytes: int
    flash: Path
    pins: Path
    port_base: int
    expose: bool
    ip: str
    uid: str
    socket_dir: str = ""  # serve the board's ports as unix sockets here (firmware/socket.py)


def open_client_pty() -> tuple[int, str]:
    """A pseudo-terminal pair whose slave clients open like a serial port."""
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    os.close(slave)  # no slave open: the master reports HUP until a client opens it
    os.set_blocking(master, False)
    return master, path


class Bridge:
    """Runs one board until ``stop()``; see the module docstring."""

    def __init__(self, config: BoardConfig, client_fd: int, on_interpreter=None):
        self.config = config
        self._on_interpreter = on_interpreter or (lambda pid: None)
        self._client = client_fd
        self._client_connected = False
        self._to_client = bytearray()
        self._to_interpreter = bytearray()  # from the client, not yet handed over
        self._handed = bytearray()          # handed to the interpreter, being written
        self._hold_ms = 1                   # how soon to ask again about a held Ctrl-C
        self._signalled_at = None           # a KeyboardInterrupt not yet seen taking effect
        self._resignals = 0
        self._input = ReplInput()
        self._stopping = False
        self._hard_reset_requested = False
        self._soft_reboot_requested = False
        self._process = None
        self._heap_total = 0
        self._interpreter = -1
        self._filter = None
        self._marker = secrets.token_hex(8).encode()
        self._firmware = compiled.firmware_dir()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._control_r, self._control_w = os.pipe()  # the board's requests
        os.set_blocking(self._control_r, False)

    # -- control, from signal handlers or the owner -------------------------

    def stop(self):
        self._stopping = True
        self._wake()

    def hard_reset(self):
        self._hard_reset_requested = True
        self._wake()

    def _wake(self):
        try:
            os.write(self._wake_w, b"!")
        except BlockingIOError:
            pass

    @property
    def interpreter_pid(self):
        return self._process.pid if self._process else None

    # -- the interpreter's lifecycle -----------------------------------------

    def _start_interpreter(self, cause: str):
        """Power on (or reboot into) a fresh interpreter."""
        raw = cause == "soft" and self._input.raw
        if not raw:
            self._input = ReplInput()
        self._reset_pins()
        master, slave = os.openpty()
        tty.setraw(slave)  # no signals from the line: see _from_client for Ctrl-C
        self._process = subprocess.Popen(
            interpreter_command(self._heap_total),
            stdin=slave, stdout=slave, stderr=slave,
            env=self._environment(
                UPYLAB_SKIP_MAIN="1" if raw else "0",
                UPYLAB_RESET_CAUSE=str(RESET_CAUSES[cause])),
            cwd=self.config.flash,
            start_new_session=True,
            pass_fds=(self._control_w,),
        )
        os.close(slave)
        os.set_blocking(master, False)
        self._interpreter = master
        # What the previous interpreter was handed is lost with it, as a
        # board's UART buffer is; what it was not yet handed is for this one.
        self._handed.clear()
        self._filter = OutputFilter([self._marker + b"-set-up", self._marker + b"-booted"],
                                    hide_banner=raw)
        if raw:  # back to the raw REPL, ahead of anything the client sends
            self._to_interpreter[:0] = bytes([CTRL_A])
        self._on_interpreter(self._process.pid)

    def _environment(self, **extra) -> dict:
        """What the firmware shims read: paths, addresses, ids, the markers.

        Nothing else of the host's environment: board code can read its
        variables (the unix port's os.getenv stays reachable on purpose),
        and a class hub's user has a token there.
        """
        return dict(
            MICROPYPATH=f"{self._firmware}:.frozen",
            UPYLAB_FIRMWARE=str(self._firmware),
            UPYLAB_BOOT=str(compiled.BOOT_SCRIPT),
            UPYLAB_FLASH=str(self.config.flash),
            UPYLAB_PINS=str(self.config.pins),
            UPYLAB_PORT_BASE=str(self.config.port_base),
            UPYLAB_EXPOSE="1" if self.config.expose else "0",
            UPYLAB_IP=self.config.ip,
            UPYLAB_UID=self.config.uid,
            UPYLAB_SOCKET_DIR=self.config.socket_dir,
            UPYLAB_CONTROL_FD=str(self._control_w),
            UPYLAB_MARKER=self._marker.decode(),
            **extra)

    def _measure_firmware_heap(self) -> int:
        """Heap the virtual board's own set-up uses (its shims, the mount).

        A real board's network, socket and machine modules live in flash
        and cost no heap; here they are Python modules.  Adding what they
        use to the heap keeps ``gc.mem_free()`` after boot at the preset.
        """
        self._reset_pins()
        result = subprocess.run(
            interpreter_command(MEASURING_HEAP), env=self._environment(UPYLAB_MEASURE="1"),
            cwd=self.config.flash, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=30, pass_fds=(self._control_w,))
        found = re.search(r"upylab-heap-used (\d+)", result.stdout)
        if not found:
            raise RuntimeError(f"the board's firmware did not start:\n{result.stdout}{result.stderr}")
        return int(found[1])

    def _reset_pins(self):
        pins.reset_file(self.config.pins)

    def _end_interpreter(self):
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        os.close(self._interpreter)
        self._interpreter = -1
        self._process = None
        self._signalled_at = None

    def _after_exit(self):
        """The interpreter has ended: report it and boot the next one."""
        self._drain_interpreter()
        code = self._process.returncode
        self._end_interpreter()
        if code >= 0:
            self._emit(b"MPY: soft reboot\r\n")
            self._start_interpreter("soft")
        else:
            name = signal.Signals(-code).name
            self._emit(f"\r\n[virtual board: MicroPython died ({name}); resetting]\r\n".encode())
            self._start_interpreter("hard")

    def _do_soft_reboot(self):
        self._soft_reboot_requested = False
        self._drain_interpreter()
        self._end_interpreter()
        self._emit(b"MPY: soft reboot\r\n")
        self._start_interpreter("soft")

    def _do_hard_reset(self):
        self._hard_reset_requested = False
        self._end_interpreter()
        self._emit(b"\r\n[virtual board: hard reset]\r\n")
        self._start_interpreter("hard")

    # -- the loop ------------------------------------------------------------

    def run(self):
        """Serve the board until stopped; always ends the interpreter."""
        try:
            self._heap_total = self.config.heap_bytes + self._measure_firmware_heap()
            self._start_interpreter("power-on")
            while not self._stopping:
                if self._hard_reset_requested:
                    self._do_hard_reset()
                elif self._soft_reboot_requested:
                    self._do_soft_reboot()
                self._step()
                if self._process.poll() is not None and not self._stopping:
                    self._after_exit()
        finally:
            self._end_interpreter()
            for fd in (self._client, self._wake_r, self._wake_w, self._control_r, self._control_w):
                os.close(fd)

    def _step(self):
        poller = select.poll()
        poller.register(self._wake_r, select.POLLIN)
        poller.register(self._control_r, select.POLLIN)
        # Input, Ctrl-C included, waits until the board is set up: the
        # board's own set-up is not interruptible, boot.py and main.py are.
        timeout = self._hand_over() if self._filter.stage > 0 else IDLE_POLL_MS
        if self._signalled_at is not None:
            timeout = min(timeout, self._resignal_if_lost())
        interpreter_events = select.POLLOUT if self._handed else 0
        if len(self._to_client) < CLIENT_BACKLOG:
            interpreter_events |= select.POLLIN
        if interpreter_events:
            poller.register(self._interpreter, interpreter_events)
        if self._client_connected:
            client_events = select.POLLIN | (select.POLLOUT if self._to_client else 0)
            poller.register(self._client, client_events)
        for fd, events in poller.poll(timeout):
            if fd == self._wake_r:
                _drain(self._wake_r)
            elif fd == self._control_r:
                self._board_request()
            elif fd == self._interpreter:
                self._interpreter_ready(events)
            elif fd == self._client:
                self._client_ready(events)
        if not self._client_connected:
            self._check_client()

    def _board_request(self):
        """machine.reset() (hard), a SystemExit in boot.py or main.py (soft), or a wake-up."""
        try:
            requests = os.read(self._control_r, 64)
        except BlockingIOError:
            return
        if HARD_RESET in requests:
            self._hard_reset_requested = True
        elif SOFT_REBOOT in requests:
            self._soft_reboot_requested = True
        elif WAKE in requests and self._process:
            try:
                os.kill(self._process.pid, sandbox.WAKE_SIGNAL)
            except ProcessLookupError:
                pass

    def _check_client(self):
        """A client opened the serial device (the master stops reporting HUP)."""
        poller = select.poll()
        poller.register(self._client, select.POLLIN)
        hung_up = any(events & select.POLLHUP for _, events in poller.poll(0))
        self._client_connected = not hung_up

    def _client_ready(self, events):
        if events & select.POLLIN:
            try:
                data = os.read(self._client, 4096)
            except OSError:  # EIO: the last client closed the device
                data = b""
            self._from_client(data)
        elif events & (select.POLLHUP | select.POLLERR):
            self._disconnect_client()
        if self._client_connected and events & select.POLLOUT and self._to_client:
            try:
                written = os.write(self._client, self._to_client)
                del self._to_client[:written]
            except BlockingIOError:
                pass
            except OSError:
                self._disconnect_client()

    def _disconnect_client(self):
        self._client_connected = False
        self._to_client.clear()  # a board's output with no one listening is lost

    def _from_client(self, data: bytes):
        if not data:
            self._disconnect_client()
            return
        self._to_interpreter += data

    def _hand_over(self) -> int:
        """Client input to the interpreter, in order, read as the board reads it.

        A Ctrl-C goes once all before it has been written, where
        ``interrupt.route`` says; consecutive Ctrl-Cs go together.  Input
        after a held Ctrl-C waits behind it.  The REPL mode is followed
        here, as bytes are handed over, not as they arrive: bytes that
        arrive before a reset are read by the board that boots next.
        Returns how long the loop may sleep: not long while a Ctrl-C is held.
        """
        queue = self._to_interpreter
        while queue and not self._handed:
            count = len(queue) - len(queue.lstrip(CTRL_C))
            if not count:  # up to the next Ctrl-C
                count = len(queue) if CTRL_C not in queue else queue.index(CTRL_C)
            else:
                where = interrupt.route(self._process.pid)
                if where == interrupt.HELD:
                    self._hold_ms = min(2 * self._hold_ms, IDLE_POLL_MS)
                    return self._hold_ms
                self._hold_ms = 1
                if where == interrupt.SIGNALLED:
                    self._signalled_at, self._resignals = time.monotonic(), 0
                    del queue[:count]
                    continue
            self._handed += self._input.feed(bytes(queue[:count]))
            del queue[:count]
        return IDLE_POLL_MS

    def _resignal_if_lost(self) -> int:
        """Signal again a KeyboardInterrupt the running code shows no sign of; how
        long the loop may sleep before asking again."""
        waited = time.monotonic() - self._signalled_at
        if waited < RESIGNAL_AFTER_S:
            return max(1, int((RESIGNAL_AFTER_S - waited) * 1000))
        if self._resignals < RESIGNALS and interrupt.route(self._process.pid, may_type=False) == interrupt.SIGNALLED:
            self._signalled_at, self._resignals = time.monotonic(), self._resignals + 1
            return int(RESIGNAL_AFTER_S * 1000)
        self._signalled_at = None
        return IDLE_POLL_MS

    def _interpreter_ready(self, events):
        if events & select.POLLOUT and self._handed:
            try:
                written = os.write(self._interpreter, self._handed)
                del self._handed[:written]
            except (BlockingIOError, OSError):
                pass
        if events & (select.POLLIN | select.POLLHUP):
            self._read_interpreter()

    def _read_interpreter(self) -> bool:
        try:
            data = os.read(self._interpreter, 4096)
        except BlockingIOError:
            return False
        except OSError as error:  # EIO: the interpreter has gone
            if error.errno != errno.EIO:
                raise
            return False
        if data:  # the board answers: a KeyboardInterrupt signalled has done something
            self._signalled_at = None
        self._emit(self._filter.feed(data))
        return bool(data)

    def _drain_interpreter(self):
        while self._read_interpreter():
            pass

    def _emit(self, data: bytes):
        if self._client_connected and data:
            self._to_client += data


def interpreter_command(heap_bytes: int) -> list[str]:
    """The unix port from PyPI, run as its console script would run it, fenced in first."""
    return [
        sys.executable, "-c",
        "import sys; from micropython_unix import main; from upylab.board import sandbox; "
        "sandbox.enter_board(); sys.exit(main())",
        "-X", f"heapsize={presets.interpreter_heapsize(heap_bytes)}",
        "-i", str(compiled.BOOT_SCRIPT),
    ]


def _drain(fd):
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass
