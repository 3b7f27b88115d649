# A small asyncio HTTP server that answers slowly on purpose.
#
#   GET /              -> 200, "hello from the board"
#   GET /delay/<ms>    -> waits <ms> milliseconds (at most 10000), then 200 and
#                         a JSON body {"delay_ms": <ms>}
#   anything else      -> 404
#
# It stands in for a slow web service, so that the lesson can make requests
# that take a known time.  It runs on the board itself (port 80), as a task
# of the board's asyncio loop, and handles each connection in its own task,
# so that several requests wait at the same time.  Runs unchanged on an
# ESP32 and on the virtual board.
import asyncio

MAX_DELAY_MS = 10000
_handlers = []   # the tasks answering a request right now


async def _answer(writer, status, body, kind="text/plain"):
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
    head = ("HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (status, reason, kind, len(body)))
    writer.write(head.encode() + body)
    await writer.drain()


async def _handle(reader, writer):
    _handlers.append(asyncio.current_task())
    try:
        request_line = await reader.readline()
        while True:  # headers: not needed here, but they must be read
            line = await reader.readline()
            if not line or line == b"\r\n":
                break
        parts = request_line.split()
        path = parts[1].decode() if len(parts) == 3 else ""
        if path == "/":
            await _answer(writer, 200, b"hello from the board")
        elif path.startswith("/delay/"):
            try:
                ms = int(path[7:])
            except ValueError:
                ms = -1
            if not 0 <= ms <= MAX_DELAY_MS:
                await _answer(writer, 400, b"delay must be 0 to %d ms" % MAX_DELAY_MS)
            else:
                await asyncio.sleep_ms(ms)
                await _answer(writer, 200, b'{"delay_ms": %d}' % ms, "application/json")
        else:
            await _answer(writer, 404, b"not found")
    except OSError:
        pass  # the client went away: nothing to answer
    finally:
        _handlers.remove(asyncio.current_task())
        writer.close()
        await writer.wait_closed()


async def start(port=80):
    """Start serving on ``port``; returns the server, for ``stop()``."""
    return await asyncio.start_server(_handle, "0.0.0.0", port, backlog=8)


async def stop(server):
    """Stop listening, and drop the requests still waiting for an answer."""
    server.close()
    for task in _handlers[:]:
        task.cancel()
    await server.wait_closed()
    await asyncio.sleep_ms(0)   # let the cancelled handlers close their sockets
