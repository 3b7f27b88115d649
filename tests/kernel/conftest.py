"""A running "MicroPython (upylab)" kernel, driven through jupyter_client.

The kernel is the installed kernelspec (as JupyterLab and nbval start it),
on the fresh virtual board of the shared ``board`` fixture; ``UPYLAB_BOARD``
names that board, so ``%serialconnect`` alone reaches it.
"""
import pytest
from jupyter_client.manager import start_new_kernel

from upylab.kernel.install import KERNEL_NAME

REPLY_TIMEOUT = 30


class Session:
    """Runs cells and returns what a notebook would save for them."""

    def __init__(self, manager, client):
        self.manager = manager
        self.client = client

    def run(self, code, timeout=REPLY_TIMEOUT, interrupt_on=None):
        """(reply content, outputs) for one cell; stream outputs are joined.

        With ``interrupt_on``, the kernel is interrupted once the cell has
        printed that text, as the stop button or nbval's cell timeout does.
        """
        msg_id = self.client.execute(code)
        outputs = []
        if interrupt_on is not None:
            def printed():
                return any(interrupt_on in output.get("text", "") for output in outputs)
            if not self._collect(msg_id, outputs, until=printed):
                raise AssertionError(f"the cell ended before printing {interrupt_on!r}: {outputs}")
            self.manager.interrupt_kernel()
        reply = self._reply(msg_id, timeout)
        self._collect(msg_id, outputs)
        return reply["content"], outputs

    def _reply(self, msg_id, timeout):
        while True:
            message = self.client.get_shell_msg(timeout=timeout)
            if message["parent_header"].get("msg_id") == msg_id:
                return message

    def _collect(self, msg_id, outputs, until=lambda: False) -> bool:
        """The cell's outputs into ``outputs`` until ``until()`` (True) or the cell ends."""
        while not until():
            message = self.client.get_iopub_msg(timeout=REPLY_TIMEOUT)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return False
            if kind == "stream":
                if outputs and outputs[-1].get("name") == content["name"]:
                    outputs[-1]["text"] += content["text"]
                else:
                    outputs.append({"type": "stream", "name": content["name"], "text": content["text"]})
            elif kind == "error":
                outputs.append({"type": "error", **content})
        return True

    def text(self, code, **options):
        """Stdout of a cell that must succeed."""
        reply, outputs = self.run(code, **options)
        assert reply["status"] == "ok", (reply, outputs)
        return "".join(o["text"] for o in outputs if o.get("name") == "stdout")


@pytest.fixture
def start_kernel(board, monkeypatch, tmp_path):
    """Starts kernels whose default board is ``board``; shuts them all down after.

    ``UPYLAB_BOARD`` names the board (pass ``by_name=False`` to leave it
    unset, so the kernel must find the running board by itself).
    """
    sessions = []

    def start(by_name=True):
        if by_name:
            monkeypatch.setenv("UPYLAB_BOARD", board.name)
        else:
            monkeypatch.delenv("UPYLAB_BOARD", raising=False)
        manager, client = start_new_kernel(
            kernel_name=KERNEL_NAME, startup_timeout=30, cwd=str(tmp_path))
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
