"""Idle culling, and what a class is without root: a one-user trial only."""
import os
import pwd
import time

import pytest

from class_helpers import board_of, free_port, start_class, stop_class, upylab
from upylab.board.registry import is_running
from upylab.classroom import accounts, hub
from upylab.classroom.client import Student
from upylab.errors import UpylabError

CULL_TIMEOUT = 90


def test_an_idle_server_is_culled_with_its_board(class_dir):
    """In a class with one shared password (printed by start) for every student."""
    options, printed = start_class(["ulab-idle"], "--idle-timeout", "6", "--shared-password")
    try:
        shared = printed.split("the shared password ")[1].split()[0]
        with pytest.raises(UpylabError, match="could not log in"):
            Student(options.url, "ulab-idle", shared + "x").login()
        student = Student(options.url, "ulab-idle", shared).login()
        student.start_server()
        student.wait_ready(timeout=120)
        board = board_of("ulab-idle")
        deadline = time.monotonic() + CULL_TIMEOUT
        while student.api("GET", "users/ulab-idle").json()["servers"]:
            assert time.monotonic() < deadline, "the idle server was not culled"
            time.sleep(0.5)
        while is_running(board.pid) or is_running(board.interpreter_pid):
            assert time.monotonic() < deadline, "the culled server's board still runs"
            time.sleep(0.1)
        assert accounts.processes_of(pwd.getpwnam("ulab-idle").pw_uid) == []
    finally:
        stop_class("--remove-users")


def _as_user(name, *args):
    entry = pwd.getpwnam(name)
    return upylab(*args, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
                  cwd=entry.pw_dir, env={"HOME": entry.pw_dir, "PATH": os.environ["PATH"]})


def test_without_root_a_class_is_refused_and_a_trial_runs(class_dir):
    """As an ordinary user (a class account made for the test, removed after it)."""
    accounts.create("ulab-trial", accounts.new_password())
    try:
        refused = _as_user("ulab-trial", "class", "start", "--students", "3")
        assert refused.returncode == 2 and hub.TRIAL_REFUSAL in refused.stderr
        port = free_port()
        trial = _as_user("ulab-trial", "class", "start", "--students", "1", "--ip", "127.0.0.1",
                         "--port", str(port))
        try:
            assert trial.returncode == 0, trial.stderr
            assert "one-user trial (not root): log in as ulab-trial with password" in trial.stdout
            password = trial.stdout.split("with password ")[1].split()[0]
            student = Student(f"http://127.0.0.1:{port}", "ulab-trial", password).login()
            student.start_server()
            student.wait_ready(timeout=120)
            lessons = student.server_api("GET", "contents").json()["content"]
            assert "01-raw-sockets.ipynb" in {entry["name"] for entry in lessons}
            assert board_of("ulab-trial").flash.startswith("/home/ulab-trial/")
        finally:
            stopped = _as_user("ulab-trial", "class", "stop")
            assert stopped.returncode == 0, stopped.stderr
        assert accounts.processes_of(pwd.getpwnam("ulab-trial").pw_uid) == []
    finally:
        accounts.remove("ulab-trial")
