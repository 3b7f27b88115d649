"""``upylab lessons execute NOTEBOOK...``: run lessons top to bottom and save them with outputs.

A lesson's saved outputs are what nbval compares against, so they must
come from a clean run: each notebook runs on a **fresh** virtual board
(its own state folder, flash and heap preset, stopped afterwards) unless
``--board`` names one, through the same kernel a student uses.  A cell
that raises stops the run and nothing is saved (cells tagged
``raises-exception`` are expected to raise).  Host-side notebooks (the
``python3`` kernel: the catalog, the comparison) need no board.  What changes between two
identical runs (the kernel's per-cell timing metadata) is not saved.
"""
import contextlib
import os
import tempfile
from pathlib import Path

from upylab import paths
from upylab.board import registry
from upylab.errors import UpylabError
from upylab.kernel.install import KERNEL_NAME

CELL_TIMEOUT = 120          # seconds per cell, as a ceiling for a stuck board
DEFAULT_HEAP = "esp32"


def register(subparsers):
    parser = subparsers.add_parser(
        "lessons", help="maintain the lesson notebooks (execute and save them)")
    commands = parser.add_subparsers(dest="lessons_command", required=True, metavar="COMMAND")
    execute_parser = commands.add_parser(
        "execute", help="run notebooks on a fresh virtual board and save them with outputs",
        description=__doc__.split("\n\n")[1])
    execute_parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", type=Path)
    execute_parser.add_argument("--board", help="run on this board (name or serial device) "
                                "instead of a fresh virtual board")
    execute_parser.add_argument("--heap", default=DEFAULT_HEAP,
                                help="heap preset or size of the fresh virtual board")
    execute_parser.set_defaults(func=run_execute)


def run_execute(args):
    for notebook in args.notebooks:
        if not notebook.is_file():
            raise UpylabError(f"no notebook at {notebook}")
    for notebook in args.notebooks:
        needs_board = _kernel_name(notebook) == KERNEL_NAME
        with _board(args.board, args.heap) if needs_board else contextlib.nullcontext() as device:
            execute(notebook, device)
        print(f"{notebook}: executed and saved", flush=True)
    return 0


@contextlib.contextmanager
def _board(named, heap):
    """The device to run on: the named board, or a fresh virtual board for this run."""
    if named:
        yield named
        return
    with tempfile.TemporaryDirectory(prefix="upylab-lessons-") as folder:
        previous = os.environ.get(paths.STATE_ENV)
        os.environ[paths.STATE_ENV] = folder
        try:
            record = registry.start("lesson", heap)
            try:
                yield record.device
            finally:
                registry.stop(record.name)
        finally:
            if previous is None:
                os.environ.pop(paths.STATE_ENV, None)
            else:
                os.environ[paths.STATE_ENV] = previous


def _kernel_name(notebook: Path) -> str:
    import nbformat
    return _kernel_of(nbformat.read(notebook, as_version=4))


def _kernel_of(content) -> str:
    return content.metadata.get("kernelspec", {}).get("name", "")


def execute(notebook: Path, device=None):
    """Run ``notebook`` with its own kernel (on ``device``, if given) and save it in place."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    content = nbformat.read(notebook, as_version=4)
    client = NotebookClient(content, timeout=CELL_TIMEOUT, kernel_name=_kernel_of(content),
                            resources={"metadata": {"path": str(notebook.parent.resolve())}})
    environment = dict(os.environ, **({"UPYLAB_BOARD": device} if device else {}))
    try:
        client.execute(env=environment)
    except CellExecutionError as error:
        raise UpylabError(f"{notebook}: a cell failed, nothing saved:\n{error}") from None
    for cell in content.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(content, notebook)
