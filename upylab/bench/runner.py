"""The board a reference app is measured on, and the session that drives it.

    Target                 a board as the bench reaches it: serial device,
                           kind (virtual or real), heap, and where its port 80 is
    own_board(name, heap)  a fresh virtual board the bench starts (and stops)
    given_board(value)     ``--board NAME|PORT``, chosen as every command chooses
                           (``upylab.link.choose``): a running virtual board (by
                           name or device path) or a real board, whose servers
                           the host reaches at its Wi-Fi address
    Session(target)        its link, in the friendly REPL as a person types:
                           info(), put(), fresh(), imports(), start(), command(),
                           restart(), stop()
    heap_failure(...)      a fresh board of one heap size: why the app did not
                           boot and answer ``requests`` requests correctly ('' if it did)
    smallest_heap(...)     bisection over heap sizes with a check like heap_failure

Files reach a board the bench started by its flash folder (fast); a board
given with ``--board`` gets them over its serial line, as a real board must
(``upylab.link.commands``), so a virtual board named by its device path
takes the real board's path.  A board that does not answer in time is the
link's ``BoardTimeout``.
"""
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from upylab import snippets
from upylab.bench import apps, load
from upylab.board import presets, registry
from upylab.catalog.apps import app as reference_app
from upylab.errors import UpylabError
from upylab.install import recipes
from upylab.link import choose, commands
from upylab.link.errors import BoardTimeout
from upylab.link.transport import Link

START_TIMEOUT = 30.0
WIFI_TIMEOUT = 20.0
CONSOLE_TAIL = 4096        # bytes of an app's console output kept (the last ones)
_NUMBERS = re.compile(rb"-?\d+")
_ERROR = re.compile(rb"\n(\w*(?:Error|Exception|Interrupt)\b[^\r\n]*)")


def _last_error(output: bytes) -> str:
    """The last error line in ``output`` (a traceback's last line), or ''."""
    errors = _ERROR.findall(output)
    return errors[-1].decode(errors="replace").strip() if errors else ""


class AppDown(Exception):
    """The app did not start (or stopped answering)."""


@dataclass
class Target:
    device: str
    label: str
    kind: str              # 'virtual' or 'real'
    heap_preset: str       # the preset or size a virtual board was started with; '' for a real one
    heap_bytes: int        # gc.mem_free() after boot (a real board's: read by Session.info)
    host: str              # where the host reaches the board's servers ('' until known)
    port: int              # the board's port 80, as the host reaches it
    flash: str = ""        # a virtual board's flash folder, when the bench writes it directly
    owned: str = ""        # the name of a board the bench started itself

    @property
    def address(self) -> tuple:
        return self.host, self.port


def own_board(name, heap=presets.DEFAULT) -> Target:
    """A fresh virtual board; stop it with ``registry.stop(target.owned)``."""
    record = registry.start(name=name, heap=heap)
    return Target(record.device, f"virtual board {name!r}", "virtual", record.heap, record.heap_bytes,
                  "127.0.0.1", record.host_port(80), record.flash, owned=name)


def given_board(value) -> Target:
    """The board ``--board`` names: a running virtual board, by name or by its
    serial device, or else a real board (address found by ``Session.join_wifi``)."""
    chosen = choose.choose(value)
    record = chosen.record
    if record is not None:
        return Target(chosen.device, chosen.label, "virtual", record.heap, record.heap_bytes,
                      "127.0.0.1", record.host_port(80))
    return Target(chosen.device, chosen.label, "real", "", 0, "", 80)


