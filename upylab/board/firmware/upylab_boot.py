# Runs first in every virtual-board interpreter (`micropython -i` this file),
# then the interpreter falls into its REPL, as a board does after boot.
#
# It makes the unix port look like an ESP32 from the inside:
#   - imports the board shims (socket, network, machine) while host paths
#     are still reachable, so they stay in sys.modules;
#   - mounts the board's flash folder as `/` and puts `/lib` on sys.path;
#   - runs boot.py, then main.py (only when the REPL is in friendly mode,
#     as the ESP32 firmware does);
#   - prints the markers the host bridge waits for (set up: input may flow;
#     booted: the REPL follows), and leaves the REPL's namespace as clean
#     as a board's.


def _upylab_boot():
    import micropython
    import os
    import sys

    # Ctrl-C may stop boot.py and main.py, not this: outside them SIGINT
    # stays at its default, and the bridge holds a Ctrl-C until one starts.
    micropython.kbd_intr(-1)

    import socket  # noqa: F401  (the shim; kept in sys.modules)
    import network  # noqa: F401
    import machine  # noqa: F401

    # On a board, `usocket` is `socket` (and so on); here the u-names would
    # reach the unix port's modules around the shims (TinyWeb imports
    # usocket): make them the same modules.
    for name in ("socket", "os", "machine"):
        sys.modules["u" + name] = sys.modules[name]

    flash = os.getenv("UPYLAB_FLASH")
    os.umount("/")
    os.mount(os.VfsPosix(flash), "/")
    os.chdir("/")
    sys.path[:] = ["", ".frozen", "/lib"]
    if os.getenv("UPYLAB_MEASURE"):  # the host sizes the heap by this
        import gc
        gc.collect()
        print("upylab-heap-used", gc.mem_alloc())
        return
    marker = os.getenv("UPYLAB_MARKER")
    print(marker + "-set-up", end="")

    def run(name):
        try:
            source = open(name).read()
        except OSError:
            return
        try:
            try:
                micropython.kbd_intr(3)
                exec(compile(source, name, "exec"), globals())
            finally:
                micropython.kbd_intr(-1)
                for _ in (0,):  # a second Ctrl-C, signalled before the line
                    pass        # above, is raised here, inside the outer try
        except BaseException as error:  # a board reports and goes on to the REPL
            sys.print_exception(error)

    run("boot.py")
    if os.getenv("UPYLAB_SKIP_MAIN") != "1":
        run("main.py")
    print(marker + "-booted", end="")


_upylab_boot()
del _upylab_boot
del __file__
