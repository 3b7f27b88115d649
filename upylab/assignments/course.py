"""An nbgrader course made from the lessons (``upylab assignments build``).

Each lesson that ends with an exercise becomes one assignment, named after
it (``02-microdot``), whose source notebook is the lesson with two changes:

* its ``exercise`` cell holds the reference solution between nbgrader's
  solution delimiters, where the lesson has its ``# your code here`` line.
  The solution is kept in ``snippets/solutions/<lesson>.py`` as the whole
  solved cell, so that a student's copy of the lessons never shows it: it
  must read as the lesson's cell with that one line replaced by the
  solution's lines (the build refuses a solution that has drifted from its
  lesson).  ``nbgrader generate_assignment`` puts the line back (it is the
  course's stub for the MicroPython kernel), so the student's version has
  exactly the lesson's cell;
* after its ``exercise-check`` cell comes a read-only test cell, made from
  it: the check cell's last line prints the verdict of the exercise's check
  function (``print(EXPRESSION)``), the test asserts that the same
  expression is ``well done: ...``, so it fails with the board's
  ``AssertionError: not yet: ...``.  One function, two uses: they cannot drift.

Everything else (cells, outputs, metadata) is the lesson's, and the
course's settings keep the lesson's saved outputs in the student's version.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from upylab import paths
from upylab.errors import UpylabError

LANGUAGE = "micropython"       # the kernelspec's language: nbgrader picks the stub by it
STUB = "# your code here"      # the line of the lesson the solution replaces
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
VERDICT = "print("             # how an exercise-check cell's last line starts
POINTS = 1
COURSE_ID = "upylab"
CONFIG = "nbgrader_config.py"
TEST_COMMENT = ("# Test of the exercise (read-only): the check above, failing unless it says "
                "\"well done\".")
CONFIG_TEXT = '''\
# nbgrader's settings for this course, written once by `upylab assignments build`
# (it never overwrites this file): the lessons' exercises, graded on virtual boards.
# What each setting does: upylab/assignments/course.py, configure().
from upylab.assignments.course import configure

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)
configure(c)
# Your own settings go below, e.g. a longer limit per cell or per submission:
# c.BoardExecute.timeout = 60
# c.BoardExecute.submission_timeout = 900
'''


def configure(c):
    """The course's nbgrader settings, on the config object ``c``."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.converters.generate_assignment import GenerateAssignment
    from nbgrader.preprocessors import ClearOutput, Execute

    from upylab.assignments.boardexecute import BoardExecute

    c.CourseDirectory.course_id = COURSE_ID
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()",
                                  LANGUAGE: STUB}
    # The student's version keeps the lesson's saved outputs, as the lesson does.
    c.GenerateAssignment.preprocessors = [
        step for step in GenerateAssignment.preprocessors.default() if step is not ClearOutput]
    # Each submission runs on a fresh virtual board (boardexecute).
    c.Autograde.autograde_preprocessors = [
        BoardExecute if step is Execute else step
        for step in Autograde.autograde_preprocessors.default()]


def lessons_with_exercises() -> list[Path]:
    return [lesson for lesson in sorted(paths.NOTEBOOKS.glob("*.ipynb"))
            if tagged(_read(lesson), "exercise")]


def _read(path: Path):
    import nbformat
    return nbformat.read(path, as_version=4)


def tagged(notebook, tag: str) -> list:
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


def _one(notebook, tag: str, lesson: Path):
    cells = tagged(notebook, tag)
    if len(cells) != 1:
        raise UpylabError(f"{lesson.name}: {len(cells)} cells tagged {tag!r}, expected one")
    return cells[0]


def solution_path(lesson: Path) -> Path:
    return paths.snippets_dir() / "solutions" / f"{lesson.stem}.py"


def with_solution(exercise: str, solved: str, lesson: Path) -> str:
    """The exercise cell's source with the solution between nbgrader's delimiters."""
    lines, solution = exercise.split("\n"), solved.rstrip("\n").split("\n")
    stubs = [index for index, line in enumerate(lines) if line.strip() == STUB]
    if len(stubs) != 1:
        raise UpylabError(f"{lesson.name}: the exercise cell needs one line {STUB!r} (where the "
                          f"solution goes); it has {len(stubs)}")
    at = stubs[0]
    before, after = lines[:at], lines[at + 1:]
    middle = solution[len(before):len(solution) - len(after)]
    if solution[:len(before)] != before or solution[len(solution) - len(after):] != after \
            or not middle:
        raise UpylabError(f"{solution_path(lesson)} must read as the exercise cell of "
                          f"{lesson.name} with its line {STUB!r} replaced by the solution: "
                          f"update one or the other")
    indent = lines[at][:len(lines[at]) - len(lines[at].lstrip())]
    return "\n".join(before + [indent + BEGIN] + middle + [indent + END] + after)


def test_source(check: str, lesson: Path) -> str:
    """The autograder's test: the check cell, asserting its verdict instead of printing it."""
    lines = check.rstrip("\n").split("\n")
    last = lines[-1]
    if not (last.startswith(VERDICT) and last.endswith(")")):
        raise UpylabError(f"{lesson.name}: the exercise-check cell must end with a line "
                          f"print(<the check's verdict>), not {last!r}")
    expression = last[len(VERDICT):-1]
    body = [line for line in lines[:-1] if not line.startswith("#")]
    return "\n".join([TEST_COMMENT, *body, f"verdict = {expression}",
                      "assert verdict.startswith('well done'), verdict"])


def source_notebook(lesson: Path):
    """The assignment's source notebook: the lesson, with its solution and its test."""
    import nbformat
    notebook = _read(lesson)
    exercise = _one(notebook, "exercise", lesson)
    check = _one(notebook, "exercise-check", lesson)
    if not solution_path(lesson).exists():
        raise UpylabError(f"{lesson.name} has an exercise but no solution at "
                          f"{solution_path(lesson)}")
    exercise.source = with_solution(exercise.source, solution_path(lesson).read_text(), lesson)
    exercise.metadata["nbgrader"] = {
        "grade": False, "grade_id": "exercise", "locked": False, "schema_version": 3,
        "solution": True, "task": False}
    test = nbformat.v4.new_code_cell(test_source(check.source, lesson))
    test.metadata["tags"] = ["exercise-test"]
    test.metadata["nbgrader"] = {
        "grade": True, "grade_id": "test_exercise", "locked": True, "points": POINTS,
        "schema_version": 3, "solution": False, "task": False}
    notebook.cells.insert(notebook.cells.index(check) + 1, test)
    return notebook


def build(course: Path, names=None) -> list[Path]:
    """Write the course's source notebooks (and its settings, once); the notebooks written."""
    import nbformat
    from upylab import lessons
    chosen = lessons.chosen(names) if names else lessons_with_exercises()
    written = []
    for lesson in chosen:
        notebook = source_notebook(lesson)
        folder = course / "source" / lesson.stem
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / lesson.name)
        written.append(folder / lesson.name)
    config = course / CONFIG
    if not config.exists():
        config.write_text(CONFIG_TEXT)
    return written


def nbgrader(folder: Path, *args, timeout: float) -> subprocess.CompletedProcess:
    """The real nbgrader of this environment, in the course ``folder``.

    nbgrader runs ``alembic`` by name to set up its gradebook, so this
    environment's bin folder goes first on PATH (as in an activated venv).
    """
    bin_dir = Path(sys.executable).parent
    environment = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run([str(bin_dir / "nbgrader"), *args], cwd=folder, env=environment,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode:
        raise UpylabError(f"nbgrader {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result
