"""Running one notebook under nbval, as ``make test`` does.

Each notebook runs in its own ``pytest --nbval`` (a child process), with
``UPYLAB_BOARD`` naming the board, so the notebook's plain ``%serialconnect``
reaches it, and with the project's one sanitize file.
"""
import subprocess
import sys
from pathlib import Path

from support import nbval_environment
from upylab import paths
from upylab.link import choose

SANITIZE = Path(__file__).with_name("sanitize.cfg")
CELL_TIMEOUT = 60           # seconds per cell, then nbval interrupts it
NOTEBOOK_TIMEOUT = 900      # seconds for a whole notebook, then it is killed
TOGGLE = "led.switch('toggle')"   # in every exercise's solution: what a wrong one leaves out


def notebooks():
    return sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def framework_unavailable(notebook: Path):
    """Why the notebook's framework cannot be installed here, or None.

    A lesson names the framework it installs in its metadata
    (``"upylab": {"framework": ID}``).  If a part of it cannot be fetched
    (GitHub unreachable, say), the notebook cannot run here, nor have been
    saved from a run here: its tests skip with the install tool's message.
    Fetching fills the same cache ``%upylab install`` uses.
    """
    import json
    from upylab.install import cache, recipes
    framework = json.loads(notebook.read_text()).get("metadata", {}).get("upylab", {}).get("framework")
    if not framework:
        return None
    for part in recipes.parts_for(framework):
        try:
            cache.ensure(part, log=lambda message: None)
        except cache.FetchError as error:
            return f"{notebook.name} needs {framework}, which cannot be installed here: {error}"
    return None


def run_nbval(notebook: Path, board: str, cell_timeout=CELL_TIMEOUT) -> subprocess.CompletedProcess:
    """``pytest --nbval`` on one notebook; returns the finished process."""
    command = [
        sys.executable, "-m", "pytest", "--nbval", str(notebook),
        "--nbval-sanitize-with", str(SANITIZE),
        "--nbval-cell-timeout", str(cell_timeout),
        "-p", "no:cacheprovider", "-p", "nbval_ipc", "-q", "-rA",
    ]
    return subprocess.run(
        command, cwd=paths.ROOT, env=nbval_environment(**{choose.ENV: board}),
        capture_output=True, text=True, timeout=NOTEBOOK_TIMEOUT)


def run_solution(notebook: Path, board: str, folder: Path) -> list[str]:
    """The lesson's exercise got wrong, then solved, on ``board``, where the lesson has just run.

    As a student who runs the exercise cell, sees the check say ``not
    yet``, corrects the cell and runs it again: a new kernel connects to
    the same board (the lesson's names are still there) and runs the
    exercise cell with a wrong answer (the reference solution switching
    the LED on instead of toggling it), the check cell, the course's
    exercise cell (the reference solution, ``upylab assignments build``),
    the check cell again and the autograder's test cell made from it.  A
    failing cell fails the run.  Returns what the two checks printed.
    """
    import nbformat
    from upylab import lessons
    from upylab.assignments import course
    source = course.source_notebook(notebook)
    [exercise, check, test] = (course.tagged(source, tag)[0]
                               for tag in ("exercise", "exercise-check", "exercise-test"))
    wrong = nbformat.v4.new_code_cell(exercise.source.replace(TOGGLE, "led.switch('on')"))
    if wrong.source == exercise.source:
        raise AssertionError(f"the solution of {notebook.name} has no {TOGGLE}")
    solved = nbformat.v4.new_notebook(metadata=source.metadata)
    solved.cells = [nbformat.v4.new_code_cell("%serialconnect"), wrong, check, exercise,
                    nbformat.v4.new_code_cell(check.source), test]
    path = folder / notebook.name
    nbformat.write(solved, path)
    lessons.execute(path, board)
    ran = nbformat.read(path, as_version=4).cells
    return ["".join(output.get("text", "") for output in ran[at].outputs) for at in (2, 4)]
