"""A class's settings and secrets, in one folder that only root (or the caller) reads.

``upylab class start`` writes them; ``jupyterhub_config.py``, ``stop``,
``status`` and ``measure`` read them.  The folder is
``<state>/class`` (``UPYLAB_STATE_DIR`` moves it, as for boards); it also
holds the hub's database, cookie secret, log and process ids.
"""
import dataclasses
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from upylab import paths
from upylab.errors import UpylabError

CLASS_ENV = "UPYLAB_CLASS_DIR"


@dataclass
class ClassSettings:
    students: list
    teacher: str             # the hub's admin; "" in a one-user trial
    ip: str                  # the hub listens here
    port: int
    public_url: str          # what students type; their board pages are under it
    heap: str                # every student's board: preset or size
    bundle: str              # frameworks install from here (upylab bundle), "" for none
    idle_timeout: int        # seconds before an idle server (and its board) is stopped
    isolated: bool           # one system user per student (run as root)
    shared_password: bool    # one password for all students (JupyterHub's shared-password)
    hub_port: int            # the hub's own API, on 127.0.0.1
    proxy_api_port: int      # configurable-http-proxy's API, on 127.0.0.1
    passwords: dict = field(default_factory=dict)   # user -> password
    tokens: dict = field(default_factory=dict)      # "proxy", "service": API secrets
    hub_pid: int = 0
    grading: str = ""        # nbgrader's exchange and class settings (classroom.grading)

    @property
    def users(self) -> list:
        """Every account of the class, the teacher's first (a trial has no teacher)."""
        return ([self.teacher] if self.teacher else []) + self.students

    @property
    def url(self) -> str:
        """The hub as this machine reaches it (for the teacher's tools)."""
        host = "127.0.0.1" if self.ip in ("", "0.0.0.0") else self.ip
        return f"http://{host}:{self.port}"


def class_dir() -> Path:
    if os.environ.get(CLASS_ENV):
        return Path(os.environ[CLASS_ENV])
    return paths.state_dir() / "class"


def settings_file(folder: Path = None) -> Path:
    return (folder or class_dir()) / "settings.json"


def new_secret() -> str:
    return secrets.token_hex(32)


def save(settings: ClassSettings, folder: Path = None):
    path = settings_file(folder)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.chmod(0o700)
    temporary = path.with_suffix(".tmp")
    temporary.touch(mode=0o600)
    temporary.write_text(json.dumps(dataclasses.asdict(settings), indent=2))
    temporary.replace(path)


def load(folder: Path = None) -> ClassSettings:
    path = settings_file(folder)
    try:
        return ClassSettings(**json.loads(path.read_text()))
    except FileNotFoundError:
        raise UpylabError(f"no class here ({path}): start one with `upylab class start`") from None
