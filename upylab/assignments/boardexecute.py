"""nbgrader's ``Execute`` for MicroPython submissions: each on a fresh virtual board.

The course's autograder (``course.configure``) runs this in place of
nbgrader's own ``Execute``.  What a submission does to its board must cost
that submission its points and nothing else, and never hang the run:

* **a fresh board per submission** (``registry.fresh``: its own flash,
  heap and state folder, stopped afterwards), so a server left bound, a
  full heap, a deleted or filled-up flash, a reset board or a thread still
  running are gone before the next submission starts.  Starting one costs
  well under a second, less than cleaning a used one reliably would;
* **a limit per cell** (``timeout``): a cell still running then is
  interrupted (Ctrl-C on the board, as the stop button) and fails with
  ``CellTimeoutError``; the next cells run as usual;
* **a board that does not stop**: code that catches ``KeyboardInterrupt``
  and loops on.  If the kernel has not answered ``stop_grace`` seconds
  after the interrupt, the kernel and the board are ended, and this cell
  and every later one fail (``BoardStuck``): their tests score zero;
* **a limit per submission** (``submission_timeout``): each cell may run
  only as long as the submission has left; once it is used up, the rest of
  the notebook fails the same way.

Cells that were never run are given an error output on purpose: nbgrader
gives full marks to a test cell with no error in its outputs, and an empty
output list has none.  An interpreter that ends itself (``sys.exit()``,
``machine.reset()``, a crash) needs nothing here: the virtual board boots
a new one, as an ESP32 reboots, the kernel reports the cell, and later
cells run on the rebooted board, where the exercise's names are gone.
"""
import os
import time
from queue import Empty

from nbclient.exceptions import DeadKernelError
from nbclient.util import ensure_async
from nbformat import NotebookNode
from traitlets import Dict, Integer, Unicode

from nbgrader.preprocessors import Execute
from upylab import paths
from upylab.board import registry
from upylab.link import choose

NOT_RUN = "NotRun"


class BoardStuck(Exception):
    """The board (and so the kernel) could not be stopped, or the submission ran out of time."""


class BoardExecute(Execute):
    heap = Unicode("esp32", help="heap preset or size of each submission's board").tag(config=True)
    timeout = Integer(
        30, help="seconds one cell may run before it is interrupted").tag(config=True)
    submission_timeout = Integer(
        600, help="seconds one submission's cells may run in all").tag(config=True)
    stop_grace = Integer(
        10, help="seconds an interrupted cell has to end before the board counts as stuck"
    ).tag(config=True)
    error_on_timeout = Dict(default_value={
        "ename": "CellTimeoutError",
        "evalue": "the cell ran longer than the course allows one cell; it was stopped",
        "traceback": ["CellTimeoutError: the cell ran longer than the course allows one cell; "
                      "it was stopped"],
    }).tag(config=True)
    shutdown_kernel = Unicode("immediate")   # its board is thrown away: nothing to close

    def preprocess(self, nb: NotebookNode, resources: dict, km=None):
        self._deadline = time.monotonic() + self.submission_timeout
        self._running = 0
        with registry.fresh(self.heap) as board:
            previous = os.environ.get(choose.ENV)
            os.environ[choose.ENV] = board.name      # the kernel it starts finds this board
            try:
                return super().preprocess(nb, resources, km)
            except (BoardStuck, DeadKernelError) as error:
                self.log.warning("Gave up on this submission at cell %d: %s", self._running, error)
                self._not_run(nb, str(error))
                return nb, resources
            finally:
                if previous is None:
                    os.environ.pop(choose.ENV, None)
                else:
                    os.environ[choose.ENV] = previous

    def create_kernel_manager(self):
        """nbclient's, with its unix sockets (if any) in the board's private folder.

        A class's servers give kernels unix sockets (``KernelManager.transport
        = "ipc"``, classroom/student_config.py), and the formgrader grades
        inside the teacher's server, with its settings: nbclient would name
        those sockets relative to the folder the kernel starts in (the
        submission's), and connect to them from the server's: the kernel
        never answers.
        """
        km = super().create_kernel_manager()
        if km.transport == "ipc":
            km.ip = str(paths.state_dir() / "kernel-ipc")
        return km

    def preprocess_cell(self, cell, resources, index):
        self._running = index
        return super().preprocess_cell(cell, resources, index)

    def _get_timeout(self, cell):
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise BoardStuck(f"the submission used up its {self.submission_timeout} s")
        timeout = super()._get_timeout(cell)
        return left if timeout is None else min(timeout, left)

    async def _async_handle_timeout(self, timeout, cell=None):
        """Interrupt the cell (nbclient's way); then the kernel must answer within the grace."""
        reply = await super()._async_handle_timeout(timeout, cell)
        try:
            await ensure_async(self.kc.shell_channel.get_msg(timeout=self.stop_grace))
        except Empty:
            raise BoardStuck(f"the board did not stop within {self.stop_grace} s of being "
                             f"interrupted (a cell ran over {timeout:.0f} s)") from None
        return reply

    def _not_run(self, nb, why: str):
        """Fail the cell that was running and every code cell after it."""
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or index < self._running:
                continue
            text = why if index == self._running else f"not run: {why}"
            if index > self._running:
                cell.outputs = []
            cell.outputs.append(NotebookNode(
                output_type="error", ename=NOT_RUN, evalue=text, traceback=[f"{NOT_RUN}: {text}"]))
