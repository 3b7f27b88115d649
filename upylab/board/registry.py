"""Running virtual boards, found by name.

Each running board has a folder ``<state>/boards/NAME/`` holding its record
(``board.json``), a stable link ``tty`` to its serial device and its pin
file.  Its flash folder lives apart, in ``<state>/flash/NAME/`` by default,
so a board's files survive a stop and a start, as a real board's do.

A board started with ``unix_sockets`` (a class hub's, see
``upylab.classroom``) serves its ports not on loopback TCP, which every
user of the host can reach, but as unix sockets in ``NAME/ports/``, which
only its owner can open (``firmware/socket.py`` does the mapping).

``serve()`` runs a board in the calling process (``upylab board run``);
``start()`` runs one in the background and returns once its serial device
answers; ``fresh()`` is a new board in a state folder of its own, for one
run (``upylab lessons execute``, grading a submission).  Other tools only
read records: ``find()``, ``running()``.
"""
import contextlib
import dataclasses
import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from upylab import paths
from upylab.board import presets
from upylab.board.bridge import BoardConfig, Bridge, open_client_pty
from upylab.errors import UpylabError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
DEFAULT_NAME = "default"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
# Privileged port P is served on BASE + P; BASE is drawn from this range, whose
# BASE + 1023 stays under Linux's ephemeral ports (32768 up): a board never takes
# a port that a kernel's or a client's bind(0) was just given.
PORT_BASE_RANGE = (10000, 31700)
# A unix socket's path fits in sockaddr_un.sun_path (108 bytes with its NUL).
UNIX_PATH_MAX = 107


@dataclass
class BoardRecord:
    """What other tools need to reach a running board."""

    name: str
    device: str          # stable link to the serial device: give this to clients
    pts: str             # the pseudo-terminal it points to
    pid: int             # the bridge process
    interpreter_pid: int
    heap: str            # the preset or size asked for
    heap_bytes: int
    flash: str
    port_base: int
    expose: bool
    ip: str
    started: str
    socket_dir: str = ""  # set when its ports are unix sockets there, not TCP

    @property
    def folder(self) -> Path:
        return board_folder(self.name)

    @property
    def pins_file(self) -> Path:
        return self.folder / "pins"

    def socket_path(self, port: int = 80) -> Path:
        """The unix socket serving ``port`` (boards started with unix_sockets)."""
        return Path(self.socket_dir) / str(port)

    def host_port(self, port: int) -> int:
        """Where the host reaches the board's server on ``port``."""
        return self.port_base + port if 0 < port < 1024 else port

    def url(self, port: int = 80, path: str = "/") -> str:
        return f"http://{self.ip}:{self.host_port(port)}{path}"


def boards_dir() -> Path:
    return paths.state_dir() / "boards"


def board_folder(name: str) -> Path:
    return boards_dir() / name


def default_flash(name: str) -> Path:
    return paths.state_dir() / "flash" / name


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise UpylabError(
            f"bad board name {name!r}: use letters, digits, '.', '_' or '-' (at most 40)")
    return name


def is_running(pid: int) -> bool:
    """True while the process runs (a zombie, ended but not reaped, is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _read_record(folder: Path):
    try:
        data = json.loads((folder / "board.json").read_text())
    except (OSError, ValueError):
        return None
    record = BoardRecord(**data)
    return record if is_running(record.pid) else None


def running() -> list[BoardRecord]:
    """Every board whose bridge is alive, by name."""
    if not boards_dir().is_dir():
        return []
    records = (_read_record(folder) for folder in sorted(boards_dir().iterdir()))
    return [record for record in records if record]


def find(name: str) -> BoardRecord:
    record = _read_record(board_folder(check_name(name)))
    if record is None:
        raise UpylabError(
            f"no virtual board named {name!r} is running: start one with "
            f"`upylab board start --name {name}`")
    return record


def _free_port_base(expose: bool) -> int:
    """A base whose port 80 the board can take on the host right now."""
    host = "0.0.0.0" if expose else "127.0.0.1"
    for _ in range(100):
        base = random.randrange(*PORT_BASE_RANGE)
        with socket.socket() as probe:
            try:
                probe.bind((host, base + 80))
            except OSError:
                continue
            return base
    raise UpylabError("could not find a free port range for the board's servers")


def host_address(expose: bool) -> str:
    """127.0.0.1, or with --expose the host's first non-loopback IPv4 address."""
    if not expose:
        return "127.0.0.1"
    import fcntl
    import struct
    siocgifaddr = 0x8915
    for _, interface in socket.if_nameindex():
        if interface == "lo":
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                answer = fcntl.ioctl(probe.fileno(), siocgifaddr,
                                     struct.pack("256s", interface.encode()[:15]))
            except OSError:
                continue
        return socket.inet_ntoa(answer[20:24])
    raise UpylabError("--expose: this host has no network address besides loopback")


