"""A reference app on a virtual board, driven through the bench helper.

    Session(record)        the board's serial line; info(), fresh(), imports(),
                           start(), command(), stop()
    heap_check(...)        a fresh board of one heap size: does the app boot and
                           answer ``requests`` requests correctly?
    smallest_heap(...)     bisection over heap sizes with heap_check
"""
import re

from upylab.bench import apps, load
from upylab.board.line import Line
from upylab.board import presets, registry

START_TIMEOUT = 30.0
_NUMBERS = re.compile(rb"-?\d+")


class AppDown(Exception):
    """The app did not start (or stopped answering)."""


class Session:
    def __init__(self, record):
        self.record = record
        self.port = record.host_port(80)
        self.line = Line(record.device)
        self.serving = None
        self.line.friendly()

    def close(self):
        self.line.close()

    def _run(self, code, timeout=30.0) -> bytes:
        """One line of code at the friendly prompt; its output."""
        self.line.write(code.encode() + b"\r")
        return self.line.read_until(b">>> ", timeout)

    def info(self) -> tuple:
        """(``sys.implementation._mpy``, MicroPython version)."""
        out = self._run("import sys; print('BENCH info', sys.implementation._mpy, "
                        "'.'.join(str(p) for p in sys.implementation.version if p != ''))")
        match = re.search(rb"BENCH info (\d+) (\S+)\r?\n", out)
        return int(match[1]), match[2].decode()

    def fresh(self):
        """A soft reset: a fresh interpreter with nothing imported."""
        self.stop()
        self.line.write(b"\x04")
        self.line.read_until(b"soft reboot", 15)
        self.line.read_until(b">>> ", 15)

    def imports(self, app) -> tuple:
        """(heap used after importing the framework, after importing the app module)."""
        out = self._run(f"import upylab_bench; upylab_bench.imports({app.framework_import!r}, "
                        f"{app.module!r})", timeout=60)
        match = re.search(rb"BENCH ram (\d+) (\d+)", out)
        if not match:
            raise AppDown(out.decode(errors="replace")[-500:])
        return int(match[1]), int(match[2])

    def start(self, app, call="run", timeout=START_TIMEOUT):
        """Serve the app: ``call`` "run" is ``<module>.run()`` as the lessons run it;
        "serve" is its ``serve()`` under the bench helper (with the RAM monitor)."""
        if call == "serve":
            code, ready = (f"import upylab_bench; upylab_bench.serve({app.module!r}, 80)",
                           b"BENCH serving")
        else:
            code, ready = f"import {app.module}; {app.module}.run()", b"serving on port"
        self.line.write(code.encode() + b"\r")
        try:
            found, out = self.line.read_until_any([ready, b">>> "], timeout)
        except AssertionError as error:
            raise AppDown(str(error)) from None
        if found != ready:
            raise AppDown(out.decode(errors="replace")[-500:])
        self.serving = (app, call)
        # An app that fails after its "serving" line (a MemoryError binding or
        # serving) is back at the prompt: that ends the wait at once.
        if not load.wait_listening(self.port, timeout, alive=lambda: not self.line.seen(b">>> ")):
            raise AppDown(f"nothing listens on port {self.port}: "
                          + self.line.read_for(0.1).decode(errors="replace")[-500:])

    def restart(self):
        app, call = self.serving
        self.stop()
        try:
            self.start(app, call)
        except AppDown:
            self.fresh()
            self.start(app, call)

    def stop(self):
        if self.serving:
            self.line.friendly()
            self.serving = None

    def command(self, letter: str, timeout=10.0) -> list:
        """Send a monitor command; the numbers of its answer."""
        tag = {"c": b"BENCH mem", "d": b"BENCH off", "e": b"BENCH on"}[letter]
        for attempt in range(3):
            self.line.write(letter.encode())
            try:
                self.line.read_until(tag, timeout / 3)
                return [int(n) for n in _NUMBERS.findall(self.line.read_until(b"\n", timeout))]
            except AssertionError:
                continue
        raise AppDown(f"the bench helper did not answer {letter!r}")


def heap_check(framework, heap, requests, files, form, mpy_version, name=None) -> bool:
    """A fresh board of ``heap``: True if the app starts and serves every request right."""
    name = name or f"bench-heap-{framework}"
    record = registry.start(name=name, heap=heap)
    session = None
    try:
        apps.prepare(record.flash, framework, form, mpy_version, files)
        session = Session(record)
        try:
            session.start(apps.APPS[framework], "run", timeout=20)
        except AppDown:
            return False
        ok, _ = load.check_routes(session.port, requests, timeout=5)
        return ok and load.good(session.port, timeout=5)
    except (AssertionError, OSError):
        return False
    finally:
        if session:
            session.close()
        registry.stop(name)


def smallest_heap(check, step, top=presets.PRESETS["esp32"], ceiling=1024 * 1024):
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
