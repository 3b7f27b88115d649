"""Every notebook passes nbval, its exercise's solution passes, and nbval fails a broken lesson."""
import json

import pytest

from nbrun import framework_unavailable, notebooks, run_nbval, run_solution
from upylab import paths
from upylab.assignments import course

pytestmark = [pytest.mark.long(15), pytest.mark.timeout(1000)]


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda path: path.name)
def test_notebook_passes_nbval(notebook, request):
    reason = framework_unavailable(notebook)
    if reason:
        pytest.skip(reason)
    board_name = request.getfixturevalue("board_name")
    result = run_nbval(notebook, board_name)
    assert result.returncode == 0, f"nbval failed on {notebook.name}:\n{result.stdout}\n{result.stderr}"
    if notebook in course.lessons_with_exercises():
        # A wrong answer, then the reference solution, on the board the lesson
        # left (a few seconds, not a second run): the cell can be run again.
        wrong, right = run_solution(notebook, board_name, request.getfixturevalue("tmp_path"))
        assert wrong.splitlines()[-1].startswith("not yet"), wrong
        assert right.splitlines()[-1].startswith("well done"), right


def change_first_lesson_cell(notebook, destination, change):
    """A copy of ``notebook`` whose first plain board cell's source is ``change(source)``."""
    content = json.loads(notebook.read_text())
    for cell in content["cells"]:
        source = "".join(cell["source"])
        if (cell["cell_type"] == "code" and not source.lstrip().startswith("%")
                and "raises-exception" not in cell["metadata"].get("tags", [])):
            cell["source"] = change(source)
            break
    else:
        raise AssertionError(f"{notebook.name} has no lesson cell to change")
    destination.write_text(json.dumps(content))
    return destination


def test_nbval_fails_on_an_exception_on_the_board(board_name, tmp_path):
    broken = change_first_lesson_cell(
        paths.NOTEBOOKS / "00-start-here.ipynb", tmp_path / "broken.ipynb",
        lambda source: source + "\nraise ValueError('broken on purpose')\n")
    result = run_nbval(broken, board_name)
    assert result.returncode == 1, result.stdout
    assert "Cell execution caused an exception" in result.stdout
    assert "ValueError: broken on purpose" in result.stdout


def test_nbval_fails_on_a_cell_that_times_out(board_name, tmp_path):
    """nbval interrupts the cell; the kernel answers KeyboardInterrupt, not silence."""
    stuck = change_first_lesson_cell(
        paths.NOTEBOOKS / "00-start-here.ipynb", tmp_path / "stuck.ipynb",
        lambda source: "while True:\n    pass\n")
    result = run_nbval(stuck, board_name, cell_timeout=3)
    assert result.returncode == 1, result.stdout
    assert "Timeout of 3 seconds exceeded executing cell" in result.stdout
    summary = result.stdout.strip().splitlines()[-1]
    # nbval expects the cells after a timeout to fail; they pass: the board was usable.
    assert "xpassed" in summary and "xfailed" not in summary, summary
