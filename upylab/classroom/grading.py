"""nbgrader in the class hub: the teacher's formgrader, the students' assignment list.

One class, one course (nbgrader's "one class, one grader" set-up), made by
``upylab class start``:

* the **grading folder** (``--grading DIR``; as root ``/srv/upylab/grading``,
  since students cannot enter root's home): ``exchange/``, where nbgrader
  hands assignments out and takes submissions in (mode 1777: everyone may
  add, each file stays its owner's, nbgrader sets the modes inside), and
  ``nbgrader_config.py`` naming the course and the exchange, readable by
  every account;
* the **teacher's course**, ``~TEACHER/course``, built from the lessons
  (``upylab assignments build``) when it is missing, so a later class
  never overwrites the teacher's grading; and ``~TEACHER/.jupyter/
  nbgrader_config.py``, which gives the formgrader the course's settings
  (``assignments.course.configure``: every submission graded on a fresh
  virtual board) and its folder.  The teacher's server opens their home
  (``before_spawn``), a student's their lessons, where fetched
  assignments land;
* each server's ``JUPYTER_CONFIG_PATH`` (``config_path``): the grading
  folder for everyone and, for students, ``student-jupyter/`` beside this
  file, which turns the formgrader, the course list and the
  create-assignment toolbar off (server extensions and JupyterLab
  plugins): a student keeps the Assignments tab (fetch, submit,
  feedback), which fetches into their lessons folder.  Those tools would show a student nothing of the teacher's
  (their home is 0700), but a student has no use for them.  Validate is
  off too: it would run the notebook on the student's board, which their
  open notebook's kernel holds, and the check cell says the same.
"""
import os
import pwd
from pathlib import Path

from upylab import paths
from upylab.assignments import course

STUDENT_JUPYTER = Path(__file__).with_name("student-jupyter")
ROOT_FOLDER = Path("/srv/upylab/grading")
COURSE = "course"             # in the teacher's home
CONFIG_TEXT = '''\
# nbgrader for the class: one course, one exchange (written by `upylab class start`).
c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
'''
TEACHER_CONFIG_TEXT = '''\
# The teacher's nbgrader settings (written by `upylab class start` with the course):
# the course's own settings, and where it is, for the formgrader.
from upylab.assignments.course import configure

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)
configure(c)
c.CourseDirectory.root = {root!r}
'''


def default_folder(isolated: bool) -> Path:
    return ROOT_FOLDER if isolated else paths.state_dir() / "grading"


def prepare(folder: Path, teacher: str):
    """The grading folder with its exchange and, for ``teacher`` (a login name), their course."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    exchange = folder / "exchange"
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)
    config = folder / course.CONFIG
    config.write_text(CONFIG_TEXT.format(course_id=course.COURSE_ID, exchange=str(exchange)))
    config.chmod(0o644)
    if teacher:
        _teachers_course(teacher)


def _teachers_course(teacher: str):
    """``~TEACHER/course`` (when missing) and the teacher's nbgrader settings, theirs."""
    account = pwd.getpwnam(teacher)
    home = Path(account.pw_dir)
    root = home / COURSE
    made = []
    if not root.exists():
        course.build(root)
        made.append(root)
    settings = home / ".jupyter" / course.CONFIG
    if not settings.parent.exists():
        settings.parent.mkdir()
        made.append(settings.parent)
    settings.write_text(TEACHER_CONFIG_TEXT.format(root=str(root)))
    made.append(settings)
    if os.geteuid() == 0:
        for top in made:
            for path in [top, *(top.rglob("*") if top.is_dir() else [])]:
                os.chown(path, account.pw_uid, account.pw_gid)


def before_spawn(spawner, teacher: str):
    """The teacher's server opens their home (``lessons/`` and ``course/``), not ``lessons/``.

    nbgrader's formgrader refuses to work (every call answers 500) on a
    course outside the folder the server opens.
    """
    if spawner.user.name == teacher:
        spawner.notebook_dir = "~"


def config_path(folder: str, user: str, teacher: str) -> str:
    """A server's JUPYTER_CONFIG_PATH: the class's nbgrader settings; a student's tools."""
    if user == teacher:
        return folder
    return os.pathsep.join([folder, str(STUDENT_JUPYTER)])
