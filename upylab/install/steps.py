"""The install, step by step, for any caller: ``install(ids, ...)``.

Per framework: fetch (or find in the cache or a mirror) every part, build
the files for ``/lib`` (compiled to ``.mpy`` as ``mip`` installs them,
unless the source is asked for), then on the board stage, verify, commit
and prove the install by importing it in a fresh interpreter
(``transfer``).  Every fetch happens before the board is touched, so a
framework that cannot be fetched leaves the board as it was.

The command line (``cli``) and the kernel's ``%upylab install`` both call
``install``: the command names a board and prints; the kernel passes the
link it holds and its own ``log``, so its notebook shows the same lines.
An exception on the board is the link's ``BoardError``, a ``UpylabError``
like every other failure a user can act on.
"""
import hashlib
import json
import sys
from datetime import datetime, timezone

from upylab.errors import UpylabError
from upylab.install import cache, mpy, payload, recipes, transfer
from upylab.install.transfer import MANIFESTS, MEASURE, STAGE, entry_of
from upylab.link import choose, commands
from upylab.link.transport import Link


def log(message=""):
    """A line for the user, at once (an install is long: say each step as it ends)."""
    print(message, flush=True)


def warn(message):
    print(f"upylab: {message}", file=sys.stderr, flush=True)


def install(ids, board=None, link=None, form="mpy", compare=False, offline=False, mirrors=(),
            keep_going=False, log=log):
    """Install frameworks ``ids`` on a board: the open ``link``, else the one ``board`` names
    (a name or device; None: the usual one, ``choose``).

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
            artifacts = fetch(parts, offline, mirrors, log)
            files = payload.build(parts, artifacts)
        except UpylabError as error:
            if not keep_going:
                raise
            failed.append((framework, str(error)))
            warn(error)
            continue
        ready.append((framework, parts, files))
    if ready:
        if link is not None:
            install_all(link, ready, form, compare, keep_going, failed, log)
        else:
            target = choose.choose(board)
            with Link.open(target.device, target.label) as opened:
                install_all(opened, ready, form, compare, keep_going, failed, log)
    if failed:
        names = ", ".join(name for name, _ in failed)
        raise UpylabError(f"not installed: {names} (reasons above)")


def install_all(link, ready, form, compare, keep_going, failed, log):
    info = commands.info(link)
    log(f"board: {link.label}: MicroPython {info['version']} on {info['machine']}, "
        f".mpy v{mpy.board_mpy_version(info['mpy'])}")
    leftover = transfer.clean_stage(link)
    if leftover:
        log(f"board: {leftover}")
    for framework, parts, files in ready:
        try:
            install_one(link, info, framework, parts, files, form, compare, log)
        except KeyboardInterrupt:
            interrupted(link)
            raise
        except UpylabError as error:
            if not keep_going:
                raise
            failed.append((framework, str(error)))
            warn(error)


def fetch(parts, offline, mirrors=(), log=log):
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


def install_one(link, info, framework, parts, files, form, compare, log=log):
    module = recipes.import_name(parts)
    version = parts[0].pin if parts[0].kind == "pypi" else parts[0].pin[:12]
    source_files = files
    if form == "mpy":
        files = mpy.compile_files(files, mpy.board_mpy_version(info["mpy"]))
    manifest = manifest_for(framework, parts, files, form)
    stamped = dict(manifest, installed=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    manifest_path = f"{MANIFESTS}/{framework}.json"

    if transfer.installed_matches(link, manifest):
        log(f"{framework}: {version} ({form}) is already in /lib with the same files: "
            "nothing copied")
    else:
        previous = transfer.manifests(link).get(framework, {})
        new_entries = sorted({entry_of(path) for path in files} | {manifest_path})
        gone = sorted({entry_of(path) for path in previous.get("files", {})} - set(new_entries))
        to_write = dict(files)
        to_write[manifest_path] = (json.dumps(stamped, sort_keys=True) + "\n").encode()
        transfer.write_tree(link, STAGE, to_write, f"{framework} -> /lib")
        transfer.verify(link, STAGE, to_write)
        transfer.commit(link, new_entries, gone)
        proof = transfer.measure_import(link, module)
        if not proof["ok"]:
            transfer.rollback(link, new_entries, gone)
            raise UpylabError(f"{framework}: importing {module} on the board failed "
                              f"({proof['error']}): /lib is back as it was"
                              f"{memory_hint(proof['error'], form)}")
        transfer.finish(link)
        log(f"{framework}: {len(files)} files, {sum(map(len, files.values()))} bytes "
            f"now in /lib ({', '.join(new_entries)})")
    proof = transfer.measure_import(link, module)
    if not proof["ok"]:
        raise UpylabError(f"{framework}: importing {module} from /lib failed ({proof['error']})"
                          f"{memory_hint(proof['error'], form)}")
    shown = proof["version"] if proof["version"] is not None else f"{version} (no __version__; pinned)"
    log(f"{framework}: import {module} OK on the board ({form}): version {shown}, "
        f"{proof['ram']} bytes of RAM after import, {proof['free']} bytes free")
    if compare:
        # The source form, imported from a scratch folder beside /lib, then removed.
        transfer.write_tree(link, MEASURE, source_files, f"{framework} (source, to measure)")
        measured_source = transfer.measure_import(link, module, "/" + MEASURE)
        commands.remove(link, [MEASURE])
        # Where the source fitted, the board holds it, imported from the scratch
        # folder, which is on sys.path: the next import of a submodule would look there.
        link.soft_reset()
        report_sizes(framework, source_files, files, measured_source, proof, log)


def memory_hint(error: str, form: str) -> str:
    """What to do when an import ran out of heap ('' for other errors)."""
    if "MemoryError" not in error:
        return ""
    if form == "py":
        return "; as source it needs more RAM to import: install it as .mpy (without --source)"
    return ("; the board's free heap is too small for it even as .mpy: soft-reset the board "
            "(Ctrl-D) to free what earlier code holds, or use a board with more RAM "
            "(a virtual board: `upylab board start --heap esp32-spiram`)")


def report_sizes(framework, source_files, mpy_files, source, compiled, log=log):
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


def interrupted(link):
    """Ctrl-C during an install: drop the stage so nothing half-written stays."""
    try:
        link.recover()
        done = transfer.clean_stage(link)
        outcome = ("the install had reached its commit and was completed"
                   if done.startswith("completed") else "/lib is as before")
        warn(f"interrupted: {outcome}")
    except Exception as error:  # the board may be gone (unplugged): the next install cleans up
        warn(f"interrupted; the board did not answer ({error}); /lib is as before, "
             "the next install removes the half-written stage")