class Session:
    """The board's serial line.  While an app's ``run()`` serves, a thread reads
    its console, as a terminal would: a board whose output nobody reads waits
    once the line's buffers are full (picoWeb logs every request), which would
    stall the very server being measured."""

    def __init__(self, board: Target):
        self.board = board
        self.serving = None
        self.console = b""
        self._reader = None
        self.line = Link.open(board.device, board.label)
        self.line.friendly()

    def close(self):
        self._stop_console()
        if self.line:
            self.line.close()
            self.line = None

    def _run(self, code, timeout=30.0) -> bytes:
        """One line of code at the friendly prompt; its output."""
        self.line.write(code.encode() + b"\r")
        return self.line.read_until(b">>> ", timeout)

    def info(self) -> tuple:
        """(``sys.implementation._mpy``, MicroPython version, gc.mem_free() after a
        gc.collect()) of a fresh interpreter."""
        self.fresh()
        out = self._run("import sys, gc; gc.collect(); print('BENCH info', sys.implementation._mpy, "
                        "'.'.join(str(p) for p in sys.implementation.version if p != ''), gc.mem_free())")
        match = re.search(rb"BENCH info (\d+) (\S+) (\d+)\r?\n", out)
        if not match:
            raise AppDown(out.decode(errors="replace")[-500:])
        return int(match[1]), match[2].decode(), int(match[3])

    def put(self, lib: dict, app_files: dict):
        """The framework's files into /lib (its previous files there removed first:
        a stale .py would be imported before a .mpy) and the app's files into /."""
        entries = apps.lib_entries(lib)
        if self.board.flash:
            folder = Path(self.board.flash)
            for entry in entries:
                stale = folder / "lib" / entry
                if stale.is_dir():
                    shutil.rmtree(stale)
                stale.unlink(missing_ok=True)
            snippets.write_files(folder, {"lib/" + path: data for path, data in lib.items()})
            snippets.write_files(folder, app_files)
            return
        self.stop()
        try:
            commands.remove(self.line, [f"lib/{entry}" for entry in entries])
            commands.write_files(self.line, lib, "lib")
            commands.write_files(self.line, app_files)
        finally:
            self.line.friendly()

    def fresh(self):
        """A soft reset: a fresh interpreter with nothing imported."""
        self.stop()
        self.line.write(b"\x04")
        self.line.read_until(b"soft reboot", 15)
        self.line.read_until(b">>> ", 15)

    def join_wifi(self) -> str:
        """A real board: join the Wi-Fi of its wifi_secrets.py (lesson 00) and
        return its address, where the host reaches its servers."""
        out = self._run("import upylab_bench; upylab_bench.wifi()", timeout=WIFI_TIMEOUT + 5)
        match = re.search(rb"BENCH address (\S+)", out)
        if not match or match[1] == b"0.0.0.0":
            raise UpylabError(f"{self.board.label} is not on Wi-Fi: save your network in "
                              "wifi_secrets.py on the board (notebooks/00-start-here.ipynb, "
                              f"section 4); it said: {out.decode(errors='replace')[-300:]}")
        return match[1].decode()

    def imports(self, app) -> tuple:
        """(heap used after importing the framework, after importing the app module),
        in a fresh interpreter; ``(None, None, error)`` if an import failed."""
        self.fresh()
        out = self._run(f"import upylab_bench; upylab_bench.imports("
                        f"{recipes.module_of(app.framework)!r}, {app.module!r})", timeout=60)
        match = re.search(rb"BENCH ram (\d+) (\d+)", out)
        if not match:
            errors = re.findall(rb"\r\n(\w+Error: [^\r\n]*)", out)
            return None, None, (errors[-1] if errors else out[-200:]).decode(errors="replace")
        return int(match[1]), int(match[2]), ""

    def start(self, app, call="run", timeout=START_TIMEOUT):
        """Serve the app: ``call`` "run" is ``<module>.run()`` as the lessons run it;
        "serve" is its ``serve()`` under the bench helper (with the RAM monitor)."""
        if self.board.kind == "real":
            self.board.host = self.join_wifi()
        if call == "serve":
            code, ready = (f"import upylab_bench; upylab_bench.serve({app.module!r}, 80)",
                           b"BENCH serving")
        else:
            code, ready = f"import {app.module}; {app.module}.run()", b"serving on port"
        self.line.write(code.encode() + b"\r")
        try:
            found, out = self.line.read_until_any([ready, b">>> "], timeout)
        except BoardTimeout as error:
            raise AppDown(str(error)) from None
        if found != ready:
            raise AppDown(out.decode(errors="replace")[-500:])
        self.serving = (app, call)
        # An app that fails after its "serving" line (a MemoryError binding or
        # serving) is back at the prompt: that ends the wait at once.
        if not load.wait_listening(self.board.address, timeout, alive=lambda: not self.line.seen(b">>> ")):
            raise AppDown(f"nothing listens on {self.board.host}:{self.board.port}: "
                          + self.line.read_for(0.1).decode(errors="replace")[-500:])
        if call == "run":
            self._read_console()

    def _read_console(self):
        done = threading.Event()
        self.console = (self.console + self.line.read_for(0))[-CONSOLE_TAIL:]   # what start() read ahead

        def read():
            while not done.is_set():
                self.console = (self.console + self.line.serial.read(4096))[-CONSOLE_TAIL:]

        thread = threading.Thread(target=read, daemon=True)
        thread.start()
        self._reader = (done, thread)

    def _stop_console(self):
        if self._reader:
            done, thread = self._reader
            done.set()
            thread.join(5)
            self._reader = None

    def last_error(self) -> str:
        """The last error line the app printed (a traceback's last line), or ''."""
        return _last_error(self.console)

    def restart(self) -> str:
        """Stop the app (or what is left of it) and start it again; the last
        error it had printed."""
        app, call = self.serving
        self._stop_console()
        error = self.last_error()
        self.stop()
        try:
            self.start(app, call)
        except AppDown:
            self.fresh()
            self.start(app, call)
        return error

    def stop(self) -> bytes:
        """Stop the app as the stop button does (Ctrl-C); what the board printed meanwhile."""
        self._stop_console()
        if not self.serving:
            return b""
        self.serving = None
        return self.line.friendly()

    def command(self, letter: str, timeout=10.0) -> list:
        """Send a monitor command; the numbers of its answer."""
        tag = {"c": b"BENCH mem", "d": b"BENCH off", "e": b"BENCH on"}[letter]
        for attempt in range(3):
            self.line.write(letter.encode())
            try:
                self.line.read_until(tag, timeout / 3)
                return [int(n) for n in _NUMBERS.findall(self.line.read_until(b"\n", timeout))]
            except BoardTimeout:
                continue
        raise AppDown(f"the bench helper did not answer {letter!r}")


