"""The lessons' exercises as an nbgrader course, graded on virtual boards (issue 17).

The whole course is built (every lesson's solution must fit its exercise);
lesson 01 (no framework to install: the fastest lesson) gets a student
version generated with the real ``nbgrader``, and six submissions are
autograded by the real ``nbgrader autograde``, each on a fresh virtual board
through the project's kernel: in two runs side by side, three submissions
each (a misbehaving one, then one that is not), which halves the time the
loops wait out.  Each submission after one that misbehaves must be graded
exactly as it would be on its own.
"""

import nbformat
import pytest

from upylab import paths
from upylab.assignments import course, measure
from upylab.errors import UpylabError

pytestmark = pytest.mark.long(50)    # on one worker (a module fixture)
LESSON = paths.NOTEBOOKS / "01-raw-sockets.ipynb"
ASSIGNMENT = LESSON.stem
# Limits for this test's run: lesson 01's slowest cell takes about 4 s.
CELL_TIMEOUT, STOP_GRACE = 6, 3
AUTOGRADE_TIMEOUT = 300      # each run, as a ceiling: the two take about 30 s
SOLUTION = course.solution_path(LESSON).read_text()
# The lesson's slow-client demo: 4 s of sleeps, deleted from the submissions
# marked "short" (any cell that is not graded is the student's to delete).
DEMO = "_thread.start_new_thread(trickle"
# Exercise cells, each handed in by one student (names sorted = grading order within
# a run), in the student version as handed out ("full") or without the demo ("short").
SUBMISSIONS = {
    # a server left bound and the heap filled up, then a MemoryError on the board
    "a-hogging": ("short", "import socket\n"
                           "server = socket.socket()\n"
                           "server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                           "server.bind(('0.0.0.0', 80))\n"
                           "server.listen(1)\n"
                           "hog = []\n"
                           "while True:\n"
                           "    hog.append(bytearray(4096))\n"),
    "b-solution": ("short", SOLUTION),
    # a loop the stop button ends: the cell times out, the rest runs
    "c-looping": ("short", "while True:\n    pass\n"),
    # a loop that swallows Ctrl-C: the board cannot be stopped
    "d-stuck": ("short", "while True:\n"
                         "    try:\n"
                         "        while True:\n"
                         "            pass\n"
                         "    except KeyboardInterrupt:\n"
                         "        pass\n"),
    # the solution, then the interpreter ended: MicroPython's os has no _exit (an
    # ESP32's has none either), machine.reset() ends it as surely; the board boots
    # a new one, without the solution
    "e-killing": ("short", SOLUTION + "\n"
                           "import os\n"
                           "try:\n"
                           "    os._exit(1)\n"
                           "except AttributeError:\n"
                           "    import machine\n"
                           "    machine.reset()\n"),
    "f-untouched": ("full", None),    # the student version as handed out
}
# The two autograde runs: a-, b-, d- and c-, e-, f- (each loop in a run of its own).
RUNS = ("[abd]-*", "[cef]-*")


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    course.build(folder)
    with open(folder / course.CONFIG, "a") as config:
        config.write(f"c.BoardExecute.timeout = {CELL_TIMEOUT}\n"
                     f"c.BoardExecute.stop_grace = {STOP_GRACE}\n")
    course.nbgrader(folder, "generate_assignment", ASSIGNMENT, timeout=120)
    return folder


@pytest.fixture(scope="module")
def released(course_dir):
    return nbformat.read(course_dir / "release" / ASSIGNMENT / LESSON.name, as_version=4)


def test_every_lesson_with_an_exercise_is_an_assignment(course_dir):
    assert sorted(folder.name for folder in (course_dir / "source").iterdir()) == \
        [lesson.stem for lesson in course.lessons_with_exercises()]
    assert len(course.lessons_with_exercises()) >= 6


def test_the_source_holds_the_solution_and_a_test(course_dir):
    source = nbformat.read(course_dir / "source" / ASSIGNMENT / LESSON.name, as_version=4)
    [exercise] = course.tagged(source, "exercise")
    assert course.BEGIN in exercise.source and course.END in exercise.source
    assert "led.switch('toggle')" in exercise.source
    [check] = course.tagged(source, "exercise-check")
    [test] = course.tagged(source, "exercise-test")
    assert source.cells.index(test) == source.cells.index(check) + 1
    assert test.metadata.nbgrader["grade"] and test.metadata.nbgrader["locked"]
    assert "exercise_raw.check(globals().get('my_handle'))" in test.source
    assert test.source.endswith("assert verdict.startswith('well done'), verdict")


def test_the_student_version_is_the_lesson_without_the_solution(released):
    lesson = nbformat.read(LESSON, as_version=4)
    [test] = course.tagged(released, "exercise-test")
    handed_out = [cell for cell in released.cells if cell is not test]
    assert [cell.source for cell in handed_out] == [cell.source for cell in lesson.cells]
    assert [cell.get("outputs") for cell in handed_out] == [cell.get("outputs")
                                                           for cell in lesson.cells]
    solution_only = set(SOLUTION.splitlines()) - set(course.tagged(lesson, "exercise")[0].source
                                                    .splitlines())
    assert solution_only, "the solution adds lines to the exercise"
    everything = "\n".join(cell.source for cell in released.cells)
    assert not [line for line in solution_only if line in everything.splitlines()]
    assert course.BEGIN not in everything


