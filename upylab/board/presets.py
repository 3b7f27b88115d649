"""Heap sizes that make the virtual board's heap match real boards'.

A heap size here is what the board reports as ``gc.mem_free()`` right
after boot, before boot.py runs.  Figures, and where they come from:

* ESP8266: 36624 bytes.  ``ports/esp8266/main.c`` reserves
  ``heap[38 * 1024]``; ``micropython.mem_info()`` after boot prints
  ``GC: total: 37952, used: 1328, free: 36624`` (an ESP-01 reading; the
  same total in micropython/micropython issue #5949; "about 35 KB free at
  startup" after a small boot.py in issue #11666, v1.20).
* ESP32 (no PSRAM): 158192 bytes.  Since v1.22 the GC heap starts at
  56 KiB (``MICROPY_GC_INITIAL_HEAP_SIZE``, PR #13219) and grows on demand
  into ESP-IDF's free memory (PR #12141); ``gc.mem_free()`` is "the total
  of the current free and max new split values" (docs: library/esp32.rst).
  A v1.24.1 ESP32-WROOM-32 after boot: ``GC: total: 56000, used: 8400,
  free: 47600, max new split: 110592``, so 47600 + 110592.  With Wi-Fi and
  TLS running, less is left (PR #13219 keeps about 40 KB for the IDF).
* ESP32 with SPIRAM (WROVER): 4152128 bytes free of 4184768, as v1.26.0
  reports on "Generic ESP32 module with SPIRAM".

The virtual board is the 64-bit unix port: the same bytes hold about half
as many objects as on the 32-bit ESP32, so a program that fits the
virtual preset fits the board with room to spare, and a MemoryError on
the virtual board is a warning, not a verdict.
"""
import math
import re

from upylab.errors import UpylabError

PRESETS = {
    "esp8266": 37952 - 1328,
    "esp32": 47600 + 110592,
    "esp32-spiram": 4152128,
}
DEFAULT = "esp32"       # a virtual board's heap unless asked otherwise: the lessons' board
MIN_HEAP = 16 * 1024
MAX_HEAP = 64 * 1024 * 1024
# The unix port's GC keeps 2 + 1 bits of tables per 32-byte block (64-bit):
# a -X heapsize of N bytes gives N * 32 / 32.375 bytes of heap.
_TABLE_OVERHEAD = 32.375 / 32
_SIZE = re.compile(r"^(\d+)([kKmM]?)$")


def heap_bytes(spec: str) -> int:
    """A preset name or a size such as ``100k``, ``2M`` or ``65536``, in bytes."""
    if spec in PRESETS:
        return PRESETS[spec]
    match = _SIZE.match(spec)
    if not match:
        raise UpylabError(
            f"bad heap {spec!r}: use one of {', '.join(PRESETS)} or a size like 100k")
    number, unit = int(match[1]), match[2].lower()
    size = number * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]
    if not MIN_HEAP <= size <= MAX_HEAP:
        raise UpylabError(f"bad heap {spec!r}: it must be between 16k and 64M")
    return size


def interpreter_heapsize(size: int) -> int:
    """The ``-X heapsize`` that gives the unix port ``size`` bytes of heap."""
    return math.ceil(size * _TABLE_OVERHEAD) + 256
