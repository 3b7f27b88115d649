# errno for the virtual board: the ESP32's numbers, not the host's.
#
# MicroPython's errno module names the same 22 errors on every port
# (py/moderrno.c); their numbers come from the C library's errno.h.  The
# ESP32 port uses the toolchain's own (MICROPY_USE_INTERNAL_ERRNO is 0 in
# ports/esp32/mpconfigport.h), newlib's sys/errno.h as ESP-IDF ships it
# (espressif/newlib-esp32), where the network errors differ from Linux's:
# EADDRINUSE is 112 there, 98 here.  The socket shim raises these numbers.
EPERM = 1
ENOENT = 2
EIO = 5
EBADF = 9
EAGAIN = 11
ENOMEM = 12
EACCES = 13
EEXIST = 17
ENODEV = 19
EISDIR = 21
EINVAL = 22
EOPNOTSUPP = 95
ECONNRESET = 104
ENOBUFS = 105
ECONNREFUSED = 111
EADDRINUSE = 112
ECONNABORTED = 113
ETIMEDOUT = 116
EHOSTUNREACH = 118
EINPROGRESS = 119
EALREADY = 120
ENOTCONN = 128

errorcode = {value: name for name, value in globals().items() if name[:1] == "E"}
