"""The check of lesson 02's exercise: board-side MicroPython code.

    print(asyncio.run(exercise_microdot.check(address)))

serves ``led_microdot.app`` on port 80 while ``selftest.toggle`` requests
``POST /api/toggle`` (its docstring says what it expects), then shuts the
app down; returns that line, ``well done: ...`` or ``not yet: ...``.
"""
import led_microdot
import selftest


def check(host):
    return selftest.toggle_served(led_microdot.serve, host, stop=led_microdot.app.shutdown)
