"""The reference app with micropython-aioweb (lesson 07).

aioweb (one module, web.py) routes with a decorator, ``@app.route(path,
methods=[...])``; a handler is ``async def handler(r, w)``: the asyncio
stream reader (with ``r.method``, ``r.path``, ``r.query`` and ``r.headers``,
lower-case names, filled in by web.py) and the writer, on which the handler
writes the whole HTTP answer itself.  It has WebSocket (and server-sent
events) support: ``/ws`` here echoes every message back.  Same routes, same
answers as snippets/raw-socket/led_raw.py.

Three things the reference app needs are not in web.py (main at e82d698,
data/install.csv), so ``App`` below adds them:

- a route matches one path **exactly**, so there are no path parameters:
  ``@app.prefix('/led/')`` takes every path that starts with '/led/';
- a request web.py cannot parse is hung up on without an answer: here 400;
- ``App.serve()`` drops the server it starts, so nothing can stop it: here
  the server is kept, and ``app.close()`` closes its listening socket.

    app                     the App, routes added
    run(port=80)            serve until Ctrl-C (app.serve() and the loop, as
                            aioweb's README does), then close the server
    await serve(port=80)    the same as an asyncio task (until cancelled)

The board's WebSocket client for /ws is snippets/common/wsclient.py
(``await wsclient.websocket_echo(host, port, message)``).
"""
import asyncio
import json
import os

import web

import led

TYPES = {'css': 'text/css', 'html': 'text/html', 'js': 'application/javascript'}
REASONS = {200: 'OK', 303: 'See Other', 400: 'Bad Request', 404: 'Not Found'}
MAX_BODY = 1024


class App(web.App):
    """web.App with prefix routes, a 400 for a bad request, and a server it can close."""

    def __init__(self, host='0.0.0.0', port=80):
        super().__init__(host, port)
        self.prefixes = []                        # (prefix, methods, handler)
        self.server = None

    def prefix(self, path, methods=['GET']):
        """As route(), for every path that starts with ``path``; exact routes come first."""
        def wrapper(handler):
            self.prefixes.append((path, methods, handler))
            return handler
        return wrapper

    def find(self, method, path):
        """The handler for a request: web.py's exact routes, then the prefix routes."""
        for route, methods, handler in self.handlers:
            if path == route and method in methods:
                return handler
        for start, methods, handler in self.prefixes:
            if path.startswith(start) and method in methods:
                return handler
        return None

    async def _dispatch(self, r, w):
        """Replaces web.py's dispatcher (serve() hands this method to asyncio),
        keeping its request parser; closes the connection however the handler ends."""
        try:
            try:
                await web._parse_request(r, w)
            except Exception:                     # ValueError: no request line, or a header without ':'
                await bad_request(r, w)
                return
            handler = self.find(r.method, r.path)
            await (handler or not_found)(r, w)
        finally:
            await w.wait_closed()

    async def serve(self):
        """web.App.serve() without dropping the server: returns it, and close()
        can stop it.  A server this app left open (a cell stopped with the stop
        button) is closed first."""
        await self.close()
        self.server = await asyncio.start_server(self._dispatch, self.host, self.port)
        return self.server

    async def close(self):
        """Close the listening socket (nothing to do if it is not serving)."""
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None


app = App(host='0.0.0.0', port=80)


async def send(w, body, status=200, content_type='text/plain', headers=None):
    """web.py has no response helpers: the status line, headers and body by hand."""
    if isinstance(body, str):
        body = body.encode()
    head = 'HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n' % (
        status, REASONS.get(status, ''), content_type, len(body))
    for name in headers or {}:
        head += '%s: %s\r\n' % (name, headers[name])
    w.write(head.encode() + b'\r\n')
    w.write(body)
    await w.drain()


async def not_found(r, w):
    await send(w, 'Not found', 404)


