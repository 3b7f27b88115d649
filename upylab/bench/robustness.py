"""The robustness suite: bad clients, each measured as values, not pass/fail.

Every case is one bad client (``CASES``).  While it is connected, a good
request (``GET /api/status``) is made (*during*), and once it has gone,
another (*after*).  Each of the three is an ``Outcome``: what the client
got (an HTTP status code, ``closed`` without an answer, ``reset``,
``refused``, ``timeout``, or ``garbled`` for bytes that are not HTTP) and
after how many seconds.  A ``timeout`` is a lower bound: the client gave
up at its cap and would have waited longer (``bound`` "at least").

The caps (``Limits``) keep the *during* request inside the bad client's
time: it starts 0.2 s after the bad client and gives up before the bad
client is let go, so "waited at least 9 s" means a server held
every other client up for as long as the bad one stayed.

Every function takes the board's ``address`` as the host reaches it, a
``(host, port)`` pair.

    Outcome, Limits, FULL, QUICK
    CASES                          case name -> what the bad client does
    run_case(address, case, limits)   one case: a CaseResult
    suite(address, limits, restart)   every case; ``restart()`` is called after a
                                   case that left the app not answering (it returns
                                   the last error the app printed)
    escapes(address, limits)          the '..' paths that showed a file from
                                   outside static/ (the app's own code)
"""
import select
import socket
import threading
import time
from dataclasses import dataclass, field

GOOD = b"GET /api/status HTTP/1.0\r\nHost: bench\r\n\r\n"
SECRETS = (b"from machine import Pin", b"def switch(state)")   # led.py, outside static/
TRAVERSALS = ("/static/../led.py", "/static/%2e%2e/led.py", "/static/..%2fled.py",
              "/static/%2e%2e%2fled.py", "/static/../../led.py", "/static/....//led.py")


@dataclass(frozen=True)
class Limits:
    hold: float            # how long a bad client stays (and waits for its answer)
    during: float          # the cap of the good request made during it (< hold - start)
    after: float           # the cap of the good request made after it
    pause: float           # between two bytes of the slow sender
    concurrent: int        # connections opened at once
    start: float           # the good request starts this long after the bad client


FULL = Limits(hold=10.0, during=9.0, after=10.0, pause=0.05, concurrent=50, start=0.2)
QUICK = Limits(hold=1.0, during=0.5, after=3.0, pause=0.01, concurrent=50, start=0.1)


@dataclass(frozen=True)
class Outcome:
    got: str               # '200', '400', ..., 'closed', 'reset', 'refused', 'timeout', 'garbled'
    seconds: float         # until the client got it (its cap for a timeout)

    @property
    def capped(self) -> bool:
        """The seconds are a lower bound: the client (one of them) gave up at its cap."""
        return "timeout" in self.got

    @property
    def served(self) -> bool:
        return self.got == "200"

    def __str__(self):
        return f"{self.got} after {'≥ ' if self.capped else ''}{self.seconds:.2f} s"


@dataclass
class CaseResult:
    bad: Outcome
    during: Outcome
    after: Outcome
    extra: dict = field(default_factory=dict)    # figure -> (value, unit, note)
    restarted: bool = False
    console: str = ""      # the last error the app printed before the restart


# -- one client ---------------------------------------------------------------------

def status_of(data: bytes, final=False) -> str:
    """'200' from b'HTTP/1.0 200 OK...', 'garbled' for a line that is not HTTP; ''
    while the status line may still be arriving (``final``: nothing more will)."""
    line, newline, _ = data.partition(b"\n")
    if not data or (not newline and not final and len(data) < 64):
        return ""
    parts = line.split(b" ")
    if line.startswith(b"HTTP/") and len(parts) > 1 and parts[1][:3].isdigit():
        return parts[1][:3].decode()
    return "garbled"


def await_answer(sock, started, deadline, whole=False) -> tuple:
    """Read until the status line (with ``whole``: until the server closes) has
    arrived, the connection ends, or ``deadline``: (Outcome, bytes read)."""
    data = b""

    def end(otherwise):
        return Outcome(status_of(data, final=True) or otherwise, time.monotonic() - started), data

    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return end("timeout")
        try:
            if not select.select([sock], [], [], left)[0]:
                continue
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return end("reset")
        except OSError:
            return end("closed")
        if not chunk:
            return end("closed")
        data += chunk
        if not whole and status_of(data):
            return end("")


