"""upylab: MicroPython web-server lessons and a verified catalog of frameworks.

The package holds the host-side tooling; the board-side code the lessons
send lives in ``snippets/`` and the virtual board's firmware shims in
``upylab/board/firmware/``.
"""