def heap_failure(framework, heap, requests, lib, name, timeout=5.0) -> str:
    """A fresh board of ``heap``: why the app did not start or serve every request
    right ('' if it did).  The reason goes into the figure's note, so that a
    bisection whose checks disagree (a larger heap failing) can be read."""
    board = None
    session = None
    try:
        board = own_board(name, heap)
        snippets.write_files(Path(board.flash), {"lib/" + path: data for path, data in lib.items()})
        snippets.write_files(Path(board.flash), apps.app_files(reference_app(framework)))
        session = Session(board)
        try:
            session.start(reference_app(framework), "run", timeout=20)
        except AppDown as error:
            return "did not start: " + _reason(str(error))
        ok, problem = load.check_routes(board.address, requests, timeout=timeout)
        if ok and not load.good(board.address, timeout=timeout):
            problem = "GET /api/status after the requests failed"
        if problem:
            printed = session.last_error()
            return problem + (f" (the board printed {printed})" if printed else "")
        return ""
    except (BoardTimeout, OSError) as error:
        return f"{type(error).__name__}: {_reason(str(error))}"
    finally:
        if session:
            session.close()
        if board:
            registry.stop(name)


def _reason(text: str) -> str:
    """The last error line in ``text`` (a traceback's last line), else its last line; short."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (_last_error(("\n" + text).encode()) or (lines[-1] if lines else ""))[:120]


def smallest_heap(check, step, top=presets.PRESETS[presets.DEFAULT], ceiling=1024 * 1024):
    """The smallest heap in bytes (multiples of ``step`` above 16k) on which ``check``
    passes, assuming more heap never hurts; None if even ``ceiling`` fails."""
    low = presets.MIN_HEAP
    if not check(str(top)):
        if not check(str(ceiling)):
            return None
        low, top = top, ceiling
    elif check(str(low)):
        return low
    while top - low > step:
        middle = low + max(1024, (top - low) // 2 // 1024 * 1024)
        if check(str(middle)):
            top = middle
        else:
            low = middle
    return top
