"""``UpylabKernel``: the upstream MicroPython kernel, made fit for lessons.

Upstream (``jupyter_micropython_kernel``, pinned) does the serial work and
all its ``%`` magics.  This subclass changes four things, each by hooking
an upstream method rather than copying it:

* ``%upylab`` runs host-side lesson commands (``magics``: catalog row,
  install, URL, snippets); ``%lsmagic`` lists it with upstream's;

* ``%serialconnect`` without a port finds the board (``boards.choose``)
  and says which board it reached, its MicroPython version and free heap;
* what the board sends in the raw REPL's error section (upstream hands it
  to ``sres`` with ``n04count >= 1``) becomes a Jupyter ``error``, so
  JupyterLab marks the cell and nbval fails on it;
* an interrupted cell (the user's stop button, nbval's timeout) ends as a
  KeyboardInterrupt error, with the board back in the raw REPL;
* output goes out without ANSI colours and with ``\\n`` line ends, so saved
  notebooks hold plain text.
"""
import re
import shlex

from jupyter_micropython_kernel.deviceconnector import DeviceConnector, wifimessageignore
from jupyter_micropython_kernel.kernel import MicroPythonKernel, ap_serialconnect, parseap

from upylab.errors import UpylabError
from upylab.kernel import boards, boarderror, magics

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Cells upstream runs without first draining the board's output.
NO_DRAIN = re.compile(r"\s*%(readbytes|disconnect|serialconnect|websocketconnect)")
# A cell whose first line of code is not a % magic runs on the board.
BOARD_CODE = re.compile(r"(?:[ \t]*(?:#.*)?\n)*[ \t]*[^%\s#]")
# Seen on the line when a board has (re)booted: it is back in the friendly REPL.
BOOT_BANNER = b'Type "help()" for more information.'
# Runs on the board after connecting; leaves nothing behind in its namespace.
FACTS = (
    "def _upylab_facts():\n"
    " import sys, gc\n"
    " v = sys.implementation.version\n"
    " gc.collect()\n"
    " print('MicroPython %d.%d.%d%s on %s, free heap %d bytes' % (v[0], v[1], v[2],"
    " '-' + v[3] if len(v) > 3 and v[3] else '', sys.platform, gc.mem_free()))\n"
    "_upylab_facts()\n"
    "del _upylab_facts\n"
)


class LessonDeviceConnector(DeviceConnector):
    """Upstream's connector with two changes that keep outputs stable.

    It re-enters the raw REPL silently: upstream echoes the bytes it read
    meanwhile (a reboot banner with build dates).  And it ends each cell
    line with ``\n``, as mpremote does: MicroPython's raw REPL takes that
    as a line end on every port, while upstream's ``\r\n`` counts as two
    lines on the unix port, so tracebacks there named the wrong line.
    """

    def enterpastemode(self, verbose=False):
        return super().enterpastemode(verbose=verbose)

    def writeline(self, line):
        self.writebytes(line.encode("utf8") + b"\n")


