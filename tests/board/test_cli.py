"""`upylab board ...` from a shell: output a script can use, one-line errors, nothing left running."""
import os
import signal
import subprocess

from support import BIN, run_mpremote
from upylab.board import registry


def upylab(*args, timeout=30):
    return subprocess.run([str(BIN / "upylab"), *args], capture_output=True, text=True, timeout=timeout)


def test_start_status_list_pins_reset_stop(state_dir):
    started = upylab("board", "start", "--name", "cli", "--heap", "esp8266")
    assert started.returncode == 0, started.stderr
    device = started.stdout.strip()
    assert device == str(state_dir / "boards" / "cli" / "tty") and os.path.exists(device)
    status = upylab("board", "status", "cli").stdout
    assert f"device:  {device} -> /dev/pts/" in status
    assert "heap:    esp8266 (36624 bytes)" in status
    assert "ports:   none listening" in status
    assert upylab("board", "list").stdout.startswith(f"cli\t{device}\tesp8266\tpid ")
    run_mpremote(device, "exec", "from machine import Pin; Pin(2, Pin.OUT).on()")
    assert upylab("board", "pins", "cli").stdout == "GPIO2\tout\t1\n"
    before = registry.find("cli").interpreter_pid
    assert upylab("board", "reset", "cli").stdout == "board 'cli' reset\n"
    assert registry.find("cli").interpreter_pid != before  # reset returns once it is done
    assert upylab("board", "stop", "cli").stdout == "board 'cli' stopped\n"
    assert upylab("board", "list").stdout == ""


def test_user_errors_are_one_line(state_dir):
    cases = {
        ("board", "status", "nothing-here"): "no virtual board named 'nothing-here' is running",
        ("board", "start", "--name", "bad name"): "bad board name 'bad name'",
        ("board", "start", "--heap", "lots"): "bad heap 'lots'",
        ("board", "start", "--heap", "1k"): "it must be between 16k and 64M",
    }
    for args, message in cases.items():
        result = upylab(*args)
        assert result.returncode == 2, args
        assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


def test_starting_a_running_board_again_is_refused(board):
    result = upylab("board", "start", "--name", board.name)
    assert result.returncode == 2
    assert f"board 'test' is already running at {board.device}" in result.stderr


def test_run_in_the_foreground_until_ctrl_c(state_dir):
    process = subprocess.Popen([str(BIN / "upylab"), "board", "run", "--name", "fg"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert "Ctrl-C stops it" in process.stdout.readline()
        record = registry.find("fg")
        assert run_mpremote(record.device, "eval", "2 ** 10").stdout.strip() == "1024"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not registry.is_running(record.interpreter_pid)
    assert registry.running() == []


def test_pins_watch_prints_each_change_until_ctrl_c(board):
    watcher = subprocess.Popen([str(BIN / "upylab"), "board", "pins", board.name, "--watch"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert watcher.stdout.readline() == "no pin configured\n"
        run_mpremote(board.device, "exec", "from machine import Pin; Pin(2, Pin.OUT).on()")
        printed = [watcher.stdout.readline() for _ in range(2)]
        while printed[-1] != "GPIO2\tout\t1\n":    # it may catch Pin(2, Pin.OUT) before .on()
            assert len(printed) < 8, printed
            printed.append(watcher.stdout.readline())
        assert printed[0].startswith("-- ") and printed[-2].startswith("-- "), printed
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(timeout=10) == 0, watcher.stderr.read()
    finally:
        watcher.kill()
