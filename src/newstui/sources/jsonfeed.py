"""JSON Feed 1.0 and 1.1 to `ParsedFeed`, by our own code (the format is small and strict)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from newstui.config import LimitsConfig
from newstui.domain.errors import ParseError
from newstui.domain.models import ContentType, ParsedEntry, ParsedFeed
from newstui.domain.text import clean_line, clean_text
from newstui.sources.entryfields import (
    MAX_AUTHOR_CHARS,
    MAX_ENCLOSURES,
    base_url,
    enclosures,
    entry_url,
    make_entry,
    plain_title,
    unique_entries,
)

__all__ = ["parse_json_feed"]


def parse_json_feed(data: bytes, url: str | None, limits: LimitsConfig) -> ParsedFeed:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ParseError(f"JSON Feed is not valid UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"not a feed: invalid JSON at line {exc.lineno}, column {exc.colno}"
        ) from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
    ):
        raise ParseError("not a feed: JSON without a JSON Feed version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise ParseError("not a feed: the JSON Feed has no items list")
    base = base_url(_str(doc.get("home_page_url")), url)
    feed_author = _json_author(doc)
    entries = []
    skipped = 0
    for item in items:
        if not isinstance(item, dict):
            skipped += 1
            continue
        entries.append(_json_entry(item, base, feed_author, limits))
    return ParsedFeed(
        title=plain_title(_str(doc.get("title"))[: limits.max_title_chars * 8], limits) or None,
        site_url=entry_url(_str(doc.get("home_page_url")), url),
        entries=unique_entries(entries),
        warning=f"{skipped} items of the JSON Feed were not objects" if skipped else None,
    )


def _json_entry(
    item: dict[str, Any], base: str | None, feed_author: str | None, limits: LimitsConfig
) -> ParsedEntry:
    if _str(item.get("content_html")):
        content, ctype = _str(item.get("content_html")), ContentType.HTML
    elif _str(item.get("content_text")):
        content, ctype = _str(item.get("content_text")), ContentType.TEXT
    else:
        content, ctype = _str(item.get("summary")), ContentType.TEXT
    link = entry_url(_str(item.get("url")) or _str(item.get("external_url")), base)
    raw_id = item.get("id")
    key = clean_line(raw_id if isinstance(raw_id, str | int | float) else "", max_length=2000)
    published = _iso(item.get("date_published"))
    updated = _iso(item.get("date_modified"))
    attachments = item.get("attachments")
    files = [
        (_str(a.get("url")), _str(a.get("mime_type")), str(a.get("size_in_bytes") or ""))
        for a in (attachments if isinstance(attachments, list) else [])[: MAX_ENCLOSURES * 2]
        if isinstance(a, dict)
    ]
    first_duration = next(
        (a.get("duration_in_seconds") for a in (attachments or [])[:1] if isinstance(a, dict)),
        None,
    )
    duration = str(int(first_duration)) if isinstance(first_duration, int | float) else ""
    return make_entry(
        key,
        plain_title(_str(item.get("title"))[: limits.max_title_chars * 8], limits),
        link,
        _json_author(item) or feed_author,
        published or updated,
        updated,
        clean_text(content, max_length=limits.max_body_chars),
        ctype,
        limits,
        enclosures(files, duration, base),
    )


def _json_author(obj: dict[str, Any]) -> str | None:
    names = []
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [_str(a.get("name")) for a in authors if isinstance(a, dict)]
    elif isinstance(obj.get("author"), dict):
        names = [_str(obj["author"].get("name"))]
    text = clean_line(", ".join(n for n in names if n), max_length=MAX_AUTHOR_CHARS)
    return text or None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        try:
            stamp = datetime(*time.strptime(value[:10], "%Y-%m-%d")[:6])
        except ValueError:
            return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    try:
        stamp = stamp.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return stamp if stamp.year >= 1970 else None
