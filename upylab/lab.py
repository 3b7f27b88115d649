"""``upylab lab``: the lessons in JupyterLab, with a board to run them on.

``make lab`` is all a student types, so this does the rest and says only
what the student needs:

* the lessons open from the working copies in ``work/`` (``lessons``:
  copied from ``notebooks/`` the first time, never overwritten);
* unless there is a board already, as every tool chooses one
  (``upylab.link.choose``: ``UPYLAB_BOARD`` naming a real ESP32's port or
  a running virtual board, a running virtual board, an ESP32 on USB), it
  starts the virtual board ``default``, and stops it when JupyterLab has
  stopped;
* JupyterLab comes from this environment, listens on 127.0.0.1 only and
  opens no browser where there is no screen; it logs errors only (its
  start-up chatter and per-kernel warnings are not for students), and
  this prints the one URL to open, from the server's own runtime file.
  Its token is made here and handed over in ``JUPYTER_TOKEN`` (an
  environment variable, not an argument other users could read in ``ps``);
  one already set is kept;
* what kernels print on their own goes to the same terminal: the one
  warning every kernel prints at start (its messages to JupyterLab go over
  TCP on 127.0.0.1 unencrypted; they are signed) is left out.  IPC would
  avoid it, but its socket paths must fit in 107 bytes, which a long home
  folder's runtime path does not always leave room for;
* Ctrl-C stops it the way JupyterLab's File > Shut Down does (its
  shutdown API: every kernel shut down, which lets go of the board, and
  its runtime files removed).  JupyterLab runs in a session of its own, so
  the terminal's Ctrl-C reaches this process only, not JupyterLab's "Shut
  down this server (y/[n])?" prompt.
"""
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from upylab import lessons, paths
from upylab.board import presets, registry
from upylab.errors import UpylabError
from upylab.link import choose

# Jupyter settings of a student's own JupyterLab: nbgrader (installed for class
# hubs) left out, whose extensions would look for a course that is not there.
OWN_CONFIG = Path(__file__).with_name("lab-jupyter")
START_TIMEOUT = 120     # seconds for JupyterLab to write its runtime file
STOP_TIMEOUT = 30       # seconds for it to shut its kernels down and exit
# A kernel being restarted gets this long to soft-reboot the board (Jupyter's default: 5 s,
# of which half before a SIGTERM).
KERNEL_SHUTDOWN_WAIT = 10
NOISE = re.compile(r"WARNING \| Kernel is running over TCP without encryption")


def register(subparsers):
    parser = subparsers.add_parser(
        "lab", help="open the lessons in JupyterLab, with a virtual board unless there is a board")
    parser.add_argument("--heap", default=presets.DEFAULT, help="heap preset or size of the virtual board")
    parser.set_defaults(func=run, passed_on=[])
    parser.epilog = "Other options are passed on to `jupyter lab` (e.g. --port=9999)."


def run(args):
    work = paths.work_dir()
    copied = lessons.working_copies(work)
    if copied:
        say(f"lessons: {len(copied)} copied into {work}/, your working copies "
            f"(`upylab lessons reset NN` puts one back as published)")
    else:
        say(f"lessons: your working copies in {work}/")
    started = _board_for_the_lessons(args.heap)
    try:
        return _jupyterlab(work, args.passed_on)
    finally:
        if started:
            registry.stop(started.name)
            say(f"virtual board {started.name!r} stopped")


def say(line):
    """One line for the user; none if the terminal has gone (the clean-up must still run)."""
    try:
        print(line, file=sys.stderr, flush=True)
    except OSError:
        pass


def _command(work: Path, passed_on) -> list[str]:
    command = [str(Path(sys.executable).with_name("jupyter")), "lab",
               f"--notebook-dir={work}", "--ServerApp.ip=127.0.0.1",
               "--ServerApp.log_level=ERROR", "--LabApp.log_level=ERROR",
               f"--KernelManager.shutdown_wait_time={KERNEL_SHUTDOWN_WAIT}"]
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        command.append("--no-browser")
    if os.geteuid() == 0:
        command.append("--allow-root")
    return command + list(passed_on)


def _jupyterlab(work: Path, passed_on) -> int:
    """Run JupyterLab until it exits or Ctrl-C; its exit status."""
    environment = dict(os.environ)
    environment.setdefault("JUPYTER_TOKEN", secrets.token_hex(24))
    environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(OWN_CONFIG), environment.get("JUPYTER_CONFIG_PATH")]))
    lab = subprocess.Popen(_command(work, passed_on), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env=environment, start_new_session=True)
    threading.Thread(target=_pass_on, args=(lab.stdout,), daemon=True).start()
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {number: signal.signal(number, _interrupt) for number in stop_signals}
    server = None
    try:
        server = _server_info(lab)
        if server:
            say(f"JupyterLab: open {server['url'].rstrip('/')}/lab?token={server['token']}")
            say("Ctrl-C here stops JupyterLab and the board.")
        return lab.wait()
    except KeyboardInterrupt:
        say("stopping JupyterLab (it shuts down the lessons' kernels)...")
        return _stop(lab, server)
    finally:
        if lab.poll() is None:      # an error above: still stop it, its own way
            _stop(lab, server)
        for number, handler in previous.items():
            signal.signal(number, handler)


def _pass_on(output):
    for line in output:
        if not NOISE.search(line):
            say(line.rstrip("\n"))


def _interrupt(number, frame):
    raise KeyboardInterrupt


def _server_info(lab):
    """What JupyterLab wrote about itself (url, token), once it serves; None if it stopped."""
    from jupyter_core.paths import jupyter_runtime_dir
    runtime = Path(jupyter_runtime_dir()) / f"jpserver-{lab.pid}.json"
    deadline = time.monotonic() + START_TIMEOUT
    while lab.poll() is None:
        try:
            return json.loads(runtime.read_text())
        except (OSError, ValueError):   # not written yet, or half written
            if time.monotonic() > deadline:
                raise UpylabError(f"JupyterLab did not start within {START_TIMEOUT} s") from None
            time.sleep(0.2)
    return None


def _stop(lab, server) -> int:
    """JupyterLab's own shutdown; a SIGTERM (the same shutdown) if its API does not answer."""
    if lab.poll() is None:
        try:
            request = urllib.request.Request(
                f"{server['url'].rstrip('/')}/api/shutdown", method="POST",
                headers={"Authorization": f"token {server['token']}"})
            urllib.request.urlopen(request, timeout=10).close()
        except (OSError, TypeError):
            lab.terminate()
    try:
        lab.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        lab.kill()
        lab.wait()
        say(f"JupyterLab did not stop within {STOP_TIMEOUT} s and was killed")
        return 1
    say("JupyterLab stopped")
    return 0


def _board_for_the_lessons(heap):
    """The virtual board this run starts, or None when there is a board already: the one
    every tool chooses (``UPYLAB_BOARD``, a running virtual board, a board on USB)."""
    try:
        target = choose.choose()
    except UpylabError:
        if os.environ.get(choose.ENV):
            raise                    # a board named but not there: say so, start nothing
    else:
        say(f"board: {target.label}; %serialconnect in a lesson finds it")
        return None
    record = registry.start(registry.DEFAULT_NAME, heap)
    say(f"board: virtual board {record.name!r} started (heap {record.heap}); "
        f"%serialconnect in a lesson finds it")
    return record
