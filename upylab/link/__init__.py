"""One way to talk to a board, real or virtual: choosing it, its serial line, what runs over it.

``choose`` says which board a name means (the same answer for the kernel,
``upylab install``, ``doctor``, ``bench``, ``lab`` and the class hub);
``transport`` is the link itself (``Link``: mpremote's ``SerialTransport``
underneath, driven in the raw REPL as tools do or in the friendly REPL as
a person does); ``commands`` is what runs over a link (files, facts, a
visible soft reboot), as mpremote keeps its commands apart from its
transport; ``errors`` holds the two ways a board fails a caller:
``BoardError``, an exception raised on the board, and ``BoardTimeout``.

The API other layers use (each module's docstring says more)::

    choose.choose(value=None, how="--board") -> Target   # .device, .label, .record (virtual) or None
    choose.ENV                                    # "UPYLAB_BOARD"
    transport.Link.open(device, label=None)       # exclusive; a context manager, or close() after
    link.run(code, timeout) -> str                # raw REPL: what it printed; raises BoardError
    link.eval(expression) ; link.soft_reset() ; link.recover()
    link.write(bytes) ; link.friendly() ; link.read_until(bytes, timeout) ; link.read_for(seconds)
    commands.write_files(link, {path: bytes}, root="") ; commands.remove(link, paths)
    commands.info(link) -> dict ; commands.soft_reboot(link) -> str ; commands.define(link, name, code)
    errors.BoardError(UpylabError): .ename .evalue .traceback .board, .content() -> Jupyter's fields
    errors.BoardTimeout(UpylabError, TimeoutError) ; errors.parse(section) -> BoardError
"""