def connect(address, timeout):
    """A connection with Nagle off (each send is a segment of its own)."""
    sock = socket.create_connection(address, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request(address, data: bytes, cap: float, whole=False) -> tuple:
    """Send ``data`` on a new connection; (Outcome, bytes) within ``cap`` seconds."""
    started = time.monotonic()
    try:
        sock = connect(address, cap)
    except ConnectionRefusedError:
        return Outcome("refused", time.monotonic() - started), b""
    except OSError:
        return Outcome("timeout", time.monotonic() - started), b""
    with sock:
        try:
            sock.sendall(data)
        except OSError:
            pass                  # the server hung up early: what it answered is read below
        return await_answer(sock, started, started + cap, whole)


def good(address, cap) -> Outcome:
    return request(address, GOOD, cap)[0]


# -- the bad clients: each connects, calls started() once it is under way, and
# -- returns (Outcome, extra figures)

def _sends(data):
    """A bad client that sends ``data`` at once, then waits for the answer."""
    def bad(address, limits, started):
        begun = time.monotonic()
        with connect(address, limits.hold) as sock:
            try:
                sock.sendall(data)
            except OSError:
                pass
            started()
            return await_answer(sock, begun, begun + limits.hold)[0], {}
    return bad


def _idle(address, limits, started):
    """Connect, send nothing, stay ``hold`` seconds: what did the server do meanwhile?"""
    begun = time.monotonic()
    with connect(address, limits.hold) as sock:
        started()
        return await_answer(sock, begun, begun + limits.hold)[0], {}


def _slow_headers(address, limits, started):
    """A whole request, one byte at a time, ``pause`` apart; the time counts from the
    first byte, and the server may answer (or hang up) before the last."""
    begun = time.monotonic()
    with connect(address, limits.hold) as sock:
        started()
        for index, byte in enumerate(GOOD):
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            if select.select([sock], [], [], limits.pause)[0] and index < len(GOOD) - 1:
                break                               # an answer, or a hang-up, before the end
        return await_answer(sock, begun, time.monotonic() + limits.hold)[0], {}


SPLIT_DELAY = 0.05
LED_JSON = b"POST /api/led HTTP/1.0\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"


def _split_body(address, limits, started):
    """POST /api/led with the JSON body in a second TCP segment, 50 ms after the
    headers (the LED switched off first): is the body read, the LED on?"""
    request(address, LED_JSON % 13 + b'{"on": false}', limits.after, whole=True)
    body = b'{"on": true}'
    begun = time.monotonic()
    with connect(address, limits.hold) as sock:
        sock.sendall(LED_JSON % len(body))
        started()
        time.sleep(SPLIT_DELAY)
        try:
            sock.sendall(body)
        except OSError:
            pass
        outcome, answer = await_answer(sock, begun, begun + limits.hold, whole=True)
    read = outcome.got == "200" and b'"led": 1' in answer
    return outcome, {"body_read": (int(read), "bool", '1: the answer shows the LED on, as the body '
                                   '{"on": true} in the second segment asked')}


COUNTS = {"ok": "answered 200", "error": "answered another status",
          "closed": "closed without an answer", "reset": "reset", "refused": "refused",
          "timeout": "no answer within the hold", "garbled": "answered with bytes that are not HTTP"}


def _concurrent(address, limits, started):
    """``concurrent`` connections at once, each a good request: the bad outcome
    tallies what they got ('200×48, reset×2') and lasts until the last one's."""
    outcomes = [Outcome("timeout", limits.hold)] * limits.concurrent
    gate = threading.Barrier(limits.concurrent + 1)

    def client(index):
        gate.wait()
        outcomes[index] = request(address, GOOD, limits.hold)[0]

    threads = [threading.Thread(target=client, args=(i,), daemon=True)
               for i in range(limits.concurrent)]
    for thread in threads:
        thread.start()
    gate.wait()
    started()
    for thread in threads:
        thread.join(limits.hold + 5)
    tally = {}
    for outcome in outcomes:
        tally[outcome.got] = tally.get(outcome.got, 0) + 1
    counts = {kind: tally.get(kind, 0) for kind in COUNTS if kind not in ("ok", "error")}
    counts["ok"] = tally.get("200", 0)
    counts["error"] = sum(n for got, n in tally.items() if got.isdigit() and got != "200")
    summary = ", ".join(f"{got}×{n}" for got, n in sorted(tally.items()))
    return (Outcome(summary, max(o.seconds for o in outcomes)),
            {f"{kind}": (counts[kind], "connections", note) for kind, note in COUNTS.items()})


CASES = {
    "idle_client": _idle,
    "slow_headers": _slow_headers,
    "split_body": _split_body,
    "handler_raises": _sends(b"GET /fail HTTP/1.0\r\nHost: bench\r\n\r\n"),
    "malformed_request_line": _sends(b"GARBAGE\r\n\r\n"),
    "oversized_headers": _sends(b"GET /api/status HTTP/1.0\r\nHost: bench\r\n"
                                + b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 4000) for i in range(16))
                                + b"\r\n"),
    "non_utf8_bytes": _sends(b"GET /greet?name=\xff\xfe HTTP/1.0\r\nHost: bench\r\n"
                             b"X-Bad: \xc3\x28\xa0\r\n\r\n"),
    "unfinished_body": _sends(LED_JSON % 100 + b'{"on": '),
    "dotdot_path": _sends(f"GET {TRAVERSALS[0]} HTTP/1.0\r\nHost: bench\r\n\r\n".encode()),
    "encoded_dotdot_path": _sends(f"GET {TRAVERSALS[1]} HTTP/1.0\r\nHost: bench\r\n\r\n".encode()),
    "concurrent_connections": _concurrent,
}
DESCRIPTIONS = {
    "idle_client": "connects and sends nothing, for the whole hold",
    "slow_headers": "sends a good request one byte at a time",
    "split_body": "POST /api/led, its JSON body 50 ms after the headers, in a second segment",
    "handler_raises": "GET /fail, a route whose handler raises",
    "malformed_request_line": "GARBAGE as the request line",
    "oversized_headers": "64 KB of headers",
    "non_utf8_bytes": "bytes that are not UTF-8 in the path and a header",
    "unfinished_body": "Content-Length 100, 7 bytes of body, then nothing",
    "dotdot_path": f"GET {TRAVERSALS[0]}",
    "encoded_dotdot_path": f"GET {TRAVERSALS[1]}",
    "concurrent_connections": "good requests, all at once",
}


