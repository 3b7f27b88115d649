"""A board's traceback, as Jupyter wants an error: ``ename``, ``evalue``, lines.

The text comes from the raw REPL's error section (what the board sends
between the two ``\\x04`` after running a cell), so anything there *is* an
uncaught exception; this module only splits it, it never guesses from
ordinary printed output.

The virtual board's firmware shims (``upylab/board/firmware/``) are Python
modules (compiled to .mpy), so their frames appear in its tracebacks
(``File "socket.py"``) where an ESP32's built-in modules, written in C,
show none: ``hidden`` names those files, and their frames are left out.
"""
import re
from dataclasses import dataclass

EXCEPTION_NAME = re.compile(r"[A-Za-z_][\w.]*")


@dataclass
class BoardError:
    ename: str
    evalue: str
    traceback: list[str]

    def content(self) -> dict:
        """The fields of an ``error`` message and of an error ``execute_reply``."""
        return {"ename": self.ename, "evalue": self.evalue, "traceback": self.traceback}


_FRAME = re.compile(r'^  File "([^"]*)", line \d+')


def _frame_file(line: str):
    """The file a traceback frame line names, or None for any other line."""
    match = _FRAME.match(line)
    return match[1] if match else None


def parse(section: str, hidden=frozenset()) -> BoardError:
    """Split MicroPython's traceback text into name, value and lines.

    The exception line follows the last frame line (the indented ones);
    a message may continue on further lines.  Frames in the files named in
    ``hidden`` are dropped.
    """
    lines = section.replace("\r\n", "\n").strip("\n").split("\n")
    lines = [line for line in lines if _frame_file(line) not in hidden]
    frames_end = 0
    for index, line in enumerate(lines):
        if line.startswith((" ", "Traceback (most recent call last)")):
            frames_end = index + 1
    exception = lines[frames_end:] or lines[-1:]
    name, _, value = exception[0].partition(":")
    if not EXCEPTION_NAME.fullmatch(name):
        return BoardError("BoardError", "\n".join(exception), lines)
    evalue = "\n".join([value.strip(), *exception[1:]]).strip()
    return BoardError(name, evalue, lines)
