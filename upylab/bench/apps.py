"""Each framework's reference app, as files for a board's flash.

    APPS                       framework id -> App (snippets it needs, module, import)
    deploy(flash, snippets)    copy snippet files or folders into a board's flash
                               where ``%upylab send`` puts them (first folder dropped)
    framework_files(id)        {path under /lib: source bytes}, fetched through the
                               install tool's cache (raises its FetchError if it
                               cannot be fetched here)
    app_files(app)             {board path: bytes} of the snippet files the app needs
    prepare(flash, id, form)   framework into flash/lib (``py`` or ``mpy``), the
                               app's snippets and the bench helper into flash/
"""
import shutil
from dataclasses import dataclass
from pathlib import Path

from upylab.bench import onboard
from upylab.install import cache, mpy, payload, recipes
from upylab.kernel import magics

PROBE = "upylab_bench.py"


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
    for source, destination in magics.snippet_files(snippets):
        target = Path(flash) / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def framework_parts(framework):
    return recipes.parts_for(framework)


def framework_files(framework, offline=False) -> dict:
    """The framework's files for /lib as source; {} for raw sockets."""
    parts = recipes.parts_for(framework)
    if not parts:
        return {}
    artifacts = {part: cache.ensure(part, offline=offline, log=lambda message: None)[0]
                 for part in parts}
    return payload.build(parts, artifacts)


def framework_version(framework) -> str:
    parts = recipes.parts_for(framework)
    if not parts:
        return recipes.catalog().get(framework, "") or "-"
    pin = parts[0].pin
    return pin if parts[0].kind == "pypi" else pin[:12]


def app_files(app: App) -> dict:
    return {destination: source.read_bytes()
            for source, destination in magics.snippet_files(app.snippets)}


def code_files(app: App) -> dict:
    """The app's code (.py, templates): static files are data, the same for every app."""
    return {path: data for path, data in app_files(app).items()
            if not path.startswith("static/")}


def prepare(flash, framework, form, mpy_version, files=None):
    """Everything the app needs on the board's flash, the framework as ``form``."""
    flash = Path(flash)
    app = APPS[framework]
    files = framework_files(framework) if files is None else files
    if form == "mpy":
        files = mpy.compile_files(files, mpy_version)
    for path, data in files.items():
        target = flash / "lib" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    deploy(flash, app.snippets)
    (flash / PROBE).write_text(onboard.SOURCE)