def _uid(name: str) -> str:
    """A stable 6-byte id per board name, with an Espressif MAC prefix."""
    return "240ac4" + hashlib.sha256(name.encode()).hexdigest()[:6]


def _write_record(record: BoardRecord):
    folder = record.folder
    temporary = folder / "board.json.tmp"
    temporary.write_text(json.dumps(dataclasses.asdict(record), indent=2))
    temporary.replace(folder / "board.json")


def _claim(name: str) -> Path:
    """The board's folder, made ready; refuses a name that is running."""
    folder = board_folder(check_name(name))
    existing = _read_record(folder)
    if existing:
        raise UpylabError(f"board {name!r} is already running at {existing.device}")
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in ("board.json", "tty", "pins", "pins.events"):
        (folder / leftover).unlink(missing_ok=True)
    return folder


def _socket_folder(folder: Path) -> Path:
    """An empty folder for the board's unix sockets, only its owner may enter."""
    sockets = folder.resolve() / "ports"
    if len(str(sockets / "65535")) > UNIX_PATH_MAX:
        raise UpylabError(f"the state folder's path is too long for unix sockets ({sockets}): "
                          f"set UPYLAB_STATE_DIR to a shorter one")
    sockets.mkdir(mode=0o700, exist_ok=True)
    sockets.chmod(0o700)
    for leftover in sockets.iterdir():
        leftover.unlink()
    return sockets


def serve(name: str = DEFAULT_NAME, heap: str = presets.DEFAULT, flash=None, expose=False,
          on_ready=None, unix_sockets=False):
    """Run a board in this process until SIGINT/SIGTERM/SIGHUP."""
    heap_bytes = presets.heap_bytes(heap)
    if expose and unix_sockets:
        raise UpylabError("--expose and --unix-sockets exclude each other: a unix socket is "
                          "never on the network")
    folder = _claim(name)
    socket_dir = str(_socket_folder(folder)) if unix_sockets else ""
    flash = Path(flash) if flash else default_flash(name)
    flash.mkdir(parents=True, exist_ok=True)
    (flash / "lib").mkdir(exist_ok=True)
    client_fd, pts = open_client_pty()
    config = BoardConfig(
        name=name, heap_bytes=heap_bytes, flash=flash.resolve(), pins=folder / "pins",
        port_base=_free_port_base(expose), expose=expose, ip=host_address(expose),
        uid=_uid(name), socket_dir=socket_dir)
    link = folder / "tty"
    link.symlink_to(pts)
    record = BoardRecord(
        name=name, device=str(link), pts=pts, pid=os.getpid(), interpreter_pid=0,
        heap=heap, heap_bytes=heap_bytes, flash=str(config.flash),
        port_base=config.port_base, expose=expose, ip=config.ip,
        started=datetime.now(timezone.utc).isoformat(timespec="seconds"), socket_dir=socket_dir)

    def interpreter_started(pid):
        record.interpreter_pid = pid
        _write_record(record)
        if on_ready:
            on_ready(record)

    bridge = Bridge(config, client_fd, on_interpreter=interpreter_started)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: bridge.stop())
    signal.signal(signal.SIGUSR1, lambda *_: bridge.hard_reset())
    try:
        bridge.run()
    finally:
        for leftover in ("board.json", "tty", "pins", "pins.events"):
            (folder / leftover).unlink(missing_ok=True)
        if socket_dir:
            for leftover in Path(socket_dir).iterdir():
                leftover.unlink()


def run_command(name: str, heap: str, flash=None, expose=False, unix_sockets=False) -> list:
    """The command that serves a board in the foreground (``upylab board run``)."""
    command = [sys.executable, "-m", "upylab", "board", "run", "--name", name, "--heap", heap]
    if flash:
        command += ["--flash", str(Path(flash).resolve())]
    if expose:
        command.append("--expose")
    if unix_sockets:
        command.append("--unix-sockets")
    return command


