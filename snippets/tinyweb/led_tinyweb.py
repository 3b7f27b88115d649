"""The reference app with TinyWeb (lesson 04).

TinyWeb routes with decorators, as Flask does: ``@app.route(path)`` for a
handler that gets the request and the response (``async def``, awaiting
``resp.send``...), and REST *resources*: a class whose ``get``/``post``
methods take the request's data (a parsed JSON or form body) and return a
dict that TinyWeb sends as JSON.  A path parameter (``/led/<state>``) may
only be the last segment; it arrives as a str.  ``resp.send_file`` streams
a file from flash.  It limits how many connections it serves at once
(``max_concurrency``) and how long a client may take to send its request
line and headers (``request_timeout``).  Same routes, same answers as
snippets/raw-socket/led_raw.py.

    app                     the tinyweb.webserver, routes added
    run(port=80)            serve until Ctrl-C (TinyWeb's own app.run), then close()
    await serve(port=80)    the same as an asyncio task (until cancelled)
    close()                 what TinyWeb's shutdown() does, on current MicroPython

Written for TinyWeb's master at 7669f03 with micropython-lib's logging
(data/install.csv pins both).
"""
import asyncio

from tinyweb.server import HTTPException, parse_query_string, webserver

import led

TYPES = {'css': 'text/css', 'html': 'text/html', 'js': 'application/javascript'}


class App(webserver):
    async def _handle_request(self, req, resp):
        """TinyWeb answers 400 to a request line or header it cannot parse,
        but leaves the rest of the request unread: a socket closed with
        unread bytes is reset, and the client may lose the answer.  Read the
        rest of the headers first (a few lines at most), then let it answer."""
        try:
            await super()._handle_request(req, resp)
        except HTTPException as e:
            if e.code == 400:
                for _ in range(32):
                    line = await req.reader.readline()
                    if line in (b'\r\n', b'\n', b''):
                        break
            raise


# At most 3 requests at once; a client has 3 s to send its request (TinyWeb's defaults).
app = App(request_timeout=3, max_concurrency=3)


async def send(resp, body, code=200, content_type='text/plain', headers=None):
    """A whole answer: TinyWeb's public starts are start_html() (200,
    text/html), redirect() (always 302) and error(); for any other status
    set resp.code and the headers, then _send_headers() as TinyWeb's own
    REST handler does."""
    body = body.encode()
    resp.code = code
    resp.add_header('Content-Type', content_type)
    resp.add_header('Content-Length', str(len(body)))
    for name in headers or {}:
        resp.add_header(name, headers[name])
    await resp._send_headers()
    await resp.send(body)


@app.route('/')                                      # GET only: TinyWeb answers 405 to others
async def index(req, resp):
    await resp.start_html()                          # 200, text/html
    await resp.send(led.page())


class Status:
    """A REST resource: a method per HTTP verb; a dict returned is sent as JSON."""

    def get(self, data):
        return led.status()


class LedSwitch:
    def post(self, data):
        # data: the body as TinyWeb parsed it: {} without Content-Length and
        # Content-Type, None for a type other than JSON or a form.  JSON that
        # does not parse never gets here: TinyWeb answers 400 itself.
        if not isinstance(data, dict) or 'on' not in data:
            return {'error': 'send {"on": true} or {"on": false}'}, 400
        led.switch('on' if data['on'] else 'off')
        return led.status()


app.add_resource(Status, '/api/status')
app.add_resource(LedSwitch, '/api/led')


@app.route('/led/<state>', methods=['POST'])         # path parameter: the last segment only
async def switch(req, resp, state):
    if not led.switch(state):
        await send(resp, 'LED state must be on, off or toggle', 400)
        return
    await send(resp, '', 303, headers={'Location': '/'})   # redirect() would say 302


@app.route('/greet')                                 # query string
async def greet(req, resp):
    params = parse_query_string(req.query_string.decode()) if req.query_string else {}
    await send(resp, led.greeting(params.get('name')))


@app.route('/static/<name>')                         # a file from flash
async def static(req, resp, name):
    if not name or '..' in name:
        raise HTTPException(404)                     # TinyWeb answers it (empty body)
    # send_file sends no Content-Type unless told; a missing file raises 404.
    await resp.send_file('static/' + name, max_age=0,
                         content_type=TYPES.get(name.rpartition('.')[2], 'text/plain'))


@app.route('/fail')                                  # a route with a bug: TinyWeb's error handling answers
async def fail(req, resp):
    raise RuntimeError('this route fails on purpose')


def close():
    """Close TinyWeb's listening socket and its open connections.

    TinyWeb's own shutdown() does this with asyncio.cancel(), which
    MicroPython's asyncio does not have (AttributeError).  Closing a
    coroutine instead runs its finally clauses wherever it waits: the
    server's closes the listening socket, a connection's closes its socket.
    """
    for coroutine in [app._server_coro] + list(app.conns.values()):
        coroutine.close()
    app.conns.clear()


def run(port=80):
    """TinyWeb's own app.run(); the stop button (Ctrl-C) ends it.

    The KeyboardInterrupt leaves TinyWeb's server waiting in asyncio with
    its socket open: the next run() would fail with EADDRINUSE.  So,
    however app.run() ends, close() the server, and give asyncio a fresh
    loop so that nothing of this run is resumed by the next.
    """
    print('serving on port', port)
    try:
        app.run(host='0.0.0.0', port=port)
    finally:
        close()
        asyncio.new_event_loop()


async def serve(port=80):
    """As run(), as an asyncio task: app.run(loop_forever=False) adds
    TinyWeb's server to the running loop.  Cancelling this task closes the
    server; connections already open finish on their own (each within
    request_timeout, or when its handler ends)."""
    app.run(host='0.0.0.0', port=port, loop_forever=False)
    try:
        while True:
            await asyncio.sleep(3600)
    finally:
        app._server_coro.close()
