"""The reference app with micropython-aioweb (lesson 07).

aioweb (one module, web.py) routes with a decorator, ``@app.route(path,
methods=[...])``; a handler is ``async def handler(r, w)``: the asyncio
stream reader (with ``r.method``, ``r.path``, ``r.query`` and ``r.headers``,
lower-case names, filled in by web.py) and the writer, on which the handler
writes the whole HTTP answer itself.  Routes match by **prefix**
(``r.path.startswith(path)``), first registered first: '/led/' takes
'/led/on', and '/' would take every path, so it comes last and checks for
itself.  It has WebSocket (and server-sent events) support: ``/ws`` here
echoes every message back.  Same routes, same answers as
snippets/raw-socket/led_raw.py.

    app                     the web.App, routes added
    run(port=80)            serve until Ctrl-C (app.serve() and the loop, as aioweb's README does)
    await serve(port=80)    the same as an asyncio task (until cancelled)

The board's WebSocket client for /ws is snippets/common/wsclient.py
(``await wsclient.websocket_echo(host, port, message)``).

Written against micropython-aioweb at commit 0ed6a43 (data/install.csv)
with its install patch (import asyncio).  GitHub was unreachable where this
was written: the self-test passed on a MicroPython 1.29 virtual board
against a copy of that commit's web.py, patched, read from a public index,
not against a fetched install.
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
    async def _dispatch(self, r, w):
        """web.py hangs up on a request it cannot parse: answer 400 instead.
        The rest is web.py's dispatch: the first route whose path starts the
        request's path and whose methods include its method; else 404."""
        try:
            await web._parse_request(r, w)
        except Exception:                     # ValueError: no request line, or a header without ':'
            # Read what is left of the request first: a socket closed with
            # unread bytes is reset, and the client may lose our answer.
            for _ in range(32):
                if (await r.readline()) in (b'\r\n', b'\n', b''):
                    break
            try:
                await send(w, 'Bad request', 400)
            except OSError:                   # the client has gone already
                pass
            await w.wait_closed()
            return
        for path, methods, handler in self.handlers:
            if r.path.startswith(path) and r.method in methods:
                await handler(r, w)
                await w.wait_closed()
                return
        await not_found(w)
        await w.wait_closed()


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


async def not_found(w):
    await send(w, 'Not found', 404)


async def read_body(r):
    """The request body by Content-Length (web.py reads only the request line and headers)."""
    length = int(r.headers.get('content-length', 0))
    if length > MAX_BODY:
        raise ValueError('body too long')
    return await r.readexactly(length) if length else b''


@app.route('/api/status')
async def api_status(r, w):
    if r.path != '/api/status':                    # a prefix route: /api/status/x gets here too
        return await not_found(w)
    await send(w, json.dumps(led.status()), content_type='application/json')


@app.route('/api/led', methods=['POST'])           # JSON body
async def set_led(r, w):
    if r.path != '/api/led':
        return await not_found(w)
    try:
        wanted = json.loads(await read_body(r))['on']
    except (ValueError, KeyError, TypeError):
        await send(w, json.dumps({'error': 'send {"on": true} or {"on": false}'}), 400,
                   'application/json')
        return
    led.switch('on' if wanted else 'off')
    await send(w, json.dumps(led.status()), content_type='application/json')


@app.route('/led/', methods=['POST'])              # path parameter: the rest of the path
async def switch(r, w):
    state = r.path[len('/led/'):]
    if '/' in state:
        return await not_found(w)
    await read_body(r)                             # a form's (empty) body
    if not led.switch(state):
        await send(w, 'LED state must be on, off or toggle', 400)
        return
    await send(w, '', 303, headers={'Location': '/'})


@app.route('/greet')                               # query string
async def greet(r, w):
    if r.path != '/greet':
        return await not_found(w)
    params = web.parse_qs(r.query) if r.query else {}
    name = params.get('name')
    await send(w, led.greeting(name if isinstance(name, str) else None))


@app.route('/static/')                             # a file from flash, by hand
async def static(r, w):
    name = r.path[len('/static/'):]
    if not name or '/' in name or '..' in name:
        return await not_found(w)
    try:
        size = os.stat('static/' + name)[6]
    except OSError:
        return await not_found(w)
    w.write(('HTTP/1.0 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n' % (
        TYPES.get(name.rpartition('.')[2], 'text/plain'), size)).encode())
    buf = bytearray(256)
    with open('static/' + name, 'rb') as file:    # in pieces: a big file need not fit in RAM
        while True:
            n = file.readinto(buf)
            if not n:
                break
            w.write(buf[:n])
            await w.drain()
    await w.drain()


@app.route('/ws')                                  # WebSocket: echo every message
async def echo(r, w):
    if r.path != '/ws' or 'sec-websocket-key' not in r.headers:
        return await send(w, 'WebSocket only', 400)
    ws = await web.WebSocket.upgrade(r, w)
    while True:
        message = await ws.recv()
        if message is None:                        # the client went away
            break
        if message['type'] == 'close':             # web.py has no close(): answer the close frame
            await ws._send_op(0x8, message['data'])
            break
        if message['type'] in ('text', 'bytes'):
            await ws.send(message['data'])


@app.route('/')                                    # last: '/' is a prefix of every path
async def index(r, w):
    if r.path != '/':
        return await not_found(w)
    await send(w, led.page(), content_type='text/html')


def run(port=80):
    """aioweb's own way: app.serve() starts the server and returns; the loop runs it.
    Ctrl-C (or the stop button) ends it."""
    app.port = port
    print('serving on port', port)
    loop = asyncio.get_event_loop()
    loop.create_task(app.serve())
    loop.run_forever()


async def serve(port=80):
    """As run(), as an asyncio task.  aioweb has no stop API (app.serve()
    drops its server object): we start its dispatcher on a server we keep,
    and close that."""
    server = await asyncio.start_server(app._dispatch, '0.0.0.0', port)
    try:
        while True:
            await asyncio.sleep(3600)
    finally:
        server.close()
        await server.wait_closed()

