"""``upylab install``: put a framework on a board from its published source.

What a board needs from each framework is data, not code:
``data/install.csv`` has one row per framework and file-set ("part"):
where it comes from, its pin and sha256, which of its files go to the
board's ``/lib``, the patches applied to them (``data/patches/<id>/``)
and the module that proves the install.

``recipes`` reads those rows, ``cache`` fetches each part through its
ecosystem's tool and keeps it pinned, ``payload`` turns parts into the
files for ``/lib`` (selected, patched, optionally compiled by ``mpy``),
``target`` finds the board, ``transfer`` copies files onto it atomically,
and ``cli`` ties them together.
"""
