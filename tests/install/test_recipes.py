"""The install recipes as data: consistent with the catalog, patches that parse."""
import pytest

from upylab.errors import UpylabError
from upylab.install import payload, recipes


def test_every_catalog_framework_has_a_recipe_or_is_builtin():
    for framework, source in recipes.catalog().items():
        parts = recipes.parts_for(framework)
        if source.startswith("builtin:"):
            assert parts == []
            continue
        assert parts, framework
        assert parts[0].role == "framework" and parts[0].source == source, framework
        assert recipes.import_name(parts)


def test_every_recipe_row_names_a_catalog_framework_and_existing_patches():
    catalog = recipes.catalog()
    seen = set()
    for part in recipes.load_parts():
        assert part.id in catalog, part
        assert (part.id, part.part) not in seen, part
        seen.add((part.id, part.part))
        for patch in part.patches:
            path = recipes.patch_path(part.id, patch)
            assert path.is_file(), path
            assert payload.parse_patch(path.read_text())


def test_unknown_framework_is_a_one_line_error():
    with pytest.raises(UpylabError, match="unknown framework 'nope': choose from"):
        recipes.parts_for("nope")


# A recipe's patch, written here so these tests keep no framework's patch alive.
PATCH = """Why: an example patch, its explanation before the first ---.

--- a/web.py
+++ b/web.py
@@ -1,3 +1,3 @@
-import uasyncio as asyncio
+import asyncio
 from hashlib import sha1
 import struct
"""
UPSTREAM = b"import uasyncio as asyncio\nfrom hashlib import sha1\nimport struct\n\ndef f(): pass\n"


@pytest.fixture
def demo_patch(tmp_path, monkeypatch):
    """data/patches/demo/demo.patch in a data folder of the test's own."""
    monkeypatch.setenv("UPYLAB_DATA", str(tmp_path))
    path = recipes.patch_path("demo", "demo.patch")
    path.parent.mkdir(parents=True)
    path.write_text(PATCH)
    return path


def demo_part(**changes):
    fields = dict(id="demo", part="web", role="framework", source="github:someone/web",
                  fetch="raw", pin="0" * 40, artifact="web.py", sha256="", strip="",
                  files=("web.py",), patches=("demo.patch",), import_name="web", notes="")
    return recipes.Part(**{**fields, **changes})


def test_build_applies_the_recipe_patch_and_leaves_the_artifact(demo_patch, tmp_path):
    artifact = tmp_path / "web.py"
    artifact.write_bytes(UPSTREAM)
    files = payload.build([demo_part()], {demo_part(): artifact})
    assert files == {"web.py": UPSTREAM.replace(b"import uasyncio as asyncio", b"import asyncio")}
    assert artifact.read_bytes() == UPSTREAM


def test_patch_that_does_not_match_is_refused(demo_patch):
    files = {"web.py": b"import something_else\n"}
    with pytest.raises(payload.PatchError, match="does not apply to web.py near line 1"):
        payload.apply_patch(demo_patch, files, "demo")
    assert files == {"web.py": b"import something_else\n"}


def test_patch_applies_with_offset(demo_patch):
    files = {"web.py": b"# added line\n" + UPSTREAM}
    payload.apply_patch(demo_patch, files, "demo")
    assert files["web.py"].startswith(b"# added line\nimport asyncio\nfrom hashlib")


def test_patch_of_a_file_not_installed_is_refused(demo_patch):
    with pytest.raises(payload.PatchError, match="changes web.py, which is not among"):
        payload.apply_patch(demo_patch, {"other.py": b""}, "demo")
