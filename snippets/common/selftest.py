"""The reference app's self-test, run on the board against its own server.

    await selftest.run(host, port=80)

requests every route of the reference app with ``aclient``, prints one
line per request (method, path, status, content type, the start of the
body) and raises AssertionError naming every answer that was not the
expected one; when all are right it prints one final line.  The same
requests are made by every framework's lesson, so their outputs compare.

``CASES`` is the reference app's route contract, written once: the host's
tests and ``upylab bench`` read it from this file too.

    verdict = await selftest.toggle(host, port=80, path='/api/toggle', refuse_get=False)
    verdict = await selftest.toggle_served(serve, host, stop=None, refuse_get=False)

is the toggle exercise's check, the same in every framework lesson:
``POST path`` twice must switch the LED on, then off, each time answering
200 with the new ``led.status()`` as JSON (and, with ``refuse_get``,
``GET path`` must be 405).  It returns one line for the student,
``well done: ...`` or ``not yet: ...`` (``almost: ...``): the lesson's
check cell prints it, and the course's test (``upylab assignments``)
fails unless it is ``well done``.  ``toggle_served`` runs it while
``serve(80)`` runs as a task, then stops the server (``stop()``, or the
task cancelled); ``toggled`` judges one answer, for a check that calls a
handler itself.
"""
import asyncio
import json

import aclient

# (method, path, JSON body or None, raw body or None, expected status, a piece of the expected body)
CASES = (
    ('GET', '/', None, None, 200, 'LED on GPIO'),
    ('GET', '/static/style.css', None, None, 200, '{'),
    ('GET', '/api/status', None, None, 200, '"pin": '),
    ('POST', '/led/on', None, b'', 303, ''),
    ('GET', '/api/status', None, None, 200, '"led": 1'),
    ('POST', '/api/led', {'on': False}, None, 200, '"led": 0'),
    ('GET', '/greet?name=Ada%20Lovelace', None, None, 200, 'Hello, Ada Lovelace!'),
    ('GET', '/greet', None, None, 200, 'Hello, world!'),
    ('POST', '/led/blink', None, b'', 400, 'on, off or toggle'),
    ('POST', '/api/led', None, b'{not json', 400, '"error"'),
    ('GET', '/static/missing.css', None, None, 404, ''),
    ('GET', '/nowhere', None, None, 404, ''),
)
SHOWN = 48   # characters of each body printed


def shorten(body):
    text = (body if isinstance(body, str) else body.decode()).replace('\n', ' ').strip()
    return text if len(text) <= SHOWN else text[:SHOWN] + '...'


async def run(host, port=80):
    wrong = []
    for method, path, as_json, data, expected, piece in CASES:
        url = 'http://%s:%d%s' % (host, port, path)
        status, headers, body = await aclient.request(method, url, data=data, json=as_json)
        kind = headers.get('content-type', '-').split(';')[0]
        print(method, path, '->', status, kind, shorten(body))
        if status != expected:
            wrong.append('%s %s gave %d, expected %d' % (method, path, status, expected))
        elif piece.encode() not in body:
            wrong.append('%s %s: no %r in its body' % (method, path, piece))
    assert not wrong, '; '.join(wrong)
    print('self-test passed:', len(CASES), 'requests answered as expected')


async def toggle(host, port=80, path='/api/toggle', refuse_get=False):
    import led
    led.switch('off')
    url = 'http://%s:%d%s' % (host, port, path)
    for expected in (1, 0):
        status, headers, body = await aclient.request('POST', url, data=b'')
        if status in (404, 405):
            return 'not yet: POST %s answers %d' % (path, status)
        wrong = toggled(expected, status, headers.get('content-type', '-').split(';')[0], body)
        if wrong:
            return wrong
    if refuse_get and (await aclient.get(url))[0] != 405:
        return 'almost: GET %s should be 405 Method Not Allowed' % path
    return 'well done: POST %s flips the LED and answers its status' % path


def toggled(expected, status, kind, body):
    """Why one answer to a toggle is not the LED's new status (``led`` being
    ``expected``) as JSON: a ``not yet`` line; or None."""
    if status != 200 or kind != 'application/json':
        return 'not yet: answer 200 with application/json, not %d %s' % (status, kind)
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if answer != {'led': expected, 'pin': 2}:
        return 'not yet: the body should be the new status, got %s' % shorten(body)
    return None


async def toggle_served(serve, host, stop=None, **options):
    """``toggle(host, **options)`` while ``serve(80)`` runs as a task; then the
    server stopped: by ``stop()`` (the task then ends) or by cancelling it."""
    server = asyncio.create_task(serve(80))
    await asyncio.sleep_ms(100)
    try:
        return await toggle(host, **options)
    finally:
        if stop:
            stop()
            await server
        else:
            server.cancel()
            await asyncio.sleep_ms(50)
