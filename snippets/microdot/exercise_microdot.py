"""The check of lesson 02's exercise: board-side MicroPython code.

    print(asyncio.run(exercise_microdot.check(address)))

serves ``led_microdot.app`` on port 80 while ``selftest.toggle`` requests
``POST /api/toggle`` (its docstring says what it expects), then shuts the
app down; returns that line, ``well done: ...`` or ``not yet: ...``.
"""
import asyncio

import led_microdot
import selftest


async def check(host):
    server = asyncio.create_task(led_microdot.serve(80))
    await asyncio.sleep_ms(100)
    try:
        return await selftest.toggle(host)
    finally:
        led_microdot.app.shutdown()
        await server
