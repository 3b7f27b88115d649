"""notebooks/90-catalog.ipynb still shows what the tables say (nbval).

Its outputs are saved; nbval reruns it on the host ``python3`` kernel and
compares.  When the data changes on purpose, re-execute and save the notebook.
"""
import subprocess
import sys

from support import nbval_environment
from upylab import paths


NOTEBOOK = paths.NOTEBOOKS / "90-catalog.ipynb"


def test_notebook_outputs_match_the_data():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", str(NOTEBOOK), "--nbval-kernel-name=python3",
         "-q", "-p", "no:cacheprovider", "-p", "nbval_ipc", "--rootdir", str(NOTEBOOK.parent)],
        cwd=NOTEBOOK.parent, env=nbval_environment(), capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "passed" in result.stdout.splitlines()[-1]


def test_notebook_is_saved_with_outputs_and_no_run_dates():
    text = NOTEBOOK.read_text(encoding="utf-8")
    assert '"outputs": []' not in text, "save the notebook executed"
    assert "iopub.execute_input" not in text and str(paths.ROOT) not in text
