"""``%upylab pins [--live]``: the board's GPIOs drawn in the notebook.

On the virtual board the host reads the pins itself, from the board's pin
file, at any time: ``--live`` keeps the picture of the cell it starts
updated while the rest of the cell runs (a server the student clicks ON
in), through the Jupyter protocol's own ``update_display_data``, so no
extension is needed and a saved notebook keeps the last picture.

A real ESP32 answers only between cells (while a cell runs its serial
line is the cell's), so there the pins are read over the link before and
after the cell, and the picture says so.  What is read there is the LED's
pad: ``machine.Pin(N)`` with no other argument leaves the pin as it is
(ports/esp32/machine_pin.c, ``mp_pin_make_new``), and an output pin reads
back its own level (``Pin.OUT`` is ``GPIO_MODE_INPUT_OUTPUT`` there):
https://github.com/micropython/micropython/blob/13303f8d293f7bc33b865feb7ef4974fb307cabd/ports/esp32/machine_pin.c#L263-L289
and #L425.  Which other pins a program set up, and how, only the virtual
board knows.
"""
import threading

from upylab.board import pins, pinview
from upylab.catalog.apps import led_pin

POLL_SECONDS = 0.1      # well inside the half second a click may take to show
BETWEEN_CELLS = "a real board is read between cells: this is its state after the cell"
READ_LED = "import machine\nprint(machine.Pin({pin}).value())\n"


class PinView:
    """One picture in one cell's output, which ``update`` redraws in place."""

    def __init__(self, kernel, display_id: str, live: bool):
        self.kernel = kernel
        self.display_id = display_id
        self.parent = kernel.get_parent("shell")   # the cell's request, for the watcher thread too
        self.record = kernel.target.record if kernel.target else None
        self.title = kernel.target.label if kernel.target else "board"
        self.shown = None
        self._stop = threading.Event()
        self._watcher = None
        if live and self.record is not None:
            self._watcher = threading.Thread(target=self._watch, name="upylab-pins", daemon=True)

    def read(self) -> dict:
        if self.record is not None:
            return pins.read(self.record)
        from upylab.kernel import magics
        with magics.board(self.kernel) as link:
            level = int(link.run(READ_LED.format(pin=led_pin())).strip())
        return {led_pin(): pins.PinState("read", level)}

    def content(self, states: dict) -> dict:
        note = "" if self.record is not None else BETWEEN_CELLS
        return {"data": {"image/svg+xml": pinview.svg(states, led_pin(), self.title, note),
                         "text/plain": pinview.text(states, led_pin(), note)},
                "metadata": {}, "transient": {"display_id": self.display_id}}

    def show(self):
        """The picture of the pins now, as a new output of the cell."""
        self.shown = self.read()
        self._send("display_data", self.shown)
        if self._watcher:
            self._watcher.start()

    def update(self, states: dict):
        if states != self.shown:
            self.shown = states
            self._send("update_display_data", states)

    def finish(self):
        """The cell has ended: stop watching, and draw the state it left."""
        if self._watcher:
            self._stop.set()
            self._watcher.join()
        self.update(self.read())

    def _watch(self):
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.update(pins.read(self.record))
            except OSError:
                return          # the board was stopped: the picture keeps its last state

    def _send(self, kind: str, states: dict):
        self.kernel.session.send(self.kernel.iopub_socket, kind, self.content(states),
                                 parent=self.parent, ident=self.kernel._topic(kind))
