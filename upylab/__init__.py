"""upylab: MicroPython web-server lessons and a verified catalog of frameworks.

The package holds the host-side tooling; the board-side code the lessons
send lives in ``snippets/`` and the virtual board's firmware shims in
``upylab/board/firmware/``.

Layers, lowest first.  A module imports from its own layer and the layers
below it, never from one above (``tests/test_layers.py`` checks every
import, those inside functions too), so each layer can be used, and
tested, without the ones above it:

1. ``upylab.errors``, ``upylab.paths``: the one error a user can fix, and
   where every file is.
2. ``upylab.snippets``, ``upylab.catalog``: the data: the board code as
   files, and the tables of ``data/`` (frameworks, install recipes,
   reference apps, measurements), read, checked and shown; and
   ``upylab.install.mpy``, mpy-cross, which compiles the virtual board's
   firmware shims as well as the frameworks installed.
3. ``upylab.board``: the virtual board.
4. ``upylab.link``: any board, real or virtual: which one a name means,
   its serial link, what runs over it.
5. ``upylab.install``: frameworks onto a board.
6. ``upylab.bench``: the reference apps measured on boards.
7. ``upylab.classroom.boardproxy``: the class hub's board proxy, which the
   kernel asks for a board's URLs.
8. ``upylab.kernel``: the Jupyter kernel the lessons run in.
9. ``upylab.lessons``, ``upylab.lab``, ``upylab.doctor``, ``upylab.assignments``,
   ``upylab.classroom``: the tools a student or teacher runs, each with its
   own command (the class hub starts each student's server, with their
   working copies of the lessons, and sets up the teacher's course of
   ``upylab.assignments``, which grades the lessons' exercises on boards).
10. commands: ``upylab.cli``, and every ``cli`` and ``__main__`` module:
    thin command lines over the functions of the layers below.
"""
