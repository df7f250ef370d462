"""The sync backends' HTTP client: bounded in time and size, every failure one clean `SyncError`.

A sync server is untrusted input like any feed: answers are read with a size cap and a deadline,
JSON is parsed only from a bounded body, and a message never quotes a request (it may hold the
password) — only the server's status, and a cleaned, short excerpt of what it said.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from newstui.domain.errors import NewstuiError
from newstui.domain.text import clean_line

MAX_RESPONSE_BYTES = 32 * 1024 * 1024
MAX_ERROR_EXCERPT = 120


class SyncError(NewstuiError):
    """A sync with one account failed; `kind` says how (shown as the account's status)."""

    def __init__(self, message: str, kind: str = "error", *, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        """"auth" (credentials refused), "unavailable" (down, slow, 5xx), "rate_limited" (429),
        "bad_response" (not what the API returns), "error" (anything else)."""
        self.retry_after = retry_after


class SessionExpired(SyncError):
    """The server forgot our session: log in again and retry once."""

    def __init__(self, message: str = "the session expired") -> None:
        super().__init__(message, "auth")


class JsonClient:
    """One keep-alive HTTP client for one account's sync (not thread-safe; one sync at a time)."""

    def __init__(
        self,
        base_url: str,
        *,
        user_agent: str,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        deadline: float = 120.0,
        max_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.base_url = base_url
        self.max_bytes = max_bytes
        self.deadline = deadline
        self._client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            follow_redirects=False,
            trust_env=False,
            # Certificates are loaded for an https server only (~0.1 s): every request goes to
            # `base_url`, and redirects are not followed, so an http server never needs them.
            verify=base_url.lower().startswith("https://"),
        )

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        data: Sequence[tuple[str, str]] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, httpx.Headers, bytes]:
        """(status, headers, body); raises SyncError for network failures and oversized bodies."""
        content: bytes | None = None
        sent_headers = dict(headers or {})
        if json_body is not None:
            content = json.dumps(json_body).encode("utf-8")
            sent_headers["Content-Type"] = "application/json"
        elif data is not None:
            content = str(httpx.QueryParams(list(data))).encode("ascii")
            sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
        where = _where(url)
        started = time.monotonic()
        try:
            with self._client.stream(
                method, url, params=params, content=content, headers=sent_headers
            ) as response:
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise SyncError(
                        f"{where}: the answer is too large ({declared} bytes)", "bad_response"
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise SyncError(
                            f"{where}: the answer is too large (over {self.max_bytes} bytes)",
                            "bad_response",
                        )
                    if time.monotonic() - started > self.deadline:
                        raise SyncError(
                            f"{where}: no complete answer within {self.deadline:g} s", "unavailable"
                        )
                    chunks.append(chunk)
                return response.status_code, response.headers, b"".join(chunks)
        except httpx.TimeoutException:
            raise SyncError(f"{where}: the server timed out", "unavailable") from None
        except httpx.ConnectError as exc:
            raise SyncError(f"{where}: cannot connect ({_reason(exc)})", "unavailable") from None
        except httpx.HTTPError as exc:
            raise SyncError(f"{where}: {_reason(exc)}", "unavailable") from None


def check_status(url: str, status: int, headers: httpx.Headers, body: bytes) -> None:
    """Raise the SyncError a failed HTTP status means (401/403 auth, 429 rate, 5xx down)."""
    if 200 <= status < 300:
        return
    where = _where(url)
    if status in (401, 403):
        raise SyncError(f"{where}: the server refused the credentials (HTTP {status})", "auth")
    if status == 429:
        raise SyncError(
            f"{where}: rate limited by the server (HTTP 429)",
            "rate_limited",
            retry_after=_retry_after(headers.get("Retry-After")),
        )
    if status >= 500:
        raise SyncError(f"{where}: server error (HTTP {status})", "unavailable")
    raise SyncError(f"{where}: unexpected answer HTTP {status}{_excerpt(body)}", "bad_response")


def parse_json(url: str, body: bytes) -> Any:
    """The body as JSON, or a SyncError that says it was HTML or broken."""
    where = _where(url)
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        raise SyncError(f"{where}: the server answered HTML, not the API's JSON", "bad_response")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise SyncError(f"{where}: the server's answer is not valid JSON", "bad_response") from None


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return min(float(value.strip()), 86400.0)
    return None


def _excerpt(body: bytes) -> str:
    text = clean_line(body[:400].decode("utf-8", "replace"), max_length=MAX_ERROR_EXCERPT)
    return f": {text}" if text else ""


def _where(url: str) -> str:
    """The URL without its query (a query may hold a token), cleaned for one line."""
    return clean_line(url.split("?", 1)[0], max_length=200)


def _reason(exc: BaseException) -> str:
    return clean_line(str(exc) or type(exc).__name__, max_length=200)
