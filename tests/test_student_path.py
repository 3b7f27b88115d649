"""The student's path through the lessons, in a real JupyterLab in a real browser.

``upylab lab`` (as ``make lab`` runs it) with a virtual board, driven by
Debian's Chromium: open 00 and Run All; open 01 with 00 still open and Run
All (the board is handed over, not reset); start the server in a new cell,
open its page and click ON (the cell draws the LED on), stop it with ■, start it again; Restart Kernel
and find a fresh board; open 02 while 01's server runs (the error names 01,
and Run All stops there), then again once it is stopped, and the same server
steps; back in 00, a cell takes the board back.  Each step asserts what the
student sees: cell outputs, and no error where none is expected.
"""
import os
import re
import time
import urllib.request

import pytest

from labui import Student, errors_of, text_of
from support import Lab, bound_ports, says_port_taken
from test_lab import free_port
from upylab.board import pins, registry
from upylab.catalog.apps import led_pin

pytestmark = [pytest.mark.board, pytest.mark.long(80), pytest.mark.timeout(900)]

STOPPED = "KeyboardInterrupt: the cell was stopped"
# jupyter_server's own race, not ours: a kernel listed (the page polls GET
# /api/kernels) in the moment between its start and its first activity has no
# last_activity yet, and the listing answers 500 (the page polls again). The
# same window as jupyter/notebook issue 5345; seen once in about ten walks.
UPSTREAM_RACE = re.compile(
    r"\[E [^\]]*ServerApp\] Uncaught exception GET /api/kernels.*?"
    r"TraitError: The 'last_activity' trait of a ServerKernelManager instance expected a "
    r"datetime, not the NoneType None\..*?500 GET /api/kernels[^\n]*", re.S)
RESTARTED = "(Kernel restarted: the board had a soft reboot, so its variables, tasks and servers are gone.)"


@pytest.fixture
def lab(state_dir, tmp_path, framework_cache):
    environment = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
                       UPYLAB_WORK_DIR=str(tmp_path / "work"))
    for name in ("UPYLAB_BOARD", "JUPYTER_TOKEN"):
        environment.pop(name, None)
    started = Lab(environment, f"--port={free_port()}", "--LabApp.expose_app_in_browser=True")
    yield started
    lines = started.ctrl_c()
    assert started.process.returncode == 0, "\n".join(lines)
    printed = UPSTREAM_RACE.sub("", "\n".join(lines))
    assert "Traceback" not in printed and "[E " not in printed, printed
    assert registry.running() == []


def connect_cell(cells):
    return next(cell for cell in cells if cell["source"].startswith("%serialconnect"))


def assert_ran_without_errors(cells, allowed=()):
    for cell in cells:
        assert cell["count"] is not None, f"not run: {cell['source'][:60]!r}"
        errors = [error["ename"] for error in errors_of(cell)]
        assert not errors or cell["source"] in allowed, (cell["source"][:60], errors_of(cell))


def assert_clean_output(cells):
    """What only the kernel's machinery used to print: none of it."""
    for cell in cells:
        shown = text_of(cell) + "".join("\n".join(e["traceback"]) for e in errors_of(cell))
        assert "Sending Ctrl-C" not in shown and "firmware" not in shown, shown
        assert not re.search(r"(?m)^\.+$", text_of(cell)), shown


def serve_click_stop_and_serve_again(student, notebook, module, board):
    """The lesson's 'Open it in your browser', and the stop button, twice."""
    cells = student.cells(notebook)
    url = next(text_of(cell).strip() for cell in cells if cell["source"].strip() == "%upylab url")
    assert url == board.url(80, "/")
    server = student.new_cell(notebook, f"%upylab pins --live\nimport {module}\n{module}.run()")
    page = student.page.context.new_page()
    try:
        for attempt in ("first", "again"):
            if attempt == "again":
                student.run_cell(notebook, server)
            student.wait_for_output(notebook, server, "serving on port 80")
            answering(url)                  # run() prints before it listens
            page.goto(url)
            assert page.title() in ("LED is OFF", "LED is ON")
            with page.expect_navigation():
                page.click("#on")
            assert page.inner_text("#state") == "ON", attempt
            assert pins.value(board, led_pin()) == 1
            student.wait_for_picture(notebook, server, "LED on")     # drawn live in the cell
            with page.expect_navigation():
                page.click("#off")
            student.wait_for_picture(notebook, server, "LED off")
            student.stop(notebook)
            cell = student.cells(notebook)[server]
            assert [error["evalue"] for error in errors_of(cell)] == ["the cell was stopped"], cell
            assert errors_of(cell)[0]["traceback"][-1] == STOPPED
            assert not says_port_taken(cell)
            assert bound_ports(board) == [], f"{attempt}: the stopped server still holds its port"
    finally:
        page.close()


