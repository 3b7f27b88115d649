"""A board's traceback, as Jupyter wants an error: ``ename``, ``evalue``, lines.

The text comes from the raw REPL's error section (what the board sends
between the two ``\\x04`` after running a cell), so anything there *is* an
uncaught exception; this module only splits it, it never guesses from
ordinary printed output.

The virtual board's firmware shims (``upylab/board/firmware/``) are Python
files on the host, so their frames appear in its tracebacks where an
ESP32's built-in modules, written in C, show none: ``hidden`` names those
files' folder, and their frames are left out.
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


def parse(section: str, hidden: str = "") -> BoardError:
    """Split MicroPython's traceback text into name, value and lines.

    The exception line follows the last frame line (the indented ones);
    a message may continue on further lines.  Frames in files under
    ``hidden`` are dropped.
    """
    lines = section.replace("\r\n", "\n").strip("\n").split("\n")
    if hidden:
        lines = [line for line in lines if not line.startswith(f'  File "{hidden}')]
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
