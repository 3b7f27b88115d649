"""The reference app from the socket module alone (lesson 01).

No framework: we accept the connection, read the request, split its
request line by hand, pick the route with if/elif and write the status
line, headers and body ourselves.

    run(port=80)            serve for ever, one client at a time (blocking)
    await serve(port=80)    the same as an asyncio task (until cancelled)
    handle(method, path, query, body) -> (status, content_type, body, headers)
"""
import json
import socket

import led

REASONS = {200: 'OK', 303: 'See Other', 400: 'Bad Request', 404: 'Not Found',
           405: 'Method Not Allowed', 413: 'Payload Too Large'}
TYPES = {'css': 'text/css', 'html': 'text/html', 'js': 'application/javascript',
         'txt': 'text/plain', 'json': 'application/json'}
MAX_HEAD = 2048       # bytes of request line + headers we accept
MAX_BODY = 1024


def listen(port=80):
    """A listening socket on every interface of the board."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart without EADDRINUSE
    server.bind(('0.0.0.0', port))
    server.listen(2)
    return server


def read_request(conn):
    """(request line, headers dict, body bytes) read from a connection."""
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = conn.recv(256)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_HEAD:
            raise ValueError('headers too long')
    head, _, body = data.partition(b'\r\n\r\n')
    lines = head.decode().split('\r\n')
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get('content-length') or 0)
    if length > MAX_BODY:
        raise ValueError('body too long')
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            break
        body += chunk
    return lines[0], headers, body


def parse_request_line(line):
    """'GET /greet?name=Ada HTTP/1.1' -> ('GET', '/greet', {'name': 'Ada'})."""
    parts = line.split(' ')
    if len(parts) != 3 or not parts[2].startswith('HTTP/') or not parts[1].startswith('/'):
        raise ValueError('bad request line: %r' % line)
    method, target = parts[0], parts[1]
    path, _, query = target.partition('?')
    return method, unquote(path), parse_query(query)


def parse_query(query):
    """'a=1&b=two+words' -> {'a': '1', 'b': 'two words'}."""
    pairs = {}
    for item in query.split('&'):
        if item:
            name, _, value = item.partition('=')
            pairs[unquote(name)] = unquote(value)
    return pairs


def unquote(text):
    """Undo URL encoding: '+' is a space, '%41' is 'A'."""
    text = text.replace('+', ' ')
    if '%' not in text:
        return text
    pieces = text.split('%')
    out = bytearray(pieces[0].encode())
    for piece in pieces[1:]:
        try:
            out.append(int(piece[:2], 16))
            out += piece[2:].encode()
        except ValueError:
            out += ('%' + piece).encode()
    return out.decode()


def static_file(name):
    """(status, type, bytes) for a file of the board's static/ folder."""
    if '/' in name or '..' in name or not name:
        return 404, 'text/plain', b'Not found'
    try:
        with open('static/' + name, 'rb') as file:
            data = file.read()
    except OSError:
        return 404, 'text/plain', b'Not found'
    kind = TYPES.get(name.rpartition('.')[2], 'application/octet-stream')
    return 200, kind, data


def as_json(value, status=200):
    return status, 'application/json', json.dumps(value), {}


def handle(method, path, query, body):
    """The routes: (status, content type, body, extra headers)."""
    if path == '/' and method == 'GET':
        return 200, 'text/html', led.page(), {}
    if path == '/api/status' and method == 'GET':
        return as_json(led.status())
    if path.startswith('/led/') and method == 'POST':          # path parameter
        if not led.switch(path[5:]):
            return 400, 'text/plain', 'LED state must be on, off or toggle', {}
        return 303, 'text/plain', '', {'Location': '/'}
    if path == '/api/led' and method == 'POST':                # JSON body
        try:
            wanted = json.loads(body)['on']
        except (ValueError, KeyError, TypeError):
            return as_json({'error': 'send {"on": true} or {"on": false}'}, 400)
        led.switch('on' if wanted else 'off')
        return as_json(led.status())
    if path == '/greet' and method == 'GET':                   # query string
        return 200, 'text/plain', led.greeting(query.get('name')), {}
    if path.startswith('/static/') and method == 'GET':        # a file from flash
        status, kind, data = static_file(path[8:])
        return status, kind, data, {}
    if path == '/fail' and method == 'GET':                    # a route with a bug
        raise RuntimeError('this route fails on purpose')
    return 404, 'text/plain', 'Not found', {}


def respond(conn, status, kind, body, headers):
    if isinstance(body, str):
        body = body.encode()
    head = 'HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n' % (
        status, REASONS.get(status, ''), kind, len(body))
    for name in headers:
        head += '%s: %s\r\n' % (name, headers[name])
    conn.sendall(head.encode() + b'\r\n')
    conn.sendall(body)


def serve_one(conn):
    """Answer one connection, whatever it sends, then close it."""
    try:
        conn.settimeout(3)
        try:
            line, headers, body = read_request(conn)
            method, path, query = parse_request_line(line)
        except (ValueError, UnicodeError) as error:
            respond(conn, 400, 'text/plain', 'Bad request: %s' % error, {})
            return
        respond(conn, *handle(method, path, query, body))
    except OSError:
        pass        # the client went away or was too slow
    finally:
        conn.close()


def run(port=80):
    """Serve for ever (Ctrl-C or the stop button ends it)."""
    server = listen(port)
    print('serving on port', port)
    try:
        while True:
            conn, address = server.accept()
            serve_one(conn)
    finally:
        server.close()


async def serve(port=80):
    """As run(), as an asyncio task: it waits for clients without blocking.

    accept() and the first bytes of a request are awaited by polling, so
    other tasks (a self-test's client, say) run meanwhile; once a request
    has started to arrive it is answered as run() does.
    """
    import asyncio
    import select
    server = listen(port)
    server.setblocking(False)
    try:
        while True:
            try:
                conn, address = server.accept()
            except OSError:             # nobody is waiting: let other tasks run
                await asyncio.sleep_ms(10)
                continue
            conn.setblocking(True)
            poller = select.poll()
            poller.register(conn, select.POLLIN)
            for _ in range(300):        # up to 3 s for the request to start
                if poller.poll(0):
                    break
                await asyncio.sleep_ms(10)
            serve_one(conn)
    finally:
        server.close()
