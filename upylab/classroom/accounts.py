"""System users made for a class: one per student and one for the teacher.

JupyterHub's LocalProcessSpawner runs each server as the system user of
the same name, so a student's files, board (its pseudo-terminal, flash and
unix sockets) and processes are theirs alone.  Every account made here
carries ``MARK`` in its comment field: ``remove`` and ``upylab class stop
--remove-users`` touch no other account, and ``create`` refuses a name
that belongs to someone else on this machine.
"""
import os
import pwd
import re
import secrets
import signal
import subprocess
import time
from pathlib import Path

from upylab.errors import UpylabError

MARK = "upylab class account"
# A Linux login name JupyterHub keeps as is, short enough that the unix
# sockets of the student's kernels (~/.local/share/jupyter/runtime/
# kernel-UUID-ipc-N) fit in the 107 bytes a socket path may have.
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")
HOME_BASE = Path("/home")
KILL_TIMEOUT = 5.0


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise UpylabError(f"bad student name {name!r}: lower-case letters, digits, '-' or '_', "
                          f"starting with a letter, at most 20")
    return name


def is_class_account(name: str) -> bool:
    try:
        return pwd.getpwnam(name).pw_gecos == MARK
    except KeyError:
        return False


def new_password() -> str:
    """Short enough to type from a slip of paper, long enough to guess at no rate."""
    return secrets.token_urlsafe(9)


def create(name: str, password: str):
    """The account ``name`` with ``password``, home 0700; one left by a class is reused."""
    check_name(name)
    try:
        existing = pwd.getpwnam(name)
    except KeyError:
        existing = None
    if existing and existing.pw_gecos != MARK:
        raise UpylabError(f"user {name!r} already exists on this machine and is not a class "
                          f"account: choose other student names (--users FILE)")
    if not existing:
        _run(["useradd", "--system", "--create-home", "--home-dir", str(HOME_BASE / name),
              "--shell", "/usr/sbin/nologin", "--comment", MARK, "--user-group", name])
    _run(["chpasswd"], f"{name}:{password}\n")
    home = Path(pwd.getpwnam(name).pw_dir)
    home.chmod(0o700)


def remove(name: str):
    """Remove a class account, its home and its processes; others are refused."""
    if not is_class_account(name):
        raise UpylabError(f"{name!r} is not a class account: left alone")
    end_processes(pwd.getpwnam(name).pw_uid)
    _run(["userdel", "--remove", name], allowed=(0, 12))  # 12: no mail spool to remove


def processes_of(uid: int) -> list:
    """Pids of the processes running as ``uid`` (real uid)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        if int(uid_line.split()[1]) == uid and "\nState:\tZ" not in status:
            found.append(int(entry.name))
    return found


def end_processes(uid: int) -> list:
    """SIGTERM, then SIGKILL, each process of ``uid`` by its pid; returns those that were there."""
    pids = processes_of(uid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in processes_of(uid):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + KILL_TIMEOUT
        while processes_of(uid) and time.monotonic() < deadline:
            time.sleep(0.05)
    return pids


def _run(command, stdin=None, allowed=(0,)):
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60)
    if result.returncode not in allowed:
        raise UpylabError(f"{command[0]} failed: {result.stderr.strip()}")
