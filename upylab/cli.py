"""The ``upylab`` command: one sub-command per module that owns the work.

Each module named in ``COMMANDS`` has ``register(subparsers)``, which adds
the parser of the command it is listed under and sets ``func`` to the
function that runs it.  Only the module of the command asked for is
imported: every virtual board is a ``upylab board run`` process, and
importing all ten modules (bench, install, the hub) for each one cost
boards and tests a tenth of a second of CPU apiece.  Help, or a command
that is not one of them, registers them all.  A command that hands
unknown options on to another program (``upylab lab`` to JupyterLab)
sets ``passed_on`` too, and receives them there.  Errors a user can fix
(``UpylabError``) become one line on stderr and exit status 2.
"""
import argparse
import importlib
import sys

from upylab.errors import UpylabError

COMMANDS = {
    "board": "upylab.board.cli",
    "install": "upylab.install.cli",
    "bundle": "upylab.install.cli",
    "doctor": "upylab.doctor",
    "kernel": "upylab.kernel.cli",
    "catalog": "upylab.catalog.cli",
    "bench": "upylab.bench.cli",
    "lab": "upylab.lab",
    "lessons": "upylab.lessons",
    "assignments": "upylab.assignments.cli",
    "class": "upylab.classroom.cli",
}


def build_parser(argv=()) -> argparse.ArgumentParser:
    """The parser for ``argv``: its command's module only, or all of them."""
    parser = argparse.ArgumentParser(
        prog="upylab",
        description="MicroPython web-server lessons: boards, frameworks, catalog.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    asked = [COMMANDS[argv[0]]] if argv and argv[0] in COMMANDS else dict.fromkeys(COMMANDS.values())
    for name in asked:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args, extra = parser.parse_known_args(argv)
    if extra and not hasattr(args, "passed_on"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.passed_on = extra
    try:
        return args.func(args) or 0
    except UpylabError as error:
        print(f"upylab: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
