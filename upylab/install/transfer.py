"""Talking to a board through mpremote's transport, and installing atomically.

``Board`` wraps ``mpremote.transport_serial.SerialTransport``, so a real
board on ``/dev/ttyUSB0`` and a virtual board take the same path.

How an install keeps ``/lib`` whole:

1. the files are written to ``/.upylab-stage/`` (outside ``/lib``, same
   filesystem), then checked there by sha256 computed on the board;
2. the list of ``/lib`` entries to replace is written to
   ``/.upylab-stage/COMMIT``: from here on the install rolls forward;
3. one board-side call moves each replaced entry to ``/.upylab-old/`` and
   renames the staged one into ``/lib`` (a few renames, no copying);
4. the framework is imported from ``/lib`` after a soft reset; if that
   fails, step 3 is undone, else ``/.upylab-old/`` is deleted.

An interrupted copy (Ctrl-C, unplugged cable) stops before step 2:
``/lib`` is as it was, and the next install (or the Ctrl-C handler)
deletes the half-written stage.  A stage with ``COMMIT`` is completed.

Paths are relative to ``/`` on the board (after ``os.chdir('/')``): the
unix port's VfsPosix, under the virtual board, renames only relative
paths correctly, and real boards accept both.
"""
import ast
import hashlib
import json
import os
import time

from mpremote.transport import TransportError, TransportExecError
from mpremote.transport_serial import SerialTransport
from tqdm import tqdm

from upylab.errors import UpylabError

STAGE = ".upylab-stage"
OLD = ".upylab-old"
MEASURE = ".upylab-measure"
MANIFESTS = ".upylab"          # inside /lib: one <id>.json per framework installed
DEFAULT_CHUNK = 512
EXEC_TIMEOUT = 30

PRELUDE = f"""
import os
os.chdir('/')
def _u_exists(p):
    try:
        os.stat(p)
        return True
    except OSError:
        return False
def _u_isdir(p):
    return os.stat(p)[0] & 0x4000
def _u_rm(p):
    if not _u_exists(p):
        return
    if _u_isdir(p):
        for e in os.listdir(p):
            _u_rm(p + '/' + e)
        os.rmdir(p)
    else:
        os.remove(p)
def _u_mkdirs(p):
    q = ''
    for s in p.split('/'):
        if s:
            q = q + '/' + s if q else s
            if not _u_exists(q):
                os.mkdir(q)
def _u_old(e):
    return '{OLD}/' + e.replace('/', '%')
def _u_commit(new, gone):
    _u_mkdirs('{OLD}')
    for e in new + gone:
        l = 'lib/' + e
        if _u_exists(l) and not _u_exists(_u_old(e)):
            os.rename(l, _u_old(e))
        s = '{STAGE}/' + e
        if e in new and _u_exists(s):
            _u_mkdirs(l.rsplit('/', 1)[0])
            os.rename(s, l)
def _u_rollback(new, gone):
    for e in new + gone:
        l = 'lib/' + e
        if e in new:
            _u_rm(l)
        if _u_exists(_u_old(e)):
            os.rename(_u_old(e), l)
    _u_rm('{STAGE}')
    _u_rm('{OLD}')
def _u_sha(p):
    try:
        import hashlib, binascii
    except ImportError:
        return os.stat(p)[6]
    h = hashlib.sha256()
    b = bytearray(256)
    m = memoryview(b)
    with open(p, 'rb') as f:
        while True:
            n = f.readinto(b)
            if not n:
                break
            h.update(m[:n])
    return binascii.hexlify(h.digest()).decode()
"""


class BoardError(UpylabError):
    pass


def chunk_size() -> int:
    """Bytes per write command; ``UPYLAB_CHUNK_SIZE`` lowers it for slow links."""
    try:
        return max(16, int(os.environ.get("UPYLAB_CHUNK_SIZE", DEFAULT_CHUNK)))
    except ValueError:
        return DEFAULT_CHUNK


def entry_of(path: str) -> str:
    """The /lib entry a file belongs to: its top folder, or the file itself."""
    if path.startswith(MANIFESTS + "/"):
        return path
    return path.split("/", 1)[0]


