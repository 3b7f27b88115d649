"""Restart Kernel = a fresh board, and the restarted kernel picks up where the board is.

JupyterLab's Restart Kernel promises that "all variables will be lost".
With this kernel the variables live on the board, so the kernel that is
shut down for a restart soft-reboots the board (``link.commands.soft_reboot``:
no variables, no tasks, no bound ports) and lets go of its port.  The new
kernel process knows nothing of that, so the old one leaves it a *note*,
found by the connection file both share (Jupyter restarts a kernel with
the same one): which board, and the banner it printed.  The new kernel
shows the banner in its first cell and reconnects to that board by itself.
"""
import hashlib
import json
import time
from pathlib import Path

from upylab import paths

NOTE_LIFETIME = 300     # seconds: an older note belongs to a restart that never happened


def _note_path(connection_file: str) -> Path:
    digest = hashlib.sha256(str(Path(connection_file).resolve()).encode()).hexdigest()[:16]
    return paths.state_dir() / "restarts" / f"{digest}.json"


def leave_note(connection_file: str, device: str, label: str, banner: str):
    path = _note_path(connection_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    note = {"device": device, "label": label, "banner": banner, "time": time.time()}
    path.write_text(json.dumps(note))


def take_note(connection_file: str) -> dict | None:
    """The note the kernel before this one left, if any (read once)."""
    path = _note_path(connection_file)
    try:
        note = json.loads(path.read_text())
        path.unlink()
    except (OSError, ValueError):
        return None
    return note if time.time() - note.get("time", 0) < NOTE_LIFETIME else None