def answering(url, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "api/status", timeout=2) as reply:
                return reply.status
        except OSError:
            assert time.monotonic() < deadline, f"{url} did not answer within {timeout} s"
            time.sleep(0.2)


def restart_gives_a_fresh_board(student, notebook, board, leftover):
    student.restart(notebook)
    assert bound_ports(board) == []
    probe = student.new_cell(notebook, f"print('{leftover}' in globals())")
    student.settled(notebook)
    out = text_of(student.cells(notebook)[probe])
    assert out.startswith("MPY: soft reboot\nMicroPython "), out
    assert RESTARTED in out and out.endswith("again\nFalse\n"), out


def test_the_student_path(lab, browser):
    url = lab.url()
    board = registry.find(registry.DEFAULT_NAME)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    student = Student(context.new_page(), url)
    try:
        # 00: Run All; only the cell tagged raises-exception fails.
        student.open("00-start-here.ipynb")
        cells = student.run_all("00-start-here.ipynb")
        failing = [c["source"] for c in cells if errors_of(c)]
        assert len(failing) == 1 and "readings[2]" in failing[0], failing
        assert_ran_without_errors(cells, allowed=failing)
        assert text_of(connect_cell(cells)).startswith("Connected to virtual board 'default'\n")
        assert "self-test passed" in text_of(cells[-1])

        # 01, with 00 still open: the board is handed over, and the whole lesson runs.
        student.open("01-raw-sockets.ipynb")
        cells = student.run_all("01-raw-sockets.ipynb")
        assert_ran_without_errors(cells)
        assert "(taken over from 00-start-here.ipynb, whose kernel was idle" in \
            text_of(connect_cell(cells))
        assert "self-test passed" in "".join(text_of(c) for c in cells)
        serve_click_stop_and_serve_again(student, "01-raw-sockets.ipynb", "led_raw", board)

        # 02 while 01's server runs: the error names 01, and Run All stops at it.
        server = student.new_cell("01-raw-sockets.ipynb", "import led_raw\nled_raw.run()")
        student.wait_for_output("01-raw-sockets.ipynb", server, "serving on port 80")
        student.open("02-microdot.ipynb")
        cells = student.run_all("02-microdot.ipynb")
        connect = connect_cell(cells)
        assert errors_of(connect)[0]["evalue"].startswith(
            "the board is busy: 01-raw-sockets.ipynb is running a cell on it. Stop that cell there")
        after = cells[cells.index(connect) + 1:]
        assert all(cell["count"] is None for cell in after), "Run All went on after the error"
        student.stop("01-raw-sockets.ipynb")

        restart_gives_a_fresh_board(student, "01-raw-sockets.ipynb", board, "led_raw")

        # 02 again: it takes the board from 01, installs Microdot, serves, stops, serves.
        cells = student.run_all("02-microdot.ipynb")
        assert_ran_without_errors(cells)
        assert "(taken over from 01-raw-sockets.ipynb" in text_of(connect_cell(cells))
        serve_click_stop_and_serve_again(student, "02-microdot.ipynb", "led_microdot", board)
        restart_gives_a_fresh_board(student, "02-microdot.ipynb", board, "led_microdot")
        for notebook in ("00-start-here.ipynb", "01-raw-sockets.ipynb", "02-microdot.ipynb"):
            assert_clean_output(student.cells(notebook))

        # Back in 00: running a cell takes the board back, by itself.
        student.run_cell("00-start-here.ipynb", 1)
        student.settled("00-start-here.ipynb")
        cell = student.cells("00-start-here.ipynb")[1]
        assert text_of(cell).startswith(
            "(This notebook has the board back from 02-microdot.ipynb, which used it meanwhile")
        assert not errors_of(cell)
    finally:
        context.close()
