"""Host-side traffic for the bench: good requests and the speed measurement.

Every function takes the board's ``address`` as the host reaches it, a
``(host, port)`` pair (127.0.0.1 and a mapped port for a virtual board, the
board's Wi-Fi address and port 80 for a real one); every step is bounded.

    good(address)                    one GET /api/status: True if 200 with the JSON
    check_routes(address, count)     ``count`` requests over the app's routes (its self-test's), each checked
    load(address, clients, per_client)  speed: req/s, p50/p99 latency, errors, drops
    wait_listening(address)          until something accepts connections there
"""
import http.client
import json
import socket
import statistics
import threading
import time

from upylab.catalog import apps

TIMEOUT = 10.0


def exchange(address, method, path, body=None, headers=None, timeout=TIMEOUT):
    """(status, body) of one request on a new connection."""
    connection = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def is_status(status, body, pin) -> bool:
    """The app's answer to GET /api/status: 200, and JSON naming the LED's ``pin``."""
    try:
        return status == 200 and json.loads(body).get("pin") == pin
    except (ValueError, AttributeError):
        return False


def good(address, timeout=TIMEOUT) -> bool:
    try:
        status, body = exchange(address, "GET", "/api/status", timeout=timeout)
    except (OSError, http.client.HTTPException):
        return False
    return is_status(status, body, apps.led_pin())


def check_routes(address, count, timeout=TIMEOUT) -> tuple:
    """(all correct, first problem) after ``count`` requests over the app's routes, in order."""
    routes = apps.routes()
    for index in range(count):
        route = routes[index % len(routes)]
        try:
            status, answer = exchange(address, route.method, route.path, route.body, route.headers,
                                      timeout)
        except (OSError, http.client.HTTPException) as error:
            return False, f"{route.method} {route.path}: {type(error).__name__}: {error}"
        if status != route.status or route.piece.encode() not in answer:
            return False, f"{route.method} {route.path}: {status} {answer[:80]!r}"
    return True, ""


def wait_listening(address, timeout=20.0, alive=lambda: True):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            socket.create_connection(address, timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def load(address, clients, per_client, timeout=TIMEOUT) -> dict:
    """``clients`` threads, each sending ``per_client`` GET /api/status, keeping the
    connection open while the server keeps it open (keep-alive where supported)."""
    latencies, lock = [], threading.Lock()
    pin = apps.led_pin()
    counts = {"errors": 0, "dropped": 0}

    def client():
        connection = None
        for _ in range(per_client):
            start = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(*address, timeout=timeout)
                connection.request("GET", "/api/status")
                response = connection.getresponse()
                body = response.read()
                if response.will_close:
                    connection.close()
                    connection = None
                ok = is_status(response.status, body, pin)
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
