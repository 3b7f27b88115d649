"""``%upylab``: host-side commands for lesson cells, in the MicroPython kernel.

A lesson's cells run on the board, but some steps belong on the computer:
showing the framework's catalog row, installing a framework onto the
board, telling the student which URL to open, putting the lesson's snippet
files on the board.  ``%upylab`` does these, on the board the kernel is
connected to:

    %upylab row ID                  the framework's row: survey value and ours
    %upylab install ID [--source|--compare]
                                    upylab install, onto the connected board
    %upylab url [PORT] [PATH]       the URL of the board's server, for a browser
    %upylab send PATH...            snippet files (under snippets/) onto the board
    %upylab show FILE [NAME]        a snippet file, or one of its functions
    %upylab clean                   remove the files lessons sent, then soft-reboot
    %upylab pins [--live]           the board's GPIOs drawn (the LED, every pin set
                                    up); --live: redrawn while the rest of the cell runs
    %upylab help                    this list

Snippet paths are relative to the repository's ``snippets/`` folder and
land on the board as ``upylab.snippets`` says (``raw-socket/led_raw.py``
becomes ``/led_raw.py``; a folder sends every file in it).  The board
keeps a list of what was sent (``/.upylab_sent``), so that ``%upylab clean``,
which each lesson runs after connecting, removes exactly those files (not
``/lib``, not the student's own) and soft-reboots the board: every lesson
starts on a board with nothing left from the one before.

Everything reaches the board over the kernel's own link (``board``): the
install runs on it too, with no hand-over of the port.  A command that
fails raises a ``UpylabError`` carrying a Jupyter error name (``ename``:
``MagicError``'s, or the board's own exception in a ``BoardError``),
which the kernel turns into a failed cell.
"""
import argparse
import contextlib
import re
import shlex
import uuid

from upylab import paths, snippets
from upylab.errors import UpylabError
from upylab.link import commands
from upylab.link.errors import BoardError
from upylab.link.transport import Link

PROG = "%upylab"
SENT = "/.upylab_sent"  # on the board: the files %upylab send wrote, one a line


class MagicError(UpylabError):
    """A ``%upylab`` command that failed; ``ename`` names it in the notebook."""

    def __init__(self, message, ename="UpylabError"):
        super().__init__(message)
        self.ename = ename


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise MagicError(f"{self.prog}: {message} (see %upylab help)", "UsageError")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog=PROG, add_help=False,
                  description="host-side commands for lessons (see %upylab help)")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    row = commands.add_parser("row", add_help=False, help="the framework's catalog row")
    row.add_argument("framework")
    install = commands.add_parser("install", add_help=False,
                                  help="install a framework onto the connected board")
    install.add_argument("framework")
    form = install.add_mutually_exclusive_group()
    form.add_argument("--source", action="store_true", help=".py instead of .mpy")
    form.add_argument("--compare", action="store_true", help="sizes and RAM as .mpy and source")
    install.add_argument("--offline", action="store_true", help="from the cache and mirrors only")
    url = commands.add_parser("url", add_help=False, help="the board server's URL")
    url.add_argument("port", nargs="?", type=int, default=80)
    url.add_argument("path", nargs="?", default="/")
    send = commands.add_parser("send", add_help=False, help="snippet files onto the board")
    send.add_argument("paths", nargs="+")
    show = commands.add_parser("show", add_help=False, help="a snippet file or one definition")
    show.add_argument("file")
    show.add_argument("name", nargs="?")
    commands.add_parser("clean", add_help=False,
                        help="remove the files lessons sent, then soft-reboot")
    drawn = commands.add_parser("pins", add_help=False, help="the board's GPIOs, drawn")
    drawn.add_argument("--live", action="store_true", help="redrawn while the cell runs")
    commands.add_parser("help", add_help=False, help="this list")
    return top


def usage() -> str:
    return __doc__.split("\n\n")[2] + "\n"


def run(kernel, percentline: str):
    """Run one ``%upylab ...`` line for ``kernel`` (an ``UpylabKernel``)."""
    options = parser().parse_args(shlex.split(percentline)[1:])
    if options.command == "help":
        kernel.say(usage())
    elif options.command == "row":
        kernel.say(row_text(options.framework))
    elif options.command == "show":
        kernel.say(show_text(options.file, options.name))
    elif options.command == "url":
        kernel.say(board_url(kernel, options.port, options.path) + "\n")
    elif options.command == "send":
        send(kernel, options.paths)
    elif options.command == "install":
        install(kernel, options.framework, options.source, options.compare, options.offline)
    elif options.command == "clean":
        clean(kernel)
    elif options.command == "pins":
        show_pins(kernel, options.live)


# -- row ----------------------------------------------------------------------

def row_text(framework_id: str, data_dir=None) -> str:
    """The framework's catalog row: each survey column beside our value."""
    from upylab.catalog import tables
    catalog = tables.load(data_dir)
    rows = {row["id"]: row for row in catalog.frameworks.rows}
    if framework_id not in rows:
        raise MagicError(f"no framework {framework_id!r} in the catalog: "
                         f"choose from {', '.join(rows)}", "KeyError")
    ours, survey = rows[framework_id], catalog.survey_row(framework_id) or {}
    lines = [f"{ours['name']} ({framework_id})"]
    for name in catalog.frameworks.fields:
        if name in ("id", "name") or not (ours.get(name) or catalog.survey_column(name)):
            continue
        column = catalog.survey_column(name)
        lines.append(f"{name}:")
        if column:
            lines.append(f"  survey: {survey.get(column) or '(not in the survey)'}")
        lines.append(f"  ours:   {ours.get(name) or '-'}")
        correction = catalog.correction(framework_id, name)
        if correction:
            lines.append(f"  why:    {correction['kind']}: {correction['note']}")
    return "\n".join(lines) + "\n"


