"""``upylab doctor [--board NAME|PORT]``: what is plugged in, and what is wrong.

Lists the serial ports this host sees and whether this user may open
them (the ``dialout`` group on Linux), the running virtual boards, then
asks the chosen board for its MicroPython version and machine, free heap
and flash, and the frameworks in its ``/lib``.  Each problem is printed
with its fix; the exit status is 1 when there is any.
"""
import grp
import os
import stat

import serial.tools.list_ports

from upylab.board import registry
from upylab.errors import UpylabError
from upylab.install import mpy, recipes, transfer
from upylab.install.transfer import entry_of
from upylab.link import choose, commands
from upylab.link.transport import Link


def register(subparsers):
    parser = subparsers.add_parser(
        "doctor", help="check serial ports, permissions and a board; each problem with its fix")
    parser.add_argument("--board", help="virtual board name or serial device (default: "
                        "$UPYLAB_BOARD, else the running virtual board, else the board on USB)")
    parser.set_defaults(func=run)


class Report:
    def __init__(self):
        self.problems = []

    def line(self, text=""):
        print(text, flush=True)

    def problem(self, text, fix):
        self.problems.append((text, fix))
        print(f"  PROBLEM: {text}\n     fix: {fix}", flush=True)


def port_access(device: str):
    """(ok, problem, fix) for opening ``device`` read-write as this user."""
    try:
        info = os.stat(device)
    except OSError:
        return False, f"{device} does not exist", (
            "plug the board in with a data USB cable (some cables only charge) and check "
            "`ls /dev/ttyUSB* /dev/ttyACM*`; `dmesg | tail` shows whether the USB-serial "
            "driver (CP210x, CH340) saw it; for a virtual board, `upylab board start`")
    if not stat.S_ISCHR(info.st_mode):
        return False, f"{device} is not a serial device", "give the board's /dev/tty* path"
    if os.access(device, os.R_OK | os.W_OK):
        return True, "", ""
    try:
        group = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = str(info.st_gid)
    if info.st_gid not in os.getgroups():
        return False, f"this user may not open {device} (owned by group {group!r})", (
            f"sudo usermod -aG {group} $USER, then log out and back in (on Arch: group uucp)")
    return False, f"this user may not open {device}", f"sudo chmod g+rw {device}"


def run(args):
    report = Report()
    report.line("Serial ports")
    ports = sorted(serial.tools.list_ports.comports(), key=lambda port: port.device)
    if not ports:
        report.line("  none seen (USB boards appear as /dev/ttyUSB* or /dev/ttyACM*)")
    for port in ports:
        ok, problem, fix = port_access(port.device)
        report.line(f"  {port.device}: {port.description or '?'} [{port.hwid or '?'}]"
                    f"{'' if ok else ' (no access)'}")
        if not ok:
            report.problem(problem, fix)
    report.line("Virtual boards")
    boards = registry.running()
    for board in boards:
        report.line(f"  {board.name}: {board.device} -> {board.pts}, heap {board.heap}")
    if not boards:
        report.line("  none running (`upylab board start` starts one)")

    try:
        target = choose.choose(args.board)
    except UpylabError as error:
        if args.board or os.environ.get(choose.ENV) or boards or ports:
            report.problem(str(error), "see above for the boards and ports available")
        else:
            report.problem("no board: no serial port seen and no virtual board running",
                           "plug a board in (and see `dmesg | tail`), or `upylab board start`")
        return finish(report)
    report.line(f"Board {target.label}")
    ok, problem, fix = port_access(target.device)
    if not ok:
        report.problem(problem, fix)
        return finish(report)
    try:
        with Link.open(target.device, target.label) as link:
            link.raw(timeout=8)
            check_board(link, report)
    except UpylabError as error:
        busy = "busy" in str(error).lower() or "lock" in str(error).lower()
        report.problem(str(error), (
            "close the program holding the port (a Jupyter kernel, mpremote, screen, "
            "minicom), then retry" if busy else
            "press the board's reset (EN) button and retry; if it persists, reflash "
            "MicroPython (https://micropython.org/download/ESP32_GENERIC/)"))
    return finish(report)


def check_board(link: Link, report: Report):
    info = commands.info(link)
    release = f"-{info['release']}" if info["release"] else ""
    report.line(f"  MicroPython {info['version']}{release} on {info['machine']} "
                f"(platform {info['platform']}, .mpy v{mpy.board_mpy_version(info['mpy'])})")
    heap = info["mem_free"] + info["mem_alloc"]
    report.line(f"  heap: {info['mem_free']} bytes free of {heap}")
    bsize, frsize, blocks, bfree, bavail = info["statvfs"][:5]
    unit = frsize or bsize
    report.line(f"  flash: {bavail * unit} bytes free of {blocks * unit}")
    if info["mem_free"] < 30 * 1024:
        report.problem(f"only {info['mem_free']} bytes of heap free",
                       "soft-reset the board (Ctrl-D) and install frameworks with --mpy")
    if bavail * unit < 64 * 1024:
        report.problem(f"only {bavail * unit} bytes of flash free",
                       "remove unused files from the board (`mpremote fs rm ...`)")
    if any(transfer.leftovers(link)):
        report.problem("an interrupted install left its staging folder on the board "
                       "(/lib itself is whole)",
                       "run `upylab install` again for that framework: it finishes or removes it")
    manifests = transfer.manifests(link)
    lib = set(transfer.list_lib(link))
    report.line("  frameworks in /lib:")
    shown = False
    for framework, manifest in sorted(manifests.items()):
        entries = {entry_of(path) for path in manifest.get("files", {})}
        missing = sorted(entry for entry in entries if entry.split("/")[0] not in lib)
        report.line(f"    {framework} {manifest.get('version')} ({manifest.get('form')}, "
                    f"installed {manifest.get('installed', '?')})")
        shown = True
        if missing:
            report.problem(f"{framework}: {', '.join(missing)} missing from /lib",
                           f"upylab install {framework}")
    try:
        parts = recipes.load_parts()
    except (OSError, UpylabError):
        parts = []
    for framework in dict.fromkeys(part.id for part in parts):
        if framework in manifests:
            continue
        first = next(part for part in parts if part.id == framework)
        entry = entry_of(first.files[0].split("*")[0]) if first.files else ""
        stem = entry[:-3] if entry.endswith(".py") else entry
        if entry in lib or stem + ".mpy" in lib:
            report.line(f"    {framework} (in /lib as {entry}, not installed by upylab: "
                        "version unknown)")
            shown = True
    if not shown:
        report.line("    none (`upylab install microdot` installs one)")


def finish(report: Report) -> int:
    if report.problems:
        print(f"{len(report.problems)} problem(s) found, each with its fix above.", flush=True)
        return 1
    print("No problems found.", flush=True)
    return 0
