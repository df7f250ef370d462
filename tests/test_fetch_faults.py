"""The fetcher against a hostile server: every fault ends quickly, as a result with a clear message."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newstui.config import RefreshConfig
from newstui.sources.bodies import human_size
from newstui.sources.fetch import Fetcher
from newstui.sources.responses import FetchResult, Validators, parse_max_age, parse_retry_after
from tests.hostile_server import BOMB_BYTES, ETAG, LAST_MODIFIED, RSS, hostile_server

CAP = 64 * 1024
CONFIG = RefreshConfig(
    concurrency=8,
    per_host=8,
    connect_timeout=1.0,
    read_timeout=1.0,
    deadline=2.0,
    max_bytes=CAP,
    max_redirects=5,
    user_agent="newstui-test/1 (hostile server)",
)
SAFETY_NET = 15.0
"""Seconds before a test gives up on the fetcher: a hang here is a failure, not a wait."""
BOUND = 6.0
"""Every fault must be reported well inside this many seconds (deadline 2 s)."""


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with hostile_server() as url:
        yield url


def fetch(
    url: str,
    validators: Validators | None = None,
    *,
    config: RefreshConfig = CONFIG,
    page: bool = False,
) -> tuple[FetchResult, float]:
    """One fetch through a fresh Fetcher; the result and how long the whole call took."""

    async def go() -> FetchResult:
        async with asyncio.timeout(SAFETY_NET), Fetcher(config) as fetcher:
            if page:
                return await fetcher.get_page(url)
            return await fetcher.fetch(url, validators)

    start = time.monotonic()
    result = asyncio.run(go())
    elapsed = time.monotonic() - start
    assert isinstance(result, FetchResult)
    assert result.url == url
    if result.status == "error":
        assert result.error, "an error result must say what failed"
        assert "\n" not in result.error and "\x1b" not in result.error
    return result, elapsed


def assert_error(result: FetchResult, elapsed: float, *needles: str) -> None:
    assert result.status == "error", result
    assert result.body == b""
    for needle in needles:
        assert needle in (result.error or ""), result.error
    assert elapsed < BOUND, f"took {elapsed:.1f} s: {result.error}"


# ---- success paths --------------------------------------------------------------------------


def test_ok_feed_served_as_text_plain(base: str) -> None:
    result, _ = fetch(f"{base}/ok")
    assert result.status == "ok", result.error
    assert result.http_status == 200
    assert result.body == RSS
    assert result.headers["content-type"] == "text/plain"
    assert all(k == k.lower() and isinstance(v, str) for k, v in result.headers.items())
    assert result.final_url == f"{base}/ok"
    assert result.permanent_url is None
    assert result.max_age == 600
    assert result.error is None


def test_get_page_works_too(base: str) -> None:
    result, _ = fetch(f"{base}/ok", page=True)
    assert result.status == "ok"
    assert result.body == RSS


def test_request_headers(base: str) -> None:
    result, _ = fetch(f"{base}/echo")
    sent = result.body.decode()
    assert "user-agent: newstui-test/1 (hostile server)" in sent
    assert "application/rss+xml" in sent and "application/atom+xml" in sent
    assert "accept-encoding: gzip, deflate" in sent
    page, _ = fetch(f"{base}/echo", page=True)
    assert "accept: text/html" in page.body.decode()
    assert "if-none-match" not in page.body.decode()


def test_gzip_body_is_decoded(base: str) -> None:
    result, _ = fetch(f"{base}/gzip-ok")
    assert result.status == "ok", result.error
    assert result.body == RSS


def test_raw_deflate_body_is_decoded(base: str) -> None:
    result, _ = fetch(f"{base}/deflate-raw")
    assert result.status == "ok", result.error
    assert result.body == RSS


def test_etag_and_not_modified(base: str) -> None:
    first, _ = fetch(f"{base}/etag")
    assert first.status == "ok"
    assert first.validators == Validators(ETAG, LAST_MODIFIED)
    second, _ = fetch(f"{base}/etag", first.validators)
    assert second.status == "not_modified"
    assert second.http_status == 304
    assert second.body == b""
    assert second.error is None


def test_validators_with_line_breaks_are_not_sent(base: str) -> None:
    evil = Validators('"v1"\r\nX-Injected: yes', "Wed, 21 Oct 2015\r\nX-Evil: 1")
    result, _ = fetch(f"{base}/echo", evil)
    assert result.status == "ok", result.error
    sent = result.body.decode()
    assert "x-injected" not in sent and "x-evil" not in sent
    assert "if-none-match" not in sent


def test_permanent_redirect_reports_new_url(base: str) -> None:
    result, _ = fetch(f"{base}/redirect-permanent")
    assert result.status == "ok"
    assert result.body == RSS
    assert result.final_url == f"{base}/ok"
    assert result.permanent_url == f"{base}/ok"


def test_temporary_redirect_keeps_the_url(base: str) -> None:
    result, _ = fetch(f"{base}/redirect-temp")
    assert result.status == "ok"
    assert result.final_url == f"{base}/ok"
    assert result.permanent_url is None


def test_mixed_redirect_chain_is_not_permanent(base: str) -> None:
    result, _ = fetch(f"{base}/redirect-mixed")
    assert result.status == "ok"
    assert result.final_url == f"{base}/ok"
    assert result.permanent_url is None


def test_relative_location_is_resolved(base: str) -> None:
    result, _ = fetch(f"{base}/dir/redirect-relative")
    assert result.status == "ok", result.error
    assert result.final_url == f"{base}/ok"


def test_204_is_ok_and_empty(base: str) -> None:
    result, _ = fetch(f"{base}/status/204")
    assert result.status == "ok"
    assert result.body == b""


# ---- time -----------------------------------------------------------------------------------


def test_hang_times_out(base: str) -> None:
    result, elapsed = fetch(f"{base}/hang")
    assert_error(result, elapsed, "timed out")


def test_drip_hits_the_overall_deadline(base: str) -> None:
    # One byte a second never trips a 5 s read timeout: only the deadline can stop it.
    config = replace(CONFIG, read_timeout=5.0, deadline=2.0)
    result, elapsed = fetch(f"{base}/drip", config=config)
    assert_error(result, elapsed, "timed out after 2 s")
    assert elapsed >= 1.5


def test_many_hangs_at_once_all_end(base: str) -> None:
    async def go() -> list[FetchResult]:
        async with asyncio.timeout(SAFETY_NET), Fetcher(CONFIG) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(f"{base}/hang") for _ in range(8))))

    start = time.monotonic()
    results = asyncio.run(go())
    assert time.monotonic() - start < BOUND
    assert all(r.status == "error" and "timed out" in (r.error or "") for r in results)


# ---- size -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/huge", "/huge?length=1", "/huge-chunked"])
def test_huge_body_is_cut_off(base: str, path: str) -> None:
    result, elapsed = fetch(f"{base}{path}")
    assert_error(result, elapsed, "response larger than 64 KiB")


def test_gzip_bomb_is_cut_off(base: str) -> None:
    result, elapsed = fetch(f"{base}/gzipbomb")
    assert_error(result, elapsed, "response larger than 64 KiB")


def test_gzip_bomb_within_a_big_cap_is_read_whole(base: str) -> None:
    config = replace(CONFIG, max_bytes=BOMB_BYTES)
    result, _ = fetch(f"{base}/gzipbomb", config=config)
    assert result.status == "ok", result.error
    assert len(result.body) == BOMB_BYTES


def test_bad_gzip(base: str) -> None:
    result, elapsed = fetch(f"{base}/badgzip")
    assert_error(result, elapsed, "bad gzip data (incorrect header check)")


def test_truncated_gzip(base: str) -> None:
    result, elapsed = fetch(f"{base}/truncated-gzip")
    assert_error(result, elapsed, "bad gzip data", "truncated")


# ---- broken connections ---------------------------------------------------------------------


def test_short_body(base: str) -> None:
    result, elapsed = fetch(f"{base}/short")
    assert_error(result, elapsed, "incomplete body")


def test_reset_mid_headers(base: str) -> None:
    result, elapsed = fetch(f"{base}/reset")
    assert_error(result, elapsed)
    assert "reset" in (result.error or "") or "closed" in (result.error or ""), result.error


def test_closed_without_response(base: str) -> None:
    result, elapsed = fetch(f"{base}/no-response")
    assert_error(result, elapsed, "without a response")


def test_not_http_at_all(base: str) -> None:
    result, elapsed = fetch(f"{base}/garbage")
    assert_error(result, elapsed)
    assert "invalid HTTP response" in (result.error or "") or "closed" in (result.error or "")
    assert "bytearray" not in (result.error or "")


def test_endless_headers(base: str) -> None:
    result, elapsed = fetch(f"{base}/endless-headers")
    assert_error(result, elapsed)
    assert "invalid HTTP response" in (result.error or "") or "timed out" in (result.error or "")


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now.
    result, elapsed = fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert_error(result, elapsed, "connection refused")


def test_unknown_host() -> None:
    result, _ = fetch("http://does-not-exist.invalid/feed.xml", config=CONFIG)
    assert result.status == "error"
    assert "does-not-exist.invalid" in (result.error or "") or "timed out" in (result.error or "")


# ---- redirects ------------------------------------------------------------------------------


def test_redirect_loop_stops(base: str) -> None:
    result, elapsed = fetch(f"{base}/loop")
    assert_error(result, elapsed, "too many redirects (>5", "loop")


def test_no_redirects_allowed() -> None:
    config = replace(CONFIG, max_redirects=0)
    with hostile_server() as url:
        result, elapsed = fetch(f"{url}/redirect-temp", config=config)
    assert_error(result, elapsed, "too many redirects (>0)")


def test_ftp_redirect_refused(base: str) -> None:
    result, elapsed = fetch(f"{base}/ftp-redirect")
    assert_error(result, elapsed, "redirect to a non-HTTP URL refused: ftp://ftp.example.invalid")
    assert result.http_status == 301


def test_javascript_redirect_refused(base: str) -> None:
    result, elapsed = fetch(f"{base}/javascript-redirect")
    assert_error(result, elapsed, "non-HTTP URL refused", "javascript:")


def test_redirect_without_location(base: str) -> None:
    result, elapsed = fetch(f"{base}/status/302")
    assert_error(result, elapsed, "HTTP 302", "Location")


# ---- HTTP statuses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (404, "HTTP 404 Not Found"),
        (403, "HTTP 403 Forbidden"),
        (500, "HTTP 500 Internal Server Error"),
        (418, "HTTP 418"),
        (599, "HTTP 599"),
        (300, "HTTP 300 Multiple Choices"),
    ],
)
def test_error_statuses(base: str, code: int, message: str) -> None:
    result, elapsed = fetch(f"{base}/status/{code}")
    assert_error(result, elapsed, message)
    assert result.http_status == code


def test_gone(base: str) -> None:
    result, _ = fetch(f"{base}/gone")
    assert result.status == "gone"
    assert result.http_status == 410
    assert "410" in (result.error or "")


def test_retry_after_seconds(base: str) -> None:
    before = datetime.now(UTC)
    result, elapsed = fetch(f"{base}/retry-after")
    assert_error(result, elapsed, "HTTP 429 Too Many Requests")
    assert result.http_status == 429
    assert result.retry_after is not None
    assert result.retry_after.tzinfo is not None
    expected = before + timedelta(seconds=120)
    assert abs((result.retry_after - expected).total_seconds()) < 10


def test_retry_after_http_date(base: str) -> None:
    result, elapsed = fetch(f"{base}/unavailable-date")
    assert_error(result, elapsed, "HTTP 503 Service Unavailable")
    assert result.retry_after is not None
    delta = (result.retry_after - datetime.now(UTC)).total_seconds()
    assert 7000 < delta < 7300


# ---- refused inputs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.invalid/feed",
        "javascript:alert(1)",
        "http://",
        "",
        "not a url",
        "http://[::1",
        "\x1b]0;pwned\x07http://x",
    ],
)
def test_non_http_urls_refused(url: str) -> None:
    result, elapsed = fetch(url)
    assert_error(result, elapsed)
    assert "\x1b" not in (result.error or "") and "\x07" not in (result.error or "")


def test_fetch_without_context_manager(base: str) -> None:
    async def go() -> FetchResult:
        fetcher = Fetcher(CONFIG)
        try:
            return await fetcher.fetch(f"{base}/ok")
        finally:
            await fetcher.aclose()

    assert asyncio.run(go()).status == "ok"


def test_every_fault_at_once_never_raises(base: str) -> None:
    paths = [
        "/ok", "/hang", "/drip", "/huge", "/huge?length=1", "/gzipbomb", "/badgzip", "/short",
        "/reset", "/loop", "/ftp-redirect", "/javascript-redirect", "/status/500",
        "/retry-after", "/gone", "/etag", "/redirect-permanent", "/garbage", "/no-response",
    ]  # fmt: skip

    async def go() -> list[FetchResult]:
        async with asyncio.timeout(SAFETY_NET), Fetcher(CONFIG) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(base + p) for p in paths)))

    start = time.monotonic()
    results = asyncio.run(go())
    assert time.monotonic() - start < BOUND * 2
    by_path = dict(zip(paths, results, strict=True))
    assert by_path["/ok"].status == "ok"
    assert by_path["/gone"].status == "gone"
    assert all(r.status in ("ok", "error", "gone", "not_modified") for r in results)


# ---- TLS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    try:
        from cryptography import x509  # noqa: F401
    except ImportError:
        return _openssl_cert(cert, key)
    return _cryptography_cert(cert, key)


def _openssl_cert(cert: Path, key: Path) -> tuple[str, str]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("neither the cryptography package nor the openssl CLI is available")
    command = [
        openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, timeout=30, check=False)
    if done.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {done.stderr.decode()[:200]}")
    return str(cert), str(key)


def _cryptography_cert(cert: Path, key: Path) -> tuple[str, str]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert), str(key)


def test_self_signed_certificate_refused(self_signed: tuple[str, str]) -> None:
    with hostile_server(tls=self_signed) as url:
        assert url.startswith("https://")
        result, elapsed = fetch(f"{url}/ok")
    assert_error(result, elapsed, "certificate")
    assert "TLS certificate verification failed" in (result.error or "")


# ---- helpers --------------------------------------------------------------------------------


def test_parse_retry_after_edges() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_retry_after("120", now) == now + timedelta(seconds=120)
    assert parse_retry_after("99999999999999999999", now) == now + timedelta(days=1)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == now  # past: now
    assert parse_retry_after("Fri, 03 Jan 2025 00:00:00 GMT", now) == now + timedelta(days=1)
    for bad in (None, "", "soon", "-5", "1.5", "Wed, 99 Foo 20x"):
        assert parse_retry_after(bad, now) is None


def test_parse_max_age_edges() -> None:
    assert parse_max_age("max-age=600") == 600
    assert parse_max_age("public, max-age=99999999999") == 86400
    assert parse_max_age("no-cache, max-age=600") is None
    assert parse_max_age("max-age=0") is None
    assert parse_max_age("max-age=-1") is None
    assert parse_max_age("max-age=abc") is None
    assert parse_max_age(None) is None


def test_human_size() -> None:
    assert human_size(16 * 1024 * 1024) == "16 MiB"
    assert human_size(64 * 1024) == "64 KiB"
    assert human_size(100) == "100 bytes"


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_decoder_any_chunking(chunk: int) -> None:
    import gzip
    import os

    from newstui.sources.bodies import BodyDecoder

    for size in (0, 1, 65536, 65537, 3 * 65536):
        payload = os.urandom(size // 2) + b"a" * (size - size // 2)
        data = gzip.compress(payload)
        decoder = BodyDecoder("gzip", 10**7)
        for i in range(0, len(data), chunk):
            decoder.feed(data[i : i + chunk])
        assert decoder.finish() == payload


def test_not_modified_answers_keep_the_connection_alive() -> None:
    """A warm refresh is mostly 304s: each must leave its connection in the pool, not close it."""
    connections = 0
    body = RSS

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                if b"if-none-match" in head.lower():
                    writer.write(b'HTTP/1.1 304 Not Modified\r\nETag: "k"\r\n\r\n')
                else:
                    writer.write(
                        b'HTTP/1.1 200 OK\r\nETag: "k"\r\nContent-Length: '
                        + str(len(body)).encode()
                        + b"\r\n\r\n"
                        + body
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    async def scenario() -> list[str]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/feed"
        statuses = []
        async with server, Fetcher(RefreshConfig(per_host=1, deadline=5)) as fetcher:
            first = await fetcher.fetch(url)
            statuses.append(first.status)
            for _ in range(5):
                statuses.append((await fetcher.fetch(url, first.validators)).status)
        return statuses

    statuses = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert statuses == ["ok"] + ["not_modified"] * 5
    assert connections == 1
