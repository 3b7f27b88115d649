# vfs for the virtual board: the ESP32's (extmod/modvfs.c: mount, umount and
# its filesystem types), without the unix port's VfsPosix, which would mount
# a folder of the host.  `vfs` is a built-in that a file cannot replace (it
# is not extensible), so the boot script puts this module in sys.modules
# under that name.
from uos import mount, umount, VfsFat, VfsLfs2  # noqa: F401

__name__ = "vfs"  # as the board names it
