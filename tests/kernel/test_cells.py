"""Running cells on the board: output, errors, interrupts, files, resets."""
import subprocess
import sys
from pathlib import Path

import pytest

from support import bound_ports, wait_for_prompt

pytestmark = [pytest.mark.board, pytest.mark.timeout(90)]

UPYLAB = Path(sys.executable).parent / "upylab"
SILENCE = 5.5   # seconds: upstream's reader yields an empty chunk after 5 s without a byte


def test_print_and_state_between_cells(connected):
    assert connected.text("x = 20\nprint('x is', x)") == "x is 20\n"
    assert connected.text("for i in range(3):\n    print(x + i)") == "20\n21\n22\n"


def test_board_exception_is_a_jupyter_error(connected):
    reply, outputs = connected.run("print('before')\ndef f():\n    return 1 / 0\nf()")
    assert reply["status"] == "error"
    assert reply["ename"] == "ZeroDivisionError"
    assert reply["evalue"] == "divide by zero"
    assert reply["traceback"] == [
        "Traceback (most recent call last):",
        '  File "<stdin>", line 4, in <module>',
        '  File "<stdin>", line 3, in f',
        "ZeroDivisionError: divide by zero",
    ]
    assert outputs == [
        {"type": "stream", "name": "stdout", "text": "before\n"},
        {"type": "error", "ename": "ZeroDivisionError", "evalue": "divide by zero",
         "traceback": reply["traceback"]},
    ]
    assert connected.text("print('still here')") == "still here\n"


def test_printed_traceback_text_is_not_an_error(connected):
    """Only the raw REPL's error section counts, not what a cell prints."""
    out = connected.text("print('Traceback (most recent call last):')\nprint('ValueError: no')")
    assert out == "Traceback (most recent call last):\nValueError: no\n"


def test_exception_message_with_colons_and_no_message(connected):
    reply, _ = connected.run("raise OSError('ENOENT: a: b')")
    assert (reply["ename"], reply["evalue"]) == ("OSError", "ENOENT: a: b")
    reply, _ = connected.run("raise StopIteration")
    assert (reply["ename"], reply["evalue"]) == ("StopIteration", "")


def test_interrupting_a_blocking_server(connected, board):
    """One clear KeyboardInterrupt line; no notice of Ctrl-C, no keep-alive dots, no shim frames."""
    reply, outputs = connected.run(
        "import socket\n"
        "s = socket.socket()\n"
        "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        "s.bind(('', 80))\n"
        "s.listen(1)\n"
        "print('listening')\n"
        "s.accept()\n",
        interrupt_after=SILENCE)             # upstream printed a "." after 5 s of silence
    assert reply["status"] == "error"
    assert (reply["ename"], reply["evalue"]) == ("KeyboardInterrupt", "the cell was stopped")
    assert outputs == [
        {"type": "stream", "name": "stdout", "text": "listening\n"},
        {"type": "error", "ename": "KeyboardInterrupt", "evalue": "the cell was stopped",
         "traceback": ["Traceback (most recent call last):",
                       '  File "<stdin>", line 7, in <module>',   # the shim's accept() is not shown
                       "KeyboardInterrupt: the cell was stopped"]},
    ]
    assert connected.text("s.close()\nprint('closed')") == "closed\n"


def test_stopping_an_asyncio_cell_cancels_its_tasks(connected, board):
    """Their finally: clauses run at once; nothing of them wakes up in the next asyncio cell."""
    connected.run(
        "import asyncio, socket\n"
        "async def server():\n"
        "    s = socket.socket()\n"
        "    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        "    s.bind(('', 80))\n"
        "    s.listen(1)\n"
        "    s.setblocking(False)\n"
        "    try:\n"
        "        while True:\n"
        "            yield asyncio.core._io_queue.queue_read(s)\n"
        "    finally:\n"
        "        s.close()\n"
        "        print('server closed')\n"
        "async def ticker():\n"
        "    while True:\n"
        "        await asyncio.sleep_ms(50)\n"
        "        print('tick')\n"
        "async def main():\n"
        "    asyncio.create_task(server())\n"
        "    asyncio.create_task(ticker())\n"
        "    await asyncio.sleep_ms(120)\n"
        "    await asyncio.Event().wait()\n"
        "asyncio.run(main())\n",
        interrupt_on="tick")
    assert bound_ports(board) == []
    out = connected.text("async def later():\n    await asyncio.sleep_ms(200)\n"
                         "    print('later')\nasyncio.run(later())")
    assert out == "later\n", "a task of the stopped cell ran again"


def test_interrupting_a_busy_loop(connected):
    reply, _ = connected.run("n = 0\nprint('counting')\nwhile True:\n    n += 1",
                             interrupt_on="counting")
    assert reply["ename"] == "KeyboardInterrupt"
    assert int(connected.text("print(n)")) > 0


def test_sendtofile_then_read_on_the_board(connected):
    out = connected.text("%sendtofile greeting.txt\nhello\nfrom the kernel")
    assert out == "Sent 2 lines (21 bytes) to greeting.txt.\n"
    assert connected.text("print(open('greeting.txt').read())") == "hello\nfrom the kernel\n"


def test_fetchfile_prints_and_saves(connected, tmp_path):
    connected.text("with open('data.txt', 'w') as f:\n    f.write('a,b\\n1,2\\n')")
    assert connected.text("%fetchfile --print data.txt").endswith("a,b\n1,2\n")
    # Upstream saves only with --binary (its text mode writes bytes to a str file).
    out = connected.text("%fetchfile --binary data.txt fetched.txt")
    assert out == "Fetched 8=8 bytes from data.txt.\nSaving file to 'fetched.txt'"
    assert (tmp_path / "fetched.txt").read_text() == "a,b\n1,2\n"


def test_ls_lists_directories(connected):
    connected.text("import os\nos.mkdir('www')\nos.mkdir('www/css')")
    assert connected.text("%ls www") == "Listing directory 'www'.\n             www/css/\n"


def test_ls_lists_files_with_sizes(connected):
    connected.text("import os\nos.mkdir('www')\nopen('www/index.html', 'w').write('<h1>hi</h1>')")
    out = connected.text("%ls www")
    assert out == "Listing directory 'www'.\n       11    www/index.html\n"


def test_rebootdevice_gives_a_fresh_board(connected):
    connected.text("left_over = 1")
    connected.text("%rebootdevice")
    reply, _ = connected.run("print(left_over)")
    assert (reply["ename"], reply["evalue"]) == ("NameError", "name 'left_over' isn't defined")
    assert connected.text("print('rebooted')") == "rebooted\n"


def test_cell_that_resets_the_board(connected):
    reply, _ = connected.run("import machine\nmachine.reset()")
    assert reply["status"] == "ok"
    assert connected.text("print('after reset')") == "after reset\n"


def test_board_reset_from_outside_between_cells(connected, board):
    connected.text("kept = 1")
    subprocess.run([str(UPYLAB), "board", "reset", board.name], check=True, timeout=30)
    wait_for_prompt(board.name)  # so its banner is on the line
    out = connected.text("print('back')")
    assert out == "(The board was reset since the last cell: its variables are gone.)\nback\n"


def test_reconnect_after_reset(connected, board):
    subprocess.run([str(UPYLAB), "board", "reset", board.name], check=True, timeout=30)
    assert connected.text("%serialconnect").startswith("Connected to virtual board")
    assert connected.text("print('again')") == "again\n"