class Board:
    """A board in the raw REPL; use as a context manager."""

    def __init__(self, device: str, label: str = None, timeout: float = 10):
        self.device = device
        self.label = label or device
        if not os.path.exists(device) and "/" in device:
            raise BoardError(f"no serial device {device}: is the board plugged in? "
                             "(`upylab doctor` lists the ports it sees)")
        try:
            self.transport = SerialTransport(device, 115200)
        except TransportError as error:
            raise BoardError(f"cannot open {device} ({error.__cause__ or error}): "
                             "`upylab doctor` says why and how to fix it") from None
        self._enter(timeout)

    def _enter(self, timeout, soft_reset=False):
        try:
            self.transport.enter_raw_repl(soft_reset=soft_reset, timeout_overall=timeout)
        except TransportError:
            raise BoardError(
                f"{self.label} does not answer (no raw REPL within {timeout:.0f} s): "
                "press the board's reset button or check it runs MicroPython") from None
        self._prelude = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.transport.exit_raw_repl()
        except Exception:
            pass
        try:
            self.transport.close()
        except Exception:
            pass

    # -- running code ---------------------------------------------------------

    def run(self, code: str, timeout: float = EXEC_TIMEOUT) -> str:
        """Run code in the raw REPL; its stdout, or BoardError with its traceback."""
        if not self._prelude and "_u_" in code:
            self._prelude = True
            self.run(PRELUDE)
        try:
            out, err = self.transport.exec_raw(code, timeout=timeout)
        except TransportError as error:
            raise BoardError(f"{self.label} stopped answering ({error})") from None
        if err:
            raise TransportExecError(out, err.decode(errors="replace"))
        return out.decode(errors="replace")

    def eval(self, expression: str):
        return ast.literal_eval(self.run(f"print(repr({expression}))").strip())

    def soft_reset(self, timeout: float = 15):
        """Fresh interpreter (boot.py runs, main.py does not), back in the raw REPL."""
        self._enter(timeout, soft_reset=True)

    def recover(self):
        """After an interrupted command: stop whatever runs, back to a clean raw REPL."""
        serial = self.transport.serial
        serial.write(b"\x04")  # ends a raw-paste transfer, if one was in flight
        time.sleep(0.2)
        serial.write(b"\r\x03\x03")
        time.sleep(0.2)
        serial.reset_input_buffer()
        self._enter(10)

    # -- facts ------------------------------------------------------------------

    def info(self) -> dict:
        return self.eval(
            "(lambda sys, os, gc: (gc.collect(), {"
            "'version': '.'.join(str(v) for v in sys.implementation.version[:3]),"
            "'release': sys.implementation.version[3:] and sys.implementation.version[3] or '',"
            "'machine': getattr(sys.implementation, '_machine', '') or "
            "(os.uname().machine if hasattr(os, 'uname') else sys.platform),"
            "'platform': sys.platform,"
            "'mpy': getattr(sys.implementation, '_mpy', 0),"
            "'mem_free': gc.mem_free(), 'mem_alloc': gc.mem_alloc(),"
            "'statvfs': tuple(os.statvfs('/')),"
            "})[1])(__import__('sys'), __import__('os'), __import__('gc'))")

    def manifests(self) -> dict:
        """``{framework id: manifest}`` of what upylab installed in /lib."""
        text = self.run(
            "for _n in (os.listdir('lib/" + MANIFESTS + "') if _u_exists('lib/" + MANIFESTS
            + "') else []):\n"
            " if _n.endswith('.json'):\n"
            "  print(open('lib/" + MANIFESTS + "/' + _n).read())\n")
        found = {}
        for line in text.splitlines():
            if line.strip():
                try:
                    manifest = json.loads(line)
                    found[manifest["id"]] = manifest
                except (ValueError, KeyError):
                    continue
        return found

    def list_lib(self) -> list:
        return sorted(self.eval("os.listdir('lib') if _u_exists('lib') else []"))

    # -- the install steps ------------------------------------------------------

    def clean_stage(self) -> str:
        """Finish a committed stage or drop a half-written one; what was done."""
        state = self.eval(f"(_u_exists('{STAGE}/COMMIT'), _u_exists('{STAGE}'), "
                          f"_u_exists('{OLD}'), _u_exists('{MEASURE}'))")
        done = ""
        if state[0]:
            new, gone = ast.literal_eval(self.run(f"print(open('{STAGE}/COMMIT').read())"))
            self.run(f"_u_commit({new!r}, {gone!r})")
            done = "completed an install that was interrupted while committing"
        elif state[1]:
            done = "removed files of an interrupted install (it never reached /lib)"
        self.run(f"_u_rm('{STAGE}')\n_u_rm('{OLD}')\n_u_rm('{MEASURE}')")
        return done

    def installed_matches(self, manifest: dict) -> bool:
        """True if /lib already holds exactly these files (by manifest and sizes)."""
        current = self.manifests().get(manifest["id"])
        if not current or current.get("files") != manifest["files"]:
            return False
        sizes = self.eval("[(os.stat('lib/' + p)[6] if _u_exists('lib/' + p) else -1) for p in "
                          + repr(list(manifest["sizes"])) + "]")
        return sizes == list(manifest["sizes"].values())

    def write_tree(self, root: str, files: dict, description: str):
        """Write ``{path: bytes}`` under ``root`` on the board, with a progress bar
        (on a terminal only: piped or captured output gets no redrawn lines)."""
        size = chunk_size()
        folders = sorted({f"{root}/{path}".rsplit("/", 1)[0] for path in files})
        self.run("\n".join(f"_u_mkdirs({folder!r})" for folder in folders) or "pass")
        total = sum(len(data) for data in files.values())
        with tqdm(total=total, unit="B", unit_scale=True, desc=description, leave=True,
                  dynamic_ncols=True, disable=None) as bar:
            for path, data in files.items():
                self.run(f"_f = open({root + '/' + path!r}, 'wb')\n_w = _f.write")
                for start in range(0, len(data), size):
                    chunk = data[start:start + size]
                    self.run(f"_w({chunk!r})")
                    bar.update(len(chunk))
                self.run("_f.close()")

    def verify(self, root: str, files: dict):
        """Check the written files on the board: sha256 (or size, without hashlib)."""
        got = self.eval("{p: _u_sha(" + repr(root + "/") + " + p) for p in "
                        + repr(list(files)) + "}")
        bad = [path for path, data in files.items()
               if got.get(path) not in (hashlib.sha256(data).hexdigest(), len(data))]
        if bad:
            raise BoardError(f"{self.label}: files arrived damaged ({', '.join(bad)}): "
                             "check the cable and try again; /lib was not touched")

    def commit(self, new: list, gone: list):
        plan = repr((new, gone))
        self.run(f"_f = open('{STAGE}/COMMIT', 'w')\n_f.write({plan!r})\n_f.close()")
        self.run(f"_u_commit({new!r}, {gone!r})")

    def finish(self):
        self.run(f"_u_rm('{STAGE}')\n_u_rm('{OLD}')")

    def rollback(self, new: list, gone: list):
        self.run(f"_u_rollback({new!r}, {gone!r})")

    def measure_import(self, module: str, extra_path: str = None, timeout: float = 60) -> dict:
        """In a fresh interpreter: import ``module``; its version and the RAM it took."""
        self.soft_reset()
        path = f"import sys\nsys.path.insert(0, {extra_path!r})\n" if extra_path else ""
        code = (path + "import gc\ngc.collect()\n_a = gc.mem_alloc()\n"
                f"import {module}\ngc.collect()\n_b = gc.mem_alloc()\n"
                f"print(repr((getattr({module}, '__version__', None), "
                f"getattr({module}, '__file__', None), _b - _a, gc.mem_free())))")
        try:
            version, where, ram, free = ast.literal_eval(self.run(code, timeout=timeout).strip())
        except TransportExecError as error:
            last = error.error_output.strip().splitlines()[-1:] or ["?"]
            return {"ok": False, "error": last[0]}
        return {"ok": True, "version": version, "file": where, "ram": ram, "free": free}
