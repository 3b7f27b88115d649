"""Cleans the interpreter's output into what an ESP32 sends on its serial line.

Two things differ between the unix port behind a raw-mode terminal and a
board: lines end in a bare ``\\n`` (a board's ``print`` sends ``\\r\\n``),
and after a soft reboot in raw-REPL mode the board goes straight back to
the raw REPL, where the unix port prints its friendly banner first.  The
firmware's boot script prints one marker when the board is set up (from
then on, Ctrl-C may interrupt boot.py and main.py) and another when they
are done.  ``OutputFilter`` drops the markers, counts them (``stage``),
and in raw mode also drops the banner and ``>>> `` prompt that follow.
"""
import re

FRIENDLY_PROMPT = b">>> "
_LONE_LF = re.compile(rb"(?<!\r)\n")


class OutputFilter:
    """Feed interpreter bytes in, get serial-line bytes out, chunk by chunk."""

    def __init__(self, markers: list, hide_banner: bool):
        self._markers = list(markers)
        self._hide_banner = hide_banner
        self.stage = 0        # how many markers have gone by
        self._pending = b""   # held back: a partial marker, or the banner so far
        self._last_was_cr = False

    def feed(self, data: bytes) -> bytes:
        return self._crlf(self._strip_boot(data))

    def _strip_boot(self, data: bytes) -> bytes:
        data, self._pending = self._pending + data, b""
        if self.stage < len(self._markers):
            marker = self._markers[self.stage]
            at = data.find(marker)
            if at < 0:
                keep = _partial_suffix(data, marker)
                self._pending = data[len(data) - keep:]
                return data[:len(data) - keep]
            self.stage += 1
            return data[:at] + self._strip_boot(data[at + len(marker):])
        return self._strip_banner(data)

    def _strip_banner(self, data: bytes) -> bytes:
        if not self._hide_banner:
            return data
        at = data.find(FRIENDLY_PROMPT)
        if at < 0:
            self._pending = data
            return b""
        self._hide_banner = False
        return data[at + len(FRIENDLY_PROMPT):]

    def _crlf(self, data: bytes) -> bytes:
        if not data:
            return data
        out = _LONE_LF.sub(b"\r\n", data)
        if self._last_was_cr and data[:1] == b"\n":
            out = out[1:]  # its \r ended the previous chunk
        self._last_was_cr = data[-1:] == b"\r"
        return out


def _partial_suffix(data: bytes, marker: bytes) -> int:
    """Length of the longest end of ``data`` that starts ``marker``."""
    for size in range(min(len(marker) - 1, len(data)), 0, -1):
        if marker.startswith(data[-size:]):
            return size
    return 0
