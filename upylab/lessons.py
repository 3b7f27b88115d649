"""``upylab lessons``: the lessons' masters and the student's working copies.

``notebooks/`` holds the **masters**: verified, saved executed, what the
tests and ``make test-notebooks`` run.  A student works in **copies**, in
``work/`` (git-ignored; ``UPYLAB_WORK_DIR`` moves it): ``upylab lab`` copies
every lesson the folder lacks, and never overwrites one, so autosave and
the student's edits never reach the masters.  ``upylab lessons reset
[NN...]`` puts a lesson back as published, keeping the student's copy in
``work/.replaced/``.

``upylab lessons execute NOTEBOOK...`` runs masters top to bottom and
saves them with outputs.

Every notebook ends with a generated **navigation** cell (tagged
``navigation``): previous, index and next, in file-name order, the first
notebook (00) being the index and listing them all.  ``execute`` writes it
before running; ``upylab lessons links`` rewrites only those cells (after a
lesson is added or renamed, whose neighbours' links change), and a test
checks every master's against ``navigation()``, so none is kept by hand.

A lesson's saved outputs are what nbval compares against, so they must
come from a clean run: each notebook runs on a **fresh** virtual board
(its own state folder, flash and heap preset, stopped afterwards; named
``default``, as the one ``upylab lab`` starts) unless ``--board`` names
one, through the same kernel a student uses.  A cell that raises stops the
run and nothing is saved (cells tagged ``raises-exception`` are expected
to raise).  Host-side notebooks (the ``python3`` kernel: the catalog, the
comparison) need no board.  What changes between two identical runs (the
kernel's per-cell timing metadata) is not saved.
"""
import contextlib
import os
import shutil
import time
from pathlib import Path

from upylab import paths
from upylab.board import presets, registry
from upylab.errors import UpylabError
from upylab.kernel.install import KERNEL_NAME
from upylab.link import choose

CELL_TIMEOUT = 120          # seconds per cell, as a ceiling for a stuck board
NAVIGATION = "navigation"   # the tag (and the id) of each notebook's generated last cell


def register(subparsers):
    parser = subparsers.add_parser(
        "lessons", help="the lesson notebooks: reset your working copies, execute the masters")
    commands = parser.add_subparsers(dest="lessons_command", required=True, metavar="COMMAND")
    execute_parser = commands.add_parser(
        "execute", help="run notebooks on a fresh virtual board and save them with outputs",
        description=__doc__.split("\n\n")[3])
    execute_parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", type=Path)
    execute_parser.add_argument("--board", help="run on this board (name or serial device) "
                                "instead of a fresh virtual board")
    execute_parser.add_argument("--heap", default=presets.DEFAULT,
                                help="heap preset or size of the fresh virtual board")
    execute_parser.set_defaults(func=run_execute)
    reset_parser = commands.add_parser(
        "reset", help="put lessons back as published in your working copies (work/)",
        description="Copy the masters of lessons NN (every lesson without NN) over your "
                    "working copies; each replaced copy is kept in work/.replaced/. Close the "
                    "lesson in JupyterLab first, or it saves its open copy over it.")
    reset_parser.add_argument("numbers", nargs="*", metavar="NN",
                              help="lesson numbers, e.g. 01 (or names, e.g. 01-raw-sockets)")
    reset_parser.set_defaults(func=run_reset)
    links_parser = commands.add_parser(
        "links", help="rewrite every master's last cell: links to the previous lesson, the index, the next",
        description="Rewrite the generated navigation cell at the end of every notebook in "
                    "notebooks/ (nothing else changes, nothing runs).")
    links_parser.set_defaults(func=run_links)


def masters() -> list[Path]:
    return sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def working_copies(work: Path) -> list[str]:
    """Copy into ``work`` every lesson it lacks; the names copied."""
    if not masters():
        raise UpylabError(f"no lessons at {paths.NOTEBOOKS}: run this from a checkout of upylab")
    work.mkdir(parents=True, exist_ok=True)
    copied = []
    for master in masters():
        if not (work / master.name).exists():
            shutil.copyfile(master, work / master.name)
            copied.append(master.name)
    return copied


