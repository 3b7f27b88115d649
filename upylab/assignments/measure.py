"""``upylab assignments measure``: how long grading a class's submissions takes here.

It builds a course of one lesson in a temporary folder, hands in N
submissions the way a class does (most solved, some untouched, some
raising on the board, one looping for ever), and times the real
``nbgrader autograde`` over them, each on a fresh virtual board.  It prints
the figures and the scores, so a teacher can check the run graded what it
should (the docs quote a run of it: docs/teachers-guide.md).
"""
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from upylab import lessons
from upylab.assignments import course
from upylab.errors import UpylabError

# What students hand in, in turn: (kind, exercise cell or None for untouched, points).
KINDS = (
    ("solved", "solution", 1),
    ("solved", "solution", 1),
    ("untouched", None, 0),
    ("raising", "raise ValueError('a bug in the exercise')\n", 0),
)
LOOPING = ("looping", "while True:\n    pass\n", 0)


def submissions(count: int) -> list:
    """``count`` submissions: one looping for ever, the rest in turn from KINDS."""
    return [LOOPING] + [KINDS[index % len(KINDS)] for index in range(count - 1)]


def hand_in(folder: Path, assignment: str, student: str, notebook) -> Path:
    """``notebook`` as ``student``'s submission, where ``nbgrader collect`` puts it."""
    import nbformat
    submitted = folder / "submitted" / student / assignment
    submitted.mkdir(parents=True)
    path = submitted / f"{assignment}.ipynb"
    nbformat.write(notebook, path)
    return path


def autograde(folder: Path, assignment: str, timeout: float, groups=()) -> tuple:
    """The real ``nbgrader autograde`` of every submission: ({student: score}, seconds).

    One run grades one submission after another.  With ``groups`` (globs of
    student ids, e.g. ``[a-m]*``), one run per group, side by side: each
    submission has its own board and kernel whichever run grades it, and
    the runs share only the gradebook (SQLite, whose writes wait their turn).
    """
    started = time.monotonic()
    runs = [[f"--student={group}"] for group in groups] or [[]]
    with ThreadPoolExecutor(len(runs)) as pool:
        for finished in [pool.submit(course.nbgrader, folder, "autograde", assignment, *run,
                                     timeout=timeout) for run in runs]:
            finished.result()
    seconds = time.monotonic() - started
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        scores = {submission.student.id: submission.score
                  for submission in gradebook.assignment_submissions(assignment)}
    return scores, seconds


def measure(lesson: Path, count: int, timeout: float) -> dict:
    import nbformat
    with tempfile.TemporaryDirectory(prefix="upylab-grading-") as folder:
        folder = Path(folder)
        course.build(folder, [lesson.stem])
        course.nbgrader(folder, "generate_assignment", lesson.stem, timeout=300)
        released = folder / "release" / lesson.stem / lesson.name
        solution = course.solution_path(lesson).read_text()
        expected = {}
        for number, (kind, exercise, points) in enumerate(submissions(count), 1):
            notebook = nbformat.read(released, as_version=4)
            if exercise is not None:
                course.tagged(notebook, "exercise")[0].source = (
                    solution if exercise == "solution" else exercise)
            student = f"s{number:02d}-{kind}"
            hand_in(folder, lesson.stem, student, notebook)
            expected[student] = points
        scores, seconds = autograde(folder, lesson.stem, timeout)
    return {"seconds": seconds, "scores": scores, "expected": expected}


def run(args):
    [lesson] = lessons.chosen([args.lesson])
    result = measure(lesson, args.submissions, args.timeout)
    wrong = {student: score for student, score in result["scores"].items()
             if score != result["expected"][student]}
    seconds = result["seconds"]
    print(f"{lesson.stem}: {args.submissions} submissions autograded in {seconds:.0f} s "
          f"({seconds / args.submissions:.1f} s each), each on a fresh virtual board")
    print("scores: " + ", ".join(f"{student} {score:g}"
                                 for student, score in result["scores"].items()))
    if wrong:
        raise UpylabError(f"scored other than expected: {wrong}")
    return 0
