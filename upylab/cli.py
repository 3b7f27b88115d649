"""The ``upylab`` command: one sub-command per module that owns the work.

Each module named in ``COMMANDS`` has ``register(subparsers)``, which adds
its parser and sets ``func`` to the function that runs it; a command that
hands unknown options on to another program (``upylab lab`` to JupyterLab)
sets ``passed_on`` too, and receives them there.  Errors a user
can fix (``UpylabError``) become one line on stderr and exit status 2.
"""
import argparse
import importlib
import sys

from upylab.errors import UpylabError

COMMANDS = (
    "upylab.board.cli",
    "upylab.install.cli",
    "upylab.doctor",
    "upylab.kernel.cli",
    "upylab.catalog.cli",
    "upylab.bench.cli",
    "upylab.lab",
    "upylab.lessons",
    "upylab.assignments.cli",
    "upylab.classroom.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="upylab",
        description="MicroPython web-server lessons: boards, frameworks, catalog.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
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
