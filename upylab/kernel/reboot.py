"""A soft reboot the student can see: what Restart Kernel and ``%upylab clean`` do to the board.

MicroPython's soft reboot (Ctrl-D at the friendly REPL's empty prompt) ends
the running interpreter's session: every variable, module, task and socket
is gone (on an ESP32 the sockets are closed by their finalisers), the board
prints ``MPY: soft reboot``, runs ``boot.py`` and ``main.py``, and shows its
banner.  Files in flash stay.  It is what "a fresh board" means in a lesson,
on an ESP32 and on the virtual board alike.

In the raw REPL the kernel works in, the board prints no banner after a
reboot, so this leaves the raw REPL first (Ctrl-B) and reboots from the
friendly one; the caller enters the raw REPL again if it goes on using the
port.
"""
import time

from upylab.errors import UpylabError

SOFT_REBOOT = b"MPY: soft reboot"
BANNER_END = b'Type "help()" for more information.'
FRIENDLY_PROMPT = b"\r\n>>> "
TIMEOUT = 10.0          # seconds for the board to come back (boot.py may join Wi-Fi)


def soft_reboot(port, timeout=TIMEOUT) -> str:
    """Soft-reboot the board on ``port`` (a pyserial port); returns its banner lines.

    The lines returned are ``MPY: soft reboot`` and the board's version
    line; what ``boot.py`` and ``main.py`` print in between is left out.
    """
    port.write(b"\r\x03\x03")             # stop whatever runs (none should, after a cell)
    port.write(b"\x02")                   # leave the raw REPL: the friendly prompt follows
    _read_until(port, FRIENDLY_PROMPT, timeout)
    port.write(b"\x04")
    answer = _read_until(port, BANNER_END + FRIENDLY_PROMPT, timeout, after=SOFT_REBOOT)
    text = answer[answer.rindex(SOFT_REBOOT):].decode(errors="replace").replace("\r\n", "\n")
    lines = text.split("\n")
    version = [line for line in lines if line.startswith("MicroPython ")]
    return "\n".join([lines[0], *version[-1:]]) + "\n"


def _read_until(port, ending: bytes, timeout: float, after: bytes = b"") -> bytes:
    answer, deadline = b"", time.monotonic() + timeout
    while not (answer.endswith(ending) and after in answer):
        if time.monotonic() > deadline:
            raise UpylabError(f"the board did not come back from a soft reboot within "
                              f"{timeout:.0f} s: press its reset (EN) button, then run "
                              f"%serialconnect")
        answer += port.read(port.in_waiting or 1)
    return answer
