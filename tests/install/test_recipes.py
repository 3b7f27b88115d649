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


def test_patch_that_does_not_match_is_refused(tmp_path):
    patch = recipes.patch_path("picoweb", "builtin-asyncio.patch")
    files = {"picoweb/__init__.py": b"import something_else\n"}
    with pytest.raises(payload.PatchError, match="does not apply to picoweb/__init__.py"):
        payload.apply_patch(patch, files, "picoweb")


def test_patch_applies_with_offset(tmp_path):
    patch = tmp_path / "rename.patch"
    patch.write_text("Why: an explanation before the first ---.\n\n"
                     "--- a/web.py\n+++ b/web.py\n@@ -1,3 +1,3 @@\n"
                     "-import uasyncio as asyncio\n+import asyncio\n from hashlib import sha1\n"
                     " import struct\n")
    files = {"web.py": b"# added line\nimport uasyncio as asyncio\nfrom hashlib import sha1\n"
                       b"import struct\n\ndef f(): pass\n"}
    payload.apply_patch(patch, files, "aioweb")
    assert files["web.py"] == (b"# added line\nimport asyncio\nfrom hashlib import sha1\n"
                               b"import struct\n\ndef f(): pass\n")
