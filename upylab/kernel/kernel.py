"""``UpylabKernel``: the upstream MicroPython kernel, made fit for lessons.

Upstream (``jupyter_micropython_kernel``, pinned) does the serial work and
all its ``%`` magics.  This subclass changes these things, each by hooking
an upstream method rather than copying it:

* ``%upylab`` runs host-side lesson commands (``magics``: catalog row,
  install, URL, snippets, clean); ``%lsmagic`` lists it with upstream's;
* ``%serialconnect`` without a port finds the board as every upylab tool
  does (``upylab.link.choose``), opens its port as the link does (one
  program at a time: a busy port is one clear sentence), and says which
  board it reached, its MicroPython version and free heap;
* one board, many notebooks: a port held by another notebook's idle kernel
  is handed over (``handover``), and this kernel takes its board back when
  its notebook runs a cell again;
* what the board sends in the raw REPL's error section (upstream hands it
  to ``sres`` with ``n04count >= 1``) becomes a Jupyter ``error``, so
  JupyterLab marks the cell and nbval fails on it; frames of the virtual
  board's host-side shims are left out (``upylab.link.errors``); an
  ``%upylab`` command's board error is shown the same way;
* an interrupted cell (the stop button, nbval's timeout) ends as one
  ``KeyboardInterrupt`` error, with the board back in the raw REPL and the
  asyncio tasks the cell left cancelled (``stopbutton``);
* Run All stops at the first error (``runall``);
* Restart Kernel soft-reboots the board, and the new kernel reconnects to
  it and shows its banner (``restart``);
* output goes out without ANSI colours, keep-alive dots or upstream's
  "Sending Ctrl-C" notice, and with ``\\n`` line ends, so saved notebooks
  hold what the board printed.
"""
import re
import shlex
import threading

import serial
import zmq
from jupyter_micropython_kernel.deviceconnector import (DeviceConnector, serialtimeout,
                                                         wifimessageignore, yieldserialchunk)
from jupyter_micropython_kernel.kernel import MicroPythonKernel, ap_serialconnect, parseap

from upylab.errors import UpylabError
from upylab.kernel import handover, magics, restart, runall, stopbutton
from upylab.link import choose, commands
from upylab.link.errors import BoardError, parse
from upylab.link.transport import Link

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Cells upstream runs without first draining the board's output.
NO_DRAIN = re.compile(r"\s*%(readbytes|disconnect|serialconnect|websocketconnect)")
# Cells that never need the board (so they do not take it back from another notebook).
NO_BOARD = re.compile(r"\s*(%(serialconnect|disconnect|lsmagic|comment)\b|%upylab\s+(row|show|help)\b|$)")
# A cell whose first line of code is not a % magic runs on the board.
BOARD_CODE = re.compile(r"(?:[ \t]*(?:#.*)?\n)*[ \t]*[^%\s#]")
# Seen on the line when a board has (re)booted: it is back in the friendly REPL.
BOOT_BANNER = b'Type "help()" for more information.'
SENDING_CTRL_C = "*** Sending Ctrl-C"
SHUTDOWN_WAIT = 4.0     # seconds a shutdown waits for a stopped cell to finish with the board
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
    """Upstream's connector with three changes that keep outputs as the board printed them.

    It re-enters the raw REPL silently: upstream echoes the bytes it read
    meanwhile (a reboot banner with build dates).  It ends each cell line
    with ``\\n``, as mpremote does: MicroPython's raw REPL takes that as a
    line end on every port, while upstream's ``\\r\\n`` counts as two lines
    on the unix port, so tracebacks there named the wrong line.  And while
    a cell runs it drops the empty chunks upstream's reader yields after
    5 s of silence, which upstream prints as keep-alive dots ("." under a
    running server); they still end a wait that has a timeout.
    """

    def enterpastemode(self, verbose=False):
        return super().enterpastemode(verbose=verbose)

    def writeline(self, line):
        self.writebytes(line.encode("utf8") + b"\n")

    def receivestream(self, bseekokay, bwarnokaypriors=True, b5secondtimeout=False,
                      bfetchfilecapture_nchunks=0):
        if self.workingserial is not None:
            self.workingserialchunk = self._chunks(keep_silence=b5secondtimeout)
        return super().receivestream(bseekokay, bwarnokaypriors, b5secondtimeout,
                                     bfetchfilecapture_nchunks)

    def _chunks(self, keep_silence):
        for chunk in yieldserialchunk(self.workingserial):
            if chunk or keep_silence:
                yield chunk


