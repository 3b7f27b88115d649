"""One board, many notebooks: a kernel asks another to let go of the board.

Only one process may hold a serial port (an ESP32's USB port as much as a
virtual board's), and a notebook's kernel keeps its port open from cell to
cell.  Moving on to the next lesson must still just work, so a kernel that
holds a port leaves an *owner record* naming the port: its notebook, its
pid, and a loopback address (with a secret token) where it takes one kind
of request, "let go".  A kernel that finds the port busy reads the record
and asks:

* an **idle** holder closes the port, without touching the board (no
  reset, its variables stay) and answers ``released``; it takes the board
  back by itself the next time its notebook runs a cell;
* a holder **running a cell** answers ``busy`` with its notebook's name,
  so the error can say where to press the stop button.

No record, or one whose process is gone, means another program holds the
port (mpremote, a serial monitor): the caller says so.  Nothing here depends
on the virtual board; a TCP socket on 127.0.0.1 (not a Unix socket) keeps
it working on Windows too.  Records live in ``<state>/ports/`` and are
readable by their owner only.
"""
import hashlib
import json
import os
import re
import secrets
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from upylab import paths

ASK_TIMEOUT = 5.0        # seconds for a holder to answer (it may be finishing a cell's reply)
REQUEST_LIMIT = 4096     # bytes: a request is one short JSON line


@dataclass
class Answer:
    released: bool       # False: the holder is running a cell
    notebook: str        # the holder's notebook


def notebook_name() -> str:
    """This kernel's notebook, as the student knows it (JupyterLab names it for us)."""
    path = os.environ.get("JPY_SESSION_NAME")
    return Path(path).name if path else f"a notebook (kernel process {os.getpid()})"


def record_path(device: str) -> Path:
    """The owner record of a port: one per device, however it is spelled (a link, COM3)."""
    real = os.path.realpath(device) if os.path.exists(device) else device.upper()
    readable = re.sub(r"[^A-Za-z0-9]+", "-", real).strip("-")[-40:]
    digest = hashlib.sha256(real.encode()).hexdigest()[:12]
    return paths.state_dir() / "ports" / f"{readable}-{digest}.json"


def _read(path: Path):
    try:
        record = json.loads(path.read_text())
        if os.name == "posix":               # (on Windows, os.kill would end the process)
            os.kill(record["pid"], 0)        # the holder's process still exists
        return record
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ask(device: str, asker: str) -> Answer | None:
    """Ask the kernel holding ``device`` to let go; None if no kernel holds it."""
    record = _read(record_path(device))
    if record is None or record["pid"] == os.getpid():
        return None
    request = json.dumps({"token": record["token"], "asker": asker}).encode() + b"\n"
    try:
        with socket.create_connection(("127.0.0.1", record["port"]), timeout=ASK_TIMEOUT) as link:
            link.sendall(request)
            reply = json.loads(link.makefile("rb").readline(REQUEST_LIMIT))
    except (OSError, ValueError):
        return None                          # gone meanwhile: the port may be free now
    return Answer(bool(reply.get("released")), str(reply.get("notebook") or record["notebook"]))


class Holder:
    """While a kernel holds a port: its owner record and the thread answering requests.

    ``release(asker)`` is the kernel's: True once it has closed the port,
    False if it is running a cell.
    """

    def __init__(self, device: str, notebook: str, release):
        self.path = record_path(device)
        self.notebook = notebook
        self._release = release
        self._token = secrets.token_hex(16)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._closed = threading.Event()
        record = {"pid": os.getpid(), "notebook": notebook, "device": device,
                  "port": self._listener.getsockname()[1], "token": self._token}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            json.dump(record, file)
        temporary.replace(self.path)
        threading.Thread(target=self._serve, name="upylab-handover", daemon=True).start()

    def close(self):
        """No longer the holder: the record goes (if it is still ours) and so does the thread."""
        if self._closed.is_set():
            return
        self._closed.set()
        record = _read(self.path)
        if record is not None and record.get("token") == self._token:
            self.path.unlink(missing_ok=True)
        self._listener.close()

    def _serve(self):
        while not self._closed.is_set():
            try:
                link, _ = self._listener.accept()
            except OSError:
                return                       # closed
            with link:
                link.settimeout(ASK_TIMEOUT)
                try:
                    request = json.loads(link.makefile("rb").readline(REQUEST_LIMIT))
                except (OSError, ValueError):
                    continue
                if not secrets.compare_digest(str(request.get("token", "")), self._token):
                    continue
                released = self._release(str(request.get("asker", "another notebook")))
                if released:
                    self.close()
                reply = {"released": released, "notebook": self.notebook}
                try:
                    link.sendall(json.dumps(reply).encode() + b"\n")
                except OSError:
                    pass
