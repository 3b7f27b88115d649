"""A deliberately fragile web server: the robustness suite's test subject
(tests/bench/test_robustness_suite.py).  It serves what the suite asks
for (GET /api/status, POST /api/led, GET /fail, GET /static/<name>), with
these faults, on purpose:

- one recv() per request and no timeout: a client that sends nothing holds
  every other client up for as long as it stays, and a request that arrives
  in pieces is cut at the first (a slow sender's first byte; headers without
  the body that follows them);
- any error (a request line it cannot split, bytes that are not UTF-8, a
  body it cannot parse, a route that raises) closes the connection without
  an answer: no 400, no 500;
- a static path is joined to 'static/' as it is: '..' leaves the folder.

It listens with a long queue, so that many clients at once is not a fault.
"""
import json
import socket

import led


def answer(conn, status, body, kind='application/json'):
    head = 'HTTP/1.0 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n' % (status, kind, len(body))
    conn.send(head.encode() + body)


def serve_one(conn):
    request = conn.recv(1024)                                    # one recv(), whatever came
    method, path, version = request.split(b'\r\n', 1)[0].decode().split(' ')
    if path == '/api/status':
        return answer(conn, 200, json.dumps(led.status()).encode())
    if path == '/api/led' and method == 'POST':
        body = request.partition(b'\r\n\r\n')[2]                 # what came with the headers
        led.switch('on' if json.loads(body)['on'] else 'off')
        return answer(conn, 200, json.dumps(led.status()).encode())
    if path == '/fail':
        raise RuntimeError('this route fails on purpose')
    if path.startswith('/static/'):
        with open('static/' + path[8:], 'rb') as file:          # '..' and all
            return answer(conn, 200, file.read(), 'text/plain')
    answer(conn, 404, b'Not found', 'text/plain')


def run(port=80):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('0.0.0.0', port))
    server.listen(64)
    print('serving on port', port)
    try:
        while True:
            conn, address = server.accept()
            try:
                serve_one(conn)
            except Exception:
                pass                                             # no answer: just hang up
            conn.close()
    finally:
        server.close()
