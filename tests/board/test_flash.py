"""The flash folder is the board's filesystem: `/`, `/lib` on sys.path, kept across resets, one per board."""
from pathlib import Path

from support import run_mpremote, stop_and_check
from upylab.board import registry


def test_root_is_the_flash_folder(board, mpremote):
    (Path(board.flash) / "index.html").write_text("<h1>hi</h1>")
    assert mpremote("exec", "import os; print(sorted(os.listdir('/')))").stdout.strip() == "['index.html', 'lib']"
    assert mpremote("exec", "print(open('/index.html').read())").stdout.strip() == "<h1>hi</h1>"
    assert mpremote("eval", "__import__('sys').path").stdout.strip() == "['', '.frozen', '/lib']"


def test_files_survive_resets_and_restarts(board, mpremote):
    mpremote("exec", "open('/kept.txt', 'w').write('kept')")
    mpremote("reset")
    assert mpremote("exec", "print(open('kept.txt').read())").stdout.strip() == "kept"
    stop_and_check(board.name)
    again = registry.start(name=board.name)
    try:
        assert run_mpremote(again.device, "exec", "print(open('kept.txt').read())").stdout.strip() == "kept"
    finally:
        registry.stop(again.name)
    registry.start(name=board.name)  # the fixture stops it


def test_each_board_has_its_own_flash(board, mpremote):
    other = registry.start(name="other")
    try:
        mpremote("exec", "open('mine.txt', 'w').write('1')")
        listing = run_mpremote(other.device, "exec", "import os; print(os.listdir('/'))").stdout
        assert "mine.txt" not in listing
    finally:
        stop_and_check("other")


def test_flash_option_uses_the_given_folder(state_dir, tmp_path):
    folder = tmp_path / "my-flash"
    folder.mkdir()
    (folder / "main.py").write_text("print('from my flash')\n")
    record = registry.start(name="custom", flash=folder)
    try:
        assert record.flash == str(folder.resolve())
        assert run_mpremote(record.device, "exec", "import os; print('main.py' in os.listdir())").stdout.strip() == "True"
    finally:
        stop_and_check("custom")
