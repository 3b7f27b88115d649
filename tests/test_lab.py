"""`make lab`: working copies of the lessons, a virtual board, JupyterLab; Ctrl-C stops it all cleanly."""
import json
import os
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jupyter_client import BlockingKernelClient

from support import BIN, Lab
from upylab import paths
from upylab.board import registry


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api(url, path, method="GET", body=None):
    parts = urlsplit(url)
    token = parts.query.removeprefix("token=")
    request = urllib.request.Request(
        f"{parts.scheme}://{parts.netloc}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.load(reply)


def lab_environment(tmp_path):
    environment = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
                       UPYLAB_WORK_DIR=str(tmp_path / "work"))
    environment.pop("UPYLAB_BOARD", None)
    environment.pop("JUPYTER_TOKEN", None)
    return environment


@pytest.fixture
def start_lab(tmp_path):
    """Starts `upylab lab`; stops it, even after a failure, as Ctrl-C does."""
    labs = []

    def start(*args):
        labs.append(Lab(lab_environment(tmp_path), f"--port={free_port()}", *args))
        return labs[-1]

    yield start
    for lab in labs:
        lab.ctrl_c()


def test_lab_opens_working_copies_with_a_board_and_ctrl_c_stops_everything(state_dir, tmp_path, start_lab):
    lab = start_lab()
    url = lab.url()
    port = urlsplit(url).port
    assert url.startswith(f"http://127.0.0.1:{port}/lab?token=")
    specs = api(url, "/api/kernelspecs")
    assert specs["kernelspecs"]["upylab-micropython"]["spec"]["display_name"] == "MicroPython (upylab)"
    work = tmp_path / "work"
    masters = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
    assert [copy.read_bytes() for copy in sorted(work.glob("*.ipynb"))] == \
        [master.read_bytes() for master in masters]
    board = registry.find(registry.DEFAULT_NAME)
    assert registry.is_running(board.interpreter_pid)
    session = api(url, "/api/sessions", "POST", {
        "path": "00-start-here.ipynb", "type": "notebook", "kernel": {"name": "upylab-micropython"}})
    runtime = tmp_path / "runtime"
    client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{session['kernel']['id']}.json"))
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=60)                       # the lesson's kernel runs
    client.stop_channels()

    lines = lab.ctrl_c()
    assert lab.process.returncode == 0
    assert lines == [
        f"lessons: {len(masters)} copied into {work}/, your working copies "
        "(`upylab lessons reset NN` puts one back as published)",
        "board: virtual board 'default' started (heap esp32); %serialconnect in a lesson finds it",
        f"JupyterLab: open {url}",
        "Ctrl-C here stops JupyterLab and the board.",
        "stopping JupyterLab (it shuts down the lessons' kernels)...",
        "JupyterLab stopped",
        "virtual board 'default' stopped",
    ]
    assert registry.running() == [], "the board started for the lab must stop with it"
    left = sorted(path.name for path in runtime.iterdir() if path.name != "jupyter_cookie_secret")
    assert left == [], "JupyterLab's own shutdown removes its runtime and kernel files"


def test_a_second_start_keeps_the_students_copies(state_dir, tmp_path, start_lab):
    work = tmp_path / "work"
    work.mkdir()
    mine = work / "01-raw-sockets.ipynb"
    mine.write_text('{"edited": "by the student"}')
    lab = start_lab()
    lab.url()
    lab.ctrl_c()
    assert mine.read_text() == '{"edited": "by the student"}'
    assert (work / "00-start-here.ipynb").read_bytes() == \
        (paths.NOTEBOOKS / "00-start-here.ipynb").read_bytes()
    assert lab.lines[0] == (f"lessons: {len(list(paths.NOTEBOOKS.glob('*.ipynb'))) - 1} copied "
                            f"into {work}/, your working copies (`upylab lessons reset NN` puts "
                            "one back as published)")
    assert Path(work).is_dir()


def test_a_closed_terminal_still_stops_everything(state_dir, tmp_path):
    """SIGHUP, and nobody left to read what it prints: JupyterLab and the board stop all the same."""
    lab = subprocess.Popen([str(BIN / "upylab"), "lab", f"--port={free_port()}"],
                           env=lab_environment(tmp_path), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        for line in lab.stdout:
            if line.startswith("JupyterLab: open "):
                break
        board = registry.find(registry.DEFAULT_NAME)
        server = json.loads(next((tmp_path / "runtime").glob("jpserver-*.json")).read_text())
        lab.stdout.close()                                   # the terminal has gone
        os.killpg(lab.pid, signal.SIGHUP)
        lab.wait(timeout=90)
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGKILL)
    assert registry.running() == []
    assert not registry.is_running(board.pid)
    assert not registry.is_running(server["pid"]), "JupyterLab outlived upylab lab"
