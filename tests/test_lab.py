"""`make lab`: JupyterLab comes up with the project kernel listed and a virtual board running."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

from support import BIN
from upylab.board import registry

TOKEN = "upylab-test-token"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get_json(url, deadline):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return json.load(reply)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_lab_starts_jupyterlab_with_the_kernel_and_a_board(state_dir, tmp_path):
    port = _free_port()
    environment = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    environment.pop("UPYLAB_BOARD", None)
    lab = subprocess.Popen(
        [str(BIN / "upylab"), "lab", f"--port={port}", f"--IdentityProvider.token={TOKEN}"],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        specs = _get_json(f"http://127.0.0.1:{port}/api/kernelspecs?token={TOKEN}",
                          time.monotonic() + 90)
        assert specs["kernelspecs"]["upylab-micropython"]["spec"]["display_name"] == "MicroPython (upylab)"
        board = registry.find(registry.DEFAULT_NAME)
        assert registry.is_running(board.interpreter_pid)
    finally:
        os.killpg(lab.pid, signal.SIGINT)
        output = lab.communicate(timeout=60)[0].decode()
    assert f"http://127.0.0.1:{port}/lab" in output
    assert registry.running() == [], "the board started for the lab must stop with it"
