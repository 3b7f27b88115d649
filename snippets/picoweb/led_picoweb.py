"""The reference app with picoWeb (lesson 05).

picoWeb matches the route (a string, or a compiled regex for a path
parameter) and hands the handler the request and the response stream;
the handler writes the status line, headers and body itself, with
picoweb's helpers.  Handlers are generators (``yield from``), picoWeb's
pre-async/await style, which MicroPython's asyncio still runs.  The page
comes from a utemplate template, templates/led.tpl, compiled on the board
on first use.  Same routes, same answers as snippets/raw-socket/led_raw.py.

    app                     the picoweb application
    run(port=80)            serve until Ctrl-C (picoweb's own app.run)
    await serve(port=80)    the same as an asyncio task (until cancelled)
"""
import json
import re

import asyncio
import picoweb

import led


class App(picoweb.WebApp):
    def handle_exc(self, req, resp, e):
        """picoWeb calls this when a request fails; by default it just hangs up.

        A request line or header it cannot parse fails before any route is
        chosen (req.method is not set yet): answer 400, as HTTP expects.
        An error inside a handler may come after part of the reply, so
        then we only hang up, as picoWeb does.
        """
        if req is not None and not hasattr(req, 'method'):
            # Read what is left of the request first: a socket closed with
            # unread bytes is reset, and the client may lose our answer.
            # (MicroPython's asyncio gives both sides one stream: resp reads too.)
            for _ in range(32):
                line = yield from resp.readline()
                if line in (b'\r\n', b'\n', b''):
                    break
            yield from text(resp, 'Bad request', '400')


app = App(None, serve_static=False)   # None: templates/ and static/ from the board's folder


def text(resp, body, status='200'):
    yield from picoweb.start_response(resp, 'text/plain', status)
    yield from resp.awrite(body)


def send_json(resp, value, status='200'):
    yield from picoweb.start_response(resp, 'application/json', status)
    yield from resp.awrite(json.dumps(value))


def wrong_method(req, resp, allowed):
    """picoWeb routes match paths only: each handler checks the method."""
    if req.method == allowed:
        return False
    yield from picoweb.start_response(resp, 'text/plain', '405', {'Allow': allowed})
    yield from resp.awrite('Method not allowed')
    return True


def read_body(req, limit=1024):
    """The request body (picoWeb only reads bodies of HTML forms, itself)."""
    length = 0
    for name in req.headers:                 # header names as the client sent them, as bytes
        if name.lower() == b'content-length':
            length = int(req.headers[name])
    if length > limit:
        raise ValueError('body too long')
    return (yield from req.reader.readexactly(length)) if length else b''


@app.route('/')
def index(req, resp):
    if (yield from wrong_method(req, resp, 'GET')):
        return
    yield from picoweb.start_response(resp)                   # 200, text/html
    state = 'ON' if led.value() else 'OFF'
    yield from app.render_template(resp, 'led.tpl', (state, led.PIN))


@app.route('/api/status')
def status(req, resp):
    if (yield from wrong_method(req, resp, 'GET')):
        return
    yield from picoweb.jsonify(resp, led.status())


@app.route(re.compile('^/led/([^/]+)$'))                      # path parameter
def switch(req, resp):
    if (yield from wrong_method(req, resp, 'POST')):
        return
    yield from read_body(req)                                  # a form's (empty) body
    if not led.switch(req.url_match.group(1)):
        yield from text(resp, 'LED state must be on, off or toggle', '400')
        return
    yield from picoweb.start_response(resp, 'text/plain', '303', {'Location': '/'})


@app.route('/api/led')                                         # JSON body
def set_led(req, resp):
    if (yield from wrong_method(req, resp, 'POST')):
        return
    try:
        wanted = json.loads((yield from read_body(req)))['on']
    except (ValueError, KeyError, TypeError):
        yield from send_json(resp, {'error': 'send {"on": true} or {"on": false}'}, '400')
        return
    led.switch('on' if wanted else 'off')
    yield from send_json(resp, led.status())


@app.route('/greet')                                           # query string
def greet(req, resp):
    if (yield from wrong_method(req, resp, 'GET')):
        return
    req.parse_qs()                                             # fills req.form
    yield from text(resp, led.greeting(req.form.get('name')))


@app.route(re.compile('^/static/([^/]+)$'))                    # a file from flash
def static(req, resp):
    if (yield from wrong_method(req, resp, 'GET')):
        return
    name = req.url_match.group(1)
    if '..' in name:
        yield from picoweb.http_error(resp, '404')             # picoWeb's own 404 page
        return
    yield from app.sendfile(resp, 'static/' + name)            # 404 if missing


@app.route('/fail')                                           # a route with a bug: App.handle_exc
def fail(req, resp):
    if (yield from wrong_method(req, resp, 'GET')):
        return
    raise RuntimeError('this route fails on purpose')


def run(port=80, debug=0):
    """picoWeb's own loop: logs each request; Ctrl-C (or the stop button) ends it."""
    print('serving on port', port)
    app.run(host='0.0.0.0', port=port, debug=debug)


async def serve(port=80):
    """As run(), as an asyncio task, quiet.  picoWeb has no stop API: we start
    its connection handler on our own server, which we can close."""
    app.debug = -1                  # no request log (run() sets this and app.log)
    app.log = None
    app.init()
    server = await asyncio.start_server(app._handle, '0.0.0.0', port)
    try:
        while True:
            await asyncio.sleep(3600)
    finally:
        server.close()
        await server.wait_closed()
