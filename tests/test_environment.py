"""environment.yml (for conda users) pins exactly what pyproject.toml pins."""
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
