"""Host-side traffic for the bench, on 127.0.0.1 only, every step bounded.

    good(port)                     one GET /api/status: True if 200 with the JSON
    check_routes(port, count)      ``count`` requests over the app's routes, each checked
    load(port, clients, per_client)  speed: req/s, p50/p99 latency, errors, drops
    ROBUSTNESS                     the fixed suite of bad clients, by case name
    robustness(port, case)         run one case: (survived, escaped)
"""
import http.client
import socket
import statistics
import threading
import time

HOST = "127.0.0.1"
TIMEOUT = 10.0

# Route, method, body, headers, expected status, a piece of the expected body.
ROUTES = [
    ("GET", "/api/status", None, {}, 200, b'"pin": 2'),
    ("GET", "/", None, {}, 200, b"LED on GPIO 2"),
    ("GET", "/greet?name=Ada", None, {}, 200, b"Hello, Ada!"),
    ("GET", "/static/style.css", None, {}, 200, b"{"),
    ("POST", "/api/led", b'{"on": true}', {"Content-Type": "application/json"}, 200, b'"led": 1'),
    ("POST", "/api/led", b'{"on": false}', {"Content-Type": "application/json"}, 200, b'"led": 0'),
    ("GET", "/nothing-here", None, {}, 404, b""),
]


def exchange(port, method, path, body=None, headers=None, timeout=TIMEOUT):
    """(status, body) of one request on a new connection."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def good(port, timeout=TIMEOUT) -> bool:
    try:
        status, body = exchange(port, "GET", "/api/status", timeout=timeout)
    except (OSError, http.client.HTTPException):
        return False
    return status == 200 and b'"pin": 2' in body


def check_routes(port, count, timeout=TIMEOUT) -> tuple:
    """(all correct, first problem) after ``count`` requests over ROUTES."""
    for index in range(count):
        method, path, body, headers, expected, piece = ROUTES[index % len(ROUTES)]
        try:
            status, answer = exchange(port, method, path, body, headers, timeout)
        except (OSError, http.client.HTTPException) as error:
            return False, f"{method} {path}: {type(error).__name__}: {error}"
        if status != expected or piece not in answer:
            return False, f"{method} {path}: {status} {answer[:80]!r}"
    return True, ""


def wait_listening(port, timeout=20.0, alive=lambda: True):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def load(port, clients, per_client, timeout=TIMEOUT) -> dict:
    """``clients`` threads, each sending ``per_client`` GET /api/status, keeping the
    connection open while the server keeps it open (keep-alive where supported)."""
    latencies, lock = [], threading.Lock()
    counts = {"errors": 0, "dropped": 0}

    def client():
        connection = None
        for _ in range(per_client):
            start = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
                connection.request("GET", "/api/status")
                response = connection.getresponse()
                body = response.read()
                if response.will_close:
                    connection.close()
                    connection = None
                ok = response.status == 200 and b'"pin": 2' in body
                with lock:
                    if ok:
                        latencies.append(time.perf_counter() - start)
                    else:
                        counts["errors"] += 1
            except (ConnectionError, http.client.RemoteDisconnected, http.client.IncompleteRead,
                    http.client.BadStatusLine):
                with lock:
                    counts["dropped"] += 1           # reset, refused or closed without an answer
                if connection:
                    connection.close()
                connection = None
            except (OSError, http.client.HTTPException):
                with lock:
                    counts["errors"] += 1            # timeouts and everything else
                if connection:
                    connection.close()
                connection = None
        if connection:
            connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=per_client * timeout * 2 + 10)
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)

    def percentile(fraction):
        if not ordered:
            return None
        return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] * 1000

    return {"rps": len(ordered) / elapsed if elapsed else 0.0,
            "p50": statistics.median(ordered) * 1000 if ordered else None,
            "p99": percentile(0.99), "ok": len(ordered),
            "errors": counts["errors"], "dropped": counts["dropped"],
            "elapsed": elapsed}


# -- robustness: each case is a bad client; afterwards a good request must work --

def _send(port, data, timeout, *, pause=0.0, close_after=None):
    """Send ``data`` (in ``pause``-spaced single bytes if pause), then read the
    answer until the server closes or ``timeout``; returns what came back."""
    reply = b""
    with socket.create_connection((HOST, port), timeout=timeout) as client:
        try:
            if pause:
                for byte in data:
                    client.sendall(bytes([byte]))
                    time.sleep(pause)
            else:
                client.sendall(data)
            if close_after is not None:
                time.sleep(close_after)
                return reply
            while len(reply) < 1 << 20:
                chunk = client.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except OSError:
            pass
    return reply


def _idle_client(port, hold, quick):
    """Connect, send nothing; while that connection is open, a good request must work."""
    with socket.create_connection((HOST, port), timeout=hold + 5):
        time.sleep(0.2)
        return good(port, timeout=hold + 5)


def _traversal(port, secret_pieces, timeout):
    """``..`` in static paths, plain and %-encoded; True if any answer shows a file
    from outside static/ (the app's own code)."""
    paths = ["/static/../led.py", "/static/%2e%2e/led.py", "/static/..%2fled.py",
             "/static/%2e%2e%2fled.py", "/static/../../led.py", "/static/....//led.py"]
    for path in paths:
        reply = _send(port, f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode(), timeout)
        if any(piece in reply for piece in secret_pieces):
            return True
    return False


CASES = ("malformed_request_line", "oversized_headers", "connect_send_nothing", "slow_sender",
         "non_utf8_bytes", "unfinished_body", "dotdot_static_path")


def robustness(port, case, quick=False) -> tuple:
    """Run one case; (a good request works afterwards, static serving left static/)."""
    timeout = 4.0 if quick else 8.0
    escaped = False
    try:
        if case == "malformed_request_line":
            _send(port, b"GARBAGE\r\n\r\n", timeout)
            _send(port, b"GET\r\nHost: x\r\n\r\n", timeout)
        elif case == "oversized_headers":
            headers = "".join(f"X-Pad-{i}: {'a' * 4000}\r\n" for i in range(16))
            _send(port, f"GET /api/status HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode(), timeout)
        elif case == "connect_send_nothing":
            return _idle_client(port, 1.0 if quick else 5.0, quick), False
        elif case == "slow_sender":
            _send(port, b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n", timeout + 10,
                  pause=0.01 if quick else 0.05)
        elif case == "non_utf8_bytes":
            _send(port, b"GET /greet?name=\xff\xfe HTTP/1.1\r\nHost: x\r\nX-Bad: \xc3\x28\xa0\r\n\r\n",
                  timeout)
            _send(port, b"GET /\xff\xfe\xc3 HTTP/1.1\r\nHost: x\r\n\r\n", timeout)
        elif case == "unfinished_body":
            _send(port, b"POST /api/led HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 100\r\n\r\n{\"on\": ", timeout, close_after=0.5 if quick else 2.0)
        elif case == "dotdot_static_path":
            escaped = _traversal(port, (b"from machine import Pin", b"def switch(state)"), timeout)
        else:
            raise ValueError(case)
    except OSError:
        pass    # a refused or reset bad client is the server's right; what counts is next
    return good(port), escaped
