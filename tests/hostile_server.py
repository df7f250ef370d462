"""A misbehaving HTTP server of our own, on 127.0.0.1, one path per fault.

Raw asyncio (no HTTP library that would refuse to misbehave), run on its own event loop in a
background thread. `hostile_server()` is a context manager yielding the base URL
("http://127.0.0.1:PORT"); `hostile_server(tls=(certfile, keyfile))` serves HTTPS instead.
Every handler ends by itself or is cancelled when the server stops, so nothing outlives a test.

Paths:
    /ok                   a small valid RSS feed, served as text/plain, Cache-Control max-age=600
    /gzip-ok              the same feed, gzip-encoded
    /deflate-raw          the same feed, raw deflate (no zlib wrapper) as Content-Encoding: deflate
    /echo                 the request headers, one "name: value" a line
    /hang                 accepts, reads the request, never answers
    /drip                 headers, then one byte a second forever
    /huge                 a body bigger than any test cap, close-delimited (no Content-Length)
    /huge?length=1        the same, announced with Content-Length
    /huge-chunked         the same, chunked
    /gzipbomb             ~10 KiB of gzip that decompresses to 16 MiB
    /badgzip              Content-Encoding: gzip with a body that is not gzip
    /truncated-gzip       half of a valid gzip body (with a matching Content-Length)
    /short                Content-Length: 1000, ten bytes, then close
    /reset                half a status line and headers, then a TCP reset
    /no-response          reads the request, closes cleanly without answering
    /garbage              a response that is not HTTP at all
    /endless-headers      a status line, then header lines forever
    /loop                 302 to itself
    /ftp-redirect         301 to ftp://...
    /javascript-redirect  302 to javascript:...
    /redirect-permanent   301 -> /ok
    /redirect-temp        302 -> /ok
    /redirect-mixed       301 -> /redirect-temp -> /ok
    /dir/redirect-relative  302 to "../ok" (a relative Location)
    /status/NNN           that status, with a short text body (no Location on 3xx)
    /retry-after          429 with Retry-After: 120
    /unavailable-date     503 with an HTTP-date Retry-After
    /gone                 410
    /etag                 ETag "v1" (and Last-Modified); 304 when If-None-Match matches
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import ssl
import struct
import threading
import zlib
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http import HTTPStatus

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile test feed</title><link>http://example.invalid/</link>
<description>served by tests/hostile_server.py</description>
<item><title>First</title><link>http://example.invalid/1</link><guid>1</guid></item>
<item><title>Second</title><link>http://example.invalid/2</link><guid>2</guid></item>
</channel></rss>
"""
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
HUGE_BYTES = 1024 * 1024
BOMB_BYTES = 16 * 1024 * 1024

