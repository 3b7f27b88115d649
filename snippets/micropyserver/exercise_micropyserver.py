"""The check of lesson 06's exercise: board-side MicroPython code.

    print(exercise_micropyserver.check(address))

serves the app in a thread on port 80 (micropyserver blocks) while
``selftest.toggle`` requests ``POST /toggle`` (why not ``/api/toggle``: the
lesson says), then stops the thread; returns that line, ``well done: ...``
or ``not yet: ...``.
"""
import asyncio

import led_micropyserver
import selftest


def check(host):
    led_micropyserver.start_thread(80)
    try:
        return asyncio.run(selftest.toggle(host, path='/toggle'))
    finally:
        led_micropyserver.stop_thread()
