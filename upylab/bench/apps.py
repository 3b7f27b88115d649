"""Each framework's reference app, as files for a board.

    APPS                       framework id -> App (snippets it needs, module, import)
    deploy(flash, snippets)    copy snippet files or folders into a board's flash
                               where ``%upylab send`` puts them (first folder dropped)
    framework_files(id)        {path under /lib: source bytes}, fetched through the
                               install tool's cache (raises its FetchError if it
                               cannot be fetched here)
    lib_forms(id, mpy_version) {'py': files, 'mpy': the same compiled}: the two ways
                               a framework is installed (``upylab install [--source]``)
    lib_entries(lib)           the top-level /lib entries those files make, in both forms
    app_files(app)             {board path: bytes}: the snippets the app needs and
                               the bench's board-side helper
    write_files(folder, files) files into a virtual board's flash folder
"""
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from upylab.bench import onboard
from upylab.install import cache, mpy, payload, recipes
from upylab.kernel import magics

PROBE = "upylab_bench.py"
FORMS = ("py", "mpy")


@dataclass(frozen=True)
class App:
    snippets: tuple        # snippet files/folders the app needs to serve
    module: str            # the module with run() and serve()
    framework_import: str  # what "after import" imports ('' for raw sockets)


APPS = {
    "raw-socket": App(("common/led.py", "common/static", "raw-socket/led_raw.py"), "led_raw", "socket"),
    "microdot": App(("common/led.py", "common/static", "microdot/led_microdot.py"), "led_microdot",
                    "microdot"),
    "picoweb": App(("common/led.py", "common/static", "picoweb"), "led_picoweb", "picoweb"),
    "tinyweb": App(("common/led.py", "common/static", "tinyweb/led_tinyweb.py"), "led_tinyweb", "tinyweb"),
    "aioweb": App(("common/led.py", "common/static", "aioweb/led_aioweb.py"), "led_aioweb", "web"),
    "micropyserver": App(("common/led.py", "common/static", "micropyserver/led_micropyserver.py"),
                         "led_micropyserver", "micropyserver"),
}


def deploy(flash, snippets):
    """Copy snippet files (or whole folders) into a board's flash folder."""
    write_files(flash, {destination: source.read_bytes()
                        for source, destination in magics.snippet_files(snippets)})


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


def app_files(app: App) -> dict:
    """Everything the app needs beside /lib, and the bench's board-side helper."""
    files = {destination: source.read_bytes()
             for source, destination in magics.snippet_files(app.snippets)}
    files[PROBE] = onboard.SOURCE.encode()
    return files


def code_files(app: App) -> dict:
    """The app's code (.py, templates): static files are data, the same for every
    app, and the bench's helper is not the app's."""
    return {path: data for path, data in app_files(app).items()
            if not path.startswith("static/") and path != PROBE}


def write_files(folder, files: dict):
    for path, data in files.items():
        target = Path(folder) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
