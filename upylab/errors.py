"""The one exception type the command line turns into a one-line message.

Anything a user can cause (a bad argument, a missing board, a busy port)
raises ``UpylabError`` with a sentence that says what to do; anything else
is a bug and keeps its traceback.
"""


class UpylabError(Exception):
    """A problem the user can fix; ``str(error)`` says how."""
