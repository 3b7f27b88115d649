"""Lesson 03's board code, run on a virtual board: snippets/async-requests/.

The board runs ``slow_server.py`` (its own slow HTTP server on port 80) and
requests it with the project's asyncio client (``snippets/common/aclient.py``)
and with the built-in ``requests``, as the lesson does.  Timings are checked
only in the direction that matters, never against a wall-clock limit a busy
machine could miss: requests one after another take at least the sum of
their delays, and requests in flight at once take less than half of what
the same requests one after another took in the same run.
"""
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from upylab import paths

BIN = Path(sys.executable).parent
SNIPPETS = paths.snippets_dir() / "async-requests"
CLIENT = paths.snippets_dir() / "common" / "aclient.py"
FILES = [str(CLIENT), str(SNIPPETS / "slow_server.py"), str(SNIPPETS / "exercise.py")]

pytestmark = pytest.mark.timeout(120)

PRELUDE = """\
import asyncio, json, time, errno
import aclient, slow_server
HOST = '127.0.0.1'
def ms_since(start):
    return time.ticks_diff(time.ticks_ms(), start)
"""


@pytest.fixture
def run_on_board(mpremote, tmp_path):
    """Copy the lesson's files to the board once; then run scripts, returning stdout."""
    mpremote("cp", *FILES, ":")

    def run(body: str, timeout=60) -> str:
        script = tmp_path / "script.py"
        script.write_text(PRELUDE + body)
        return mpremote("run", str(script), timeout=timeout).stdout

    return run


def values(output: str) -> dict:
    """``name=value`` lines the scripts print, values read as JSON."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"^(\w+)=(.*)$", line.strip())
        if match:
            found[match[1]] = json.loads(match[2])
    return found


def test_requests_in_flight_at_once_beat_one_after_another(run_on_board):
    """Four, as in the lesson: with the server on the board, more would exceed an ESP32's
    ten sockets (lesson 03, section 6)."""
    out = values(run_on_board("""
async def main():
    server = await slow_server.start()
    url = 'http://%s/delay/300' % HOST
    try:
        start = time.ticks_ms()
        for _ in range(4):
            await aclient.get(url)
        print('sequential=%d' % ms_since(start))
        start = time.ticks_ms()
        replies = await asyncio.gather(*[aclient.get(url) for _ in range(4)])
        print('elapsed=%d' % ms_since(start))
    finally:
        await slow_server.stop(server)
    print('statuses=' + json.dumps([r[0] for r in replies]))
    print('bodies=' + json.dumps([json.loads(r[2]) for r in replies]))
    print('types=' + json.dumps([r[1]['content-type'] for r in replies]))
asyncio.run(main())
"""))
    assert out["statuses"] == [200] * 4
    assert out["bodies"] == [{"delay_ms": 300}] * 4
    assert out["types"] == ["application/json"] * 4
    assert out["sequential"] >= 4 * 300, out
    assert 300 <= out["elapsed"] < out["sequential"] / 2, out


def test_builtin_requests_one_after_another_take_the_sum(run_on_board):
    """The lesson's blocking case: requests in a second thread, the server in the loop."""
    out = values(run_on_board("""
import _thread, requests
done = []
def worker(url, count):
    start = time.ticks_ms()
    for _ in range(count):
        r = requests.get(url, timeout=5)
        done.append(r.json())
        r.close()
    done.append(ms_since(start))
async def main():
    server = await slow_server.start()
    try:
        _thread.start_new_thread(worker, ('http://%s/delay/300' % HOST, 4))
        for _ in range(100):
            if len(done) > 4:
                break
            await asyncio.sleep_ms(100)
    finally:
        await slow_server.stop(server)
    print('bodies=' + json.dumps(done[:4]))
    print('elapsed=%d' % done[4])
asyncio.run(main())
"""))
    assert out["bodies"] == [{"delay_ms": 300}] * 4
    assert out["elapsed"] >= 4 * 300


def test_a_blocking_call_inside_the_loop_stops_everything(run_on_board):
    """requests.get on the board's own server, from inside the loop: nothing runs, it times out."""
    out = values(run_on_board("""
import requests
ticks = 0
async def ticker():
    global ticks
    while True:
        await asyncio.sleep_ms(100)
        ticks += 1
async def main():
    global ticks
    server = await slow_server.start()
    counter = asyncio.create_task(ticker())
    try:
        await asyncio.sleep_ms(500)
        print('before=%d' % ticks)
        ticks = 0
        start = time.ticks_ms()
        try:
            requests.get('http://%s/' % HOST, timeout=1)
            print('error=null')
        except OSError as e:
            print('error=' + json.dumps(type(e).__name__))
        print('waited=%d' % ms_since(start))
        print('during=%d' % ticks)
    finally:
        counter.cancel()
        await slow_server.stop(server)
asyncio.run(main())
"""))
    assert out["before"] >= 3
    assert out["error"] == "OSError"
    assert out["waited"] >= 900  # the whole 1 s timeout, with the loop stopped
    assert out["during"] == 0


