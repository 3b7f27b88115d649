"""The check of lesson 04's exercise: board-side MicroPython code.

    print(asyncio.run(exercise_tinyweb.check(address)))

serves ``led_tinyweb.app`` on port 80 while ``selftest.toggle`` requests
``POST /api/toggle`` and expects ``GET`` to be refused with 405 (a resource
gives that for free), then stops the server; returns that line,
``well done: ...``, ``almost: ...`` or ``not yet: ...``.
"""
import led_tinyweb
import selftest


def check(host):
    return selftest.toggle_served(led_tinyweb.serve, host, refuse_get=True)
