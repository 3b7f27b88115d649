"""What a saved notebook must hold for nbval to mean something.

nbval only compares cells that have run, and never checks that a cell
tagged ``raises-exception`` still raises; these checks close both gaps,
without a board.
"""
import json

import pytest

from nbrun import framework_unavailable, notebooks
from upylab.kernel.install import KERNEL_NAME

KERNELS = {KERNEL_NAME, "python3"}
EXPECTED_ERROR = "raises-exception"


def code_cells(notebook):
    content = json.loads(notebook.read_text())
    for number, cell in enumerate(content["cells"], 1):
        if cell["cell_type"] == "code" and "".join(cell["source"]).strip():
            yield number, cell


def test_there_are_notebooks():
    assert notebooks()


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda path: path.name)
def test_uses_a_project_kernel(notebook):
    kernel = json.loads(notebook.read_text())["metadata"]["kernelspec"]["name"]
    assert kernel in KERNELS


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda path: path.name)
def test_every_code_cell_was_saved_after_running(notebook):
    reason = framework_unavailable(notebook)
    if reason:     # saved from a machine that could install it; checked there
        pytest.skip(reason)
    unrun = [number for number, cell in code_cells(notebook) if cell["execution_count"] is None]
    assert not unrun, f"cells saved without having run (nbval would not check them): {unrun}"


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda path: path.name)
def test_errors_only_where_tagged(notebook):
    for number, cell in code_cells(notebook):
        tagged = EXPECTED_ERROR in cell["metadata"].get("tags", [])
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert tagged or not errors, f"cell {number}: error output without the {EXPECTED_ERROR!r} tag"
        assert errors or not tagged, f"cell {number}: tagged {EXPECTED_ERROR!r} but saved no error"


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda path: path.name)
def test_no_colour_codes_in_outputs(notebook):
    for number, cell in code_cells(notebook):
        assert "\x1b[" not in json.dumps(cell["outputs"]).replace("\\u001b", "\x1b"), f"cell {number}"


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda path: path.name)
def test_named_framework_is_in_the_catalog(notebook):
    """A lesson's ``upylab.framework`` metadata must name a catalog id (a typo would never skip)."""
    from upylab.install import recipes
    framework = json.loads(notebook.read_text())["metadata"].get("upylab", {}).get("framework")
    assert framework is None or framework in recipes.catalog(), framework


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda path: path.name)
def test_outputs_hold_no_path_of_the_machine_that_saved_them(notebook):
    """No board folder, temporary or not, and no file of this checkout (a shim's traceback frame)."""
    from upylab import paths
    machine = (str(paths.ROOT), "upylab-lessons-", "/boards/", "/state/upylab")
    for number, cell in code_cells(notebook):
        text = json.dumps(cell["outputs"])
        assert not [part for part in machine if part in text], f"cell {number}: {text[:300]}"
