"""``upylab lessons execute``: a lesson saved from a clean run on a fresh virtual board."""
import json
import subprocess
import sys

import nbformat

from upylab.kernel.install import KERNEL_NAME


def lesson(path, *cells):
    """A one-lesson notebook for the board kernel, with the given code cells."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "MicroPython (upylab)",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, path)
    return path


def execute(*notebooks, env=None):
    return subprocess.run([sys.executable, "-m", "upylab", "lessons", "execute",
                           *map(str, notebooks)], capture_output=True, text=True, timeout=180,
                          env=env)


def test_a_lesson_runs_on_a_fresh_board_and_is_saved_without_run_timings(tmp_path, state_dir):
    path = lesson(tmp_path / "lesson.ipynb", "%serialconnect",
                  "import gc, sys\nprint(sys.implementation.name, 'x' in globals())", "x = 1")
    result = execute(path)
    assert result.returncode == 0, result.stderr
    saved = json.loads(path.read_text())
    outputs = ["".join(o.get("text", "")) for cell in saved["cells"] for o in cell["outputs"]]
    assert "micropython False\n" in outputs          # a fresh board: nothing defined yet
    assert all(cell["execution_count"] for cell in saved["cells"])
    assert not any("execution" in cell["metadata"] for cell in saved["cells"])
    # ... its own board, stopped afterwards: none is left in the caller's state folder.
    assert not (state_dir / "boards").exists() or not any((state_dir / "boards").iterdir())


def test_a_failing_cell_saves_nothing(tmp_path, state_dir):
    path = lesson(tmp_path / "lesson.ipynb", "%serialconnect", "raise ValueError('no')")
    before = path.read_bytes()
    result = execute(path)
    assert result.returncode == 2
    assert "a cell failed, nothing saved" in result.stderr and "ValueError: no" in result.stderr
    assert path.read_bytes() == before


def test_a_missing_notebook_is_named(tmp_path):
    result = execute(tmp_path / "nope.ipynb")
    assert result.returncode == 2
    assert result.stderr.strip() == f"upylab: no notebook at {tmp_path / 'nope.ipynb'}"
