"""The check of lesson 01's exercise: board-side MicroPython code.

    print(exercise_raw.check(globals().get('my_handle')))

``my_handle(method, path, query, body)`` must answer ``POST /api/toggle`` by
flipping the LED and returning its new status as JSON, and pass every other
request on to ``led_raw.handle``.  The check calls it directly (no server)
and returns one line, ``well done: ...`` or ``not yet: ...``: the lesson's
check cell prints it, and the course's test (``upylab assignments``) fails
unless it is ``well done``.  ``None`` (the exercise cell has not run yet)
is a ``not yet`` too.
"""
import led
import selftest


def check(handle):
    if handle is None:
        return 'not yet: run the exercise cell above first (it defines my_handle)'
    led.switch('off')
    answers = [handle('POST', '/api/toggle', {}, b'') for _ in range(2)]
    if answers[0][0] == 404:
        return 'not yet: POST /api/toggle is still a 404'
    for expected, (status, kind, body, headers) in zip((1, 0), answers):
        wrong = selftest.toggled(expected, status, kind, body)
        if wrong:
            return wrong
    if handle('GET', '/api/status', {}, b'')[0] != 200:
        return 'not yet: the other routes must still work'
    return 'well done: /api/toggle works'
