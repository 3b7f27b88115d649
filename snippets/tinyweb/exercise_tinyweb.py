"""The check of lesson 04's exercise: board-side MicroPython code.

    print(asyncio.run(exercise_tinyweb.check(address)))

serves ``led_tinyweb.app`` on port 80 while ``selftest.toggle`` requests
``POST /api/toggle`` and expects ``GET`` to be refused with 405 (a resource
gives that for free), then stops the server; returns that line,
``well done: ...``, ``almost: ...`` or ``not yet: ...``.
"""
import asyncio

import led_tinyweb
import selftest


async def check(host):
    server = asyncio.create_task(led_tinyweb.serve(80))
    await asyncio.sleep_ms(100)
    try:
        return await selftest.toggle(host, refuse_get=True)
    finally:
        server.cancel()
        await asyncio.sleep_ms(50)
