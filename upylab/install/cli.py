"""``upylab install FRAMEWORK... [--board NAME|PORT] [--source|--compare] [--mirror DIR] [--offline]``
and ``upylab bundle DIR [FRAMEWORK...|--all]``: the command lines of ``steps.install``
and ``bundle.bundle``."""
from pathlib import Path

from upylab.errors import UpylabError
from upylab.install import recipes, steps


def register(subparsers):
    parser = subparsers.add_parser(
        "install", help="install web frameworks on a board (from PyPI or GitHub, cached)",
        description="Fetch each framework from its published source into the cache "
                    "(pinned, sha256-checked), copy what the board needs into /lib "
                    "atomically, and prove it by importing it on the board.")
    parser.add_argument("frameworks", nargs="*", metavar="FRAMEWORK",
                        help="framework ids of data/frameworks.csv")
    parser.add_argument("--all", action="store_true", help="every framework of the catalog")
    parser.add_argument("--board", help="virtual board name or serial device (default: "
                        "$UPYLAB_BOARD, else the running virtual board, else the board on USB)")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--source", action="store_true",
                      help="send .py source (to read it on the board) instead of .mpy; "
                           "needs more RAM to import")
    form.add_argument("--compare", action="store_true",
                      help="install .mpy, and also measure the source form: sizes and RAM "
                           "after import, both ways")
    add_source_options(parser)
    parser.set_defaults(func=run_install)

    parser = subparsers.add_parser(
        "bundle", help="write the frameworks' files into a folder, to install offline",
        description="Write every file the named frameworks need (PyPI and GitHub parts, "
                    "licences included) into DIR, from the cache, a mirror or the network, "
                    "with a manifest.csv; then `upylab install --all --mirror DIR` installs "
                    "them where there is no network.")
    parser.add_argument("folder", metavar="DIR", help="the bundle folder (created if missing)")
    parser.add_argument("frameworks", nargs="*", metavar="FRAMEWORK",
                        help="framework ids of data/frameworks.csv")
    parser.add_argument("--all", action="store_true", help="every framework of the catalog")
    add_source_options(parser)
    parser.set_defaults(func=run_bundle)


def add_source_options(parser):
    """``--mirror`` and ``--offline``: where parts may come from (install, bundle)."""
    parser.add_argument("--mirror", action="append", default=[], metavar="DIR",
                        help="a folder of upstream files (written by `upylab bundle`), tried "
                             "after the cache and before the network; repeatable; "
                             "UPYLAB_MIRROR adds more (a path list)")
    parser.add_argument("--offline", action="store_true",
                        help="never use the network: the cache and the mirrors only")


def chosen(args, verb) -> list:
    if args.all == bool(args.frameworks):
        raise UpylabError(f"name the frameworks to {verb}, or give --all (not both)")
    return recipes.framework_ids() if args.all else args.frameworks


def run_install(args):
    steps.install(chosen(args, "install"), args.board, form="py" if args.source else "mpy",
                  compare=args.compare, offline=args.offline, mirrors=args.mirror,
                  keep_going=args.all)
    return 0


def run_bundle(args):
    from upylab.install import bundle   # imported for this command only (it is slow to import)
    folder = Path(args.folder)
    rows = bundle.bundle(folder, chosen(args, "bundle"), offline=args.offline, mirrors=args.mirror)
    size = sum(int(row["bytes"]) for row in rows)
    steps.log(f"{folder}: {len(rows)} files, {size} bytes (manifest.csv lists them); install "
              f"from it with: upylab install --all --mirror {folder}")
    return 0
