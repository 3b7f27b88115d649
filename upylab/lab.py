"""``upylab lab``: the lessons in JupyterLab, with a board to run them on.

Unless ``UPYLAB_BOARD`` names a board (a real ESP32's port, or a virtual
board already running), it starts the virtual board ``default`` and stops
it again when JupyterLab exits, so ``make lab`` is all a student types.
JupyterLab comes from this environment, listens on 127.0.0.1 only and
opens no browser where there is no screen: it prints the URL to open.
"""
import os
import subprocess
import sys
from pathlib import Path

from upylab.board import registry
from upylab.errors import UpylabError

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def register(subparsers):
    parser = subparsers.add_parser(
        "lab", help="open the lessons in JupyterLab, with a virtual board unless UPYLAB_BOARD is set")
    parser.add_argument("--heap", default="esp32", help="heap preset or size of the virtual board")
    parser.set_defaults(func=run, passed_on=[])
    parser.epilog = "Other options are passed on to `jupyter lab` (e.g. --port=9999)."


def run(args):
    if not NOTEBOOKS.is_dir():
        raise UpylabError(f"no lessons at {NOTEBOOKS}: run `make lab` from a checkout of upylab")
    started = _board_for_the_lessons(args.heap)
    command = [str(Path(sys.executable).with_name("jupyter")), "lab",
               f"--notebook-dir={NOTEBOOKS}", "--ServerApp.ip=127.0.0.1"]
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        command.append("--no-browser")
    if os.geteuid() == 0:
        command.append("--allow-root")
    try:
        return subprocess.call(command + args.passed_on)
    except KeyboardInterrupt:
        return 0
    finally:
        if started:
            registry.stop(started.name)
            print(f"virtual board {started.name!r} stopped", file=sys.stderr)


def _board_for_the_lessons(heap):
    """The virtual board this run starts, or None when one is already there."""
    named = os.environ.get("UPYLAB_BOARD")
    if named:
        print(f"lessons will use the board in UPYLAB_BOARD: {named}", file=sys.stderr)
        return None
    if any(record.name == registry.DEFAULT_NAME for record in registry.running()):
        print(f"lessons will use the running virtual board {registry.DEFAULT_NAME!r}", file=sys.stderr)
        return None
    record = registry.start(registry.DEFAULT_NAME, heap)
    print(f"virtual board {record.name!r} started at {record.device} "
          f"(heap {record.heap}); lessons connect to it", file=sys.stderr)
    return record
