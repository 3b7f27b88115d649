"""A student's server under the class hub: ``python -m upylab.classroom.student [ARGS]``.

JupyterHub's spawner runs this as the student (its ``cmd``), with the
arguments it would give ``jupyterhub-singleuser``.  It

1. copies the lessons the student does not have yet into ``~/lessons``
   (``upylab.lessons.working_copies``: their work is never overwritten);
2. starts the student's virtual board as the student (its pseudo-terminal,
   flash and pins in their home, heap from ``UPYLAB_CLASS_HEAP``) with its
   ports on unix sockets, and names it in ``UPYLAB_BOARD`` for the kernels;
3. runs ``jupyterhub-singleuser`` with the board proxy (``student_config``)
   until the hub stops it (SIGINT, then SIGTERM), and passes those on;
4. stops the board however the server ended: in ``finally`` normally, and
   by the board's parent-death signal if this process is killed outright.
"""
import os
import signal
import subprocess
import sys
from pathlib import Path

from upylab.board import presets, registry
from upylab.classroom import boardproxy
from upylab.lessons import working_copies
from upylab.link.choose import ENV as BOARD_ENV

HEAP_ENV = "UPYLAB_CLASS_HEAP"
LESSONS = "lessons"          # in the student's home; the hub opens it (Spawner.notebook_dir)
CONFIG = Path(__file__).with_name("student_config.py")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    working_copies(Path.home() / LESSONS)
    heap = os.environ.get(HEAP_ENV, presets.DEFAULT)
    board = registry.start(boardproxy.BOARD_NAME, heap, unix_sockets=True, tied=True)
    print(f"upylab: board {board.name!r} at {board.device} (heap {board.heap})", file=sys.stderr)
    try:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("jupyterhub-singleuser")), f"--config={CONFIG}",
             *argv],
            env=dict(os.environ, **{BOARD_ENV: board.name}),
            preexec_fn=registry.end_with_parent)

        def pass_on(signum, _frame):
            server.send_signal(signum)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, pass_on)
        return server.wait()
    finally:
        registry.stop(board.name)


if __name__ == "__main__":
    sys.exit(main())
