"""Each framework's reference app, as files for a board (the apps are ``upylab.catalog.apps``).

    framework_files(id)        {path under /lib: source bytes}, fetched through the
                               install tool's cache (raises its FetchError if it
                               cannot be fetched here)
    lib_forms(id, mpy_version) {'py': files, 'mpy': the same compiled}: the two ways
                               a framework is installed (``upylab install [--source]``)
    lib_entries(lib)           the top-level /lib entries those files make, in both forms
    app_files(app)             {board path: bytes}: the snippets the app needs and
                               the bench's board-side helper
    code_files(app)            the app's own code among them
"""
from functools import lru_cache

from upylab import snippets
from upylab.bench import onboard
from upylab.install import cache, mpy, payload, recipes

PROBE = "upylab_bench.py"
FORMS = ("py", "mpy")


def framework_files(framework, offline=False) -> dict:
    """The framework's files for /lib as source; {} for raw sockets."""
    parts = recipes.parts_for(framework)
    if not parts:
        return {}
    artifacts = {part: cache.ensure(part, offline=offline, log=lambda message: None)[0]
                 for part in parts}
    return payload.build(parts, artifacts)


@lru_cache(maxsize=None)
def lib_forms(framework, mpy_version) -> dict:
    """{'py': the framework's files for /lib, 'mpy': compiled with mpy-cross}
    (compiled once per run: every heap check of a framework uses them)."""
    files = framework_files(framework)
    return {"py": files, "mpy": mpy.compile_files(files, mpy_version)}


def lib_entries(lib) -> list:
    """The top-level /lib entries of ``lib``'s paths, a module in both forms
    (``web.py`` and ``web.mpy``): what to remove before installing another form."""
    entries = set()
    for path in lib:
        entry = path.split("/", 1)[0]
        stem, dot, suffix = entry.rpartition(".")
        entries |= {stem + ".py", stem + ".mpy"} if dot and suffix in ("py", "mpy") else {entry}
    return sorted(entries)


def framework_version(framework) -> str:
    parts = recipes.parts_for(framework)
    if not parts:
        return recipes.catalog().get(framework, "") or "-"
    pin = parts[0].pin
    return pin if parts[0].kind == "pypi" else pin[:12]


def app_files(app) -> dict:
    """Everything the app needs beside /lib, and the bench's board-side helper."""
    return {**snippets.contents(app.snippets), PROBE: onboard.SOURCE.encode()}


def code_files(app) -> dict:
    """The app's code (.py, templates): static files are data, the same for every
    app, and the bench's helper is not the app's."""
    return {path: data for path, data in app_files(app).items()
            if not path.startswith("static/") and path != PROBE}
