"""Running one notebook under nbval, as ``make test`` does.

Each notebook runs in its own ``pytest --nbval`` (a child process), with
``UPYLAB_BOARD`` naming the board, so the notebook's plain ``%serialconnect``
reaches it, and with the project's one sanitize file.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SANITIZE = Path(__file__).with_name("sanitize.cfg")
CELL_TIMEOUT = 60           # seconds per cell, then nbval interrupts it
NOTEBOOK_TIMEOUT = 900      # seconds for a whole notebook, then it is killed


def notebooks():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def run_nbval(notebook: Path, board: str, cell_timeout=CELL_TIMEOUT) -> subprocess.CompletedProcess:
    """``pytest --nbval`` on one notebook; returns the finished process."""
    command = [
        sys.executable, "-m", "pytest", "--nbval", str(notebook),
        "--nbval-sanitize-with", str(SANITIZE),
        "--nbval-cell-timeout", str(cell_timeout),
        "-p", "no:cacheprovider", "-q", "-rA",
    ]
    return subprocess.run(
        command, cwd=ROOT, env={**os.environ, "UPYLAB_BOARD": board},
        capture_output=True, text=True, timeout=NOTEBOOK_TIMEOUT)
