"""A learner's copy of the lessons: filled from notebooks/, never overwritten."""
from upylab import paths
from upylab.workcopy import copy_lessons


def test_copies_the_lessons_and_keeps_the_learners_changes(tmp_path):
    work = tmp_path / "lessons"
    copied = copy_lessons(work)
    lessons = sorted(path.name for path in paths.NOTEBOOKS.glob("*.ipynb"))
    assert lessons and sorted(path.name for path in work.glob("*.ipynb")) == lessons
    assert {path.name for path in copied} == set(lessons) | {"README.md"}
    edited = work / lessons[0]
    edited.write_text("the learner's work")
    (work / lessons[1]).unlink()
    assert copy_lessons(work) == [work / lessons[1]]
    assert edited.read_text() == "the learner's work"