class UpylabKernel(MicroPythonKernel):
    implementation = "upylab_micropython"
    banner = "MicroPython (upylab): lesson cells run on an ESP32 or a virtual board"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dc = LessonDeviceConnector(self.sres, self.sresSYS)
        self._error_section = []   # the board's error text for the running cell
        self._failure = None       # an error found by the kernel itself
        self.target = None         # the board %serialconnect reached (choose.Target)
        self.transport = None      # its port, as the link opened it (mpremote's SerialTransport)
        # Held while a cell runs, and by a handover: one or the other has the board.
        self.board_lock = threading.Lock()
        self.live_views = []       # %upylab pins --live pictures of the running cell
        for kind in ("comm_open", "comm_msg", "comm_close"):
            self.shell_handlers[kind] = self._no_comms
        self.holder = None         # handover.Holder while this kernel holds the port
        self.lent_to = None        # the notebook that took the board from this idle kernel
        self.runall = runall.StopOnError()
        self.restarted = restart.take_note(self._connection_file())

    def _no_comms(self, stream, idents, message):
        """Comms (the widget manager JupyterLab extension opens one to every
        kernel) need Python on the kernel's side, which a board has not: they are
        ignored quietly, as the protocol lets a kernel do, where upstream logs a
        warning for each message in the terminal of ``make lab``."""

    def _connection_file(self) -> str:
        return str(getattr(self.parent, "abs_connection_file", "") or "")

    # -- output --------------------------------------------------------------

    def sres(self, output, asciigraphicscode=None, n04count=0, clear_output=False):
        """Upstream's output function; the board's error section is kept back."""
        if n04count:
            self._error_section.append(output)
            return
        super().sres(output, asciigraphicscode, n04count, clear_output)

    def sresSYS(self, output, clear_output=False):
        """Upstream's notices, less the one it prints when the stop button is pressed."""
        if output.strip() != SENDING_CTRL_C:
            super().sresSYS(output, clear_output)

    def send_response(self, stream, msg_or_type, content=None, *args, **kwargs):
        if msg_or_type == "stream" and content:
            text = ANSI.sub("", content["text"]).replace("\r\n", "\n")
            content = {**content, "text": text}
        return super().send_response(stream, msg_or_type, content, *args, **kwargs)

    def _publish_status(self, status, channel, parent=None):
        """Upstream's, quiet about a race at shutdown.

        After the shutdown handler, ipykernel 7.4's ``process_control``
        still publishes "idle" while the app closes its IOPub thread; now and
        then that raised, and its traceback reached the terminal of
        ``make lab`` at Ctrl-C (ipykernel PR 1518 catches one form of it).
        Once a shutdown has been answered, nobody listens to that status.
        """
        try:
            super()._publish_status(status, channel, parent)
        except (AssertionError, zmq.ZMQError):
            if self._shutdown_message is None:
                raise

    async def process_control(self, msg):
        """Upstream's, quiet about the same race in another form: after the
        shutdown handler it flushes stdout, whose pipe to the IOPub thread the
        closing app may have shut already (``ZMQError``: socket operation on
        non-socket, seen at Ctrl-C of ``make lab``)."""
        try:
            await super().process_control(msg)
        except zmq.ZMQError:
            if self._shutdown_message is None:
                raise

    def say(self, text):
        if text:
            super().sres(text)

    # -- executing a cell ----------------------------------------------------

    async def do_execute(self, code, silent, store_history=True, user_expressions=None,
                         allow_stdin=False, **_):
        self.runall.starting()
        with self.board_lock:
            reply = self._execute(code, silent, store_history, user_expressions, allow_stdin)
        await self.runall.hold(self.get_parent("shell"), reply["status"])
        return reply

    def _execute(self, code, silent, store_history, user_expressions, allow_stdin):
        self._error_section = []
        self._failure = None
        reply = None
        try:
            if not NO_BOARD.match(code):
                self._come_back()
            if not self.dc.serialexists() and BOARD_CODE.match(code):
                raise UpylabError("no board connected: run %serialconnect first")
            if self.dc.workingserial and not NO_DRAIN.match(code):
                self._check_for_reset()
            reply = super().do_execute(code, silent, store_history, user_expressions, allow_stdin)
            interrupted = reply["status"] == "abort"
        except KeyboardInterrupt:
            interrupted = True
        except BoardError as error:     # an %upylab command's code raised on the board
            self._failure = error.content()
            interrupted = False
        except UpylabError as error:
            self._fail(getattr(error, "ename", "ConnectionError"), str(error))
            interrupted = False
        except Exception as error:  # an upstream bug or an answer it did not expect:
            self._fail(type(error).__name__, f"in the kernel, not on the board: {error}")
            interrupted = False     # report it, or the notebook waits for a reply for ever
        if interrupted:
            self._recover_from_interrupt()
        self._finish_live_views()
        error = self._failure or self._board_error(interrupted)
        if error is None:
            return reply
        if not silent:
            self.send_response(self.iopub_socket, "error", error)
        return {"status": "error", "execution_count": self.execution_count, **error}

    def _finish_live_views(self):
        """The cell's live pictures stop and show the state the cell left."""
        views, self.live_views = self.live_views, []
        for view in views:
            try:
                view.finish()
            except (UpylabError, OSError):
                pass    # the board went away: the picture keeps its last state

    def _board_error(self, interrupted):
        """The cell's error, as Jupyter's fields: what the board raised, or the stop button."""
        section = "".join(self._error_section).strip()
        if section:
            error = parse(section).content()
        elif interrupted:
            error = {"ename": "KeyboardInterrupt", "evalue": "", "traceback": ["KeyboardInterrupt"]}
        else:
            return None
        if error["ename"] == "KeyboardInterrupt" and not error["evalue"]:
            error["evalue"] = stopbutton.STOPPED
            error["traceback"][-1] = f"KeyboardInterrupt: {stopbutton.STOPPED}"
        return error

    def _fail(self, ename, evalue):
        self._failure = {"ename": ename, "evalue": evalue, "traceback": [f"{ename}: {evalue}"]}

    def _recover_from_interrupt(self):
        """Upstream has sent Ctrl-C; the board waits in the raw REPL, its asyncio tidied."""
        if self.dc.workingserial:
            try:
                if self.dc.enterpastemode():
                    stopbutton.settle(self)
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

    # -- one board, many notebooks -------------------------------------------

    def _take_port(self, target, baud) -> str:
        """Open the board's port for this kernel; the notebook it was taken from, or ''.

        A port another notebook's idle kernel holds is handed over; one whose
        kernel is running a cell is refused, naming that notebook.
        """
        taken_from = ""
        for _ in range(3):
            try:
                transport = Link.open(target.device, target.label, baud, serialtimeout).transport
                break
            except UpylabError:       # busy, or on Windows "access denied": ask its kernel, if any
                answer = handover.ask(target.device, handover.notebook_name())
                if answer is None:
                    raise
                if not answer.released:
                    raise UpylabError(
                        f"the board is busy: {answer.notebook} is running a cell on it. Stop "
                        f"that cell there (the stop button, or Kernel > Interrupt Kernel), "
                        f"then run this cell again") from None
                taken_from = answer.notebook
        else:
            raise UpylabError(f"port {target.device} was let go but could not be opened")
        self.transport = transport
        self.dc.workingserial = transport.serial
        self.target = target
        self.lent_to = None
        self.holder = handover.Holder(target.device, handover.notebook_name(), self._let_go)
        return taken_from

    def _let_go(self, asker):
        """Another notebook wants the board (the handover thread calls this).

        Idle: close the port, board untouched, remember who took it: True.
        Running a cell: False.
        """
        if not self.board_lock.acquire(blocking=False):
            return False
        try:
            self.dc.disconnect(raw=True)
            self.holder = None
            self.lent_to = asker
        finally:
            self.board_lock.release()
        return True

    def _release(self):
        """Let go of the port (at %disconnect and shutdown)."""
        if self.holder is not None:
            self.holder.close()
            self.holder = None

    def _after_restart(self):
        """The note of the kernel before this one, shown once; its target, or None."""
        note, self.restarted = self.restarted, None
        if note is None:
            return None
        self.say(note["banner"] + "(Kernel restarted: the board had a soft reboot, so its "
                 "variables, tasks and servers are gone.)\n")
        return choose.Target(note["device"], note["label"], choose.virtual_board(note["device"]))

    def _come_back(self):
        """Before a cell that needs the board: reconnect after a restart or a handover."""
        target = self._after_restart()
        if target is not None:
            self._connect(target, ap_serialconnect.get_default("baud"))
            self.say(f"Connected to {target.label} again\n")
        elif self.lent_to and self.target is not None and not self.dc.serialexists():
            lent_to = self.lent_to
            taken_from = self._connect(self.target, ap_serialconnect.get_default("baud"))
            self.say(f"(This notebook has the board back from {taken_from or lent_to}, which "
                     f"used it meanwhile: what ran there ran on this board too.)\n")

    def _connect(self, target, baud, verbose=False) -> str:
        """The board's port, in the raw REPL; the notebook it was taken from, or ''."""
        taken_from = self._take_port(target, baud)
        if not self.dc.enterpastemode(verbose=verbose):
            self.dc.disconnect(raw=True)
            self._release()
            raise UpylabError(f"{target.label} does not answer in MicroPython's raw REPL: "
                              f"reset the board (EN button) and run %serialconnect")
        return taken_from

    # -- shutting down and restarting ------------------------------------------

    async def do_shutdown(self, restart_after):
        """Let go of the board; for a restart, soft-reboot it first and leave a note.

        Jupyter interrupts a running cell before asking for a shutdown, so
        this waits (briefly) for that cell to finish with the board.
        """
        if self.board_lock.acquire(timeout=SHUTDOWN_WAIT):
            try:
                if restart_after and self.dc.workingserial and self.target is not None:
                    banner = commands.soft_reboot(Link(self.transport, self.target.label))
                    restart.leave_note(self._connection_file(), self.target.device,
                                       self.target.label, banner)
            except (UpylabError, OSError, serial.SerialException):
                pass  # the new kernel finds the board as it is
            finally:
                self.dc.disconnect(raw=True)
                self._release()
                self.board_lock.release()
        return await super().do_shutdown(restart_after)

    # -- %serialconnect ------------------------------------------------------

    def interpretpercentline(self, percentline, cellcontents):
        words = shlex.split(percentline) if percentline.startswith(ap_serialconnect.prog) else []
        if words and words[0] == ap_serialconnect.prog:
            return self._serialconnect(parseap(ap_serialconnect, words[1:]), cellcontents)
        if percentline.split(None, 1)[:1] == [magics.PROG]:
            magics.run(self, percentline)
            return cellcontents.strip() and cellcontents or None
        result = super().interpretpercentline(percentline, cellcontents)
        command = percentline.split(None, 1)[:1]
        if command == ["%lsmagic"]:
            self.say(magics.usage().replace("    %upylab", "%upylab"))
        elif command == ["%disconnect"]:
            self._release()
            self.target = self.lent_to = None
        return result

    def _serialconnect(self, options, cellcontents):
        """Connect to the chosen board, enter the raw REPL, report the board."""
        self.dc.disconnect()
        self._release()
        self.target = self.lent_to = None
        self._after_restart()
        target = choose.choose(options.port or None, how="--port")
        if options.raw:
            self._take_port(target, options.baud)
            self.say(f"Connected to {target.label} (raw: REPL mode untouched)\n")
            return cellcontents.strip() and cellcontents or None
        taken_from = self._connect(target, options.baud, verbose=options.verbose)
        self.say(f"Connected to {target.label}\n")
        if taken_from:
            self.say(f"(taken over from {taken_from}, whose kernel was idle: the board was not "
                     f"reset, and that notebook takes it back when it runs a cell)\n")
        self.dc.writebytes(FACTS.encode() + b"\x04")
        for line in self.dc.receivestream(bseekokay=True, bfetchfilecapture_nchunks=-1):
            self.say(line)
        return cellcontents.strip() and cellcontents or None
