"""A minimal asyncio WebSocket client for self-tests: board-side MicroPython code.

Lessons send this file to the board as ``wsclient.py``; tests send the same
file.  It speaks just enough RFC 6455 for a board to check a WebSocket echo
route (its own, or another server's) while the server runs in the same
asyncio loop: the upgrade handshake, one masked text frame, the reply
frame, then a close.

Stable API (lessons 02 and 07 rely on it; add, never change):

    echoed = await websocket_echo(host, port, message, path='/ws')

- ``message`` is a str of fewer than 126 bytes (UTF-8), sent as one text frame;
- ``echoed`` is the text of the server's first reply frame;
- it closes with status 1000 (normal), as browsers do, and reads the server's
  close frame, whatever its payload (aioweb echoes the status, Microdot sends none);
- a server that does not upgrade (no ``101``, or a wrong
  ``Sec-WebSocket-Accept``) or answers with other frames raises ``ValueError``.
  It has no timeout of its own: wrap it in ``asyncio.wait_for``.
"""
import asyncio
import struct

# RFC 6455's example key: its accept value is known, so no SHA-1 on the board.
KEY = 'dGhlIHNhbXBsZSBub25jZQ=='
ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='
MASK = b'\x01\x02\x03\x04'


def _masked(data):
    return bytes(b ^ MASK[i % 4] for i, b in enumerate(data))


async def _frame(reader):
    """(opcode byte, payload) of one server frame (unmasked, under 126 bytes)."""
    op, n = struct.unpack('!BB', await reader.readexactly(2))
    if n & 0x80 or n > 125:
        raise ValueError('unexpected frame header: %x %x' % (op, n))
    payload = await reader.readexactly(n) if n else b''
    return op, payload


async def websocket_echo(host, port, message, path='/ws'):
    """Send one text message to ws://host:port/path; returns the text echoed back."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(('GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n'
                      'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
                      'Sec-WebSocket-Version: 13\r\n\r\n' % (path, host, KEY)).encode())
        await writer.drain()
        status = await reader.readline()
        accept = None
        while True:
            line = await reader.readline()
            if line in (b'\r\n', b''):
                break
            name, _, value = line.decode().partition(':')
            if name.strip().lower() == 'sec-websocket-accept':
                accept = value.strip()
        if b' 101 ' not in status or accept != ACCEPT:
            raise ValueError('no WebSocket upgrade: %r' % status)
        data = message.encode()
        if len(data) > 125:
            raise ValueError('message longer than 125 bytes')
        writer.write(struct.pack('!BB', 0x81, 0x80 | len(data)) + MASK + _masked(data))  # FIN, text
        await writer.drain()
        op, reply = await _frame(reader)
        # Close with status 1000 (normal), not an empty close frame: aioweb's
        # recv() then waits in read(0) for bytes that never come.
        writer.write(struct.pack('!BB', 0x88, 0x82) + MASK + _masked(struct.pack('!H', 1000)))
        await writer.drain()
        closing, _ = await _frame(reader)                     # the server's close frame
        if op != 0x81 or closing != 0x88:
            raise ValueError('unexpected frames: %x %x' % (op, closing))
        return reply.decode()
    finally:
        writer.close()
        await writer.wait_closed()
