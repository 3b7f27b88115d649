# Runs first in every virtual-board interpreter (`micropython -i` this file),
# then the interpreter falls into its REPL, as a board does after boot.
#
# It makes the unix port look like an ESP32 from the inside:
#   - imports the board shims (socket, network, machine, os, errno, vfs)
#     while the firmware folder is still on the path, so they stay in
#     sys.modules, under their u-names too;
#   - mounts the board's flash as `/` (os._Flash: LittleFS's view of the
#     board's folder, no way out of it) and puts `/lib` on sys.path;
#   - runs boot.py, then main.py only if boot.py ended cleanly, and only in
#     the friendly REPL; a SystemExit in either is a soft reboot, as in the
#     ESP32 firmware (ports/esp32/main.c, from "run boot-up scripts");
#   - prints the markers the host bridge waits for (set up: input may flow;
#     booted: the REPL follows), and leaves the REPL's namespace as clean
#     as a board's.


def _upylab_boot():
    import micropython
    import sys
    import uos  # the unix port's own os, for the set-up only

    # Ctrl-C may stop boot.py and main.py, not this: outside them SIGINT
    # stays at its default, and the bridge holds a Ctrl-C until one starts.
    micropython.kbd_intr(-1)

    # The shims, compiled (upylab/board/compiled.py), not this folder's sources.
    sys.path[:] = [uos.getenv("UPYLAB_FIRMWARE"), ".frozen"]
    import errno  # noqa: F401  (the shims; kept in sys.modules)
    import socket  # noqa: F401
    import network  # noqa: F401
    import machine
    import os
    import upylab_vfs

    # On a board, `usocket` is `socket` (and so on); here the u-names would
    # reach the unix port's modules around the shims (TinyWeb imports
    # usocket): make them the same modules.
    for name in ("socket", "os", "machine", "errno"):
        sys.modules["u" + name] = sys.modules[name]
    sys.modules["vfs"] = upylab_vfs
    del sys.modules["upylab_vfs"]

    uos.umount("/")
    uos.mount(os._Flash(uos.VfsPosix(uos.getenv("UPYLAB_FLASH"))), "/")
    uos.chdir("/")
    sys.path[:] = ["", ".frozen", "/lib"]
    if uos.getenv("UPYLAB_MEASURE"):  # the host sizes the heap by this
        import gc
        gc.collect()
        print("upylab-heap-used", gc.mem_alloc())
        return
    marker = uos.getenv("UPYLAB_MARKER")
    skip_main = uos.getenv("UPYLAB_SKIP_MAIN") == "1"
    print(marker + "-set-up", end="")

    def run(name):
        """pyexec_file_if_exists: True if it ran to its end (or is missing)."""
        try:
            source = open(name).read()
        except OSError:
            return True
        try:
            try:
                micropython.kbd_intr(3)
                exec(compile(source, name, "exec"), globals())
            finally:
                micropython.kbd_intr(-1)
                for _ in (0,):  # a second Ctrl-C, signalled before the line
                    pass        # above, is raised here, inside the outer try
        except SystemExit:
            machine._soft_reboot()
        except BaseException as error:  # a board reports and goes on to the REPL
            sys.print_exception(error)
            return False
        return True

    if run("boot.py") and not skip_main:
        run("main.py")
    print(marker + "-booted", end="")


_upylab_boot()
del _upylab_boot
del __file__
