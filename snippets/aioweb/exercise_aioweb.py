"""The check of lesson 07's exercise: board-side MicroPython code.

    print(asyncio.run(exercise_aioweb.check(address)))

serves ``led_aioweb.app`` on port 80 while ``selftest.toggle`` requests
``POST /api/toggle``, then stops the server; returns that line,
``well done: ...`` or ``not yet: ...``.
"""
import led_aioweb
import selftest


def check(host):
    return selftest.toggle_served(led_aioweb.serve, host)
