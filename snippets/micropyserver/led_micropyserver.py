"""The reference app with micropyserver (lesson 06).

micropyserver is the blocking style: start() loops on accept(), reads the
request with one recv(4096), finds a route, calls its handler and closes
the connection, one client at a time.  A handler gets the request as one
str and sends its answer with utils.send_response().  Its router takes only
the first segment of a path ("/led/on" is routed as "/led") and no body
beyond the first recv, so the app finishes those by hand: the rest of the
path and the body are read here.  Same routes, same answers as
snippets/raw-socket/led_raw.py.

    server                  the MicroPyServer, routes added
    run(port=80)            serve until Ctrl-C (server.start(): blocks)
    start_thread()          serve in a second thread (for the self-test);
                            micropyserver has no working stop: reset the board

Written against micropyserver at commit 36375b3 (data/install.csv).
GitHub was unreachable where this was written: the self-test passed on a
MicroPython 1.29 virtual board against a copy of that commit's
micropyserver.py and of the utils.py functions used, read from a public
index, not against a fetched install.
"""
import json
import re

import led
import utils
from micropyserver import MicroPyServer

TYPES = {'css': 'text/css', 'html': 'text/html', 'js': 'application/javascript'}
REQUEST_LINE = re.compile('^([A-Z]+) (/[^ ]*) HTTP/1\\.[01]$')
MAX_BODY = 1024

server = MicroPyServer(host='0.0.0.0', port=80)


def target(request):
    """(path, query) of the request line: micropyserver's router keeps only the first segment."""
    path = request.split('\r\n', 1)[0].split(' ')[1]
    path, _, query = path.partition('?')
    return path, query


def read_body(request):
    """The request body: what came with the headers, plus the rest by Content-Length.

    micropyserver reads one recv() of 4096 bytes; a body sent in a second
    packet is still in the socket, which only server._connect reaches.
    """
    head, _, body = request.partition('\r\n\r\n')
    length = 0
    for line in head.split('\r\n')[1:]:
        name, _, value = line.partition(':')
        if name.strip().lower() == 'content-length':
            length = int(value)
    if length > MAX_BODY:
        raise ValueError('body too long')
    body = body.encode()
    while len(body) < length:
        chunk = server._connect.recv(length - len(body))
        if not chunk:
            break
        body += chunk
    return body


def send_json(value, status=200):
    utils.send_response(server, json.dumps(value), status, 'application/json')


def index(request):
    if target(request)[0] != '/':
        return not_found(request)
    utils.send_response(server, led.page())                      # 200 text/html


def api_status(request):
    if target(request)[0] != '/api/status':
        return not_found(request)
    send_json(led.status())


def switch(request):                                              # path parameter, by hand
    path = target(request)[0]
    if not path.startswith('/led/') or '/' in path[5:]:
        return not_found(request)
    read_body(request)
    if not led.switch(path[5:]):
        utils.send_response(server, 'LED state must be on, off or toggle', 400, 'text/plain')
        return
    utils.send_response(server, '', 303, 'text/plain', ['Location: /'])


def set_led(request):                                             # JSON body
    if target(request)[0] != '/api/led':
        return not_found(request)
    try:
        wanted = json.loads(read_body(request))['on']
    except (ValueError, KeyError, TypeError):
        send_json({'error': 'send {"on": true} or {"on": false}'}, 400)
        return
    led.switch('on' if wanted else 'off')
    send_json(led.status())


def greet(request):                                               # query string
    if target(request)[0] != '/greet':
        return not_found(request)
    params = utils.get_request_query_params(request)
    utils.send_response(server, led.greeting(params.get('name')), 200, 'text/plain')


def static(request):                                              # a file from flash, by hand
    name = target(request)[0][8:]
    if not target(request)[0].startswith('/static/') or '/' in name or '..' in name or not name:
        return not_found(request)
    try:
        with open('static/' + name, 'rb') as file:
            data = file.read()                 # micropyserver sends str only: small files
    except OSError:
        return not_found(request)
    utils.send_response(server, data.decode(), 200,
                        TYPES.get(name.rpartition('.')[2], 'text/plain'))


def not_found(request):
    utils.send_response(server, 'Not found', 404, 'text/plain')


def bad_request(request, address):
    """on_request hook: a request line the router could not parse is a 400, not its 500."""
    if REQUEST_LINE.match(request.split('\r\n', 1)[0]):
        return True
    utils.send_response(server, 'Bad request', 400, 'text/plain')
    return False                              # skip routing; start() closes the connection


def internal_error(error):
    """on_error hook: micropyserver's own one answers 500, but when the client
    has gone (it gave up waiting) that answer fails too, and the OSError ends
    start(): the server stops for good.  Answer if we can, never raise."""
    try:
        utils.send_response(server, 'Internal server error', 500, 'text/plain')
    except OSError:
        pass


server.add_route('/', index)
server.add_route('/api', api_status)                  # GET /api/status is routed as "/api"
server.add_route('/api', set_led, method='POST')      # POST /api/led too
server.add_route('/led', switch, method='POST')
server.add_route('/greet', greet)
server.add_route('/static', static)
server.on_request(bad_request)
server.on_not_found(not_found)
server.on_error(internal_error)


def run(port=80):
    server._port = port
    print('serving on port', port)
    server.start()


def start_thread(port=80):
    import _thread
    server._port = port
    _thread.start_new_thread(server.start, ())
