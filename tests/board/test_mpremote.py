"""Real mpremote drives the virtual board as it drives an ESP32 (default soft reset, no `resume`)."""
import os
import pty
import select
import subprocess
import time

from support import BIN


def test_exec_eval_run(mpremote, tmp_path):
    assert mpremote("exec", "print('hi from the board')").stdout == "hi from the board\n"
    assert mpremote("eval", "6 * 7").stdout.strip() == "42"
    script = tmp_path / "script.py"
    script.write_text("import sys\nprint(sys.implementation.name)\n")
    assert mpremote("run", str(script)).stdout.strip() == "micropython"


def test_board_exception_fails_mpremote(mpremote):
    result = mpremote("exec", "raise ValueError('on the board')", check=False)
    assert result.returncode == 1
    assert "ValueError: on the board" in result.stdout


def test_fs_commands(board, mpremote, tmp_path):
    source = tmp_path / "hello.py"
    source.write_text("GREETING = 'hello'\n")
    mpremote("fs", "mkdir", ":www")
    mpremote("fs", "cp", str(source), ":lib/hello.py")
    listing = mpremote("fs", "ls", ":").stdout
    assert "lib/" in listing and "www/" in listing
    assert "hello.py" in mpremote("fs", "ls", ":lib").stdout
    assert mpremote("fs", "cat", ":lib/hello.py").stdout == "GREETING = 'hello'\n"
    assert mpremote("exec", "import hello; print(hello.GREETING)").stdout.strip() == "hello"
    back = tmp_path / "back.py"
    mpremote("fs", "cp", ":lib/hello.py", str(back))
    assert back.read_text() == source.read_text()
    mpremote("fs", "rm", ":lib/hello.py")
    assert "hello.py" not in mpremote("fs", "ls", ":lib").stdout


def test_soft_reset_and_reset_commands(mpremote):
    mpremote("exec", "import builtins; builtins.marker = 1")
    assert mpremote("soft-reset", "exec", "import builtins; print(hasattr(builtins, 'marker'))",
                    ).stdout.strip() == "False"
    mpremote("reset")  # mpremote returns at once; the board may still be booting
    assert mpremote("eval", "1 + 1").stdout.strip() == "2"


def test_repl_command(board):
    """`mpremote repl` in a terminal: type a line, see the answer, leave with Ctrl-]."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([str(BIN / "mpremote"), "connect", board.device, "repl"],
                               stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    seen = b""
    try:
        deadline = time.monotonic() + 30
        steps = [(b"Connected to MicroPython", b"\r"), (b">>> ", b"print(4242)\r")]
        while b"\n4242" not in seen and time.monotonic() < deadline:
            if steps and steps[0][0] in seen:  # each key once the board has answered the last
                seen = b""
                os.write(controller, steps.pop(0)[1])
            if select.select([controller], [], [], 0.1)[0]:
                try:
                    seen += os.read(controller, 4096)
                except OSError:
                    break
        os.write(controller, b"\x1d")
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    assert b"\n4242" in seen, seen
