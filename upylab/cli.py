"""The ``upylab`` command: one sub-command per module that owns the work.

Each module named in ``COMMANDS`` has ``register(subparsers)``, which adds
its parser and sets ``func`` to the function that runs it.  Errors a user
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
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except UpylabError as error:
        print(f"upylab: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
