"""The reference app with micropyserver (lesson 06).

micropyserver is the blocking style: start() loops on accept(), reads the
request with one recv(4096), finds a route, calls its handler and closes
the connection, one client at a time.  A handler gets the request as one
str and sends its answer with utils.send_response().  Its router sees only
the first segment of a path ("/led/on" is routed as "/led") and no body
beyond the first recv(), so the app finishes those by hand.  Same routes,
same answers as snippets/raw-socket/led_raw.py.

    server                      the MicroPyServer, routes added
    run(port=80)                serve until Ctrl-C (the stop button), then
                                free the port: run() works again
    start_thread(port=80, web=server)
                                serve in a second thread (the self-test, the
                                bench); returns once the server answers
    stop_thread(web=server)     stop that server, wait until its thread ends
    exchange(port, request)     raw bytes to a server on this board, its answer

Written for micropyserver at master 15709f1 (the files of release v1.6),
as data/install.csv pins it.
"""
import json
import network
import re
import socket
import time

import led
import utils
from micropyserver import MicroPyServer

TYPES = {'css': 'text/css', 'html': 'text/html', 'js': 'application/javascript'}
REQUEST_LINE = re.compile('^([A-Z]+) (/[^ ]*) HTTP/1\\.[01]$')
MAX_BODY = 1024
WAIT_MS = 5000             # for a server thread to answer, or to end


class NoClient:
    """What a server's connection is before its first client.  start()'s
    finally and stop() close the connection unconditionally, and upstream
    starts it as None: Ctrl-C before the first client would end start() with
    AttributeError instead of KeyboardInterrupt, and stop() would fail."""

    def close(self):
        pass


server = MicroPyServer(host='0.0.0.0', port=80)
server._connect = NoClient()


def target(request):
    """(path, query) of the request line: micropyserver's router keeps only the first segment."""
    path = request.split('\r\n', 1)[0].split(' ')[1]
    path, _, query = path.partition('?')
    return path, query


def read_body(request):
    """The request body: what came with the headers, plus the rest by Content-Length.

    micropyserver reads one recv() of up to 4096 bytes; a body that had not
    arrived by then is still in the socket, which only server._connect reaches.
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


def fail(request):                                                # a route with a bug: on_error
    raise RuntimeError('this route fails on purpose')


def not_found(request):
    utils.send_response(server, 'Not found', 404, 'text/plain')


def bad_request(request, address):
    """on_request hook: a request line the router could not parse is a 400, not its 500."""
    if REQUEST_LINE.match(request.split('\r\n', 1)[0]):
        return True
    utils.send_response(server, 'Bad request', 400, 'text/plain')
    return False                              # skip routing; start() closes the connection


def internal_error(error):
    """on_error hook: micropyserver's own one answers 500 with the traceback,
    but when the client has gone (it gave up waiting) that answer fails too,
    and nothing catches it: start() ends, the server is gone.  Answer if we
    can, never raise."""
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
server.add_route('/fail', fail)
server.on_request(bad_request)
server.on_not_found(not_found)
server.on_error(internal_error)


def run(port=80):
    """Serve until Ctrl-C.  start() never closes its listening socket, so
    stop() does it here: after the stop button, run() works again."""
    server._port = port
    print('serving on port', port)
    try:
        server.start()
    finally:
        if server._sock:
            server.stop()


def exchange(port, request=b'', timeout=5):
    """Send request (bytes, as they are) to a server on this board, at the
    board's address, and return all it answers until it closes the
    connection; None if nothing answers.  An empty request just connects."""
    client = socket.socket()
    try:
        client.settimeout(timeout)
        host = network.WLAN(network.STA_IF).ifconfig()[0]
        client.connect(socket.getaddrinfo(host, port)[0][-1])
        if not request:
            return b''
        client.sendall(request)
        answer = b''
        while True:
            chunk = client.recv(512)
            if not chunk:
                return answer
            answer += chunk
    except OSError:
        return None
    finally:
        client.close()


def start_thread(port=80, web=server):
    """Serve web (a MicroPyServer) in a second thread; return once it answers.

    start() does not return while it serves, so a cell that also makes
    requests runs it in a thread of its own (MicroPython has _thread on the
    ESP32 and on the unix port).  Waiting for a whole answer also waits for
    start()'s own "Server start" line: the thread prints it before this
    returns.  The thread's lock (web.done, released when start() ends) and
    what start() ended with (web.error) are kept on web for stop_thread().
    """
    import _thread
    web._port = port
    web.error = None
    web.done = _thread.allocate_lock()
    web.done.acquire()

    def serve():
        try:
            web.start()
        except Exception as error:           # stop_thread() reports it
            web.error = error
        finally:
            web.done.release()

    _thread.start_new_thread(serve, ())
    for _ in range(WAIT_MS // 10):
        if web.done.acquire(0):                  # start() has ended already
            raise web.error or OSError('the server has stopped')
        if exchange(port, b'GET / HTTP/1.0\r\n\r\n', 1) is not None:
            return
        time.sleep_ms(10)
    raise OSError('the server did not answer on port %d' % port)


def stop_thread(web=server):
    """Stop start_thread()'s server, wait until its thread has ended and
    return what start() ended with (an exception, or None).

    stop() closes the listening socket and sets it to None, but start()
    looks at that only between two connections: a thread waiting in
    accept() waits on.  One empty connection ends that wait (where accept()
    has failed on the closed socket instead, nothing listens: no harm).
    """
    web.stop()
    exchange(web._port)
    for _ in range(WAIT_MS // 10):
        if web.done.acquire(0):
            return web.error
        time.sleep_ms(10)
    raise OSError('the server thread did not end')
