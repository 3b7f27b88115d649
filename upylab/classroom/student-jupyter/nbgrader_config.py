# A student's nbgrader settings (classroom/grading.py): a fetched assignment
# lands in their lessons folder, which their JupyterLab opens; nbgrader's
# default, the server's working folder (their home), is out of its sight.
import os

from upylab.classroom.student import LESSONS

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)
c.Exchange.assignment_dir = os.path.join(os.path.expanduser("~"), LESSONS)
