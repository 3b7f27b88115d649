"""Helpers for the classroom tests: the real CLI, on a free loopback port."""
import json
import os
import pwd
import subprocess
from pathlib import Path

from support import BIN
from upylab.board.registry import BoardRecord
from upylab.classroom import boardproxy, settings
from upylab.classroom.hub import free_port

COMMAND_TIMEOUT = 180


def upylab(*args, timeout=COMMAND_TIMEOUT, **options):
    return subprocess.run([str(BIN / "upylab"), *args], capture_output=True, text=True,
                          timeout=timeout, **options)


def start_class(names, *options):
    """``upylab class start`` for ``names`` on a free loopback port: its settings and output."""
    users = Path(os.environ[settings.CLASS_ENV]).with_name("users.txt")
    users.write_text("\n".join(names) + "\n")
    started = upylab("class", "start", "--users", str(users), "--ip", "127.0.0.1",
                     "--port", str(free_port()), *options)
    assert started.returncode == 0, started.stderr
    return settings.load(), started.stdout


def stop_class(*options):
    """``upylab class stop`` if a class is there (a test may have stopped it already)."""
    if not settings.settings_file().exists():
        return None
    stopped = upylab("class", "stop", *options)
    assert stopped.returncode == 0, stopped.stderr
    return stopped


def run_as(name: str, code: str) -> subprocess.CompletedProcess:
    """Python ``code`` run as the system user ``name``, in their home."""
    entry = pwd.getpwnam(name)
    return subprocess.run(
        [str(BIN / "python"), "-c", code], capture_output=True, text=True, timeout=60,
        user=entry.pw_uid, group=entry.pw_gid, extra_groups=[], cwd=entry.pw_dir,
        env={"HOME": entry.pw_dir, "PATH": os.environ["PATH"]})


def board_folder(name: str) -> Path:
    """A student's board's folder, in their home (root reads it)."""
    return Path(pwd.getpwnam(name).pw_dir, ".local/state/upylab/boards", boardproxy.BOARD_NAME)


def board_of(name: str) -> BoardRecord:
    """A student's running board, from its record."""
    return BoardRecord(**json.loads((board_folder(name) / "board.json").read_text()))
