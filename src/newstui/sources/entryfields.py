"""Feed fields made safe for a `ParsedEntry`, whatever the format: titles, URLs, keys, dates,
enclosures, one entry per key, and the feed's time to live."""

from __future__ import annotations

import hashlib
import html
import mimetypes
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from newstui.config import LimitsConfig
from newstui.domain.models import ContentType, Enclosure, ParsedEntry
from newstui.domain.text import clean_line, is_feed_url

MAX_KEY_CHARS = 2000
MAX_AUTHOR_CHARS = 500
MAX_URL_CHARS = 4000
_TAG = re.compile(r"<[^>]*>")
_ESCAPED_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")


def unique_entries(entries: Iterable[ParsedEntry]) -> tuple[ParsedEntry, ...]:
    """One entry per key: the first wins (a feed that repeats a guid lists its current item first)."""
    seen: dict[str, ParsedEntry] = {}
    for entry in entries:
        seen.setdefault(entry.key, entry)
    return tuple(seen.values())


def title_text(value: Any, detail: Any, limits: LimitsConfig) -> str:
    text = str(value or "")
    if len(text) > limits.max_title_chars * 8:
        text = text[: limits.max_title_chars * 8]
    kind = str((detail or {}).get("type") or "")
    if "html" in kind and "<" in text:
        text = html.unescape(_TAG.sub("", text))
    return plain_title(text, limits)


def plain_title(text: str, limits: LimitsConfig) -> str:
    if "&" in text and _ESCAPED_ENTITY.search(text):
        text = html.unescape(text)  # escaped twice at the source: "Blog &#8211; News"
    return clean_line(text, max_length=limits.max_title_chars)


def base_url(link: Any, url: str | None) -> str | None:
    if isinstance(link, str) and link.startswith(("http://", "https://")):
        return link
    return url


def entry_url(value: Any, base: str | None) -> str | None:
    if not value or not isinstance(value, str):
        return None
    text = clean_line(value, max_length=MAX_URL_CHARS).replace(" ", "%20")
    if not text:
        return None
    if base and "://" not in text[:20] and not text.startswith("mailto:"):
        try:
            text = urljoin(base, text)
        except ValueError:
            return None
    return text


def from_struct(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        stamp = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return stamp if stamp.year >= 1970 else None


def make_entry(
    key: str,
    title: str,
    link: str | None,
    author: str | None,
    published: datetime | None,
    updated: datetime | None,
    content: str,
    ctype: ContentType,
    limits: LimitsConfig,
    attached: tuple[Enclosure, ...] = (),
) -> ParsedEntry:
    if not title:
        text = _TAG.sub(" ", content[:4000]) if ctype == ContentType.HTML else content[:4000]
        text = clean_line(html.unescape(text), max_length=80)
        title = text or "(untitled)"
    if not key:
        key = link or (
            "sha1:"
            + hashlib.sha1(
                (title + "\x00" + content).encode("utf-8", "surrogatepass"),
                usedforsecurity=False,
            ).hexdigest()
        )
    return ParsedEntry(
        key=key,
        title=title,
        url=link,
        author=author,
        published=published,
        updated=updated,
        content=content,
        content_type=ctype,
        enclosures=attached,
    )


# ---- enclosures ------------------------------------------------------------------------------

_MEDIA_SUFFIX = re.compile(
    r"\.(?:mp3|m4a|m4b|aac|ogg|oga|opus|flac|wav|mp4|m4v|mov|webm|mkv|ogv|avi)(?:[?#]|$)", re.I
)
_DURATION = re.compile(r"^(?:(\d{1,3}):)?(?:(\d{1,3}):)?(\d{1,7})(?:\.\d+)?$")
MAX_ENCLOSURES = 20


def enclosures(
    files: Iterable[tuple[str, str, str]], duration: str, base: str | None
) -> tuple[Enclosure, ...]:
    """The audio and video files of an entry: (url, type, length) as written, made safe.

    Only http(s) files; a type is kept when it says audio or video (or, without one, when the
    file's name does); a length when it is a plausible byte count; `itunes:duration` as seconds
    (`1:02:03`, `62:03` or `3723`) for the first file.
    """
    found: list[Enclosure] = []
    seen: set[str] = set()
    for raw_url, raw_type, raw_length in files:
        url = entry_url(raw_url.strip(), base)
        if not url or not is_feed_url(url) or url in seen:
            continue
        kind = clean_line(raw_type, max_length=100).lower() or None
        major = (kind or "").split("/", 1)[0]
        if major not in ("audio", "video") and not (kind is None and _MEDIA_SUFFIX.search(url)):
            continue
        seen.add(url)
        if kind is None:  # no type given: the file's name says which player opens it
            kind = mimetypes.guess_type(urlsplit(url).path)[0]
        length = raw_length.strip()
        size = int(length) if length.isdigit() and 0 < int(length) < 10**12 else None
        found.append(Enclosure(url, kind, size, None))
        if len(found) >= MAX_ENCLOSURES:
            break
    if found and duration:
        seconds = _seconds(duration.strip())
        if seconds:
            found[0] = Enclosure(found[0].url, found[0].type, found[0].length, seconds)
    return tuple(found)


def _seconds(text: str) -> int | None:
    match = _DURATION.match(text)
    if match is None:
        return None
    first, second, last = match.groups()
    parts = [int(p) for p in (first, second) if p is not None] + [int(last)]
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds if 0 < seconds < 10**6 else None


def ttl_minutes(value: Any) -> int | None:
    """RSS's <ttl> as whole minutes (1 minute to a week); None when absent or not a number."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    minutes = int(text)
    return min(minutes, 7 * 24 * 60) if minutes > 0 else None
