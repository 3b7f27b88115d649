"""Settings for the kernels this machine starts and talks to itself.

Over TCP, jupyter_client finds five free ports by binding and closing them;
the kernel binds them again about a second later, when it has started, and
another process can take one in between (``ZMQError: Address already in
use``: seen in the test suite, where four workers start kernels at once).
Unix sockets named after the kernel's own connection file cannot be taken.
A class's servers do the same (classroom/student_config.py).
"""
import uuid
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir


def settings() -> dict:
    """KernelManager settings for one kernel on unix sockets only it uses.

    jupyter_client names the sockets after the connection file
    (``kernel-<id>-ipc-<n>``, beside it in Jupyter's runtime folder) and
    removes them with it at shutdown; without a connection file it would
    name them ``kernel-ipc`` in the current folder, shared by every kernel
    started there.  As a config section (``{"KernelManager": settings()}``)
    they reach the managers nbclient creates.
    """
    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(parents=True, exist_ok=True)
    return {"transport": "ipc", "connection_file": str(runtime / f"kernel-{uuid.uuid4()}.json")}
