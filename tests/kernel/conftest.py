"""A running "MicroPython (upylab)" kernel, driven through jupyter_client.

The kernel is the installed kernelspec (as JupyterLab and nbval start it),
on the fresh virtual board of the shared ``board`` fixture; ``UPYLAB_BOARD``
names that board, so ``%serialconnect`` alone reaches it.
"""
import os

import pytest
from jupyter_client.manager import start_new_kernel

from upylab.kernel.install import KERNEL_NAME

REPLY_TIMEOUT = 30


class Session:
    """Runs cells and returns what a notebook would save for them."""

    def __init__(self, manager, client):
        self.manager = manager
        self.client = client

    def run(self, code, timeout=REPLY_TIMEOUT, interrupt_after=None, **options):
        """(reply content, outputs) for one cell; stream outputs are joined.

        With ``interrupt_after`` seconds, the kernel is interrupted then, as
        the stop button or nbval's cell timeout does.  Other options go to
        ``execute`` (``stop_on_error``).
        """
        msg_id = self.client.execute(code, **options)
        if interrupt_after is not None:
            try:
                self.client.get_shell_msg(timeout=interrupt_after)
                raise AssertionError("the cell ended before it could be interrupted")
            except Exception as error:  # queue.Empty: still running, as intended
                if isinstance(error, AssertionError):
                    raise
            self.manager.interrupt_kernel()
        reply = self._reply(msg_id, timeout)
        return reply["content"], self._outputs(msg_id)

    def started(self, code, until):
        """Send a cell and return its msg_id once its output contains ``until``."""
        msg_id = self.client.execute(code)
        seen = ""
        while until not in seen:
            message = self.client.get_iopub_msg(timeout=REPLY_TIMEOUT)
            if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "stream":
                seen += message["content"]["text"]
        return msg_id

    def finished(self, msg_id, timeout=REPLY_TIMEOUT):
        """(reply content, outputs) of a cell sent with ``started``: what followed ``until``."""
        reply = self._reply(msg_id, timeout)
        return reply["content"], self._outputs(msg_id)

    def _reply(self, msg_id, timeout):
        while True:
            message = self.client.get_shell_msg(timeout=timeout)
            if message["parent_header"].get("msg_id") == msg_id:
                return message

    def _outputs(self, msg_id):
        outputs = []
        while True:
            message = self.client.get_iopub_msg(timeout=REPLY_TIMEOUT)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return outputs
            if kind == "stream":
                if outputs and outputs[-1].get("name") == content["name"]:
                    outputs[-1]["text"] += content["text"]
                else:
                    outputs.append({"type": "stream", "name": content["name"], "text": content["text"]})
            elif kind == "error":
                outputs.append({"type": "error", **content})

    def text(self, code, **options):
        """Stdout of a cell that must succeed."""
        reply, outputs = self.run(code, **options)
        assert reply["status"] == "ok", (reply, outputs)
        return "".join(o["text"] for o in outputs if o.get("name") == "stdout")


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
        manager, client = start_new_kernel(
            kernel_name=KERNEL_NAME, startup_timeout=30, cwd=str(tmp_path), env=environment)
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
