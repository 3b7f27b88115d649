"""``upylab install FRAMEWORK... [--board NAME|PORT] [--mpy] [--offline]``.

Per framework: fetch (or find in the cache) every part, build the files
for ``/lib``, then on the board stage, verify, commit and prove the
install by importing it in a fresh interpreter.  Every fetch happens
before the board is touched, so a framework that cannot be fetched leaves
the board as it was.
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
    parser.add_argument("--mpy", action="store_true",
                        help="precompile to .mpy for the board; report sizes and RAM both ways")
    parser.add_argument("--offline", action="store_true",
                        help="never use the network: install from the cache only")
    parser.set_defaults(func=run)


def log(message=""):
    print(message, flush=True)


def run(args):
    if args.all == bool(args.frameworks):
        raise UpylabError("name the frameworks to install, or give --all (not both)")
    ids = recipes.framework_ids() if args.all else list(dict.fromkeys(args.frameworks))
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
            artifacts = fetch(parts, args.offline)
            files = payload.build(parts, artifacts)
        except UpylabError as error:
            if not args.all:
                raise
            failed.append((framework, str(error)))
            print(f"upylab: {error}", file=sys.stderr, flush=True)
            continue
        ready.append((framework, parts, files))
    if ready:
        device, label = target.resolve(args.board)
        with Board(device, label) as board:
            info = board.info()
            log(f"board: {label}: MicroPython {info['version']} on {info['machine']}, "
                f".mpy v{mpy.board_mpy_version(info['mpy'])}")
            leftover = board.clean_stage()
            if leftover:
                log(f"board: {leftover}")
            for framework, parts, files in ready:
                try:
                    install_one(board, info, framework, parts, files, args.mpy)
                except KeyboardInterrupt:
                    interrupted(board)
                    raise
                except UpylabError as error:
                    if not args.all:
                        raise
                    failed.append((framework, str(error)))
                    print(f"upylab: {error}", file=sys.stderr, flush=True)
    if failed:
        names = ", ".join(name for name, _ in failed)
        raise UpylabError(f"not installed: {names} (reasons above)")
    return 0


def fetch(parts, offline):
    artifacts = {}
    for part in parts:
        path, fetched = cache.ensure(part, offline=offline, log=log)
        artifacts[part] = path
        log(f"{part.id}: {part.describe()} {'fetched' if fetched else 'from cache'}, "
            f"sha256 {cache.sha256_of(path)[:16]}…")
    return artifacts


def manifest_for(framework, parts, files, form):
    files = dict(files)
    manifest = {
        "id": framework,
        "version": parts[0].pin,
        "form": form,
        "parts": [{"part": p.part, "source": p.source, "pin": p.pin,
                   "sha256": cache.expected_sha256(p)} for p in parts],
        "files": {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())},
        "sizes": {path: len(data) for path, data in sorted(files.items())},
    }
    return manifest


def install_one(board, info, framework, parts, files, want_mpy):
    module = recipes.import_name(parts)
    version = parts[0].pin if parts[0].kind == "pypi" else parts[0].pin[:12]
    source_files = files
    form = "py"
    if want_mpy:
        files = mpy.compile_files(files, mpy.board_mpy_version(info["mpy"]))
        form = "mpy"
    manifest = manifest_for(framework, parts, files, form)
    stamped = dict(manifest, installed=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    manifest_path = f"{MANIFESTS}/{framework}.json"

    measured_source = None
    if board.installed_matches(manifest):
        log(f"{framework}: {version} ({form}) is already in /lib with the same files: "
            "nothing copied")
        measured_source = board.manifests()[framework].get("source_import")
    else:
        if want_mpy:  # RAM after importing the source form, measured from a scratch folder
            board.write_tree(MEASURE, source_files, f"{framework} (source, to measure)")
            measured_source = board.measure_import(module, "/" + MEASURE)
            board.run(f"_u_rm('{MEASURE}')")
            stamped["source_import"] = measured_source
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
            hint = "" if want_mpy else "; if it ran out of memory, try --mpy"
            raise UpylabError(f"{framework}: importing {module} on the board failed "
                              f"({proof['error']}): /lib is back as it was{hint}")
        board.finish()
        log(f"{framework}: {len(files)} files, {sum(map(len, files.values()))} bytes "
            f"now in /lib ({', '.join(new_entries)})")
    proof = board.measure_import(module)
    if not proof["ok"]:
        raise UpylabError(f"{framework}: importing {module} from /lib failed ({proof['error']})")
    shown = proof["version"] if proof["version"] is not None else f"{version} (no __version__; pinned)"
    log(f"{framework}: import {module} OK on the board: version {shown}, "
        f"{proof['ram']} bytes of RAM after import, {proof['free']} bytes free")
    if want_mpy:
        report_sizes(framework, source_files, files, measured_source, proof)


def report_sizes(framework, source_files, mpy_files, source, compiled):
    source_size = sum(len(data) for data in source_files.values())
    mpy_size = sum(len(data) for data in mpy_files.values())

    def ram(result):
        if not result:
            return "not measured"
        return f"{result['ram']} B" if result["ok"] else f"import fails: {result['error']}"

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
