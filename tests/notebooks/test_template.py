"""Every notebook is laid out as notebooks/README.md's template says, and ends with its generated links.

The template's headings are read from the README's ``text`` block (one
place); each lesson's headings are checked against them in order.  The
last cell of every notebook must be what ``upylab lessons`` generates
(``lessons.navigation``): a cell edited by hand, or a notebook added
without ``upylab lessons links``, fails here.
"""
import re
import shutil

import nbformat
import pytest

from upylab import lessons, paths

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
LESSONS = [path for path in NOTEBOOKS if 0 < int(path.name[:2]) < 90]   # 01-..07-, as numbered
SECTION = re.compile(r"^## (\d+)\. (.*)$")


def template() -> list:
    """The template's section headings' fixed words, in order ('Hello' of '## 3. Hello, <framework>')."""
    block = re.search(r"^```text\n(.*?)^```", (paths.NOTEBOOKS / "README.md").read_text(), re.M | re.S)
    assert block, "notebooks/README.md has no ```text block of headings"
    return [SECTION.match(line)[2].split("<")[0].rstrip(" ,:")
            for line in block[1].splitlines() if SECTION.match(line)]


def headings(notebook) -> list:
    """The notebook's markdown heading lines, code blocks in markdown aside."""
    found = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for line in cell.source.splitlines():
            if line.startswith("```"):
                fenced = not fenced
            elif not fenced and line.startswith("#"):
                found.append(line)
    return found


def test_the_template_has_the_lessons_sections():
    assert template() == ["The survey's row", "Set up the board", "Hello", "The reference app, step by step",
                          "Self-test", "Open it in your browser", "Exercise", "Memory"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_one_title_numbered_as_the_file(notebook):
    titles = [line for line in headings(notebook) if line.startswith("# ")]
    assert len(titles) == 1 and titles[0].startswith(f"# {notebook.name[:2]} · "), titles


def check_sections(notebook, framework: bool) -> list:
    """What is out of the template's order in ``notebook``'s sections (nothing: in order).

    Sections are numbered 1, 2, ...; the template's appear in its order; the first
    two open every lesson, and a framework lesson's 3 and 4 are the template's too
    (a lesson of no framework has no section 4: its own come in its place); the
    exercise and the memory are the last two.
    """
    sections = [SECTION.match(line).groups() for line in headings(notebook) if line.startswith("## ")]
    problems = [f"'## {number}. {name}' is not numbered {place}"
                for place, (number, name) in enumerate(sections, 1) if int(number) != place]
    names = [name for _, name in sections]
    wanted = template() if framework else [name for name in template() if name != template()[3]]
    found = [next((index for index, name in enumerate(names) if name.startswith(section)), None)
             for section in wanted]
    if None in found or found != sorted(found):
        problems.append(f"the template's sections {wanted} are not all there, in order: {names}")
    fixed = {0: wanted[0], 1: wanted[1], len(names) - 2: wanted[-2], len(names) - 1: wanted[-1]}
    if framework:
        fixed.update({2: wanted[2], 3: wanted[3]})
    problems += [f"section {index + 1} should be '{name}...': {names}"
                 for index, name in sorted(fixed.items())
                 if not 0 <= index < len(names) or not names[index].startswith(name)]
    return problems


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda path: path.stem)
def test_a_lessons_sections_follow_the_template(notebook):
    framework = "framework" in nbformat.read(notebook, as_version=4).metadata.get("upylab", {})
    assert check_sections(notebook, framework) == []


def test_a_section_out_of_order_is_found(tmp_path):
    content = nbformat.read(LESSONS[0], as_version=4)
    for cell in content.cells:
        cell.source = cell.source.replace("## 2. Set up the board", "## 2. Setting up")
    nbformat.write(content, tmp_path / LESSONS[0].name)
    assert check_sections(tmp_path / LESSONS[0].name, True)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_the_last_cell_is_the_generated_navigation(notebook):
    last = nbformat.read(notebook, as_version=4).cells[-1]
    assert lessons.NAVIGATION in last.metadata.get("tags", []), \
        f"{notebook.name} does not end with its navigation: run upylab lessons links"
    assert last.source == lessons.navigation(notebook), \
        f"{notebook.name}'s navigation is not as generated: run upylab lessons links"


def test_navigation_links_neighbours_and_the_index():
    middle = lessons.navigation(paths.NOTEBOOKS / "02-microdot.ipynb")
    assert "← previous: [01 · " in middle and "(01-raw-sockets.ipynb)" in middle
    assert "[index](00-start-here.ipynb)" in middle and "(03-async-requests.ipynb) →" in middle
    first, last = lessons.navigation(NOTEBOOKS[0]), lessons.navigation(NOTEBOOKS[-1])
    assert "previous" not in first and all(f"({path.name})" in first for path in NOTEBOOKS[1:])
    assert "next" not in last


def test_a_lesson_added_changes_its_neighbours_links(tmp_path):
    """``upylab lessons links`` (``lessons.link``) on a copy: a new 08 is linked from 07."""
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, tmp_path)
    added = tmp_path / "08-new.ipynb"
    content = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 08 · A new one")])
    nbformat.write(content, added)
    changed = lessons.link(sorted(tmp_path.glob("*.ipynb")))
    assert {path.name for path in changed} == {"00-start-here.ipynb", "07-aioweb.ipynb", "08-new.ipynb",
                                               "90-catalog.ipynb"}
    assert "next: [08 · A new one](08-new.ipynb) →" in nbformat.read(tmp_path / "07-aioweb.ipynb", 4).cells[-1].source
    assert lessons.link(sorted(tmp_path.glob("*.ipynb"))) == []                 # as generated now


def test_each_framework_lesson_sends_what_its_reference_app_needs():
    """A lesson's ``%upylab send`` lists its files for the student to read; the app's
    needs are data (``data/apps.csv``, ``upylab.catalog.apps``), which the tests and
    the bench send: the lesson's list must hold them, so the three run the same files."""
    from upylab.catalog import tables
    from upylab.catalog.apps import apps
    lesson_of = {row["id"]: paths.ROOT / row["lesson"] for row in tables.table("frameworks").rows}
    for framework, app in apps().items():
        sent = [word for cell in nbformat.read(lesson_of[framework], as_version=4).cells
                if cell.cell_type == "code" and cell.source.startswith("%upylab send ")
                for word in cell.source.split()[2:]]
        missing = [needed for needed in app.snippets if needed not in sent]
        assert not missing, f"{lesson_of[framework].name} does not send {missing} (data/apps.csv)"
