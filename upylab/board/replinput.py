"""The client's bytes, followed the way the board's REPL reads them.

The bridge needs two things from what a client types: which REPL the
board is in (a soft reboot must come back to the raw REPL if that is where
the client was), and one translation.  An ESP32's raw REPL takes ``\\r\\n``
as one line end; the unix port counts it as two lines, so a traceback
names the wrong line and a string literal gains an empty line.  Outside
raw-paste mode, a ``\\n`` right after ``\\r`` is dropped on its way in.
Raw-paste mode is left untouched: the board counts the bytes it receives
there for its flow control.
"""
CTRL_A, CTRL_B, CTRL_D = 0x01, 0x02, 0x04
CR, LF = 0x0D, 0x0A
RAW_PASTE_REQUEST = b"\x05A\x01"
FRIENDLY, RAW, RAW_PASTE = "friendly", "raw", "raw-paste"


class ReplInput:
    def __init__(self):
        self.mode = FRIENDLY
        self._recent = b""  # the last bytes, to see the raw-paste request

    @property
    def raw(self) -> bool:
        return self.mode != FRIENDLY

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            if self.mode == RAW_PASTE:
                if byte == CTRL_D:  # end of the pasted code
                    self.mode = RAW
            elif byte == CTRL_A:
                self.mode = RAW
            elif byte == CTRL_B:
                self.mode = FRIENDLY
            elif byte == LF and self.mode == RAW and self._recent[-1:] == b"\r":
                self._recent = b""
                continue
            out.append(byte)
            self._recent = (self._recent + bytes([byte]))[-len(RAW_PASTE_REQUEST):]
            if self.mode == RAW and self._recent == RAW_PASTE_REQUEST:
                self.mode = RAW_PASTE
        return bytes(out)
