# os for the virtual board: the unix port's os, plus what an ESP32's has.
#
#   - uname(), which the unix port leaves out;
#   - ilistdir() entries with a size, (name, type, inode, size), as the
#     ESP32's littlefs gives them (tools such as the Jupyter kernel's %ls
#     read it);
#   - statvfs('/') sized like the 2 MB filesystem partition of a 4 MB ESP32
#     (ESP32_GENERIC's partition table), not the host's disk;
#   - rename() that works with absolute paths: the unix port's VfsPosix,
#     mounted with a root folder as the board's '/', builds both paths in
#     one buffer, so rename('/a', '/b') fails with ENOENT; the same rename
#     made relative to '/' works.
from uos import *  # noqa: F401,F403
import uos as _uos
import sys as _sys

_BLOCK = 4096
_FLASH_BLOCKS = 512  # 2 MB


class _UnameResult(tuple):
    sysname = property(lambda self: self[0])
    nodename = property(lambda self: self[1])
    release = property(lambda self: self[2])
    version = property(lambda self: self[3])
    machine = property(lambda self: self[4])


def uname():
    release = "%d.%d.%d" % _sys.implementation.version[:3]
    return _UnameResult(("esp32", "esp32", release, "v" + release,
                         "upylab virtual board (MicroPython unix port)"))


def _absolute(path):
    if not path.startswith("/"):
        path = _uos.getcwd().rstrip("/") + "/" + path
    return path


def rename(old, new):
    old, new = _absolute(old), _absolute(new)
    here = _uos.getcwd()
    _uos.chdir("/")
    try:
        _uos.rename(old.lstrip("/") or ".", new.lstrip("/") or ".")
    finally:
        _uos.chdir(here)


def ilistdir(path="."):
    for entry in _uos.ilistdir(path):
        if len(entry) > 3:
            yield entry
        elif entry[1] == 0x4000:
            yield entry + (0,)
        else:
            yield entry + (_uos.stat(path.rstrip("/") + "/" + entry[0])[6],)


def _used_blocks(folder):
    used = 1
    for entry in _uos.ilistdir(folder):
        path = folder.rstrip("/") + "/" + entry[0]
        if entry[1] == 0x4000:
            used += _used_blocks(path)
        else:
            used += (_uos.stat(path)[6] + _BLOCK - 1) // _BLOCK
    return used


def statvfs(path):
    free = max(_FLASH_BLOCKS - _used_blocks("/"), 0)
    return (_BLOCK, _BLOCK, _FLASH_BLOCKS, free, free, 0, 0, 0, 0, 255)
