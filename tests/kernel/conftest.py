"""A running "MicroPython (upylab)" kernel, driven through jupyter_client.

The kernel is the installed kernelspec (as JupyterLab and nbval start it),
on the fresh virtual board of the shared ``board`` fixture; ``UPYLAB_BOARD``
names that board, so ``%serialconnect`` alone reaches it.
"""
import os

import pytest
from jupyter_client.manager import KernelManager

from support import Session
from upylab.kernel.install import KERNEL_NAME


@pytest.fixture
def start_kernel(board, monkeypatch, tmp_path):
    """Starts kernels whose default board is ``board``; shuts them all down after.

    ``UPYLAB_BOARD`` names the board (pass ``by_name=False`` to leave it
    unset, so the kernel must find the running board by itself).  A
    ``notebook`` name is what JupyterLab tells a kernel (``JPY_SESSION_NAME``).
    """
    sessions = []

    def start(by_name=True, notebook=None):
        if by_name:
            monkeypatch.setenv("UPYLAB_BOARD", board.name)
        else:
            monkeypatch.delenv("UPYLAB_BOARD", raising=False)
        environment = dict(os.environ)
        if notebook:
            environment["JPY_SESSION_NAME"] = str(tmp_path / notebook)
        # IPC (unix sockets in tmp_path), not TCP: a TCP port chosen free here
        # was once taken by another worker before the kernel bound it.
        manager = KernelManager(kernel_name=KERNEL_NAME, transport="ipc",
                                ip=str(tmp_path / f"kernel-{len(sessions)}"))
        manager.start_kernel(cwd=str(tmp_path), env=environment)
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=30)
        except RuntimeError:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
            raise
        sessions.append(Session(manager, client))
        return sessions[-1]

    yield start
    for session in sessions:
        session.client.stop_channels()
        session.manager.shutdown_kernel(now=True)
        assert not session.manager.is_alive()


@pytest.fixture
def kernel(start_kernel):
    """A kernel, not yet connected (``%serialconnect`` is up to the test)."""
    return start_kernel()


@pytest.fixture
def connected(kernel):
    """The kernel, connected to its board by a bare ``%serialconnect``."""
    kernel.text("%serialconnect")
    return kernel
