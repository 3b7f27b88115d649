"""The operating system's fence around a virtual board's interpreter (Landlock).

The board-side shims keep ordinary code inside the board: its filesystem
is its flash folder, ``os`` has no ``system`` or ``getenv``.  But the
interpreter is the unix port, whose own modules stay importable by
anyone who asks for them on purpose (``del sys.modules['os']; import os``
gives back ``os.system``; ``vfs.VfsPosix('/')`` mounts the host's root),
and whose native code emitters and ``uctypes`` reach its memory.  So the
interpreter process also fences itself in with Landlock (Linux 5.13+, no
privileges needed), before MicroPython starts:

* files: read and write in the board's flash folder; read its firmware
  shims, the system libraries and the few ``/etc`` files name lookups
  read; its pin file, its unix sockets' folder; nothing else, and no
  program may be executed (``os.system`` gets nothing to run);
* signals and abstract unix sockets (ABI 6+): only within the fence;
* ptrace: Landlock never lets a fenced process trace one outside.

Where the kernel has no Landlock, the board runs without this fence
(``upylab board status`` says so) and the README's residual risks apply.
"""
import ctypes
import os
import signal
import sys

# Syscall numbers (x86_64 and aarch64 share them) and constants: linux/landlock.h.
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_O_PATH = 0o10000000
_O_CLOEXEC = 0o2000000

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK = 1 << 8, 1 << 9, 1 << 10, 1 << 11
MAKE_SYM, REFER, TRUNCATE, IOCTL_DEV = 1 << 12, 1 << 13, 1 << 14, 1 << 15
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
# Sent by the bridge to interrupt the interpreter's sleep or poll, so that
# callbacks a thread of the board scheduled run at once, as on an ESP32.
# A process-directed signal goes to the main thread, which does not block it.
WAKE_SIGNAL = signal.SIGUSR2
# Sent by the bridge for a Ctrl-C while code runs.  Its handler is the
# interpreter's own mp_sched_keyboard_interrupt: the KeyboardInterrupt is
# made pending and raised where the VM next checks, as an ESP32's UART
# interrupt does (ports/esp32/uart.c, L116 at 13303f8d).  The unix port's
# SIGINT handler instead raises it from inside the handler
# (MICROPY_ASYNC_KBD_INTR, ports/unix/variants/mpconfigvariant_common.h,
# L32): landing in the garbage collector, it left the heap locked
# ("MemoryError: ... heap is locked", then "FATAL: uncaught NLR").
KEYBOARD_SIGNAL = signal.SIGUSR1

# What each ABI version can fence (landlock.rst, "Compatibility").
_FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
READ = READ_FILE | READ_DIR
FILES = READ_FILE | WRITE_FILE | TRUNCATE  # on a single file
FOLDER = (READ | WRITE_FILE | TRUNCATE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG
          | REFER)
SOCKETS = READ | REMOVE_FILE | MAKE_SOCK | WRITE_FILE
# Read-only places the interpreter itself may need once fenced: shared
# libraries the C library loads late (name service, thread unwinding),
# and the files name lookups read.
SYSTEM_READ = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/etc/hosts", "/etc/resolv.conf",
               "/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf", "/dev/urandom",
               "/dev/null")


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _Ruleset(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


def c_library():
    """This process's C library, errno kept (also interrupt.py's tgkill)."""
    return ctypes.CDLL(None, use_errno=True)


def abi() -> int:
    """Landlock's ABI version on this kernel, 0 where there is none."""
    if not sys.platform.startswith("linux"):
        return 0
    version = c_library().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0),
                              ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(version, 0)


def describe() -> str:
    version = abi()
    return f"Landlock ABI {version}" if version else "none (this kernel has no Landlock)"


def _fs_rights(version: int) -> int:
    return max(rights for since, rights in _FS_RIGHTS_BY_ABI.items() if since <= version)


def restrict(rules: dict) -> int:
    """Fence this process in: ``rules`` maps a path to the rights allowed beneath it.

    Paths that do not exist are skipped.  Returns the ABI version used (0:
    none, nothing was done).  Irreversible, and inherited by children.
    """
    version = abi()
    if not version:
        return 0
    libc = c_library()
    handled = _fs_rights(version)
    ruleset = _Ruleset(handled, 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0)
    size = ctypes.sizeof(_Ruleset) if version >= 6 else ctypes.sizeof(ctypes.c_uint64)
    fd = libc.syscall(_CREATE_RULESET, ctypes.byref(ruleset), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    try:
        for path, rights in rules.items():
            _allow(libc, fd, path, rights & handled)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if libc.syscall(_RESTRICT_SELF, fd, ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(fd)
    return version


def _allow(libc, ruleset_fd: int, path: str, rights: int):
    try:
        target = os.open(path, _O_PATH | _O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not os.path.isdir(path):  # a file takes only the rights that apply to files
            rights &= FILES | EXECUTE
        rule = _PathBeneath(rights, target)
        if libc.syscall(_ADD_RULE, ruleset_fd, _RULE_PATH_BENEATH, ctypes.byref(rule),
                        ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
    finally:
        os.close(target)


def board_rules(environment: dict) -> dict:
    """What a board's interpreter may touch, from the variables the bridge gives it."""
    rules = {path: READ for path in SYSTEM_READ}
    rules.update({environment["UPYLAB_FIRMWARE"]: READ, environment["UPYLAB_BOOT"]: READ,
                  environment["UPYLAB_FLASH"]: FOLDER,
                  environment["UPYLAB_PINS"]: FILES, environment["UPYLAB_PINS"] + ".events": FILES})
    if environment.get("UPYLAB_SOCKET_DIR"):
        rules[environment["UPYLAB_SOCKET_DIR"]] = SOCKETS
    return rules


def enter_board():
    """In the interpreter's process, before MicroPython starts (see bridge.interpreter_command).

    The wake signal gets a handler (one that does nothing), so that it
    interrupts a system call (EINTR), where MicroPython runs what is
    scheduled, rather than being ignored or ending the process; the
    keyboard signal gets MicroPython's own.
    """
    signal.signal(WAKE_SIGNAL, lambda *_: None)
    _keyboard_interrupt_on(KEYBOARD_SIGNAL)
    restrict(board_rules(os.environ))


def _keyboard_interrupt_on(signum: int):
    """``signum`` makes a KeyboardInterrupt pending (see KEYBOARD_SIGNAL), and
    interrupts a system call (no SA_RESTART): a board blocked in accept() sees it."""
    import micropython_run
    handler = ctypes.CDLL(micropython_run.__file__).mp_sched_keyboard_interrupt
    install = c_library().signal
    install.restype, install.argtypes = ctypes.c_void_p, [ctypes.c_int, ctypes.c_void_p]
    if install(signum, ctypes.cast(handler, ctypes.c_void_p).value) == ctypes.c_void_p(-1).value:
        raise OSError(ctypes.get_errno(), "signal")
    signal.siginterrupt(signum, True)