def chosen(numbers) -> list[Path]:
    """The masters named by number (``1``, ``01``) or name (``01-raw-sockets[.ipynb]``)."""
    if not numbers:
        return masters()
    found = []
    for number in numbers:
        stem = number.removesuffix(".ipynb")
        prefix = f"{int(stem):02d}-" if stem.isdigit() else None
        matches = [m for m in masters() if m.stem == stem or prefix and m.name.startswith(prefix)]
        if not matches:
            raise UpylabError(f"no lesson {number!r}: choose from "
                              f"{', '.join(m.stem for m in masters())}")
        found += matches
    return found


def reset(numbers, work: Path) -> list[str]:
    """Put the chosen lessons back as published; one line per lesson, for the user."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    said = []
    for master in chosen(numbers):
        copy = work / master.name
        kept = ""
        if copy.exists():
            if copy.read_bytes() == master.read_bytes():
                said.append(f"{copy}: already as published")
                continue
            backup = work / ".replaced" / f"{master.stem}-{stamp}.ipynb"
            backup.parent.mkdir(parents=True, exist_ok=True)
            copy.replace(backup)
            kept = f" (your copy is kept as {backup})"
        work.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(master, copy)
        said.append(f"{copy}: as published{kept}")
    return said


def run_reset(args):
    for line in reset(args.numbers, paths.work_dir()):
        print(line)
    return 0


def title(notebook: Path) -> str:
    """The notebook's title: its first heading, '# ' left out."""
    import nbformat
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise UpylabError(f"{notebook}: no title (a '# NN · ...' heading)")


def navigation(notebook: Path) -> str:
    """The markdown of ``notebook``'s last cell, from the notebooks beside it in name order:
    previous, index (the first notebook) and next; the index lists every notebook."""
    notebooks = sorted(notebook.parent.glob("*.ipynb"))
    place = notebooks.index(notebook)

    def to(other):
        return f"[{title(other)}]({other.name})"

    parts = []
    if place:
        parts.append(f"← previous: {to(notebooks[place - 1])}")
    parts.append(f"[index]({notebooks[0].name})")
    if place + 1 < len(notebooks):
        parts.append(f"next: {to(notebooks[place + 1])} →")
    listed = [] if place else ["The lessons, in order:", "",
                               *(f"- {to(other)}" for other in notebooks[1:]), ""]
    return "\n".join(["---", "", *listed, " · ".join(parts)])


def with_navigation(content, notebook: Path):
    """``content`` (the notebook's nbformat node) ending with its navigation cell, new or redone."""
    import nbformat
    if content.cells and NAVIGATION in content.cells[-1].metadata.get("tags", []):
        content.cells.pop()
    cell = nbformat.v4.new_markdown_cell(navigation(notebook), id=NAVIGATION)
    cell.metadata["tags"] = [NAVIGATION]
    content.cells.append(cell)
    return content


def link(notebooks) -> list[Path]:
    """Rewrite the navigation cell of each notebook; those whose cell changed."""
    import nbformat
    changed = []
    for notebook in notebooks:
        content = nbformat.read(notebook, as_version=4)
        before = nbformat.writes(content)
        if nbformat.writes(with_navigation(content, notebook)) != before:
            nbformat.write(content, notebook)
            changed.append(notebook)
    return changed


def run_links(args):
    for notebook in link(masters()):
        print(f"{notebook}: navigation rewritten")
    return 0


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
    """The board to run on (a name or a device): the named one, or a fresh virtual board."""
    if named:
        yield named
        return
    with registry.fresh(heap) as record:
        yield record.name


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
    from traitlets.config import Config
    from upylab.kernel import local

    content = with_navigation(nbformat.read(notebook, as_version=4), notebook)
    client = NotebookClient(content, timeout=CELL_TIMEOUT, kernel_name=_kernel_of(content),
                            resources={"metadata": {"path": str(notebook.parent.resolve())}},
                            config=Config(KernelManager=local.settings()))
    environment = dict(os.environ, **({choose.ENV: device} if device else {}))
    try:
        client.execute(env=environment)
    except CellExecutionError as error:
        raise UpylabError(f"{notebook}: a cell failed, nothing saved:\n{error}") from None
    for cell in content.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(content, notebook)
