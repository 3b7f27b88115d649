"""Kernels the tools and the tests start talk over unix sockets, not TCP ports (upylab/kernel/local.py)."""
import subprocess
import sys

import nbformat

from support import nbval_environment
from upylab import lessons

TRANSPORT = "import json, ipykernel\nprint(json.loads(ipykernel.get_connection_info())['transport'])"


def transport_notebook(path, printed=None):
    """A python3 notebook whose one cell prints its kernel's transport (saved as ``printed``)."""
    cell = nbformat.v4.new_code_cell(TRANSPORT, execution_count=1 if printed else None)
    if printed:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed + "\n")]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_nbval_runs_with_the_plugin_use_unix_sockets(tmp_path):
    notebook = transport_notebook(tmp_path / "transport.ipynb", printed="ipc")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", str(notebook), "-p", "nbval_ipc",
         "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
        cwd=tmp_path, env=nbval_environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_lessons_execute_uses_unix_sockets(tmp_path):
    notebook = transport_notebook(tmp_path / "transport.ipynb")
    lessons.execute(notebook)
    [cell] = [cell for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code"]
    assert cell.outputs[0]["text"] == "ipc\n"
