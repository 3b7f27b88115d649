"""The reference app with Microdot (lesson 02).

Microdot parses the request, matches the route and builds the response;
what is left to us is what the app does.  Same routes, same answers as
the raw-socket version (snippets/raw-socket/led_raw.py), plus one of
Microdot's extensions: a WebSocket at /ws that echoes every message
(microdot.websocket; the board's client is snippets/common/wsclient.py).

    app                     the Microdot application
    run(port=80)            serve until Ctrl-C (app.run), then close the socket
    await serve(port=80)    the same as an asyncio task (until cancelled)
    await close_server()    close what an interrupted app.run() left open
"""
import asyncio

import led
from microdot import Microdot, redirect, send_file
from microdot.websocket import with_websocket

app = Microdot()


@app.get('/')
async def index(request):
    return led.page(), 200, {'Content-Type': 'text/html'}


@app.get('/api/status')
async def status(request):
    return led.status()                   # a dict becomes a JSON response


@app.post('/led/<state>')                 # path parameter
async def switch(request, state):
    if not led.switch(state):
        return 'LED state must be on, off or toggle', 400
    return redirect('/', status_code=303)


@app.post('/api/led')                     # JSON body
async def set_led(request):
    try:
        wanted = request.json             # None unless Content-Type is JSON
    except ValueError:
        wanted = None
    if not isinstance(wanted, dict) or 'on' not in wanted:
        return {'error': 'send {"on": true} or {"on": false}'}, 400
    led.switch('on' if wanted['on'] else 'off')
    return led.status()


@app.get('/greet')                        # query string
async def greet(request):
    return led.greeting(request.args.get('name'))


@app.get('/static/<name>')                # a file from flash
async def static(request, name):
    if '..' in name:
        return 'Not found', 404
    try:
        return send_file('static/' + name, max_age=0)
    except OSError:
        return 'Not found', 404


@app.get('/fail')                         # a route with a bug: Microdot's error handling answers
async def fail(request):
    raise RuntimeError('this route fails on purpose')


@app.get('/ws')                           # an extension: WebSocket
@with_websocket
async def echo(request, ws):
    while True:                           # until the client closes (receive() raises)
        message = await ws.receive()
        await ws.send(message)


def run(port=80):
    """app.run(), and close its listening socket however it ends.

    Ctrl-C raises KeyboardInterrupt out of asyncio.run() and leaves Microdot's
    server task, and its socket, open: the next run() would fail with
    EADDRINUSE.  So after run() we let the loop close that server.
    """
    print('serving on port', port)
    try:
        app.run(port=port)
    finally:
        if app.server is not None:
            asyncio.run(close_server())


async def close_server():
    """Close the server an interrupted app.run() left open (run() does it itself)."""
    app.shutdown()                        # cancels the server task: it closes its socket
    await app.server.wait_closed()


async def serve(port=80):
    """app.start_server(), closing the listening socket however it ends (cancel too)."""
    try:
        await app.start_server(port=port)
    finally:
        app.shutdown()
