"""Starting, stopping and asking after a class's hub (``upylab class start|stop|status``).

``start`` makes the accounts (as root), writes the settings, runs
JupyterHub in the background and returns once its API answers; ``stop``
stops it (JupyterHub stops every student's server, and each server its
board), then ends any process still running as a class account, and with
``remove_users`` removes the accounts and their homes.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from upylab import paths
from upylab.board import registry
from upylab.classroom import accounts, grading, settings
from upylab.classroom.settings import ClassSettings
from upylab.errors import UpylabError

PROXY = paths.ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
CONFIG = Path(__file__).with_name("jupyterhub_config.py")
SERVICE = "upylab-class"    # the teacher's tools' API client (status, measure)
START_TIMEOUT = 60.0        # the hub's API answers
STOP_TIMEOUT = 120.0        # the hub has stopped every server and itself
SPAWN_TIMEOUT = 600         # one student's server, with the whole class starting at once
TRIAL_REFUSAL = ("without root the hub cannot run a server as another user, so students "
                 "would not be kept apart: run `upylab class start` as root for a class, or "
                 "with --students 1 for a one-user trial as yourself")


def proxy_command() -> Path:
    if not PROXY.exists():
        raise UpylabError(f"the hub's proxy is missing ({PROXY}): run `make setup` "
                          f"(it needs Node.js 20 or newer and npm)")
    return PROXY


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hub_running(options: ClassSettings) -> bool:
    return bool(options.hub_pid) and registry.is_running(options.hub_pid)


def start(students: list, teacher: str, ip: str, port: int, public_url: str, heap: str,
          bundle: str, idle_timeout: int, shared_password: bool,
          grading_folder: str = "") -> ClassSettings:
    """Start a class's hub; returns its settings once it answers."""
    folder = settings.class_dir()
    if settings.settings_file(folder).exists() and hub_running(settings.load(folder)):
        raise UpylabError(f"a class is already running (settings in {folder}): "
                          f"`upylab class stop` first")
    proxy_command()
    isolated = os.geteuid() == 0
    if not isolated:
        if len(students) > 1:
            raise UpylabError(TRIAL_REFUSAL)
        students, teacher = [pwd.getpwuid(os.geteuid()).pw_name], ""
    for name in ([teacher] if teacher else []) + students:
        accounts.check_name(name)
    bundle = str(Path(bundle).resolve()) if bundle else ""
    if isolated:
        check_readable_by_others(bundle)
    if not public_url:
        host = registry.host_address(True) if ip in ("", "0.0.0.0") else ip
        public_url = f"http://{host}:{port}/"
    options = ClassSettings(
        students=students, teacher=teacher, ip=ip, port=port, public_url=public_url,
        heap=heap, bundle=bundle, idle_timeout=idle_timeout, isolated=isolated,
        shared_password=shared_password, hub_port=free_port(), proxy_api_port=free_port(),
        tokens={"proxy": settings.new_secret(), "service": settings.new_secret()},
        grading=str(Path(grading_folder or grading.default_folder(isolated)).resolve()))
    options.passwords = _passwords(options)
    if isolated:
        for name in options.users:
            accounts.create(name, options.passwords.get(name) or options.passwords["students"])
    grading.prepare(Path(options.grading), teacher)
    if folder.exists():
        shutil.rmtree(folder)   # a stopped class's database and log
    settings.save(options, folder)
    _write_password_list(options, folder)
    options.hub_pid = _launch(folder)
    settings.save(options, folder)
    return options


def _passwords(options: ClassSettings) -> dict:
    if options.shared_password:
        # JupyterHub wants the admin's at least 32 characters long.
        return {"students": accounts.new_password(), options.teacher: settings.new_secret()}
    return {name: accounts.new_password() for name in options.users}


def _write_password_list(options: ClassSettings, folder: Path):
    path = folder / "passwords.txt"
    path.touch(mode=0o600)
    path.write_text("".join(f"{name}\t{password}\n" for name, password in options.passwords.items()))


def check_readable_by_others(bundle: str):
    """A class account (here: nobody) must run this checkout's Python and read the bundle."""
    check = ("import os, sys, upylab.classroom.student\n"
             f"bundle = {bundle!r}\n"
             "if bundle and not os.access(bundle, os.R_OK | os.X_OK): sys.exit(3)\n"
             "for folder, _, files in os.walk(bundle) if bundle else ():\n"
             "    if not all(os.access(os.path.join(folder, f), os.R_OK) for f in files): sys.exit(3)\n")
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60, cwd="/",
        user="nobody", group="nogroup", extra_groups=[], env={"PATH": os.environ["PATH"]})
    if result.returncode == 3:
        raise UpylabError(f"students could not read the bundle {bundle}: `chmod -R a+rX` it or "
                          f"copy it where others can read")
    if result.returncode:
        raise UpylabError(
            f"students could not run upylab from {paths.ROOT} (as another user: "
            f"{result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'failed'}): "
            f"put the checkout where every user can read it (e.g. /opt/upylab) and run "
            f"`make setup` there")


def _launch(folder: Path) -> int:
    """JupyterHub in the background, logging to the class folder; its pid once it answers."""
    log = folder / "hub.log"
    with open(log, "ab") as log_file:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(CONFIG)],
            cwd=folder, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            env=dict(os.environ, **{settings.CLASS_ENV: str(folder)}), start_new_session=True)
    options = settings.load(folder)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise UpylabError(f"the hub did not start:\n{_tail(log)}")
        try:
            if requests.get(f"{options.url}/hub/api/", timeout=2).ok:
                return process.pid
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.kill()
    raise UpylabError(f"the hub did not answer within {START_TIMEOUT:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def api(options: ClassSettings, method: str, path: str, **kwargs):
    """The hub's REST API as the teacher's tools' service."""
    response = requests.request(
        method, f"{options.url}/hub/api/{path}", timeout=30,
        headers={"Authorization": f"token {options.tokens['service']}"}, **kwargs)
    response.raise_for_status()
    return response.json() if response.content else None


def stop(remove_users: bool = False) -> list:
    """Stop the class; returns what had to be ended by force (should be nothing)."""
    folder = settings.class_dir()
    options = settings.load(folder)
    forced = []
    if hub_running(options):
        os.kill(options.hub_pid, signal.SIGTERM)
        if not _wait_gone([options.hub_pid], STOP_TIMEOUT):
            os.kill(options.hub_pid, signal.SIGKILL)
            forced.append(f"hub (pid {options.hub_pid})")
    proxy_pid = _read_pid(folder / "proxy.pid")
    if proxy_pid and registry.is_running(proxy_pid):
        os.kill(proxy_pid, signal.SIGTERM)
        forced.append(f"proxy (pid {proxy_pid})")
        _wait_gone([proxy_pid], 5)
    for name in options.users if options.isolated else []:
        if accounts.is_class_account(name):
            left = accounts.end_processes(pwd.getpwnam(name).pw_uid)
            forced += [f"{name}'s process {pid}" for pid in left]
            if remove_users:
                accounts.remove(name)
    shutil.rmtree(folder)
    return forced


def _read_pid(path: Path) -> int:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return 0


def _wait_gone(pids, timeout) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(registry.is_running(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def status() -> tuple:
    """The class's settings and, per user, the hub's record of them (None if the hub is down)."""
    options = settings.load()
    if not hub_running(options):
        return options, None
    return options, {user["name"]: user for user in api(options, "GET", "users")}
