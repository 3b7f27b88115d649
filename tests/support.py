"""Helpers the tests share (imported by name: ``from support import ...``).

Fixtures live in ``conftest.py``; plain helpers live here, because several
folders have a ``conftest.py`` and ``from conftest import`` would pick
whichever pytest loaded first.
"""
import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

from upylab.board import interrupt, registry
from upylab.board.bridge import RESET_CAUSES
from upylab.kernel import local
from upylab.kernel.install import KERNEL_NAME

BIN = Path(sys.executable).parent
# Debian's Chromium, driven by Playwright: nothing downloads a browser.
# Without the background-networking flags it tries hosts this machine
# cannot reach, over and over.
# A port already taken, as the virtual board prints it (the ESP32's number: 'OSError: 112')
# or an ESP32 does ('OSError: [Errno 112] EADDRINUSE').
PORT_TAKEN = re.compile(r"OSError: (\[Errno )?112\b|EADDRINUSE")


def says_port_taken(output) -> bool:
    """Whether board output (bytes, text, or a cell's outputs) reports a port already taken."""
    return bool(PORT_TAKEN.search(output.decode(errors="replace") if isinstance(output, bytes) else str(output)))


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def stop_and_check(name):
    """Stop a board; fail if its bridge or interpreter is still running."""
    stopped = registry.stop(name)
    leftovers = [pid for pid in (stopped.pid, stopped.interpreter_pid) if registry.is_running(pid)]
    assert not leftovers, f"board processes left running: {leftovers}"


def mpremote_hard_reset(board, mpremote, timeout=30.0):
    """``mpremote reset``, and wait for the reset it asked for.

    mpremote returns first: the board resets 100 ms later (mpremote runs
    ``time.sleep_ms(100); machine.reset()``), and a Ctrl-C sent meanwhile, as
    the next mpremote command sends one, cancels it, on an ESP32 as well.
    The reset is done when an interpreter booted by a hard reset runs.
    """
    before = registry.find(board.name).interpreter_pid
    mpremote("reset")
    hard = f"UPYLAB_RESET_CAUSE={RESET_CAUSES['hard']}\0".encode()
    deadline = time.monotonic() + timeout
    while True:
        pid = registry.find(board.name).interpreter_pid
        try:
            if pid != before and hard in Path(f"/proc/{pid}/environ").read_bytes():
                return
        except OSError:
            pass                # that interpreter has ended already: look again
        assert time.monotonic() < deadline, "no hard reset after mpremote reset"
        time.sleep(0.05)


def wait_for_file(path: Path, timeout=30.0):
    """Until ``path`` exists (a board wrote it to its flash folder, say)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"no {path} after {timeout} s"
        time.sleep(0.01)


def wait_for_prompt(name, timeout=30.0):
    """Until board ``name``'s REPL waits for a key: booted, its banner sent."""
    deadline = time.monotonic() + timeout
    while not interrupt.waits_at_prompt(registry.find(name).interpreter_pid):
        assert time.monotonic() < deadline, f"board {name!r} not at its prompt after {timeout} s"
        time.sleep(0.01)


def bound_ports(board):
    """The ports the board's code listens on now (each reset starts a new interpreter:
    the record is read again for its pid)."""
    return registry.listening_ports(registry.find(board.name))


def run_mpremote(device, *args, timeout=30, check=True):
    """The real mpremote against a device; returns the finished process."""
    result = subprocess.run(
        [str(BIN / "mpremote"), "connect", device, *args],
        capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"mpremote {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


class Lab:
    """``upylab lab`` in the background, as ``make lab`` runs it in a terminal.

    It gets a process group of its own, as a terminal's foreground job has,
    so ``ctrl_c()`` signals it the way the terminal's Ctrl-C does.
    """

    def __init__(self, environment, *args):
        self.process = subprocess.Popen(
            [str(BIN / "upylab"), "lab", *args], env=environment, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.lines = []
        self._new = queue.Queue()
        self._ended = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self._new.put(line)
        self._new.put(None)

    def wait_for(self, prefix, timeout=120) -> str:
        """The first line of its output starting with ``prefix``, once it comes."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.lines if line.startswith(prefix)]
            if found:
                return found[0]
            try:
                if self._new.get(timeout=max(0.1, deadline - time.monotonic())) is None:
                    self._ended = True
                    raise AssertionError(f"upylab lab ended before {prefix!r}:\n" + "\n".join(self.lines))
            except queue.Empty:
                raise AssertionError(f"no {prefix!r} within {timeout} s:\n" + "\n".join(self.lines)) from None

    def url(self) -> str:
        return self.wait_for("JupyterLab: open ").split()[-1]

    def ctrl_c(self, timeout=90) -> list:
        """Stop it as Ctrl-C in its terminal does (once); every line it printed."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=timeout)
        while not self._ended:
            self._ended = self._new.get(timeout=10) is None
        return self.lines


REPLY_TIMEOUT = 30


def nbval_environment(**variables) -> dict:
    """This process's environment and ``variables``, for a ``pytest --nbval -p nbval_ipc`` child.

    The plugin (tests/nbval_ipc.py) is found beside this file.
    """
    path = os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))
    return {**os.environ, **variables, "PYTHONPATH": path}