def test_routes_status_codes_and_bodies(run_on_board):
    out = values(run_on_board("""
async def main():
    server = await slow_server.start()
    try:
        for name, path in (('root', '/'), ('zero', '/delay/0'), ('word', '/delay/x'),
                           ('toolong', '/delay/10001'), ('missing', '/nowhere')):
            status, headers, body = await aclient.get('http://%s%s' % (HOST, path))
            print(name + '=' + json.dumps([status, headers['content-type'], body.decode()]))
    finally:
        await slow_server.stop(server)
asyncio.run(main())
"""))
    assert out["root"] == [200, "text/plain", "hello from the board"]
    assert out["zero"] == [200, "application/json", '{"delay_ms": 0}']
    assert out["word"][0] == 400 and out["toolong"][0] == 400
    assert out["word"][2] == "delay must be 0 to 10000 ms"
    assert out["missing"] == [404, "text/plain", "not found"]


def test_connection_refused_and_timeout_are_clear_exceptions(run_on_board):
    out = values(run_on_board("""
async def main():
    try:
        await aclient.get('http://%s:81/' % HOST)
        print('refused=null')
    except OSError as e:
        print('refused=' + json.dumps(errno.errorcode.get(e.errno, str(e.errno))))
    server = await slow_server.start()
    try:
        start = time.ticks_ms()
        try:
            await aclient.get('http://%s/delay/3000' % HOST, timeout=0.5)
            print('timeout=null')
        except asyncio.TimeoutError:
            print('timeout="TimeoutError"')
        print('gave_up_after=%d' % ms_since(start))
        status, _, body = await aclient.get('http://%s/' % HOST)
        print('after=' + json.dumps([status, body.decode()]))
    finally:
        await slow_server.stop(server)
asyncio.run(main())
"""))
    # As on an ESP32, whose lwIP reports a refused connection as a reset (lesson 03, section 7).
    assert out["refused"] == "ECONNRESET"
    assert out["timeout"] == "TimeoutError"
    assert out["gave_up_after"] >= 450  # the 0.5 s timeout, not at once (TimeoutError above)
    assert out["after"] == [200, "hello from the board"]  # the server still serves


STARTER = """
async def fetch_all(urls, timeout_ms):
    answers = []
    for url in urls:
        status, headers, body = await aclient.get(url)
        answers.append(json.loads(body))
    return answers
"""
SOLUTION = """
async def fetch_all(urls, timeout_ms):
    async def one(url):
        try:
            status, headers, body = await aclient.get(url, timeout=timeout_ms / 1000)
            return json.loads(body)
        except asyncio.TimeoutError:
            return None
    return await asyncio.gather(*[one(url) for url in urls])
"""
SEQUENTIAL_WITH_TIMEOUT = """
async def fetch_all(urls, timeout_ms):
    answers = []
    for url in urls:
        try:
            status, headers, body = await aclient.get(url, timeout=timeout_ms / 1000)
            answers.append(json.loads(body))
        except asyncio.TimeoutError:
            answers.append(None)
    return answers
"""


@pytest.mark.parametrize("attempt, verdict", [
    ("fetch_all = None\n", "not yet: run the exercise cell first (it defines fetch_all)"),
    (STARTER, "not yet: the answers should be"),
    (SEQUENTIAL_WITH_TIMEOUT, "not yet: right answers, but they took"),
    (SOLUTION, "well done"),
])
def test_the_exercise_check_tells_right_from_wrong(run_on_board, attempt, verdict):
    out = run_on_board("import exercise\n" + attempt + "print('passed=%s' % json.dumps("
                       "asyncio.run(exercise.check(fetch_all, HOST))))\n")
    assert verdict in out
    assert values(out)["passed"] == (verdict == "well done")


def _host_get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_the_host_sees_the_slow_server_answer_requests_at_once(board, tmp_path):
    """From outside, as a browser would: 5 requests at once to the board's port 80."""
    subprocess.run([str(BIN / "mpremote"), "connect", board.device, "cp",
                    str(SNIPPETS / "slow_server.py"), ":"],
                   check=True, capture_output=True, timeout=30)
    script = tmp_path / "serve.py"
    stop = Path(board.flash) / "stop-serving"
    script.write_text("import asyncio, os, slow_server\n"
                      "async def main():\n"
                      "    server = await slow_server.start()\n"
                      "    print('serving')\n"
                      "    while 'stop-serving' not in os.listdir():\n"
                      "        await asyncio.sleep_ms(20)\n"
                      "    await slow_server.stop(server)\n"
                      "asyncio.run(main())\n")
    serving = subprocess.Popen([str(BIN / "mpremote"), "connect", board.device, "run", str(script)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{board.host_port(80)}"
        deadline = time.monotonic() + 30
        while True:  # until the board listens
            try:
                assert _host_get(base + "/") == (200, b"hello from the board")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the board's server never answered"
                time.sleep(0.1)
        urls = [base + "/delay/300"] * 5
        start = time.monotonic()
        for url in urls:
            _host_get(url)
        sequential = time.monotonic() - start
        start = time.monotonic()
        with ThreadPoolExecutor(5) as pool:
            answers = list(pool.map(_host_get, urls))
        elapsed = time.monotonic() - start
        assert answers == [(200, b'{"delay_ms": 300}')] * 5
        assert sequential >= 5 * 0.3
        assert 0.3 <= elapsed < sequential / 2, f"{elapsed:.2f} s at once, {sequential:.2f} s in turn"
        with pytest.raises(urllib.error.HTTPError) as missing:
            _host_get(base + "/nowhere")
        assert missing.value.code == 404
    finally:
        stop.touch()
        out, err = serving.communicate(timeout=30)
    assert serving.returncode == 0, err
