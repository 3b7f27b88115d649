"""No module of the package imports from a layer above its own.

The layers are the ones ``upylab/__init__.py`` states, read from its
docstring here (one place for the order); every import counts, those
inside functions too.  Moving a layer on purpose shows the check can fail.
"""
import ast
import re

import pytest

import upylab
from upylab import paths

PACKAGE = paths.ROOT / "upylab"
COMMANDS = ("cli", "__main__")      # the top layer, wherever they are


def layers() -> dict:
    """``{module prefix: layer number}``, from the package docstring."""
    found = {}
    for number, text in re.findall(r"^(\d+)\. (.*?)(?=^\d+\. |\Z)", upylab.__doc__, re.M | re.S):
        for name in re.findall(r"``(upylab(?:\.\w+)*)``", text):
            found[name] = int(number)
    return found


def top() -> int:
    return max(layers().values())


def layer_of(module: str, table: dict) -> int:
    if module.rsplit(".", 1)[-1] in COMMANDS:
        return top()
    prefixes = [name for name in table if module == name or module.startswith(name + ".")]
    assert prefixes, f"{module} is in no layer of upylab/__init__.py: add it there"
    return table[max(prefixes, key=len)]


def modules() -> dict:
    """``{module name: source file}`` of the package, firmware shims (board-side code) aside."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(paths.ROOT).with_suffix("").parts
        if "firmware" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(module: str, path) -> set:
    """The upylab modules ``path`` imports: ``from upylab.x import y`` names module
    ``upylab.x.y`` where there is one (the package's own imports are checked as its
    module's), and ``upylab.x`` for any other name."""
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return {name for name in found if name == "upylab" or name.startswith("upylab.")} - {module}


def violations(table: dict) -> list:
    found = []
    for module, path in modules().items():
        if module == "upylab":
            continue
        own = layer_of(module, table)
        for imported in sorted(imports(module, path)):
            if imported != "upylab" and layer_of(imported, table) > own:
                found.append(f"{module} (layer {own}) imports {imported} "
                             f"(layer {layer_of(imported, table)})")
    return found


def test_the_docstring_names_every_layer_in_order():
    table = layers()
    assert sorted(set(table.values())) == list(range(1, top() + 1))
    assert {"upylab.errors", "upylab.link", "upylab.kernel", "upylab.cli"} <= set(table)


def test_no_module_imports_from_a_layer_above_its_own():
    assert violations(layers()) == []


@pytest.mark.parametrize("lower, higher", [("upylab.link", "upylab.kernel"),
                                           ("upylab.catalog", "upylab.bench")])
def test_the_check_fails_for_an_import_upwards(lower, higher):
    """A layer placed above one that imports it: those imports point upwards, and the
    check names them."""
    table = layers()
    table[lower] = table[higher] + 0.5
    assert any(f"imports {lower}" in line for line in violations(table))
