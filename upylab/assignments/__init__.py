"""``upylab assignments``: the lessons' exercises handed in and graded on boards, with nbgrader.

nbgrader (pinned) collects notebooks and grades them by running them: an
autograder test is a cell that fails by raising.  The upstream MicroPython
kernel reports a board's exception as plain output with status ``ok``, so
every test would pass; this project's kernel makes it a real cell error
(``upylab.link.errors.BoardError``), which is what lets nbgrader work here.

How the parts fit:

* ``course``: ``upylab assignments build`` makes an nbgrader course from
  ``notebooks/``, one assignment per lesson that ends with an exercise.
  The lesson stays the single source: its ``exercise`` cell, with the
  reference solution (``snippets/solutions/<lesson>.py``, never in
  ``notebooks/``) between nbgrader's solution delimiters in place of its
  ``# your code here`` line, so that ``nbgrader generate_assignment``
  gives back exactly the lesson's cell; and after its ``exercise-check``
  cell, a read-only test cell made from it.  Both call the same check
  function on the board (``snippets/<framework>/exercise_*.py``): the
  lesson prints its verdict, the test asserts it is ``well done``.
* ``boardexecute``: nbgrader's ``Execute``, as the course's autograder
  runs it: each submission on a fresh virtual board of its own, a time
  limit per cell and per submission, and a board that cannot be stopped
  costs that submission the rest of its cells, never the next one's.
* ``cli``: the command.
"""
