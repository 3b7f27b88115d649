"""One way to talk to a board, real or virtual: choosing it, its serial line, what runs over it.

``choose`` says which board a name means (the same answer for the kernel,
``upylab install``, ``doctor``, ``bench``, ``lab`` and the class hub);
``transport`` is the link itself (``Link``: mpremote's ``SerialTransport``
underneath, driven in the raw REPL as tools do or in the friendly REPL as
a person does); ``commands`` is what runs over a link (files, facts, a
visible soft reboot), as mpremote keeps its commands apart from its
transport; ``errors`` holds the two ways a board fails a caller:
``BoardError``, an exception raised on the board, and ``BoardTimeout``.
"""