def run_case(address, case, limits) -> CaseResult:
    """The bad client in a thread; the good request ``limits.start`` s after it has begun."""
    begun = threading.Event()
    result = {}

    def bad():
        try:
            result["bad"] = CASES[case](address, limits, begun.set)
        except ConnectionRefusedError:
            result["bad"] = Outcome("refused", 0.0), {}
        except OSError:
            result["bad"] = Outcome("timeout", limits.hold), {}
        finally:
            begun.set()

    thread = threading.Thread(target=bad, daemon=True)
    thread.start()
    begun.wait(limits.hold + 5)
    time.sleep(limits.start)
    during = good(address, limits.during)
    thread.join(limits.hold * 2 + 10)
    outcome, extra = result.get("bad") or (Outcome("timeout", limits.hold), {})
    return CaseResult(outcome, during, good(address, limits.after), extra)


def suite(address, limits, restart) -> dict:
    """Every case, in order: {case: CaseResult}.  A case after which the app no
    longer answers is followed by ``restart()``, so that each case meets a
    working app."""
    results = {}
    for case in CASES:
        result = run_case(address, case, limits)
        if not result.after.served:
            result.console = restart() or ""
            result.restarted = True
        results[case] = result
    return results


def escapes(address, limits) -> list:
    """The traversal paths whose answer showed a file from outside static/."""
    leaked = []
    for path in TRAVERSALS:
        _, answer = request(address, f"GET {path} HTTP/1.0\r\nHost: bench\r\n\r\n".encode(),
                            min(limits.after, 3.0), whole=True)
        if any(secret in answer for secret in SECRETS):
            leaked.append(path)
    return leaked


def figures(results, leaked) -> list:
    """Every case's figures as the bench writes them: (metric, value, unit,
    outcome, bound, note); ``leaked`` is what ``escapes()`` found."""
    roles = {"during": "GET /api/status made while the bad client is connected",
             "after": "GET /api/status once the bad client has gone"}
    out = []
    for case, result in results.items():
        for role, outcome in (("bad", result.bad), ("during", result.during), ("after", result.after)):
            note = DESCRIPTIONS[case] if role == "bad" else roles[role]
            if role == "after" and result.restarted:
                note += "; the bench restarted the app after it" + (
                    f" (it had printed {result.console})" if result.console else "")
            out.append((f"robust_{case}_{role}", round(outcome.seconds, 3), "s", outcome.got,
                        "at least" if outcome.capped else "", note))
        for name, (value, unit, note) in result.extra.items():
            out.append((f"robust_{case}_{name}", value, unit, "", "", note))
    out.append(("static_escape", int(bool(leaked)), "bool", "", "",
                "showed led.py from outside static/: " + ", ".join(leaked) if leaked
                else "none of " + ", ".join(TRAVERSALS) + " showed led.py"))
    return out
