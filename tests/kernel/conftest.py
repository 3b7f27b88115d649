"""A running "MicroPython (upylab)" kernel, driven through jupyter_client.

The kernel is the installed kernelspec (as JupyterLab and nbval start it),
on the fresh virtual board of the shared ``board`` fixture; ``UPYLAB_BOARD``
names that board, so ``%serialconnect`` alone reaches it.
"""
import contextlib
import os

import pytest

from support import kernel_session


@pytest.fixture
def start_kernel(board, monkeypatch, tmp_path):
    """Starts kernels whose default board is ``board``; shuts them all down after.

    ``UPYLAB_BOARD`` names the board (pass ``by_name=False`` to leave it
    unset, so the kernel must find the running board by itself).  A
    ``notebook`` name is what JupyterLab tells a kernel (``JPY_SESSION_NAME``).
    """
    with contextlib.ExitStack() as sessions:
        def start(by_name=True, notebook=None):
            if by_name:
                monkeypatch.setenv("UPYLAB_BOARD", board.name)
            else:
                monkeypatch.delenv("UPYLAB_BOARD", raising=False)
            environment = dict(os.environ)
            if notebook:
                environment["JPY_SESSION_NAME"] = str(tmp_path / notebook)
            return sessions.enter_context(kernel_session(tmp_path, environment))

        yield start


@pytest.fixture
def kernel(start_kernel):
    """A kernel, not yet connected (``%serialconnect`` is up to the test)."""
    return start_kernel()


@pytest.fixture
def connected(kernel):
    """The kernel, connected to its board by a bare ``%serialconnect``."""
    kernel.text("%serialconnect")
    return kernel
