"""environment.yml (for conda users) pins exactly what pyproject.toml pins."""
import subprocess
import sys
import tomllib

from upylab import paths


def _pip_list(text: str) -> list:
    """The entries under `- pip:` in environment.yml (a flat list, no YAML parser needed)."""
    lines = text.splitlines()
    start = lines.index("  - pip:") + 1
    return [line.strip()[2:] for line in lines[start:] if line.strip().startswith("- ")]


def test_environment_yml_lists_the_same_pins():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    pinned = project["dependencies"] + [pin for group in project["optional-dependencies"].values()
                                        for pin in group]
    assert all("==" in pin for pin in pinned), "every dependency is pinned with =="
    assert sorted(_pip_list((paths.ROOT / "environment.yml").read_text())) == sorted(pinned)


def test_python_version_agrees():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.12"
    assert "  - python=3.11" in (paths.ROOT / "environment.yml").read_text().splitlines()


def test_xdist_keeps_a_group_on_one_worker(tmp_path):
    """make test relies on --dist loadgroup (tests/conftest.py); a pytest that breaks it
    (pytest-xdist issue 1386, with pytest 9.2) would spread the class hub's tests."""
    (tmp_path / "test_grouped.py").write_text(
        "import os, pytest\n"
        "@pytest.mark.xdist_group('one')\n"
        "@pytest.mark.parametrize('n', range(6))\n"
        "def test_where(n):\n"
        "    with open('workers.txt', 'a') as file:\n"
        "        file.write(os.environ['PYTEST_XDIST_WORKER'] + '\\n')\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup",
                             "-q", "-p", "no:cacheprovider", "test_grouped.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    workers = (tmp_path / "workers.txt").read_text().split()
    assert len(workers) == 6 and len(set(workers)) == 1, workers


def test_starting_jupyter_builds_no_iri_parsers():
    """Every nbval run, kernel manager, JupyterLab and hub process imports nbformat
    and jupyter_events; with rfc3987-syntax (jsonschema 4.25+'s format-nongpl) each
    spent ~0.9 s of CPU building Lark parsers: the pin of jsonschema keeps it out."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, nbformat, jupyter_events.validators; "
                               "print(sorted({'rfc3987_syntax', 'lark'} & set(sys.modules)))"],
        capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    assert loaded == "[]", f"{loaded} imported: see the jsonschema pin in pyproject.toml"


def test_commands_started_by_the_tests_stop_on_ctrl_c():
    """Even when the suite was started with SIGINT ignored (a background job): tests/conftest.py."""
    default = subprocess.run([sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT).__name__)"],
                             capture_output=True, text=True, timeout=30)
    assert default.stdout == "default_int_handler\n", default.stderr