class UpylabKernel(MicroPythonKernel):
    implementation = "upylab_micropython"
    banner = "MicroPython (upylab): lesson cells run on an ESP32 or a virtual board"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dc = LessonDeviceConnector(self.sres, self.sresSYS)
        self._error_section = []   # the board's error text for the running cell
        self._failure = None       # an error found by the kernel itself
        self.target = None         # the board %serialconnect reached (boards.Target)

    # -- output --------------------------------------------------------------

    def sres(self, output, asciigraphicscode=None, n04count=0, clear_output=False):
        """Upstream's output function; the board's error section is kept back."""
        if n04count:
            self._error_section.append(output)
            return
        super().sres(output, asciigraphicscode, n04count, clear_output)

    def send_response(self, stream, msg_or_type, content=None, *args, **kwargs):
        if msg_or_type == "stream" and content:
            text = ANSI.sub("", content["text"]).replace("\r\n", "\n")
            content = {**content, "text": text}
        return super().send_response(stream, msg_or_type, content, *args, **kwargs)

    def say(self, text):
        if text:
            super().sres(text)

    # -- executing a cell ----------------------------------------------------

    async def do_execute(self, code, silent, store_history=True, user_expressions=None,
                         allow_stdin=False, **_):
        self._error_section = []
        self._failure = None
        try:
            if not self.dc.serialexists() and BOARD_CODE.match(code):
                raise UpylabError("no board connected: run %serialconnect first")
            if self.dc.workingserial and not NO_DRAIN.match(code):
                self._check_for_reset()
            reply = super().do_execute(code, silent, store_history, user_expressions, allow_stdin)
            interrupted = reply["status"] == "abort"
        except KeyboardInterrupt:
            interrupted = True
        except UpylabError as error:
            self._fail(getattr(error, "ename", "ConnectionError"), str(error))
            interrupted = False
        except Exception as error:  # an upstream bug or an answer it did not expect:
            self._fail(type(error).__name__, f"in the kernel, not on the board: {error}")
            interrupted = False     # report it, or the notebook waits for a reply for ever
        if interrupted:
            self._recover_from_interrupt()
        error = self._failure or self._board_error(interrupted)
        if error is None:
            return reply
        if not silent:
            self.send_response(self.iopub_socket, "error", error.content())
        return {"status": "error", "execution_count": self.execution_count, **error.content()}

    def _board_error(self, interrupted):
        section = "".join(self._error_section).strip()
        if section:
            return boarderror.parse(section)
        if interrupted:
            return boarderror.BoardError(
                "KeyboardInterrupt", "", ["KeyboardInterrupt: the cell was interrupted"])
        return None

    def _fail(self, ename, evalue):
        self._failure = boarderror.BoardError(ename, evalue, [f"{ename}: {evalue}"])

    def _recover_from_interrupt(self):
        """Upstream has sent Ctrl-C; make sure the board waits in the raw REPL."""
        if self.dc.workingserial:
            try:
                self.dc.enterpastemode()
            except (KeyboardInterrupt, OSError):
                pass  # interrupted again, or the port went away: the next cell says so

    def _check_for_reset(self):
        """A board reset since the last cell is back in the friendly REPL.

        Upstream would send the next cell as raw-REPL input to it; instead
        say so in one line and return to the raw REPL.
        """
        try:
            pending = self.dc.workingserialreadall()
        except OSError as error:
            self.dc.disconnect(raw=True)
            raise UpylabError(
                f"lost the board's serial line ({error}): reconnect with %serialconnect") from None
        if BOOT_BANNER in pending:
            self.say("(The board was reset since the last cell: its variables are gone.)\n")
            self.dc.workingserialchunk = None
            self.dc.enterpastemode()
        else:  # what the board printed meanwhile, less an ESP32's Wi-Fi log lines
            lines = pending.decode(errors="replace").splitlines(keepends=True)
            self.say("".join(line for line in lines if not wifimessageignore.match(line)))

    # -- %serialconnect ------------------------------------------------------

    def interpretpercentline(self, percentline, cellcontents):
        words = shlex.split(percentline) if percentline.startswith(ap_serialconnect.prog) else []
        if words and words[0] == ap_serialconnect.prog:
            return self._serialconnect(parseap(ap_serialconnect, words[1:]), cellcontents)
        if percentline.split(None, 1)[:1] == [magics.PROG]:
            magics.run(self, percentline)
            return cellcontents.strip() and cellcontents or None
        result = super().interpretpercentline(percentline, cellcontents)
        if percentline.split(None, 1)[:1] == ["%lsmagic"]:
            self.say(magics.usage().replace("    %upylab", "%upylab"))
        return result

    def reconnect(self, target, baud):
        """Take the board's port back (after a magic let go of it), in the raw REPL."""
        self.dc.disconnect(raw=True)
        self.dc.workingserial = boards.open_port(target, baud)
        self.target = target
        if not self.dc.enterpastemode(verbose=False):
            raise UpylabError(f"{target.label} does not answer in the raw REPL after the "
                              f"command: reset the board and run %serialconnect")

    def _serialconnect(self, options, cellcontents):
        """Connect to the chosen board, enter the raw REPL, report the board."""
        self.dc.disconnect()
        self.target = None
        target = boards.choose(options.port or None)
        self.dc.workingserial = boards.open_port(target, options.baud)
        self.target = target
        if options.raw:
            self.say(f"Connected to {target.label} (raw: REPL mode untouched)\n")
        elif not self.dc.enterpastemode(verbose=options.verbose):
            self.dc.disconnect(raw=True)
            raise UpylabError(
                f"{target.label} does not answer in MicroPython's raw REPL: "
                f"reset the board (EN button) and connect again")
        else:
            self.say(f"Connected to {target.label}\n")
            self.dc.writebytes(FACTS.encode() + b"\x04")
            for line in self.dc.receivestream(bseekokay=True, bfetchfilecapture_nchunks=-1):
                self.say(line)
        return cellcontents.strip() and cellcontents or None
