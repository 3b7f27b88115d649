"""The "MicroPython (upylab)" Jupyter kernel.

A thin subclass of the pip-installed ``jupyter-micropython-kernel``
(``kernel``), plus what it lacks for lessons that must run unchanged on an
ESP32 and on a virtual board: host-side lesson commands (``magics``), one
board shared by many notebooks (``handover``), Run All that stops at the
first error (``runall``), a stop button that tidies the board's asyncio
(``stopbutton``), Restart Kernel as a fresh board (``restart``), and a
kernelspec installed inside this environment (``install``, ``upylab
kernel install``).  Finding the board without naming a port, its port,
and turning the board's tracebacks into Jupyter errors are the link's
(``upylab.link``), as for every other tool.
"""