async def bad_request(r, w):
    """400, after reading what is left of the request's head: a socket closed
    with unread bytes is reset, and the client may lose the answer."""
    for _ in range(32):
        if (await r.readline()) in (b'\r\n', b'\n', b''):
            break
    try:
        await send(w, 'Bad request', 400)
    except OSError:                               # the client has gone already
        pass


async def read_body(r):
    """The request body by Content-Length (web.py reads only the request line and headers)."""
    length = int(r.headers.get('content-length', 0))
    if length > MAX_BODY:
        raise ValueError('body too long')
    return await r.readexactly(length) if length else b''


@app.route('/')
async def index(r, w):
    await send(w, led.page(), content_type='text/html')


@app.route('/api/status')
async def api_status(r, w):
    await send(w, json.dumps(led.status()), content_type='application/json')


@app.route('/api/led', methods=['POST'])          # JSON body
async def set_led(r, w):
    try:
        wanted = json.loads(await read_body(r))['on']
    except (ValueError, KeyError, TypeError):
        await send(w, json.dumps({'error': 'send {"on": true} or {"on": false}'}), 400,
                   'application/json')
        return
    led.switch('on' if wanted else 'off')
    await send(w, json.dumps(led.status()), content_type='application/json')


@app.prefix('/led/', methods=['POST'])            # path parameter: the rest of the path
async def switch(r, w):
    state = r.path[len('/led/'):]
    if '/' in state:
        return await not_found(r, w)
    await read_body(r)                            # a form's (empty) body
    if not led.switch(state):
        await send(w, 'LED state must be on, off or toggle', 400)
        return
    await send(w, '', 303, headers={'Location': '/'})


@app.route('/greet')                              # query string
async def greet(r, w):
    params = web.parse_qs(r.query) if r.query else {}
    name = params.get('name')
    await send(w, led.greeting(name if isinstance(name, str) else None))


@app.prefix('/static/')                           # a file from flash, by hand
async def static(r, w):
    name = r.path[len('/static/'):]
    if not name or '/' in name or '..' in name:
        return await not_found(r, w)
    try:
        size = os.stat('static/' + name)[6]
    except OSError:
        return await not_found(r, w)
    w.write(('HTTP/1.0 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n' % (
        TYPES.get(name.rpartition('.')[2], 'text/plain'), size)).encode())
    buf = bytearray(256)
    with open('static/' + name, 'rb') as file:   # in pieces: a big file need not fit in RAM
        while True:
            n = file.readinto(buf)
            if not n:
                break
            w.write(buf[:n])
            await w.drain()


@app.route('/fail')                               # a route with a bug: App._dispatch's finally
async def fail(r, w):
    raise RuntimeError('this route fails on purpose')


@app.route('/ws')                                 # WebSocket: echo every message
async def echo(r, w):
    if 'sec-websocket-key' not in r.headers:
        return await send(w, 'WebSocket only', 400)
    ws = await web.WebSocket.upgrade(r, w)
    try:
        while True:
            message = await ws.recv()
            if message is None:                   # the client went away
                break
            if message['type'] == 'close':        # web.py has no close(): answer the close frame
                await ws._send_op(0x8, message['data'])
                break
            if message['type'] in ('text', 'bytes'):
                await ws.send(message['data'])
    except OSError:                               # the client went away mid-message
        pass


def run(port=80):
    """aioweb's README way: app.serve() as a task, then the loop for ever.

    Ctrl-C (the stop button) raises KeyboardInterrupt out of the loop and
    leaves the server's task, and its listening socket, in it: starting a
    server on the port again fails with EADDRINUSE.  So, however the loop
    ends, it runs once more to close the server.
    """
    app.port = port
    print('serving on port', port)
    loop = asyncio.get_event_loop()
    loop.create_task(app.serve())
    try:
        loop.run_forever()
    finally:
        loop.run_until_complete(app.close())


async def serve(port=80):
    """As run(), as an asyncio task: cancel it to stop, and it closes its server."""
    app.port = port
    server = await app.serve()
    try:
        while True:
            await asyncio.sleep(3600)
    finally:
        server.close()
        await server.wait_closed()
