"""Installing atomically onto a board, over its ``Link``.

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

The files themselves go over the link's own commands
(``upylab.link.commands``); the install's helpers (names start with
``_u_``) are defined on the board once per interpreter (an import proof
soft-resets it).  Paths are relative to ``/`` (after ``os.chdir('/')``):
the unix port's VfsPosix, under the virtual board, renames only relative
paths correctly, and real boards accept both.
"""
import ast
import hashlib
import json

from tqdm import tqdm

from upylab.errors import UpylabError
from upylab.link import commands
from upylab.link.errors import BoardError

STAGE = ".upylab-stage"
OLD = ".upylab-old"
MEASURE = ".upylab-measure"
MANIFESTS = ".upylab"          # inside /lib: one <id>.json per framework installed

HELPERS = f"""
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


def entry_of(path: str) -> str:
    """The /lib entry a file belongs to: its top folder, or the file itself."""
    if path.startswith(MANIFESTS + "/"):
        return path
    return path.split("/", 1)[0]


def _run(link, code: str, timeout: float = 30.0) -> str:
    """``code`` on the board, with the install's helpers defined."""
    commands.define(link, "install", HELPERS)
    return link.run(code, timeout)


def _eval(link, expression: str):
    return ast.literal_eval(_run(link, f"print(repr({expression}))").strip())


def manifests(link) -> dict:
    """``{framework id: manifest}`` of what upylab installed in /lib."""
    text = _run(link,
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


def list_lib(link) -> list:
    return sorted(_eval(link, "os.listdir('lib') if _u_exists('lib') else []"))


def leftovers(link) -> tuple:
    """(a stage, an old folder) left on the board by an interrupted install."""
    return _eval(link, f"(_u_exists('{STAGE}'), _u_exists('{OLD}'))")


def clean_stage(link) -> str:
    """Finish a committed stage or drop a half-written one; what was done."""
    state = _eval(link, f"(_u_exists('{STAGE}/COMMIT'), _u_exists('{STAGE}'))")
    done = ""
    if state[0]:
        new, gone = ast.literal_eval(_run(link, f"print(open('{STAGE}/COMMIT').read())"))
        _run(link, f"_u_commit({new!r}, {gone!r})")
        done = "completed an install that was interrupted while committing"
    elif state[1]:
        done = "removed files of an interrupted install (it never reached /lib)"
    commands.remove(link, [STAGE, OLD, MEASURE])
    return done


def installed_matches(link, manifest: dict) -> bool:
    """True if /lib already holds exactly these files (by manifest and sizes)."""
    current = manifests(link).get(manifest["id"])
    if not current or current.get("files") != manifest["files"]:
        return False
    sizes = _eval(link, "[(os.stat('lib/' + p)[6] if _u_exists('lib/' + p) else -1) for p in "
                  + repr(list(manifest["sizes"])) + "]")
    return sizes == list(manifest["sizes"].values())


def write_tree(link, root: str, files: dict, description: str):
    """Write ``{path: bytes}`` under ``root`` on the board, with a progress bar
    (on a terminal only: piped or captured output gets no redrawn lines)."""
    total = sum(len(data) for data in files.values())
    with tqdm(total=total, unit="B", unit_scale=True, desc=description, leave=True,
              dynamic_ncols=True, disable=None) as bar:
        commands.write_files(link, files, root, progress=bar.update)


def verify(link, root: str, files: dict):
    """Check the written files on the board: sha256 (or size, without hashlib)."""
    got = _eval(link, "{p: _u_sha(" + repr(root + "/") + " + p) for p in " + repr(list(files)) + "}")
    bad = [path for path, data in files.items()
           if got.get(path) not in (hashlib.sha256(data).hexdigest(), len(data))]
    if bad:
        raise UpylabError(f"{link.label}: files arrived damaged ({', '.join(bad)}): "
                          "check the cable and try again; /lib was not touched")


def commit(link, new: list, gone: list):
    plan = repr((new, gone))
    _run(link, f"_f = open('{STAGE}/COMMIT', 'w')\n_f.write({plan!r})\n_f.close()")
    _run(link, f"_u_commit({new!r}, {gone!r})")


def finish(link):
    commands.remove(link, [STAGE, OLD])


def rollback(link, new: list, gone: list):
    _run(link, f"_u_rollback({new!r}, {gone!r})")


def measure_import(link, module: str, extra_path: str = None, timeout: float = 60) -> dict:
    """In a fresh interpreter: import ``module``; its version and the RAM it took."""
    link.soft_reset()
    path = f"import sys\nsys.path.insert(0, {extra_path!r})\n" if extra_path else ""
    code = (path + "import gc\ngc.collect()\n_a = gc.mem_alloc()\n"
            f"import {module}\ngc.collect()\n_b = gc.mem_alloc()\n"
            f"print(repr((getattr({module}, '__version__', None), "
            f"getattr({module}, '__file__', None), _b - _a, gc.mem_free())))")
    try:
        version, where, ram, free = ast.literal_eval(link.run(code, timeout=timeout).strip())
    except BoardError as error:
        return {"ok": False, "error": error.traceback[-1]}
    return {"ok": True, "version": version, "file": where, "ram": ram, "free": free}
