"""``upylab install FRAMEWORK... [--board NAME|PORT] [--source|--compare] [--mirror DIR] [--offline]``.

Per framework: fetch (or find in the cache or a mirror) every part, build
the files for ``/lib`` (compiled to ``.mpy`` as ``mip`` installs them,
unless ``--source``), then on the board stage, verify, commit and prove
the install by importing it in a fresh interpreter.  Every fetch happens
before the board is touched, so a framework that cannot be fetched leaves
the board as it was.  ``install()`` is the same, for other tools (the
kernel's ``%upylab install``).
"""
import hashlib
import json
import sys
from datetime import datetime, timezone

from upylab.errors import UpylabError
from upylab.install import cache, mpy, payload, recipes, target
from upylab.install.transfer import MANIFESTS, MEASURE, STAGE, Board, entry_of


def register(subparsers):
    parser = subparsers.add_parser(
        "install", help="install web frameworks on a board (from PyPI or GitHub, cached)",
        description="Fetch each framework from its published source into the cache "
                    "(pinned, sha256-checked), copy what the board needs into /lib "
                    "atomically, and prove it by importing it on the board.")
    parser.add_argument("frameworks", nargs="*", metavar="FRAMEWORK",
                        help="framework ids of data/frameworks.csv")
    parser.add_argument("--all", action="store_true", help="every framework of the catalog")
    parser.add_argument("--board", help="virtual board name or serial device "
                        "(default: $UPYLAB_BOARD, else the running virtual board)")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--source", action="store_true",
                      help="send .py source (to read it on the board) instead of .mpy; "
                           "needs more RAM to import")
    form.add_argument("--compare", action="store_true",
                      help="install .mpy, and also measure the source form: sizes and RAM "
                           "after import, both ways")
    add_source_options(parser)
    parser.set_defaults(func=run)


def add_source_options(parser):
    """``--mirror`` and ``--offline``: where parts may come from (install, bundle)."""
    parser.add_argument("--mirror", action="append", default=[], metavar="DIR",
                        help="a folder of upstream files (written by `upylab bundle`), tried "
                             "after the cache and before the network; repeatable; "
                             "UPYLAB_MIRROR adds more (a path list)")
    parser.add_argument("--offline", action="store_true",
                        help="never use the network: the cache and the mirrors only")


def log(message=""):
    print(message, flush=True)


def run(args):
    if args.all == bool(args.frameworks):
        raise UpylabError("name the frameworks to install, or give --all (not both)")
    ids = recipes.framework_ids() if args.all else args.frameworks
    form = "py" if args.source else "mpy"
    install(ids, args.board, form=form, compare=args.compare, offline=args.offline,
            mirrors=args.mirror, keep_going=args.all)
    return 0


def install(ids, board=None, form="mpy", compare=False, offline=False, mirrors=(),
            keep_going=False):
    """Install frameworks ``ids`` on ``board`` (a name or device; None: the usual one).

    ``form`` is ``mpy`` or ``py``; ``compare`` also measures the source
    form.  With ``keep_going`` a framework that fails is reported and the
    others go on; a ``UpylabError`` names every one that failed.
    """
    ids = list(dict.fromkeys(ids))
    known = recipes.catalog()
    for framework in ids:
        if framework not in known:
            raise UpylabError(f"unknown framework {framework!r}: choose from {', '.join(known)}")
    # Fetch everything first: a framework that cannot be fetched never reaches the board.
    ready, failed = [], []
    for framework in ids:
        parts = recipes.parts_for(framework)
        if not parts:
            log(f"{framework}: built into MicroPython ({known[framework]}): nothing to install")
            continue
        try:
            artifacts = fetch(parts, offline, mirrors)
            files = payload.build(parts, artifacts)
        except UpylabError as error:
            if not keep_going:
                raise
            failed.append((framework, str(error)))
            print(f"upylab: {error}", file=sys.stderr, flush=True)
            continue
        ready.append((framework, parts, files))
    if ready:
        device, label = target.resolve(board)
        with Board(device, label) as connection:
            info = connection.info()
            log(f"board: {label}: MicroPython {info['version']} on {info['machine']}, "
                f".mpy v{mpy.board_mpy_version(info['mpy'])}")
            leftover = connection.clean_stage()
            if leftover:
                log(f"board: {leftover}")
            for framework, parts, files in ready:
                try:
                    install_one(connection, info, framework, parts, files, form, compare)
                except KeyboardInterrupt:
                    interrupted(connection)
                    raise
                except UpylabError as error:
                    if not keep_going:
                        raise
                    failed.append((framework, str(error)))
                    print(f"upylab: {error}", file=sys.stderr, flush=True)
    if failed:
        names = ", ".join(name for name, _ in failed)
        raise UpylabError(f"not installed: {names} (reasons above)")


