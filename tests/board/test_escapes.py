"""Board code stays inside its board: its flash folder, no host programs.

First as an ESP32 refuses (its filesystem is LittleFS, its os has no
system): the ordinary ways out fail there as they fail on a board.  Then
on purpose, with the unix port's own modules brought back, which only the
operating system's fence (upylab/board/sandbox.py, Landlock) stops.
"""
import os

import pytest

from upylab.board import sandbox


def lines(mpremote, code):
    return mpremote("exec", code).stdout.splitlines()


def test_ordinary_ways_out_fail_as_on_an_esp32(board, mpremote, tmp_path):
    """LittleFS fails a '..' above the root with EINVAL (lib/littlefs/lfs2.c lines
    1513-1516 at MicroPython 13303f8d293f7bc33b865feb7ef4974fb307cabd); '/etc/passwd'
    and the host's own paths are paths on the board, where nothing is (ENOENT);
    LittleFS has no symlinks, so one put in the flash folder is not there; the
    ESP32's os has no system or getenv (extmod/modos.c lines 164-230 with
    ports/esp32/mpconfigport.h lines 115-119)."""
    os.symlink("/etc", os.path.join(board.flash, "host-etc"))
    secret = tmp_path / "secret.txt"
    secret.write_text("host")
    out = lines(mpremote, f"""
import os
def attempt(call):
    try:
        return repr(call())
    except Exception as error:
        return '%s %s' % (type(error).__name__, error)
print(attempt(lambda: open('/etc/passwd').read()))
print(attempt(lambda: open('../../../etc/passwd').read()))
print(attempt(lambda: os.listdir('/../..')))
print(attempt(lambda: os.chdir('..')))
print(attempt(lambda: open('{secret}').read()))
print(attempt(lambda: open('{board.flash}/boot.py', 'w')))
print(attempt(lambda: os.listdir('/')))
print(attempt(lambda: open('/host-etc/passwd').read()))
print(attempt(lambda: os.system('id')))
print(attempt(lambda: os.getenv('HOME')))
import vfs
print(attempt(lambda: vfs.VfsPosix('/')))
""")
    assert out == [
        "OSError [Errno 2] ENOENT",
        "OSError [Errno 22] EINVAL",
        "OSError [Errno 22] EINVAL",
        "OSError [Errno 2] ENOENT",
        "OSError [Errno 2] ENOENT",
        "OSError [Errno 2] ENOENT",
        "['lib']",
        "OSError [Errno 2] ENOENT",
        "AttributeError module 'os' has no attribute 'system'",
        "AttributeError module 'os' has no attribute 'getenv'",
        "AttributeError module 'vfs' has no attribute 'VfsPosix'",
    ]
    assert not os.path.exists(os.path.join(board.flash, str(tmp_path).lstrip("/")))


@pytest.mark.skipif(not sandbox.abi(), reason="this kernel has no Landlock: nothing fences "
                    "the unix port's own modules (README, 'What the board can reach')")
def test_the_unix_ports_own_modules_are_fenced_in(board, mpremote, tmp_path):
    """What no ESP32 has and a deliberate program can bring back: the unix port's
    os (system, getenv) and VfsPosix.  The interpreter runs inside Landlock: no
    program can be executed, no file outside the board's own read or written, and
    its environment holds only the board's settings."""
    marker = tmp_path / "ran"
    out = lines(mpremote, f"""
import sys
for name in ('os', 'uos', 'vfs'):
    sys.modules.pop(name, None)
import os, vfs
print(os.system('touch {marker}'))
print(sorted(k for k in ('HOME', 'PATH', 'USER', 'JUPYTERHUB_API_TOKEN') if os.getenv(k)))
vfs.mount(vfs.VfsPosix('/'), '/host')
def attempt(call):
    try:
        return repr(call())[:20]
    except OSError as error:
        return 'OSError %d' % error.errno
print(attempt(lambda: open('/host/etc/passwd').read()))
print(attempt(lambda: open('/host{tmp_path}/written', 'w')))
print(attempt(lambda: open('/host/proc/self/environ').read()))
""")
    assert out[0] != "0" and not marker.exists()  # the shell could not even be started
    assert out[1:] == ["[]", "OSError 13", "OSError 13", "OSError 13"]
    assert not (tmp_path / "written").exists()