def end_with_parent():
    """In the child: SIGTERM when the process that started it ends, however it ends."""
    import ctypes
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start(name: str = DEFAULT_NAME, heap: str = presets.DEFAULT, flash=None, expose=False,
          unix_sockets=False, tied=False) -> BoardRecord:
    """Start a board in the background; returns its record once it is up.

    A ``tied`` board stops when the calling process ends, even by SIGKILL
    (a class hub's student server: no board outlives it).
    """
    presets.heap_bytes(heap)  # a bad size fails here, not in the background
    folder = _claim(name)
    command = run_command(name, heap, flash, expose, unix_sockets)
    log = folder / "bridge.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=end_with_parent if tied else None)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        record = _read_record(folder)
        if record and record.interpreter_pid:
            return record
        if process.poll() is not None:
            raise UpylabError(f"board {name!r} did not start:\n{log.read_text().strip()}")
        time.sleep(0.05)
    process.kill()
    raise UpylabError(f"board {name!r} did not come up within {START_TIMEOUT:.0f} s (see {log})")


@contextlib.contextmanager
def fresh(heap: str = "esp32", name: str = DEFAULT_NAME):
    """A new virtual board, its flash and record in a temporary state folder.

    Yields its record.  While it runs, ``UPYLAB_STATE_DIR`` names that
    folder in this process's environment, so the programs started meanwhile
    (a kernel) find the board by ``name``; afterwards the board is stopped,
    the folder removed and the variable put back.
    """
    with tempfile.TemporaryDirectory(prefix="upylab-board-") as folder:
        previous = os.environ.get(paths.STATE_ENV)
        os.environ[paths.STATE_ENV] = folder
        try:
            record = start(name, heap)
            try:
                yield record
            finally:
                stop(record.name)
        finally:
            if previous is None:
                os.environ.pop(paths.STATE_ENV, None)
            else:
                os.environ[paths.STATE_ENV] = previous


def stop(name: str) -> BoardRecord:
    """Stop a board and wait until its processes are gone."""
    record = find(name)
    os.kill(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline and (is_running(record.pid) or is_running(record.interpreter_pid)):
        time.sleep(0.05)
    for pid in (record.interpreter_pid, record.pid):
        if is_running(pid):
            os.kill(pid, signal.SIGKILL)
    return record


def reset(name: str) -> BoardRecord:
    """Hard reset, as pressing the board's EN button.

    Returns once the old interpreter has gone and the next one is starting
    (its record), so whatever a client sends from then on, a Ctrl-C
    included, reaches the board that boots, never the one before.
    """
    record = find(name)
    os.kill(record.pid, signal.SIGUSR1)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        current = _read_record(record.folder)
        if current is None:
            raise UpylabError(f"board {name!r} stopped while resetting")
        if current.interpreter_pid != record.interpreter_pid:
            return current
        time.sleep(0.01)
    raise UpylabError(f"board {name!r} did not reset within {START_TIMEOUT:.0f} s "
                      f"(see {record.folder / 'bridge.log'})")


def listening_ports(record: BoardRecord) -> list[int]:
    """The ports the board's code listens on, as the board's code names them."""
    if record.socket_dir:
        return _listening_unix_ports(record)
    fd_folder = Path(f"/proc/{record.interpreter_pid}/fd")
    try:
        inodes = {os.readlink(fd)[8:-1] for fd in fd_folder.iterdir()
                  if os.readlink(fd).startswith("socket:[")}
    except OSError:
        return []
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                host_port = int(fields[1].rsplit(":", 1)[1], 16)
                board_port = host_port - record.port_base
                ports.add(board_port if 0 < board_port < 1024 else host_port)
    return sorted(ports)


def _listening_unix_ports(record: BoardRecord) -> list[int]:
    """Ports served as unix sockets: listening sockets (/proc/net/unix) in its folder."""
    prefix = record.socket_dir + "/"
    ports = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        # Flags 00010000 (__SO_ACCEPTCON): a listening socket.
        if len(fields) == 8 and fields[3] == "00010000" and fields[7].startswith(prefix):
            name = fields[7][len(prefix):]
            if name.isdigit():
                ports.add(int(name))
    return sorted(ports)