Request = tuple[str, dict[str, str]]
Handler = Callable[[Request, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _head(
    status: int, headers: dict[str, str] | None = None, *, reason: str | None = None
) -> bytes:
    phrase = reason if reason is not None else _phrase(status)
    lines = [f"HTTP/1.1 {status} {phrase}"]
    all_headers = {"Connection": "close", **(headers or {})}
    lines += [f"{k}: {v}" for k, v in all_headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


async def _send(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    all_headers = {"Content-Length": str(len(body)), **(headers or {})}
    writer.write(_head(status, all_headers) + body)
    await writer.drain()


def _path(request: Request) -> str:
    return request[0].split("?", 1)[0]


# ---- handlers -----------------------------------------------------------------------------


async def h_ok(request: Request, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await _send(w, 200, RSS, {"Content-Type": "text/plain", "Cache-Control": "max-age=600"})


async def h_gzip_ok(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await _send(
        w, 200, gzip.compress(RSS), {"Content-Type": "text/xml", "Content-Encoding": "gzip"}
    )


async def h_deflate_raw(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = c.compress(RSS) + c.flush()
    await _send(w, 200, body, {"Content-Type": "text/xml", "Content-Encoding": "deflate"})


async def h_echo(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    body = "".join(f"{k}: {v}\n" for k, v in request[1].items()).encode("latin-1")
    await _send(w, 200, body, {"Content-Type": "text/plain"})


async def h_hang(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await asyncio.sleep(3600)


async def h_drip(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    w.write(_head(200, {"Content-Type": "text/plain"}))
    await w.drain()
    while True:
        w.write(b"x")
        await w.drain()
        await asyncio.sleep(1)


async def _stream_zeros(w: asyncio.StreamWriter, total: int, chunked: bool = False) -> None:
    block = b"0" * 16384
    sent = 0
    while sent < total:
        piece = block[: total - sent]
        w.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        await w.drain()
        sent += len(piece)
    if chunked:
        w.write(b"0\r\n\r\n")
        await w.drain()


async def h_huge(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    headers = {"Content-Type": "application/xml"}
    if "length=" in request[0]:
        headers["Content-Length"] = str(HUGE_BYTES)
    w.write(_head(200, headers))
    await _stream_zeros(w, HUGE_BYTES)


async def h_huge_chunked(
    request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter
) -> None:
    w.write(_head(200, {"Content-Type": "application/xml", "Transfer-Encoding": "chunked"}))
    await _stream_zeros(w, HUGE_BYTES, chunked=True)


_BOMB: bytes | None = None


def bomb() -> bytes:
    global _BOMB
    if _BOMB is None:
        _BOMB = gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9)
    return _BOMB


async def h_gzipbomb(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await _send(w, 200, bomb(), {"Content-Type": "application/xml", "Content-Encoding": "gzip"})


async def h_badgzip(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    body = b"this is certainly not gzip data, whatever the header says"
    await _send(w, 200, body, {"Content-Type": "application/xml", "Content-Encoding": "gzip"})


async def h_truncated_gzip(
    request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter
) -> None:
    data = gzip.compress(RSS * 20)
    body = data[: len(data) // 2]
    await _send(w, 200, body, {"Content-Type": "application/xml", "Content-Encoding": "gzip"})


async def h_short(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    w.write(_head(200, {"Content-Type": "text/xml", "Content-Length": "1000"}) + b"<rss>0123")
    await w.drain()
    w.close()


async def h_reset(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    w.write(b"HTTP/1.1 200 OK\r\nContent-Ty")
    await w.drain()
    await asyncio.sleep(0.05)
    sock = w.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    w.transport.abort()


async def h_no_response(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    w.close()


async def h_garbage(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    w.write(b"\x00\x01\x02 SSH-2.0-not-http \x1b[31m\r\n\r\n")
    await w.drain()
    w.close()


async def h_endless_headers(
    request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter
) -> None:
    w.write(b"HTTP/1.1 200 OK\r\n")
    n = 0
    while True:
        n += 1
        w.write(b"X-Filler-%d: %s\r\n" % (n, b"a" * 1000))
        await w.drain()
        if n % 64 == 0:
            await asyncio.sleep(0.01)


def _redirect(status: int, location: str) -> Handler:
    async def handler(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await _send(w, status, b"moved\n", {"Location": location, "Content-Type": "text/plain"})

    return handler


async def h_status(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    try:
        code = int(_path(request).rsplit("/", 1)[1])
    except ValueError:
        code = 400
    body = b"" if code in (204, 304) else f"status {code}\n".encode()
    if code in (204, 304):
        w.write(_head(code))
        await w.drain()
        return
    await _send(w, code, body, {"Content-Type": "text/plain"})


async def h_retry_after(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await _send(w, 429, b"slow down\n", {"Retry-After": "120", "Content-Type": "text/plain"})


async def h_unavailable_date(
    request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    await _send(w, 503, b"down\n", {"Retry-After": when, "Content-Type": "text/plain"})


async def h_gone(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await _send(w, 410, b"gone\n", {"Content-Type": "text/plain"})


async def h_etag(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
    if request[1].get("if-none-match") == ETAG:
        w.write(_head(304, validators))
        await w.drain()
        return
    await _send(w, 200, RSS, {"Content-Type": "application/rss+xml", **validators})


ROUTES: dict[str, Handler] = {
    "/ok": h_ok,
    "/gzip-ok": h_gzip_ok,
    "/deflate-raw": h_deflate_raw,
    "/echo": h_echo,
    "/hang": h_hang,
    "/drip": h_drip,
    "/huge": h_huge,
    "/huge-chunked": h_huge_chunked,
    "/gzipbomb": h_gzipbomb,
    "/badgzip": h_badgzip,
    "/truncated-gzip": h_truncated_gzip,
    "/short": h_short,
    "/reset": h_reset,
    "/no-response": h_no_response,
    "/garbage": h_garbage,
    "/endless-headers": h_endless_headers,
    "/loop": _redirect(302, "/loop"),
    "/ftp-redirect": _redirect(301, "ftp://ftp.example.invalid/feed.xml"),
    "/javascript-redirect": _redirect(302, "javascript:alert(document.cookie)"),
    "/redirect-permanent": _redirect(301, "/ok"),
    "/redirect-temp": _redirect(302, "/ok"),
    "/redirect-mixed": _redirect(301, "/redirect-temp"),
    "/dir/redirect-relative": _redirect(302, "../ok"),
    "/retry-after": h_retry_after,
    "/unavailable-date": h_unavailable_date,
    "/gone": h_gone,
    "/etag": h_etag,
}


def _route(path: str) -> Handler:
    if path.startswith("/status/"):
        return h_status
    return ROUTES.get(path, _not_found)


async def _not_found(request: Request, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await _send(w, 404, b"no such fault\n", {"Content-Type": "text/plain"})


async def _read_request(reader: asyncio.StreamReader) -> Request:
    raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    target = parts[1] if len(parts) > 1 else "/"
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return target, headers


class HostileServer:
    """The server, its loop and its thread; `start()` returns the base URL, `stop()` ends all."""

    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        self._tls = tls
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(lambda loop, context: None)  # faults are the point
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.base_url = ""

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        self._writers.add(writer)
        try:
            request = await _read_request(reader)
            await _route(_path(request))(request, reader, writer)
        except (asyncio.CancelledError, Exception):
            pass
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)  # type: ignore[arg-type]
            with contextlib.suppress(Exception):
                writer.close()

    async def _start(self) -> str:
        context = None
        if self._tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self._tls)
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0, ssl=context)
        port = self._server.sockets[0].getsockname()[1]
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{port}"

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), timeout=5)

    def start(self) -> str:
        self._thread.start()
        self.base_url = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self.base_url

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self._loop.close()


@contextlib.contextmanager
def hostile_server(tls: tuple[str, str] | None = None) -> Iterator[str]:
    """Run the hostile server for the duration of the block; yields its base URL."""
    server = HostileServer(tls)
    base = server.start()
    try:
        yield base
    finally:
        server.stop()
