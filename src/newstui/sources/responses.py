"""What a fetch gives back, and the fetcher as the other layers see it (`HttpFetcher`).

`FetchResult` and `Validators` are plain data; the response headers that matter later (validators,
Retry-After, Cache-Control max-age) are read into them here. Nothing here imports the HTTP client:
the refresh pipeline and the library type against `HttpFetcher`, and `sources.fetch.Fetcher` is
the one implementation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol

__all__ = [
    "FetchResult",
    "HttpFetcher",
    "Validators",
    "header_safe",
    "parse_max_age",
    "parse_retry_after",
    "validators_from",
]

MAX_AGE_CAP = 24 * 3600.0
RETRY_AFTER_CAP = timedelta(days=1)
MAX_VALIDATOR_CHARS = 1024


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said about a response's version, sent back to ask "changed since?"."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one GET, success or failure."""

    url: str
    status: str
    """"ok", "not_modified", "gone" or "error"."""
    http_status: int | None = None
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    """The final response's headers, names lower-cased."""
    final_url: str | None = None
    permanent_url: str | None = None
    """Set only when every redirect was permanent (301/308) and led elsewhere."""
    validators: Validators = field(default_factory=Validators)
    retry_after: datetime | None = None
    error: str | None = None
    max_age: float | None = None
    encoding: str = ""
    """The Content-Encoding still on `body` (see `Fetcher.fetch`), "" when it is decoded."""


class HttpFetcher(Protocol):
    """GETs feeds and pages; every failure comes back as a `FetchResult` with status "error"."""

    async def fetch(
        self,
        url: str,
        validators: Validators | None = None,
        *,
        decode: bool = True,
        user_agent: str | None = None,
    ) -> FetchResult:
        """GET a feed, asking "changed since?" with `validators` when given; with
        `decode=False` the body keeps its Content-Encoding (named in `encoding`)."""
        ...

    async def get_page(self, url: str, *, user_agent: str | None = None) -> FetchResult:
        """GET a web page (an article's full text), without validators."""
        ...


def header_safe(value: str | None) -> str | None:
    """A validator worth sending back: printable, one line, not absurdly long."""
    if not value or len(value) > MAX_VALIDATOR_CHARS:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return None
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return None
    return value


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """Retry-After as a UTC time: delay-seconds or an HTTP date, capped at a day ahead."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    value = value.strip()
    when: datetime | None
    if value.isdigit():
        seconds = min(int(value[:12]), int(RETRY_AFTER_CAP.total_seconds()))
        when = now + timedelta(seconds=seconds)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when is None:
            return None
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return max(now, min(when, now + RETRY_AFTER_CAP))


def parse_max_age(value: str | None) -> float | None:
    """Cache-Control max-age in seconds (capped at a day); None for no-store/no-cache or absent."""
    if not value:
        return None
    max_age: float | None = None
    for part in value.split(","):
        name, _, arg = part.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            return None
        if name == "max-age":
            arg = arg.strip().strip('"')
            if arg.isdigit():
                max_age = min(float(int(arg[:12])), MAX_AGE_CAP)
    return max_age if max_age else None


def validators_from(headers: Mapping[str, str]) -> Validators:
    """The validators of a response worth sending back."""
    return Validators(
        etag=header_safe(headers.get("etag")),
        last_modified=header_safe(headers.get("last-modified")),
    )
