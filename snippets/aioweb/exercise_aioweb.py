"""The check of lesson 07's exercise: board-side MicroPython code.

    print(asyncio.run(exercise_aioweb.check(address)))

serves ``led_aioweb.app`` on port 80 while ``selftest.toggle`` requests
``POST /api/toggle``, then stops the server; returns that line,
``well done: ...`` or ``not yet: ...``.
"""
import asyncio

import led_aioweb
import selftest


async def check(host):
    server = asyncio.create_task(led_aioweb.serve(80))
    await asyncio.sleep_ms(100)
    try:
        return await selftest.toggle(host)
    finally:
        server.cancel()
        await asyncio.sleep_ms(50)
