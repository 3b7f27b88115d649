"""The "MicroPython (upylab)" kernelspec, written inside this environment.

It goes under ``sys.prefix/share/jupyter/kernels/`` (the venv's own Jupyter
folder, which JupyterLab and nbval started from the venv search first),
never into the user's or the system's folders: removing ``.venv`` removes
it, and another project's kernels are never touched.
"""
import json
import sys
import tempfile
from pathlib import Path

KERNEL_NAME = "upylab-micropython"
DISPLAY_NAME = "MicroPython (upylab)"


def kernel_json() -> dict:
    return {
        "argv": [sys.executable, "-m", "upylab.kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "micropython",
        "interrupt_mode": "signal",
    }


def install(prefix: str = sys.prefix) -> Path:
    """Install (or replace) the kernelspec under ``prefix``; returns its folder."""
    # Imported here: every upylab command reads KERNEL_NAME, few install it.
    from jupyter_client.kernelspec import KernelSpecManager
    with tempfile.TemporaryDirectory() as folder:
        # The copy keeps this folder's mode, 0700: every user must read it
        # (a class hub's students run kernels from this venv).
        Path(folder).chmod(0o755)
        (Path(folder) / "kernel.json").write_text(json.dumps(kernel_json(), indent=1))
        destination = KernelSpecManager().install_kernel_spec(
            folder, KERNEL_NAME, prefix=prefix)
    return Path(destination)
