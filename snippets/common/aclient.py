"""A small asyncio HTTP client for self-tests: board-side MicroPython code.

Lessons send this file to the board as ``aclient.py``; tests send the same
file.  It speaks just enough HTTP/1.0 for a board to request its own pages
(or another server's) while a server runs in the same asyncio loop.

Stable API (lessons 01-07 and 03 rely on it; add, never change):

    status, headers, body = await request(method, url, data=None, json=None,
                                          headers=None, timeout=5)
    status, headers, body = await get(url, timeout=5)

- ``url`` is ``http://host[:port]/path?query`` (no https);
- ``data`` is bytes or str sent as the body; ``json`` is an object sent as
  JSON with ``Content-Type: application/json``;
- ``status`` is an int, ``headers`` a dict of lower-case names to str,
  ``body`` bytes;
- a server that does not answer within ``timeout`` seconds raises
  ``asyncio.TimeoutError``; a reply that is not HTTP raises ``ValueError``.
"""
import asyncio
import json as _json


def split_url(url):
    """(host, port, path) of an http:// URL."""
    if not url.startswith('http://'):
        raise ValueError('only http:// URLs: ' + url)
    rest = url[7:]
    slash = rest.find('/')
    address, path = (rest, '/') if slash < 0 else (rest[:slash], rest[slash:])
    host, _, port = address.partition(':')
    return host, int(port) if port else 80, path


async def _exchange(method, host, port, path, data, extra):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        head = '%s %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n' % (method, path, host)
        for name in extra:
            head += '%s: %s\r\n' % (name, extra[name])
        if data is not None:
            head += 'Content-Length: %d\r\n' % len(data)
        writer.write(head.encode() + b'\r\n' + (data or b''))
        await writer.drain()
        line = (await reader.readline()).decode()
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith('HTTP/'):
            raise ValueError('not an HTTP reply: %r' % line)
        headers = {}
        while True:
            line = (await reader.readline()).decode().strip()
            if not line:
                break
            name, _, value = line.partition(':')
            headers[name.strip().lower()] = value.strip()
        if 'content-length' in headers:
            body = await reader.readexactly(int(headers['content-length']))
        else:
            body = await reader.read(-1)
        return int(parts[1]), headers, body
    finally:
        writer.close()
        await writer.wait_closed()


async def request(method, url, data=None, json=None, headers=None, timeout=5):
    """Send one request; returns (status, headers, body)."""
    host, port, path = split_url(url)
    extra = dict(headers or {})
    if json is not None:
        data = _json.dumps(json)
        extra['Content-Type'] = 'application/json'
    if isinstance(data, str):
        data = data.encode()
    return await asyncio.wait_for(_exchange(method, host, port, path, data, extra), timeout)


async def get(url, timeout=5):
    return await request('GET', url, timeout=timeout)
