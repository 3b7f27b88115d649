"""A learner's own copy of the lessons, to change and run without touching ``notebooks/``.

``notebooks/`` holds the lessons as published: their saved outputs are
what the tests compare, so nobody should work in it.  Each learner works
in a copy instead (``work/`` for ``upylab lab``, a class hub's student in
their home).  ``copy_lessons`` fills a folder with whatever it lacks and
never overwrites a file there, so a learner's work survives every restart
and new lessons still arrive.
"""
import shutil
from pathlib import Path

from upylab import paths

# What a learner needs from notebooks/: the lessons and their guide.
LESSON_PATTERNS = ("*.ipynb", "README.md")


def copy_lessons(destination: Path, source: Path = paths.NOTEBOOKS) -> list[Path]:
    """Copy the lessons ``destination`` does not have yet; returns what was copied."""
    destination.mkdir(parents=True, exist_ok=True)
    copied = []
    for pattern in LESSON_PATTERNS:
        for lesson in sorted(source.glob(pattern)):
            target = destination / lesson.name
            if not target.exists():
                shutil.copyfile(lesson, target)
                copied.append(target)
    return copied
