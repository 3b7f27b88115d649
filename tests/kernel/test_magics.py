"""``%upylab``: catalog rows, snippets, URLs and installs from lesson cells."""
from pathlib import Path

import pytest

from support import bound_ports
from upylab import paths
from upylab.catalog import tables
from upylab.catalog.apps import led_pin
from upylab.install import cache, recipes

pytestmark = [pytest.mark.board, pytest.mark.timeout(120)]



def error_of(session, code):
    reply, outputs = session.run(code)
    assert reply["status"] == "error", (reply, outputs)
    return reply["ename"], reply["evalue"]


def test_row_shows_survey_and_ours_from_the_data(kernel):
    out = kernel.text("%upylab row microdot")   # no board needed
    ours = next(row for row in tables.table("frameworks").rows if row["id"] == "microdot")
    assert out.startswith("Microdot (microdot)\n")
    assert "updated:\n  survey: 2024-Aug (latest commit)\n  ours:   " + ours["updated"] in out
    assert "  why:    newer: " in out
    assert f"lesson:\n  ours:   {ours['lesson']}\n" in out


def test_unknown_framework_and_bad_usage_fail_the_cell(kernel):
    assert error_of(kernel, "%upylab row nosuch")[0] == "KeyError"
    ename, evalue = error_of(kernel, "%upylab frobnicate")
    assert ename == "UsageError" and "invalid choice" in evalue


def test_help_and_lsmagic_list_the_commands(kernel):
    assert "%upylab install ID [--source|--compare]" in kernel.text("%upylab help")
    assert "%upylab url [PORT] [PATH]" in kernel.text("%lsmagic")
    assert "%sendtofile" in kernel.text("%lsmagic")      # upstream's are still there


def test_show_prints_one_definition(kernel):
    out = kernel.text("%upylab show raw-socket/led_raw.py unquote")
    assert out.startswith("def unquote(text):\n")
    assert "def parse_query" not in out and "return out.decode()" in out
    assert error_of(kernel, "%upylab show raw-socket/nothing.py")[0] == "FileNotFoundError"


def test_send_puts_snippets_on_the_board(connected, board):
    out = connected.text("%upylab send common/led.py common/static")
    assert out == ("sent common/led.py -> /led.py\n"
                   "sent common/static/style.css -> /static/style.css\n")
    flash = Path(board.flash)
    assert (flash / "led.py").read_bytes() == (paths.snippets_dir() / "common/led.py").read_bytes()
    assert (flash / "static/style.css").read_bytes() == \
        (paths.snippets_dir() / "common/static/style.css").read_bytes()
    assert connected.text("import led\nprint(led.status()['pin'])") == f"{led_pin()}\n"


def test_clean_removes_what_lessons_sent_and_soft_reboots(connected, board):
    flash = Path(board.flash)
    (flash / "mine.py").write_text("x = 1\n")                     # the student's own file
    connected.text("%upylab send common/led.py common/static raw-socket")
    connected.text("import led_raw\nserver = led_raw.listen(80)")  # a variable, a bound port
    assert bound_ports(board) == [80]
    out = connected.text("%upylab clean")
    assert out.startswith("lesson files removed (frameworks in /lib and your own files stay)\n"
                          "MPY: soft reboot\nMicroPython ")
    assert sorted(p.name for p in flash.iterdir()) == ["lib", "mine.py"]
    assert bound_ports(board) == []
    reply, _ = connected.run("print(server)")
    assert reply["ename"] == "NameError"
    assert connected.text("%upylab clean").startswith("lesson files removed")   # again: fine


def test_url_is_the_virtual_boards_mapped_port(connected, board):
    assert connected.text("%upylab url") == board.url(80, "/") + "\n"
    assert connected.text("%upylab url 8080 api/status") == board.url(8080, "/api/status") + "\n"


def test_url_needs_a_connection(kernel):
    assert error_of(kernel, "%upylab url")[0] == "ConnectionError"


@pytest.fixture
def cached_microdot(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("UPYLAB_CACHE_DIR", str(folder))
    for part in recipes.parts_for("microdot"):
        try:
            cache.ensure(part, log=lambda message: None)
        except cache.FetchError as error:
            pytest.skip(f"cannot fetch microdot here: {error}")


def test_install_runs_on_the_kernels_own_link(cached_microdot, start_kernel, board):
    """The kernel keeps its port: the install's lines come as it goes, the board stays connected."""
    session = start_kernel()
    session.text("%serialconnect\nkept = 41")
    out = session.text("%upylab install microdot --offline")
    assert out.startswith("microdot: pypi:microdot@2.7.0 from cache")
    assert "board: virtual board 'test': MicroPython " in out
    assert "microdot: import microdot OK on the board (mpy): version 2.7.0" in out
    assert (Path(board.flash) / "lib/microdot/microdot.mpy").is_file()
    assert session.text("import microdot\nprint(microdot.Microdot.__name__)") == "Microdot\n"


def test_an_error_on_the_board_during_install_is_the_boards(cached_microdot, connected, board):
    """Not an error "in the kernel": the board's own exception, with its traceback."""
    lib = Path(board.flash) / "lib"
    lib.rmdir()
    lib.write_text("not a folder")
    reply, outputs = connected.run("%upylab install microdot --offline")
    assert (reply["status"], reply["ename"]) == ("error", "OSError"), reply
    assert reply["evalue"] == "20"                             # ENOTDIR, as the unix port says it
    assert reply["traceback"][-1] == "OSError: 20"
    assert [o["type"] for o in outputs][-1] == "error"
    assert connected.text("print(6 * 7)") == "42\n"          # the kernel still has its board


def test_failed_install_is_an_error_and_keeps_the_board(connected):
    ename, evalue = error_of(connected, "%upylab install nosuch")
    assert ename == "InstallError" and "unknown framework 'nosuch'" in evalue
    assert connected.text("print(6 * 7)") == "42\n"
