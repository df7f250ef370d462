"""The HTTP fetcher: keep-alive clients per host, bounded in time, size, redirects and concurrency.

Every network or HTTP problem comes back as a `FetchResult` with status "error" (or "gone",
"not_modified") and one clean line naming what failed; nothing here raises for a bad server.
Redirects are followed by hand so that loops stop and only http(s) targets are followed, and
bodies are decoded in bounded steps (bodies.py), so a gzip bomb never grows past `max_bytes`: here,
or by the refresh's parse worker (`fetch(decode=False)` and `decode_body`), off the fetching process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import replace
from http import HTTPStatus
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from newstui.config import RefreshConfig
from newstui.domain.text import clean_line
from newstui.sources.bodies import BodyDecoder, FetchFailure, human_size

# FetchResult and Validators are what `Fetcher` returns and takes: exported here too, for its callers.
from newstui.sources.responses import FetchResult as FetchResult
from newstui.sources.responses import Validators as Validators
from newstui.sources.responses import (
    header_safe,
    parse_max_age,
    parse_retry_after,
    validators_from,
)

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/rdf+xml;q=0.8, text/html;q=0.5, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ACCEPT_ENCODING = "gzip, deflate"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_CODES = frozenset({301, 308})
_URL_IN_MESSAGE = 200


def _short(url: str) -> str:
    return clean_line(url, max_length=_URL_IN_MESSAGE)


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _host_key(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


DRAIN_BYTES = 64 * 1024


def _content_length(response: httpx.Response) -> int | None:
    """The declared body size, None when absent or not a plain number."""
    length = response.headers.get("content-length", "").strip()
    return int(length[:20]) if length.isdigit() else None


async def _drain(response: httpx.Response) -> None:
    """Read a small body we do not need (a 304, an error page, a redirect's note), so the
    connection goes back to the pool instead of being closed: without it every 304 of a warm
    refresh cost a new connection (a TLS handshake each on the real network). Only bodies that
    are known to be small and arrive at once are read; anything else is dropped with the
    connection, never waited for.
    """
    length = _content_length(response)
    if response.status_code != 304 and (length is None or length > DRAIN_BYTES):
        return
    with suppress(httpx.HTTPError, OSError, TimeoutError):
        async with asyncio.timeout(1.0):
            async for _chunk in response.aiter_raw():
                pass


def _origin(url: str) -> str:
    """scheme://host:port of a URL: what one connection pool serves."""
    try:
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{parts.port or ''}"
    except ValueError:
        return url


def _status_text(code: int, reason: str) -> str:
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = clean_line(reason, max_length=60)
    return f"HTTP {code} {phrase}".rstrip()


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 20:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _detail(exc: BaseException) -> str:
    text = clean_line(str(exc), max_length=200)
    return text or type(exc).__name__


def describe_error(exc: BaseException, config: RefreshConfig, url: str = "") -> str:
    """One line naming what went wrong with the connection to `url`."""
    for inner in _chain(exc):
        if isinstance(inner, ssl.SSLCertVerificationError):
            reason = inner.verify_message or inner.reason or _detail(inner)
            return f"TLS certificate verification failed: {clean_line(reason)}"
        if isinstance(inner, ssl.SSLError):
            return f"TLS error: {clean_line(inner.reason or _detail(inner))}"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting after {config.connect_timeout:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"timed out: no data from the server for {config.read_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {config.read_timeout:g} s"
    for inner in _chain(exc):
        if isinstance(inner, ConnectionRefusedError):
            return "connection refused"
        if isinstance(inner, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(inner, ConnectionAbortedError):
            return "connection aborted"
    detail = _detail(exc)
    lowered = detail.lower()
    if isinstance(exc, httpx.RemoteProtocolError):
        if "complete message body" in lowered or "incomplete chunked" in lowered:
            return "incomplete body: the server closed the connection early"
        if "without sending a response" in lowered:
            return "connection closed by the server without a response"
        detail = re.sub(r":? *bytearray\(.*", "", detail) or "garbled"
        return f"invalid HTTP response: {detail}"
    if isinstance(exc, httpx.ConnectError):
        for inner in _chain(exc):
            if isinstance(inner, socket.gaierror):
                with contextlib.suppress(RuntimeError):
                    url = str(exc.request.url)
                return f"host not found: {_short(_host_key(url) or url)}"
        return f"could not connect: {detail}"
    if isinstance(exc, httpx.ReadError):
        return f"connection error while reading: {detail}"
    if isinstance(exc, httpx.WriteError):
        return f"connection error while sending: {detail}"
    if isinstance(exc, httpx.DecodingError):
        return f"bad compressed data: {detail}"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return f"invalid URL: {detail}"
    return f"fetch failed: {detail}"


def _redirect_target(response: httpx.Response) -> str:
    """Where a redirect leads, resolved against the response URL; refused unless http(s)."""
    code = response.status_code
    location = response.headers.get("location", "").strip()
    if not location:
        raise FetchFailure(f"{_status_text(code, response.reason_phrase)} without a Location", code)
    try:
        target: str = urljoin(str(response.url), location)
    except ValueError:
        raise FetchFailure(
            f"redirect to an invalid URL refused: {_short(location)}", code
        ) from None
    if not _is_http_url(target):
        raise FetchFailure(f"redirect to a non-HTTP URL refused: {_short(target)}", code)
    try:
        httpx.URL(target)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        raise FetchFailure(f"redirect to an invalid URL refused: {_short(target)}", code) from None
    return target


async def _check_redirect(response: httpx.Response) -> None:
    """Response hook: refuse a bad Location before httpx itself tries to make sense of it."""
    if response.status_code in REDIRECT_CODES:
        _redirect_target(response)


class Fetcher:
    """GETs feeds and pages; use as `async with Fetcher(config) as fetcher:`.

    One keep-alive client per host, all sharing one TLS context. httpcore scans its whole pool on
    every request event, so a single client with a hundred connections spends more CPU on that
    bookkeeping than on the feeds; a per-host pool holds at most `per_host` connections. The TLS
    context (the CA bundle takes ~20 ms to load) is built once and shared.
    """

    def __init__(self, config: RefreshConfig) -> None:
        self.config = config
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._ssl: ssl.SSLContext | None = None
        self._global = asyncio.Semaphore(max(1, config.concurrency))
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _client(self, url: str) -> httpx.AsyncClient:
        key = _origin(url)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = self._make_client()
        return client

    def _make_client(self) -> httpx.AsyncClient:
        cfg = self.config
        timeout = httpx.Timeout(
            connect=cfg.connect_timeout,
            read=cfg.read_timeout,
            write=cfg.read_timeout,
            pool=max(cfg.deadline, cfg.connect_timeout),
        )
        per_host = max(1, min(cfg.per_host, cfg.concurrency))
        limits = httpx.Limits(max_connections=per_host, max_keepalive_connections=per_host)
        if self._ssl is None:  # httpx builds one per client, even for http: share one
            self._ssl = httpx.create_ssl_context()  # verifies certificates, always
        return httpx.AsyncClient(
            timeout=timeout,
            limits=limits,
            follow_redirects=False,
            verify=self._ssl,
            trust_env=False,
            event_hooks={"response": [_check_redirect]},
            headers={"User-Agent": cfg.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _host_semaphore(self, url: str) -> asyncio.Semaphore:
        key = _host_key(url)
        sem = self._hosts.get(key)
        if sem is None:
            sem = self._hosts[key] = asyncio.Semaphore(max(1, self.config.per_host))
        return sem

    async def fetch(
        self,
        url: str,
        validators: Validators | None = None,
        *,
        decode: bool = True,
        user_agent: str | None = None,
    ) -> FetchResult:
        """GET a feed, asking "changed since?" with `validators` when given.

        With `decode=False` the body keeps its Content-Encoding (named in `encoding`; the
        compressed size is still capped) for `decode_body` to undo elsewhere: a refresh
        decompresses in its parse workers, so its fetching process only moves compressed bytes.
        """
        headers = {"Accept": FEED_ACCEPT}
        if user_agent:
            headers["User-Agent"] = user_agent
        if validators is not None:
            etag = header_safe(validators.etag)
            modified = header_safe(validators.last_modified)
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        return await self._get(url, headers, decode)

    async def get_page(self, url: str, *, user_agent: str | None = None) -> FetchResult:
        """GET a web page (an article's full text), without validators."""
        headers = {"Accept": PAGE_ACCEPT}
        if user_agent:
            headers["User-Agent"] = user_agent
        return await self._get(url, headers)

    async def _get(self, url: str, headers: dict[str, str], decode: bool = True) -> FetchResult:
        if not isinstance(url, str) or not _is_http_url(url):
            return FetchResult(
                url=str(url),
                status="error",
                error=f"only http and https URLs can be fetched: {_short(str(url))}",
            )
        async with self._global, self._host_semaphore(url):
            try:
                async with asyncio.timeout(self.config.deadline):
                    return await self._follow(url, headers, decode)
            except TimeoutError:
                message = f"timed out after {self.config.deadline:g} s"
            except FetchFailure as exc:
                return FetchResult(
                    url=url, status="error", http_status=exc.http_status, error=exc.message
                )
            except httpx.HTTPError as exc:
                message = describe_error(exc, self.config, url)
            except (OSError, ssl.SSLError, ValueError, UnicodeError) as exc:
                message = describe_error(exc, self.config, url)
            except Exception as exc:  # a fetch must never take the refresh down with it
                log.warning("unexpected error fetching %s", _short(url), exc_info=True)
                message = f"fetch failed: {_detail(exc)}"
        return FetchResult(url=url, status="error", error=clean_line(message))

    async def _follow(self, url: str, headers: dict[str, str], decode: bool) -> FetchResult:
        current = url
        all_permanent = True
        seen: set[str] = {url}
        looped = False
        for _hop in range(self.config.max_redirects + 1):
            async with self._client(current).stream("GET", current, headers=headers) as response:
                code = response.status_code
                if code in REDIRECT_CODES:
                    target = _redirect_target(response)
                    all_permanent = all_permanent and code in PERMANENT_CODES
                    looped = looped or target in seen
                    seen.add(target)
                    current = target
                    await _drain(response)
                    continue
                if not 200 <= code < 300:
                    await _drain(response)
                return await self._finish(response, url, all_permanent, decode)
        loop = ", a redirect loop" if looped else ""
        raise FetchFailure(f"too many redirects (>{self.config.max_redirects}{loop})")

    async def _finish(
        self, response: httpx.Response, url: str, all_permanent: bool, decode: bool
    ) -> FetchResult:
        code = response.status_code
        final_url = str(response.url)
        permanent = final_url if all_permanent and final_url != url else None
        headers = {k.lower(): v for k, v in response.headers.items()}
        base = FetchResult(
            url=url,
            status="error",
            http_status=code,
            headers=headers,
            final_url=final_url,
            permanent_url=permanent,
        )
        if code == 304:
            return replace(
                base,
                status="not_modified",
                validators=validators_from(response.headers),
                max_age=parse_max_age(response.headers.get("cache-control")),
            )
        if code == 410:
            return replace(
                base,
                status="gone",
                error="HTTP 410 Gone: the feed was removed by its site",
            )
        if code in (429, 503):
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            message = _status_text(code, response.reason_phrase)
            if retry_after is not None:
                message += f" (retry after {retry_after:%Y-%m-%d %H:%M} UTC)"
            return replace(
                base,
                status="error",
                retry_after=retry_after,
                error=message,
            )
        if not 200 <= code < 300:
            return replace(
                base,
                status="error",
                error=_status_text(code, response.reason_phrase),
            )
        body, encoding = await self._read_body(response, decode)
        return replace(
            base,
            status="ok",
            body=body,
            encoding=encoding,
            validators=validators_from(response.headers),
            max_age=parse_max_age(response.headers.get("cache-control")),
        )

    async def _read_body(self, response: httpx.Response, decode: bool) -> tuple[bytes, str]:
        """The body, decoded or (decode=False) as sent, and the encoding left on it."""
        limit = self.config.max_bytes
        too_large = f"response larger than {human_size(limit)}"
        length = _content_length(response)
        if length is not None and length > limit:
            raise FetchFailure(too_large, response.status_code)
        encoding = response.headers.get("content-encoding", "").strip().lower()
        try:
            decoder = BodyDecoder(encoding, limit)
        except FetchFailure as exc:
            exc.http_status = response.status_code
            raise
        raw = 0
        chunks: list[bytes] = []
        try:
            async for chunk in response.aiter_raw():
                raw += len(chunk)
                if raw > limit:
                    raise FetchFailure(too_large)
                if decode:
                    decoder.feed(chunk)
                else:
                    chunks.append(chunk)
            if not decode:
                return b"".join(chunks), encoding if decoder.compressed else ""
            return decoder.finish(), ""
        except FetchFailure as exc:
            exc.http_status = response.status_code
            raise