@contextlib.contextmanager
def kernel_session(cwd, env, timeout=30):
    """A "MicroPython (upylab)" kernel started in ``cwd`` with ``env``, ready; shut down after.

    Over unix sockets (upylab.kernel.local): a TCP port jupyter_client had
    found free was once taken by another worker before the kernel bound it.
    """
    manager = KernelManager(kernel_name=KERNEL_NAME, **local.settings())
    manager.start_kernel(cwd=str(cwd), env=env)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        yield Session(manager, client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        assert not manager.is_alive()


class Session:
    """Runs cells and returns what a notebook would save for them."""

    def __init__(self, manager, client):
        self.manager = manager
        self.client = client

    def run(self, code, timeout=REPLY_TIMEOUT, interrupt_on=None, interrupt_after=None,
            **options):
        """(reply content, outputs) for one cell; stream outputs are joined.

        With ``interrupt_on``, the kernel is interrupted once the cell has
        printed that text, as the stop button or nbval's cell timeout does;
        with ``interrupt_after``, after that many seconds of the cell running
        (for a test about what a long-running cell shows).  Other options go
        to ``execute`` (``stop_on_error``).
        """
        msg_id = self.client.execute(code, **options)
        outputs = []
        if interrupt_after is not None:
            try:
                self.client.get_shell_msg(timeout=interrupt_after)
                raise AssertionError("the cell ended before it could be interrupted")
            except queue.Empty:
                self.manager.interrupt_kernel()
        if interrupt_on is not None:
            def printed():
                return any(interrupt_on in output.get("text", "") for output in outputs)
            if not self._collect(msg_id, outputs, until=printed):
                raise AssertionError(f"the cell ended before printing {interrupt_on!r}: {outputs}")
            self.manager.interrupt_kernel()
        reply = self._reply(msg_id, timeout)
        self._collect(msg_id, outputs)
        return reply["content"], outputs

    def started(self, code, until):
        """Send a cell and return its msg_id once its output contains ``until``."""
        msg_id = self.client.execute(code)
        seen = ""
        while until not in seen:
            message = self.client.get_iopub_msg(timeout=REPLY_TIMEOUT)
            if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "stream":
                seen += message["content"]["text"]
        return msg_id

    def finished(self, msg_id, timeout=REPLY_TIMEOUT):
        """(reply content, outputs) of a cell sent with ``started``: what followed ``until``."""
        reply = self._reply(msg_id, timeout)
        return reply["content"], self._outputs(msg_id)

    def _reply(self, msg_id, timeout):
        while True:
            message = self.client.get_shell_msg(timeout=timeout)
            if message["parent_header"].get("msg_id") == msg_id:
                return message

    def _outputs(self, msg_id):
        outputs = []
        self._collect(msg_id, outputs)
        return outputs

    def _collect(self, msg_id, outputs, until=lambda: False) -> bool:
        """The cell's outputs into ``outputs`` until ``until()`` (True) or the cell ends."""
        while not until():
            message = self.client.get_iopub_msg(timeout=REPLY_TIMEOUT)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return False
            if kind == "stream":
                if outputs and outputs[-1].get("name") == content["name"]:
                    outputs[-1]["text"] += content["text"]
                else:
                    outputs.append({"type": "stream", "name": content["name"], "text": content["text"]})
            elif kind == "error":
                outputs.append({"type": "error", **content})
            elif kind in ("display_data", "update_display_data"):
                outputs.append({"type": kind, **content})
        return True

    def text(self, code, **options):
        """Stdout of a cell that must succeed."""
        reply, outputs = self.run(code, **options)
        assert reply["status"] == "ok", (reply, outputs)
        return "".join(o["text"] for o in outputs if o.get("name") == "stdout")
