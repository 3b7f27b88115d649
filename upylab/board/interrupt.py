"""Where a Ctrl-C from the client goes: a KeyboardInterrupt, a key, or later.

On a board, Ctrl-C raises KeyboardInterrupt in the code that runs, and is
a plain key for the REPL while the REPL waits for input.  The unix port
does the first with a SIGINT handler that it installs only while code
runs; while its REPL waits for input, and between the two (booting,
compiling a line, printing a result), SIGINT is at its default, which
ends the process.  Looking at the interpreter and then signalling it is a
race: the state can change in between.  So ``route`` freezes the
interpreter (SIGSTOP) while it looks and signals, and thaws it after:

* SIGINT caught: code runs (boot.py, main.py, a REPL command), so its
  main thread gets the keyboard signal (``sandbox.KEYBOARD_SIGNAL``, not
  SIGINT: see there), which lands before the frozen process runs another
  step and makes the KeyboardInterrupt pending, as on an ESP32;
* SIGINT at its default and the process blocked reading its input: the
  REPL waits for a key, so the Ctrl-C is typed there;
* otherwise the interpreter is between the two, and the Ctrl-C is held
  (the bridge asks again shortly): it stops the code that starts next,
  or reaches the REPL that comes next.  During boot this is what keeps a
  Ctrl-C sent right after a reset from being lost before main.py starts.
"""
import contextlib
import os
import platform
import re
import signal
from pathlib import Path

from upylab.board import sandbox

SIGNALLED, TYPED, HELD = "signalled", "typed", "held"
# read()'s number in /proc/PID/syscall, by machine.
READ_SYSCALLS = {"x86_64": "0", "aarch64": "63"}
TGKILL_SYSCALLS = {"x86_64": 234, "aarch64": 131}


def route(pid: int, may_type: bool = True) -> str:
    """Deliver a Ctrl-C to interpreter ``pid`` if it can take one now; with
    ``may_type`` False (the bridge signalling again), never as a key for the REPL."""
    with _frozen(pid) as stopped:
        if not stopped:  # it has ended: the bridge reboots it, then asks again
            return HELD
        if _catches_sigint(pid):
            _signal_main_thread(pid, sandbox.KEYBOARD_SIGNAL)
            return SIGNALLED
        return TYPED if may_type and _reads_input(pid) else HELD


def waits_at_prompt(pid: int) -> bool:
    """The REPL waits for a key, as after boot (a steady state: no freezing needed)."""
    try:
        return not _catches_sigint(pid) and _reads_input(pid)
    except OSError:  # it has just ended
        return False


@contextlib.contextmanager
def _frozen(pid: int):
    """The process stopped (yields True), or ended (yields False); resumed after."""
    os.kill(pid, signal.SIGSTOP)
    try:
        # WNOWAIT: an ended process stays for its owner (Popen) to reap.
        info = os.waitid(os.P_PID, pid, os.WSTOPPED | os.WEXITED | os.WNOWAIT)
    except ChildProcessError:
        info = None
    try:
        yield info is not None and info.si_code == os.CLD_STOPPED
    finally:
        os.kill(pid, signal.SIGCONT)


def _signal_main_thread(pid: int, signum: int):
    """To the main thread, where the VM runs: a signal sent to the process may be
    taken by another thread of the board (its IRQ thread), leaving the main
    thread's accept() or sleep uninterrupted."""
    number = TGKILL_SYSCALLS.get(platform.machine())
    if number is None or sandbox.c_library().syscall(number, pid, pid, signum) != 0:
        os.kill(pid, signum)


def _catches_sigint(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(re.search(r"^SigCgt:\s*([0-9a-f]+)", status, re.M)[1], 16)
    return bool(caught & 1 << (signal.SIGINT - 1))


def _reads_input(pid: int) -> bool:
    """Blocked in read() on its standard input, as the REPL waits for a key.

    Where this cannot be seen (another machine, a /proc that hides it), a
    Ctrl-C that no code catches is taken to be for the REPL.
    """
    read = READ_SYSCALLS.get(platform.machine())
    try:
        fields = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return True
    return read is None or fields[:2] == [read, "0x0"]
