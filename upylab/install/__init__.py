"""``upylab install``: put a framework on a board from its published source.

What a board needs from each framework is data, not code:
``data/install.csv`` has one row per framework and file-set ("part"):
where it comes from, its pin and sha256, which of its files go to the
board's ``/lib``, the patches applied to them (``data/patches/<id>/``)
and the module that proves the install.

``recipes`` reads those rows, ``cache`` gets each part (from the cache,
a mirror, or its ecosystem's tool) and keeps it pinned, ``payload`` turns
parts into the files for ``/lib`` (selected, patched, compiled to .mpy by
``mpy`` unless the source is asked for), ``transfer`` copies files onto a
board atomically over its link (``upylab.link``), and ``steps`` ties them
together in ``install()``, which the command line (``cli``) and the
kernel's ``%upylab install`` call.  ``bundle`` writes parts into a mirror
folder for offline classrooms.
"""
