"""A tied board (a class hub's student server starts one) ends with the process that started it."""
import signal
import subprocess
import sys
import time

from upylab.board import registry

STARTER = """
from upylab.board import registry
record = registry.start("tied", tied=True)
print(record.pid, record.interpreter_pid, flush=True)
import time
time.sleep(60)
"""


def test_a_tied_board_stops_when_its_starter_is_killed(state_dir):
    starter = subprocess.Popen([sys.executable, "-c", STARTER], stdout=subprocess.PIPE, text=True)
    try:
        bridge, interpreter = map(int, starter.stdout.readline().split())
        assert registry.is_running(bridge) and registry.is_running(interpreter)
        starter.send_signal(signal.SIGKILL)   # no finally, no handler: only the kernel's signal
        starter.wait(timeout=10)
        deadline = time.monotonic() + 10
        while registry.is_running(bridge) or registry.is_running(interpreter):
            assert time.monotonic() < deadline, "the board outlived the process that started it"
            time.sleep(0.05)
        assert registry.running() == []
    finally:
        starter.kill()
