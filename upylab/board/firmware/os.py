# os for the virtual board: what an ESP32's os has, over a flash that acts as LittleFS.
#
# The ESP32's os (extmod/modos.c with ports/esp32/mpconfigport.h) has the
# VFS functions, uname, urandom, sync, dupterm, and no system, getenv,
# putenv or unsetenv: those are the unix port's, and here they would reach
# the host.  The board's '/' is _Flash, a VFS object over the board's flash
# folder that every file operation goes through (open() and io.open()
# included: MicroPython's VFS layer routes them to the mounted object).
# It shows the folder as LittleFS shows the ESP32's partition:
#   - paths are resolved here, against the board's own current folder; a
#     '..' that would climb above '/' fails with EINVAL, as LittleFS fails
#     it (lib/littlefs/lfs2.c, lfs2_dir_find), and the host's paths are
#     never named, so '/etc/passwd' is the board's own (missing) file;
#   - only files and folders exist: a symlink or a socket in the folder is
#     not listed and cannot be opened (LittleFS has neither);
#   - stat() gives LittleFS's fields (extmod/vfs_lfsx.c): mode 0x8000 or
#     0x4000 and the size; ilistdir() entries carry the size too;
#   - statvfs('/') is sized like the 2 MB filesystem partition of a 4 MB
#     ESP32 (ESP32_GENERIC's partition table), not the host's disk.
from uos import (sep, chdir, getcwd, listdir, ilistdir, mkdir, remove, unlink,  # noqa: F401
                 rename, rmdir, stat, statvfs, mount, umount, urandom, VfsFat, VfsLfs2)
import sys as _sys

_BLOCK = 4096
_FLASH_BLOCKS = 512  # 2 MB
_S_IFDIR = 0x4000
_S_IFREG = 0x8000
_ENOENT = 2
_EACCES = 13
_EINVAL = 22


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


def sync():
    pass  # the host writes files through at once


class _Flash:
    """The board's filesystem: its flash folder, seen as an ESP32's LittleFS partition.

    ``posix`` is the unix port's VfsPosix of that folder (the boot script
    makes it: this module keeps no way to make another).
    """

    def __init__(self, posix):
        self._posix = posix
        self._cwd = "/"

    def mount(self, readonly, mkfs):
        pass

    def umount(self):
        pass

    def _path(self, path):
        """The absolute, normalised path on the board: EINVAL above '/'."""
        if not path.startswith("/"):
            path = self._cwd + "/" + path
        parts = []
        for part in path.split("/"):
            if part == "..":
                if not parts:
                    raise OSError(_EINVAL)
                parts.pop()
            elif part and part != ".":
                parts.append(part)
        return "/" + "/".join(parts)

    def _host(self, call, *args):
        """Call the folder's VFS; what only a host can say (EACCES) is a missing file."""
        try:
            return call(*args)
        except OSError as error:
            if error.errno == _EACCES:  # outside the sandbox, or unreadable: not there
                raise OSError(_ENOENT)
            raise

    def _kind(self, path):
        mode = self._host(self._posix.stat, path)[0] & 0xF000
        if mode not in (_S_IFDIR, _S_IFREG):
            raise OSError(_ENOENT)
        return mode

    def open(self, path, mode):
        path = self._path(path)
        if "r" in mode or "+" in mode:
            self._kind(path)
        return self._host(self._posix.open, path, mode)

    def ilistdir(self, path):
        path = self._path(path)
        for entry in self._host(self._posix.ilistdir, path):
            name, kind = entry[0], entry[1]
            if kind == _S_IFDIR:
                yield (name, kind, 0, 0)
            elif kind == _S_IFREG:
                full = path.rstrip("/") + "/" + (name if isinstance(name, str) else name.decode())
                yield (name, kind, 0, self._host(self._posix.stat, full)[6])

    def stat(self, path):
        result = self._host(self._posix.stat, self._path(path))
        mode = result[0] & 0xF000
        if mode not in (_S_IFDIR, _S_IFREG):
            raise OSError(_ENOENT)
        size = result[6] if mode == _S_IFREG else 0
        return (mode, 0, 0, 0, 0, 0, size, result[8], result[8], result[8])

    def mkdir(self, path):
        return self._host(self._posix.mkdir, self._path(path))

    def rmdir(self, path):
        return self._host(self._posix.rmdir, self._path(path))

    def remove(self, path):
        return self._host(self._posix.remove, self._path(path))

    def rename(self, old, new):
        # Relative to the process's folder, which is the flash folder: the
        # unix port's VfsPosix builds two absolute paths in one buffer, so
        # rename('/a', '/b') would fail with ENOENT.
        return self._host(self._posix.rename, self._path(old)[1:] or ".", self._path(new)[1:] or ".")

    def chdir(self, path):
        try:
            path = self._path(path)
            if self._kind(path) != _S_IFDIR:
                raise OSError(_ENOENT)
        except OSError:
            raise OSError(_ENOENT)  # as vfs_lfsx.c's chdir: any failure of its stat
        self._cwd = path

    def getcwd(self):
        return self._cwd

    def statvfs(self, path):
        free = max(_FLASH_BLOCKS - self._used_blocks("/"), 0)
        return (_BLOCK, _BLOCK, _FLASH_BLOCKS, free, free, 0, 0, 0, 0, 255)

    def _used_blocks(self, folder):
        used = 1
        for name, kind, _, size in self.ilistdir(folder):
            if kind == _S_IFDIR:
                used += self._used_blocks(folder.rstrip("/") + "/" + name)
            else:
                used += (size + _BLOCK - 1) // _BLOCK
        return used
