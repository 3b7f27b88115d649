"""What runs on a board over a ``Link``: files, folders, facts, a visible soft reboot.

Every tool that puts files on a board (``upylab install``, ``%upylab send``,
the bench on a board given with ``--board``) writes them here, a chunk per
raw-REPL command: the link sends each by raw paste, with the board's own
flow control, so a slow USB-serial link is never overrun.  Paths are
relative to ``/`` (each command changes to it first).  Commands leave
nothing in the board's namespace: a lesson's variables are the student's.
"""
import os

from upylab.link.errors import BoardTimeout
from upylab.link.transport import Link

DEFAULT_CHUNK = 512

# Makes folders and removes files or folders, then leaves the board's namespace as it was.
MAKE_FOLDERS = """\
def _upylab_mkdirs(p):
    import os
    q = ''
    for s in p.split('/'):
        q = q + '/' + s if q else s
        try:
            os.mkdir(q)
        except OSError:
            pass
for _p in {folders!r}:
    _upylab_mkdirs(_p)
del _upylab_mkdirs, _p
"""
REMOVE = """\
def _upylab_rm(p):
    import os
    try:
        kind = os.stat(p)[0]
    except OSError:
        return
    if kind & 0x4000:
        for e in os.listdir(p):
            _upylab_rm(p + '/' + e)
        os.rmdir(p)
    else:
        os.remove(p)
for _p in {paths!r}:
    _upylab_rm(_p)
del _upylab_rm, _p
"""

# A soft reboot as the student sees it: the friendly REPL's banner.
SOFT_REBOOT = b"MPY: soft reboot"
BANNER_END = b'Type "help()" for more information.'
FRIENDLY_PROMPT = b"\r\n>>> "
REBOOT_TIMEOUT = 10.0   # seconds for the board to come back (boot.py may join Wi-Fi)


def chunk_size() -> int:
    """Bytes per write command; ``UPYLAB_CHUNK_SIZE`` lowers it for slow links."""
    try:
        return max(16, int(os.environ.get("UPYLAB_CHUNK_SIZE", DEFAULT_CHUNK)))
    except ValueError:
        return DEFAULT_CHUNK


def define(link: Link, name: str, code: str):
    """Run ``code`` (a tool's helper definitions) once per interpreter: again after a reset."""
    if name not in link.defined:
        link.run(code)
        link.defined.add(name)


def write_files(link: Link, files: dict, root: str = "", progress=None):
    """Write ``{path: bytes}`` under ``root`` on the board, folders made as needed;
    ``progress(n)`` is told each chunk's size.  Nothing stays in the board's namespace."""
    prefix = f"{root}/" if root and root != "." else ""
    folders = sorted({(prefix + path).rsplit("/", 1)[0] for path in files if "/" in prefix + path})
    link.run("__import__('os').chdir('/')\n" + (MAKE_FOLDERS.format(folders=folders) if folders else ""))
    size = chunk_size()
    for path, data in files.items():
        link.run(f"_f = open({prefix + path!r}, 'wb')")
        for start in range(0, len(data), size):
            chunk = data[start:start + size]
            link.run(f"_f.write({chunk!r})")
            if progress:
                progress(len(chunk))
        link.run("_f.close()\ndel _f")


def remove(link: Link, paths):
    """Remove files or whole folders on the board (relative to ``/``); one that is not there is fine."""
    if paths:
        link.run("__import__('os').chdir('/')\n" + REMOVE.format(paths=list(paths)))


def info(link: Link) -> dict:
    """The board's MicroPython, machine, .mpy format, heap and flash, after a gc.collect()."""
    return link.eval(
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


def soft_reboot(link: Link, timeout: float = REBOOT_TIMEOUT) -> str:
    """A soft reboot the student can see; the board's banner lines.

    MicroPython's soft reboot (Ctrl-D at the friendly REPL's empty prompt)
    ends the interpreter's session: every variable, module, task and socket
    is gone, the board prints ``MPY: soft reboot``, runs ``boot.py`` and
    ``main.py`` and shows its banner; files in flash stay.  In the raw REPL
    the board prints no banner, so this leaves it first (Ctrl-B).  The lines
    returned are ``MPY: soft reboot`` and the board's version line; the board
    is left at its friendly prompt.
    """
    link.write(b"\r\x03\x03")             # stop whatever runs (none should)
    link.write(b"\x02")                   # leave the raw REPL: the friendly prompt follows
    link.transport.in_raw_repl = False
    try:
        link.read_for(0)
        link.read_until(FRIENDLY_PROMPT, timeout)
        link.write(b"\x04")
        answer = link.read_until(SOFT_REBOOT, timeout)
        answer = answer[-len(SOFT_REBOOT):] + link.read_until(BANNER_END + FRIENDLY_PROMPT, timeout)
    except BoardTimeout:
        raise BoardTimeout(f"{link.label} did not come back from a soft reboot within "
                           f"{timeout:.0f} s: press its reset (EN) button, then connect again "
                           f"(%serialconnect in a notebook)") from None
    lines = answer.decode(errors="replace").replace("\r\n", "\n").split("\n")
    version = [line for line in lines if line.startswith("MicroPython ")]
    return "\n".join([lines[0], *version[-1:]]) + "\n"
