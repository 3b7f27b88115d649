"""The check of lesson 05's exercise: board-side MicroPython code.

    print(asyncio.run(exercise_picoweb.check(address)))

serves ``led_picoweb.app`` on port 80 while ``selftest.toggle`` requests
``POST /api/toggle`` and expects ``GET`` to be refused with 405 (picoWeb
routes match paths only: the handler checks the method), then stops the
server; returns that line, ``well done: ...``, ``almost: ...`` or
``not yet: ...``.
"""
import led_picoweb
import selftest


def check(host):
    return selftest.toggle_served(led_picoweb.serve, host, refuse_get=True)