# -- snippets -------------------------------------------------------------------

def show_text(relative: str, name=None) -> str:
    """A snippet file's text, or one top-level ``def``/``class`` with its comments above."""
    text = snippets.path(relative).read_text()
    if not name:
        return text
    lines = text.splitlines(keepends=True)
    start = re.compile(rf"^(async def|def|class) {re.escape(name)}\b")
    for index, line in enumerate(lines):
        if start.match(line):
            first = index
            while first > 0 and lines[first - 1].startswith(("@", "#")):
                first -= 1
            end = index + 1
            while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
                end += 1
            return "".join(lines[first:end]).rstrip("\n") + "\n"
    raise MagicError(f"no top-level def or class {name!r} in {relative}", "NameError")


# -- the board --------------------------------------------------------------------

def not_connected() -> MagicError:
    return MagicError("no board connected: run %serialconnect first", "ConnectionError")


def connected(kernel) -> bool:
    """The kernel holds its board's port, in the raw REPL."""
    return bool(kernel.dc.workingserial) and kernel.target is not None and kernel.transport is not None


@contextlib.contextmanager
def board(kernel):
    """The kernel's link to its board, for one command.

    Upstream's kernel reads the port between cells; the command reads it
    itself, and leaves the raw REPL's prompt read, as upstream expects.
    """
    if not connected(kernel):
        raise not_connected()
    kernel.dc.workingserialchunk = None      # we read the line ourselves
    link = Link(kernel.transport, kernel.target.label)
    try:
        yield link
    finally:
        link.release_prompt()


def send(kernel, relatives):
    """Snippet files onto the board's flash, each noted in SENT for ``clean``."""
    with board(kernel) as link:
        for source, destination in snippets.files(relatives):
            commands.write_files(link, {destination: source.read_bytes()})
            link.run(f"try:\n _s = open({SENT!r}).read().split()\nexcept OSError:\n _s = []\n"
                     f"if {'/' + destination!r} not in _s:\n"
                     f" with open({SENT!r}, 'a') as _f:\n"
                     f"  _f.write({'/' + destination + chr(10)!r})\n"
                     "del _s\n")
            kernel.say(f"sent {source.relative_to(paths.snippets_dir())} -> /{destination}\n")


# Removes the files listed in SENT, then the folders that held them if empty.
CLEAN = f"""\
def _upylab_clean():
    import os
    try:
        sent = open({SENT!r}).read().split()
    except OSError:
        return
    folders = set()
    for path in sent:
        try:
            os.remove(path)
        except OSError:
            pass
        parts = path.split('/')[1:-1]
        for depth in range(1, len(parts) + 1):
            folders.add('/' + '/'.join(parts[:depth]))
    for folder in sorted(folders, key=len, reverse=True):
        try:
            os.rmdir(folder)
        except OSError:
            pass
    os.remove({SENT!r})

_upylab_clean()
del _upylab_clean
"""


def clean(kernel):
    """The files lessons sent go, then a soft reboot: a clean board for the next lesson."""
    with board(kernel) as link:
        link.run(CLEAN)
        kernel.say("lesson files removed (frameworks in /lib and your own files stay)\n")
        try:
            kernel.say(commands.soft_reboot(link))
        finally:
            kernel.dc.workingserialchunk = None
            kernel.dc.enterpastemode(verbose=False)


def show_pins(kernel, live: bool):
    """The picture of the board's pins; a live one is finished when the cell ends."""
    from upylab.kernel.pinshow import PinView
    if not connected(kernel):
        raise not_connected()
    view = PinView(kernel, f"upylab-pins-{uuid.uuid4().hex}", live)
    view.show()
    if live:
        kernel.live_views.append(view)


def board_url(kernel, port: int = 80, path: str = "/") -> str:
    """Where the student's browser reaches the board's server.

    A class hub's board serves on unix sockets, which a browser reaches
    only through the student's own server (``upylab.classroom.boardproxy``).
    """
    if kernel.target is None:
        raise not_connected()
    if not path.startswith("/"):
        path = "/" + path
    record = kernel.target.record
    if record is not None and record.socket_dir:
        from upylab.classroom import boardproxy
        if not boardproxy.under_hub():
            raise MagicError(f"this board serves on unix sockets ({record.socket_dir}): "
                             f"a browser reaches it through the class hub only", "ConnectionError")
        try:
            return boardproxy.url(port, path)
        except UpylabError as error:
            raise MagicError(str(error), "ValueError") from None
    if record is not None:
        return record.url(port, path)
    with board(kernel) as link:
        address = link.run("import network\n"
                           "print(network.WLAN(network.STA_IF).ifconfig()[0])\n").strip()
    if not address or address == "0.0.0.0":
        raise MagicError("the board has no IP address: join Wi-Fi first (00-start-here, "
                         "section 4)", "ConnectionError")
    return f"http://{address}{'' if port == 80 else f':{port}'}{path}"


def install(kernel, framework: str, source: bool, compare: bool, offline: bool):
    """``upylab install`` on the kernel's board, over its link; its lines in the notebook."""
    from upylab.install import steps
    with board(kernel) as link:
        try:
            steps.install([framework], link=link, form="py" if source else "mpy",
                          compare=compare, offline=offline, log=lambda line: kernel.say(line + "\n"))
        except BoardError:
            raise                           # the board's own exception, shown as the board's
        except UpylabError as error:
            raise MagicError(str(error), "InstallError") from None
