"""What can go wrong on a board's link: an exception on the board, or no answer in time.

``BoardError`` is an exception the board raised, built from the raw REPL's
error section (what the board sends between the two ``\\x04`` after running
code), so anything there *is* an uncaught exception; ``parse`` only splits
it into Jupyter's ``ename``, ``evalue`` and traceback lines, it never
guesses from ordinary printed output.  ``str()`` of one is one line, for
the command line; the kernel shows its fields as a cell's error.

The virtual board's firmware shims (``upylab/board/firmware/``) are Python
modules (compiled to .mpy), so their frames appear in its tracebacks
(``File "socket.py"``) where an ESP32's built-in modules, written in C,
show none: those frames are left out (``hidden``: the shims' file names).

``BoardTimeout`` is the one exception for a board that did not answer
within a deadline, whichever REPL was being read.
"""
import re

from upylab.board.compiled import shim_files
from upylab.errors import UpylabError

EXCEPTION_NAME = re.compile(r"[A-Za-z_][\w.]*")
FRAME = re.compile(r'^  File "([^"]*)", line \d+')
SHIM_FILES = frozenset(shim_files())


class BoardError(UpylabError):
    """An exception raised on the board, as its traceback named it."""

    def __init__(self, ename: str, evalue: str, traceback: list, board: str = "the board"):
        self.ename, self.evalue, self.traceback, self.board = ename, evalue, traceback, board
        first = evalue.splitlines()[0] if evalue else ""
        super().__init__(f"{board} raised {ename}" + (f": {first}" if first else ""))

    def content(self) -> dict:
        """The fields of an ``error`` message and of an error ``execute_reply``."""
        return {"ename": self.ename, "evalue": self.evalue, "traceback": self.traceback}


class BoardTimeout(UpylabError, TimeoutError):
    """The board did not answer within the time given."""


def _frame_file(line: str):
    """The file a traceback frame line names, or None for any other line."""
    match = FRAME.match(line)
    return match[1] if match else None


def parse(section: str, board: str = "the board", hidden=SHIM_FILES) -> BoardError:
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
        return BoardError("BoardError", "\n".join(exception), lines, board)
    evalue = "\n".join([value.strip(), *exception[1:]]).strip()
    return BoardError(name, evalue, lines, board)