def test_a_solution_that_drifted_from_its_lesson_is_refused():
    exercise = "def f():\n    # your code here\n    return 0"
    assert course.with_solution(exercise, "def f():\n    return 1\n    return 0", LESSON) == \
        "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n    return 0"
    with pytest.raises(UpylabError, match="must read as the exercise cell"):
        course.with_solution(exercise, "def g():\n    return 1\n    return 0", LESSON)
    with pytest.raises(UpylabError, match="needs one line"):
        course.with_solution("def f():\n    return 0", "def f():\n    return 1", LESSON)


def test_a_check_cell_must_print_its_verdict():
    with pytest.raises(UpylabError, match="must end with a line"):
        course.test_source("import x\nx.check()", LESSON)


@pytest.fixture(scope="module")
def graded(course_dir, released):
    """Every submission handed in, then ``nbgrader autograde`` (RUNS): (scores, seconds)."""
    for student, (length, exercise) in SUBMISSIONS.items():
        notebook = nbformat.reads(nbformat.writes(released), as_version=4)
        if exercise is not None:
            course.tagged(notebook, "exercise")[0].source = exercise
        if length == "short":
            [demo] = [cell for cell in notebook.cells if DEMO in cell.source]
            notebook.cells.remove(demo)
        measure.hand_in(course_dir, ASSIGNMENT, student, notebook)
    return measure.autograde(course_dir, ASSIGNMENT, AUTOGRADE_TIMEOUT, RUNS)


def autograded(course_dir, student):
    return nbformat.read(course_dir / "autograded" / student / ASSIGNMENT / LESSON.name,
                         as_version=4)


def errors(cell):
    return [f"{output.ename}: {output.evalue}" for output in cell.outputs
            if output.output_type == "error"]


def not_run(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"
            and any(name.startswith("NotRun") for name in errors(cell))]


def test_scores(graded):
    scores, _ = graded
    assert scores == {"a-hogging": 0, "b-solution": 1, "c-looping": 0, "d-stuck": 0,
                      "e-killing": 0, "f-untouched": 0}


def test_the_run_finishes_in_bounded_time(graded):
    _, seconds = graded
    # Each submission takes 5 to 10 s; the two loops add at most their limits.
    assert seconds < len(SUBMISSIONS) * 30 + 2 * (CELL_TIMEOUT + STOP_GRACE)


def test_a_raising_submission_fails_with_the_boards_error(course_dir, graded):
    notebook = autograded(course_dir, "a-hogging")
    assert errors(course.tagged(notebook, "exercise")[0])[0].startswith("MemoryError")
    assert not not_run(notebook), "every cell after the error ran"
    [test] = course.tagged(notebook, "exercise-test")
    assert errors(test) == ["AssertionError: not yet: run the exercise cell above first "
                            "(it defines my_handle)"]


def test_a_loop_is_stopped_and_the_rest_runs(course_dir, graded):
    notebook = autograded(course_dir, "c-looping")
    exercise_errors = errors(course.tagged(notebook, "exercise")[0])
    assert "KeyboardInterrupt: the cell was stopped" in exercise_errors
    assert any(error.startswith("CellTimeoutError") for error in exercise_errors)
    assert not not_run(notebook)


def test_a_board_that_cannot_be_stopped_fails_the_rest(course_dir, graded):
    notebook = autograded(course_dir, "d-stuck")
    [exercise] = course.tagged(notebook, "exercise")
    [test] = course.tagged(notebook, "exercise-test")
    stopped = not_run(notebook)
    assert stopped[0] is exercise and test in stopped
    assert "did not stop within" in errors(exercise)[-1]


def test_an_interpreter_that_dies_takes_the_solution_with_it(course_dir, graded):
    notebook = autograded(course_dir, "e-killing")
    printed = "".join(output.get("text", "") for output in course.tagged(notebook, "exercise")[0].outputs)
    assert "[virtual board: hard reset]" in printed
    assert not not_run(notebook)
    [check] = course.tagged(notebook, "exercise-check")
    assert "".join(output.get("text", "") for output in check.outputs) == \
        "not yet: run the exercise cell above first (it defines my_handle)\n"


def test_the_next_submission_is_graded_normally(course_dir, graded):
    notebook = autograded(course_dir, "b-solution")
    assert not [cell for cell in notebook.cells if cell.cell_type == "code" and errors(cell)
                and "raises-exception" not in cell.metadata.get("tags", [])]
    untouched = autograded(course_dir, "f-untouched")
    assert [errors(cell) for cell in untouched.cells if cell.cell_type == "code"
            and errors(cell)] == [["AssertionError: not yet: POST /api/toggle is still a 404"]]


def test_feedback_shows_the_boards_traceback(course_dir, graded):
    course.nbgrader(course_dir, "generate_feedback", ASSIGNMENT, timeout=120)

    def page(student):
        return (course_dir / "feedback" / student / ASSIGNMENT /
                LESSON.with_suffix(".html").name).read_text()
    # The board's traceback, as the kernel reported it (HTML-escaped in the page).
    assert ('Traceback (most recent call last):\n'
            '  File "&lt;stdin&gt;", line 4, in &lt;module&gt;\n'
            'AssertionError: not yet: POST /api/toggle is still a 404') in page("f-untouched")
    assert "MemoryError: memory allocation failed" in page("a-hogging")
