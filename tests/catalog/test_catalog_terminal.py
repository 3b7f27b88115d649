"""``upylab catalog`` in a terminal, through the installed command."""
import subprocess
import sys

from catalog_helpers import DATA, read_rows, run_cli
from upylab import paths


def test_the_command_is_registered_and_checks_the_real_data():
    result = subprocess.run([sys.executable, "-m", "upylab", "catalog", "--check"],
                            cwd=paths.ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("catalog OK: ")


def test_table_has_a_line_per_framework_and_marks_corrections(capsys):
    status, out, _ = run_cli(capsys, "catalog")
    assert status == 0
    lines = {line.split()[0]: line for line in out[2:] if line and not line.startswith("?")}
    assert list(lines) == ["raw-socket", "microdot", "tinyweb", "picoweb", "micropyserver", "aioweb"]
    assert " 2025-01* " in lines["micropyserver"]       # corrected from the survey's 2022-Aug
    assert " 2020-07 " in lines["picoweb"]              # the survey's value, confirmed
    corrections = len(read_rows(DATA / "corrections.csv")) - 1
    assert out[-1] == (f"? unknown   * differs from the survey: {corrections} corrections with "
                       "evidence in data/corrections.csv")
