"""``upylab lessons execute``: a lesson saved from a clean run on a fresh virtual board."""
import json
import os
import subprocess
import sys

import nbformat

from upylab import lessons, paths
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
    code = [cell for cell in saved["cells"] if cell["cell_type"] == "code"]
    outputs = ["".join(o.get("text", "")) for cell in code for o in cell["outputs"]]
    assert "micropython False\n" in outputs          # a fresh board: nothing defined yet
    assert all(cell["execution_count"] for cell in code)
    assert not any("execution" in cell["metadata"] for cell in saved["cells"])
    assert len(code) == 3 and saved["cells"][-1]["metadata"]["tags"] == ["navigation"]   # written by execute
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


def reset(work, *numbers):
    return subprocess.run([sys.executable, "-m", "upylab", "lessons", "reset", *numbers],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, UPYLAB_WORK_DIR=str(work)))


def test_reset_puts_a_lesson_back_and_keeps_the_students_copy(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    copy = work / "01-raw-sockets.ipynb"
    copy.write_text('{"edited": "by the student"}')
    result = reset(work, "1")
    assert result.returncode == 0, result.stderr
    assert copy.read_bytes() == (paths.NOTEBOOKS / "01-raw-sockets.ipynb").read_bytes()
    kept = list((work / ".replaced").glob("01-raw-sockets-*.ipynb"))
    assert [path.read_text() for path in kept] == ['{"edited": "by the student"}']
    assert result.stdout == f"{copy}: as published (your copy is kept as {kept[0]})\n"
    assert reset(work, "01-raw-sockets").stdout == f"{copy}: already as published\n"
    assert sorted(path.name for path in work.iterdir()) == [".replaced", "01-raw-sockets.ipynb"]


def test_reset_without_numbers_restores_every_lesson(tmp_path):
    result = reset(tmp_path / "work")
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "work").iterdir()) == \
        sorted(path.name for path in paths.NOTEBOOKS.glob("*.ipynb"))


def test_reset_names_an_unknown_lesson(tmp_path):
    result = reset(tmp_path / "work", "42")
    assert result.returncode == 2
    assert result.stderr.startswith("upylab: no lesson '42': choose from 00-start-here, ")


def test_working_copies_fill_what_is_missing_and_keep_the_students_work(tmp_path):
    work = tmp_path / "lessons"
    names = [master.name for master in lessons.masters()]
    assert lessons.working_copies(work) == names
    edited, removed = work / names[0], work / names[1]
    edited.write_text("the student's work")
    removed.unlink()
    assert lessons.working_copies(work) == [names[1]]
    assert edited.read_text() == "the student's work"