def fetch(parts, offline, mirrors=()):
    artifacts = {}
    for part in parts:
        path, origin = cache.ensure(part, offline=offline, extra_mirrors=mirrors, log=log)
        artifacts[part] = path
        log(f"{part.id}: {part.describe()} {origin}, sha256 {part.sha256[:16]}…")
    return artifacts


def manifest_for(framework, parts, files, form):
    files = dict(files)
    manifest = {
        "id": framework,
        "version": parts[0].pin,
        "form": form,
        "parts": [{"part": p.part, "source": p.source, "pin": p.pin, "sha256": p.sha256}
                  for p in parts if p.for_board],
        "files": {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())},
        "sizes": {path: len(data) for path, data in sorted(files.items())},
    }
    return manifest


def install_one(board, info, framework, parts, files, form, compare):
    module = recipes.import_name(parts)
    version = parts[0].pin if parts[0].kind == "pypi" else parts[0].pin[:12]
    source_files = files
    if form == "mpy":
        files = mpy.compile_files(files, mpy.board_mpy_version(info["mpy"]))
    manifest = manifest_for(framework, parts, files, form)
    stamped = dict(manifest, installed=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    manifest_path = f"{MANIFESTS}/{framework}.json"

    if board.installed_matches(manifest):
        log(f"{framework}: {version} ({form}) is already in /lib with the same files: "
            "nothing copied")
    else:
        previous = board.manifests().get(framework, {})
        new_entries = sorted({entry_of(path) for path in files} | {manifest_path})
        gone = sorted({entry_of(path) for path in previous.get("files", {})} - set(new_entries))
        to_write = dict(files)
        to_write[manifest_path] = (json.dumps(stamped, sort_keys=True) + "\n").encode()
        board.write_tree(STAGE, to_write, f"{framework} -> /lib")
        board.verify(STAGE, to_write)
        board.commit(new_entries, gone)
        proof = board.measure_import(module)
        if not proof["ok"]:
            board.rollback(new_entries, gone)
            raise UpylabError(f"{framework}: importing {module} on the board failed "
                              f"({proof['error']}): /lib is back as it was"
                              f"{memory_hint(proof['error'], form)}")
        board.finish()
        log(f"{framework}: {len(files)} files, {sum(map(len, files.values()))} bytes "
            f"now in /lib ({', '.join(new_entries)})")
    proof = board.measure_import(module)
    if not proof["ok"]:
        raise UpylabError(f"{framework}: importing {module} from /lib failed ({proof['error']})"
                          f"{memory_hint(proof['error'], form)}")
    shown = proof["version"] if proof["version"] is not None else f"{version} (no __version__; pinned)"
    log(f"{framework}: import {module} OK on the board ({form}): version {shown}, "
        f"{proof['ram']} bytes of RAM after import, {proof['free']} bytes free")
    if compare:
        # The source form, imported from a scratch folder beside /lib, then removed.
        board.write_tree(MEASURE, source_files, f"{framework} (source, to measure)")
        measured_source = board.measure_import(module, "/" + MEASURE)
        board.run(f"_u_rm('{MEASURE}')")
        report_sizes(framework, source_files, files, measured_source, proof)


def memory_hint(error: str, form: str) -> str:
    """What to do when an import ran out of heap ('' for other errors)."""
    if "MemoryError" not in error:
        return ""
    if form == "py":
        return "; as source it needs more RAM to import: install it as .mpy (without --source)"
    return ("; the board's free heap is too small for it even as .mpy: soft-reset the board "
            "(Ctrl-D) to free what earlier code holds, or use a board with more RAM "
            "(a virtual board: `upylab board start --heap esp32-spiram`)")


def report_sizes(framework, source_files, mpy_files, source, compiled):
    source_size = sum(len(data) for data in source_files.values())
    mpy_size = sum(len(data) for data in mpy_files.values())

    def ram(result):
        if result["ok"]:
            return f"{result['ram']} B"
        if "MemoryError" in result["error"]:
            return "does not fit: MemoryError while importing (this is why .mpy)"
        return f"import fails: {result['error']}"

    log(f"{framework}: form      files     size         RAM after import")
    log(f"{framework}: source   {len(source_files):>6} {source_size:>9} B   {ram(source)}")
    log(f"{framework}: .mpy     {len(mpy_files):>6} {mpy_size:>9} B   {ram(compiled)}")


def interrupted(board):
    """Ctrl-C during an install: drop the stage so nothing half-written stays."""
    try:
        board.recover()
        done = board.clean_stage()
        outcome = ("the install had reached its commit and was completed"
                   if done.startswith("completed") else "/lib is as before")
        print(f"upylab: interrupted: {outcome}", file=sys.stderr)
    except Exception as error:  # the board may be gone (unplugged): the next install cleans up
        print(f"upylab: interrupted; the board did not answer ({error}); /lib is as before, "
              "the next install removes the half-written stage", file=sys.stderr)
