"""Which board a command talks to: ``--board NAME|PORT``.

A value with a ``/`` (or ``COM3`` on Windows) is a serial device; anything
else names a running virtual board.  Without ``--board``: ``UPYLAB_BOARD``,
else the one running virtual board (``default`` if several run).
"""
import os
import re

from upylab.board import registry
from upylab.errors import UpylabError

ENV = "UPYLAB_BOARD"


def is_device(value: str) -> bool:
    return "/" in value or bool(re.match(r"^COM\d+$", value, re.IGNORECASE))


def resolve(value=None) -> tuple[str, str]:
    """``(device path, label)`` for the board the user means."""
    value = value or os.environ.get(ENV)
    if value:
        if is_device(value):
            return value, value
        record = registry.find(value)
        return record.device, label(record)
    boards = registry.running()
    if not boards:
        raise UpylabError(
            "no board given and no virtual board running: pass --board PORT (e.g. "
            "/dev/ttyUSB0), set UPYLAB_BOARD, or start one with `upylab board start`")
    if len(boards) > 1:
        chosen = [board for board in boards if board.name == registry.DEFAULT_NAME]
        if not chosen:
            raise UpylabError(
                "several virtual boards run (" + ", ".join(board.name for board in boards)
                + "): choose one with --board NAME")
        boards = chosen
    record = boards[0]
    return record.device, label(record)


def label(record) -> str:
    """A virtual board by name (its device path is the host's, and `upylab board status` shows it)."""
    return f"virtual board {record.name!r}"
