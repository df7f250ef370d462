"""Feed documents to `ParsedFeed`: RSS and Atom through feedparser, JSON Feed by our own code.

Everything here is untrusted input. The rules:

- feedparser always gets bytes plus the response headers, never a URL or a str (a str or URL
  would let it fetch or open things on its own);
- its HTML sanitiser and relative-URI passes are off (`sanitize_html=False,
  resolve_relative_uris=False`): they cost half the parse time and are redone, safely, when an
  article is displayed (`sources.content`);
- a document type declaration is removed before parsing, so no entity is ever expanded (billion
  laughs, quadratic blow-up) and nothing external is read, in the strict and the loose parser alike;
  named HTML entities the feed relied on are turned into character references first;
- any exception becomes a `ParseError` naming what went wrong; text is cleaned and capped.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from html.entities import name2codepoint
from typing import Any
from urllib.parse import urljoin, urlsplit

from newstui.config import LimitsConfig
from newstui.domain.errors import NotAFeedError, ParseError
from newstui.domain.models import ContentType, Enclosure, ParsedEntry, ParsedFeed
from newstui.domain.text import clean_line, clean_text, is_feed_url
from newstui.sources.discover import find_feed_links, looks_like_html

# The last alternative always matches, so a search stops at the first `<!DOCTYPE` (one scan,
# not one per occurrence: 20,000 unterminated ones took 30 s); unterminated, it runs to the end.
_DOCTYPE = re.compile(rb"<!DOCTYPE\b(?:[^\[>]*\[.*?\]\s*>|[^>]*>|[^>]*\Z)", re.I | re.DOTALL)
_DECLARATION = re.compile(rb"(?is)<!(?:DOCTYPE|ENTITY)\b[^>]*(?:>|\Z)")
_ENTITY_REF = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});")
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_SPACE_RUN = re.compile(rb"\s{2,}")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_TAG = re.compile(r"<[^>]*>")
_ESCAPED_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|channel)[\s>]")
_JSON_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*[\{\[]")
# feedparser flags these as "bozo" although the document parsed fine.
_HARMLESS_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")
MAX_KEY_CHARS = 2000
MAX_AUTHOR_CHARS = 500
MAX_URL_CHARS = 4000


def parse_document(
    data: bytes,
    *,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    limits: LimitsConfig | None = None,
) -> ParsedFeed:
    """Parse a fetched or read document. Raises `ParseError` (or `NotAFeedError`), nothing else."""
    limits = limits or LimitsConfig()
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if not data.strip():
        raise ParseError("the document is empty")
    try:
        if _JSON_START.match(data[:64]):
            return _parse_json_feed(data, url, limits)
        if looks_like_html(data):
            if not _FEED_ROOT.search(data[:65536]):
                raise NotAFeedError(
                    "this is a web page, not a feed", find_feed_links(data, base_url=url)
                )
            try:  # a feed wrapped in an HTML page: feedparser's loose parser may still find it
                feed = _parse_xml(data, url, headers, limits)
            except ParseError:
                feed = None
            if feed is None or not feed.entries:
                raise NotAFeedError(
                    "this is a web page, not a feed", find_feed_links(data, base_url=url)
                )
            return feed
        return _parse_fast(data, url, headers, limits) or _parse_xml(data, url, headers, limits)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("the document is nested too deeply to parse") from None
    except MemoryError:
        raise ParseError("the document is too large to parse") from None
    except Exception as exc:  # feedparser raises on some dates and characters
        raise ParseError(
            clean_line(f"could not parse the feed: {type(exc).__name__}: {exc}")
        ) from None


# ---- XML (RSS, Atom, RDF) --------------------------------------------------------------------


def defuse_xml(data: bytes) -> bytes:
    """The document without its DOCTYPE, named HTML entities turned into character references."""
    if data[:1].isspace() and data.lstrip()[:5] == b"<?xml":
        data = data.lstrip()  # whitespace before the XML declaration sends expat off the rails
    root = _ROOT_START.search(data)
    if root is not None and root.start() > 512:
        # feedparser's prolog patterns (`^\s*<!ENTITY`, multiline) are quadratic in the lines of
        # whitespace before the root element (70 KB of newlines: 10 s): one space per run.
        data = _SPACE_RUN.sub(b" ", data[: root.start()]) + data[root.start() :]
    head = data[:65536]
    if b"<!" in head and _DOCTYPE.search(data):
        data = _DOCTYPE.sub(b"", data, count=1)
        if b"<!DOCTYPE" in data[:65536].upper() or b"<!ENTITY" in data[:65536].upper():
            data = _DECLARATION.sub(b"", data)
    if b"&" in data:
        data = _ENTITY_REF.sub(_entity_to_ref, data)
    return data


def _entity_to_ref(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    code = name2codepoint.get(name.decode("ascii"))
    return f"&#{code};".encode() if code is not None else b"&amp;" + name + b";"


def _parse_fast(
    data: bytes, url: str | None, headers: Mapping[str, str], limits: LimitsConfig
) -> ParsedFeed | None:
    """Well-formed RSS and Atom through lxml (`sources.fastfeed`); None sends it to feedparser."""
    from newstui.sources.fastfeed import parse_fast

    raw = parse_fast(defuse_xml(data.lstrip() if data[:1].isspace() else data), headers)
    if raw is None:
        return None
    base = _base(raw.link, url)
    html_type, text_type = {"type": "text/html"}, {"type": "text/plain"}
    entries = []
    for e in raw.entries:
        updated = _from_struct(e.updated)
        entries.append(
            _entry(
                clean_line(e.id, max_length=MAX_KEY_CHARS),
                _title(e.title, html_type if e.title_is_html else text_type, limits),
                _url(e.link, base),
                clean_line(e.author, max_length=MAX_AUTHOR_CHARS) or None,
                _from_struct(e.published) or updated,
                updated,
                clean_text(e.content, max_length=limits.max_body_chars),
                ContentType.HTML if e.content_is_html else ContentType.TEXT,
                limits,
                enclosures(e.enclosures or (), e.duration, base),
            )
        )
    return ParsedFeed(
        title=_title(raw.title, html_type if raw.title_is_html else text_type, limits) or None,
        site_url=_url(raw.link, url),
        entries=_unique(entries),
        ttl_minutes=ttl_minutes(raw.ttl),
    )


def _parse_xml(
    data: bytes, url: str | None, headers: Mapping[str, str], limits: LimitsConfig
) -> ParsedFeed:
    import feedparser
    from feedparser.encodings import convert_to_utf8

    # Defuse what feedparser will parse: the document as UTF-8, decoded as feedparser decodes it.
    # In UTF-16, EBCDIC or `unicode_escape` the DOCTYPE and entity references are invisible to
    # byte patterns, and feedparser would expand their entities (a quadratic blow-up).
    detected: dict[str, Any] = {}
    if data[:1].isspace() and data.lstrip()[:5] == b"<?xml":
        data = data.lstrip()  # else feedparser adds a second declaration after the whitespace
    utf8 = convert_to_utf8(dict(headers), data, detected)
    if detected.get("encoding"):
        data, headers = utf8, {**headers, "content-type": "application/xml; charset=utf-8"}
    parsed: Any = feedparser.parse(
        defuse_xml(data),
        response_headers=dict(headers),
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries = parsed.get("entries") or []
    feed = parsed.get("feed") or {}
    bozo = parsed.get("bozo") and type(parsed.get("bozo_exception")).__name__ not in _HARMLESS_BOZO
    problem = clean_line(parsed.get("bozo_exception"), max_length=300) if bozo else ""
    if not parsed.get("version") and not entries:
        if problem:
            raise ParseError(f"not a feed: {problem}")
        raise ParseError("not a feed: no RSS, Atom or JSON Feed found in the document")
    base = _base(feed.get("link"), url)
    items = _unique(_xml_entry(e, base, limits) for e in entries)
    warning = None
    if bozo:
        warning = f"the feed is malformed ({problem}); {len(items)} entries were recovered"
    return ParsedFeed(
        title=_title(feed.get("title"), feed.get("title_detail"), limits) or None,
        site_url=_url(feed.get("link"), url),
        entries=items,
        warning=warning,
        ttl_minutes=ttl_minutes(feed.get("ttl")),
    )


def _xml_entry(e: Any, base: str | None, limits: LimitsConfig) -> ParsedEntry:
    content, ctype = _xml_content(e, limits)
    link = _url(e.get("link"), base)
    title = _title(e.get("title"), e.get("title_detail"), limits)
    author = clean_line(e.get("author"), max_length=MAX_AUTHOR_CHARS) or None
    # dict.get: FeedParserDict.get maps a missing updated_parsed to published_parsed, with a warning
    published = _from_struct(dict.get(e, "published_parsed")) or _from_struct(
        dict.get(e, "created_parsed")
    )
    updated = _from_struct(dict.get(e, "updated_parsed"))
    key = clean_line(e.get("id") or e.get("guid"), max_length=MAX_KEY_CHARS)
    files = [
        (str(f.get("href") or ""), str(f.get("type") or ""), str(f.get("length") or ""))
        for f in e.get("enclosures") or ()
        if isinstance(f, dict)
    ]
    attached = enclosures(files, str(e.get("itunes_duration") or ""), base)
    return _entry(
        key, title, link, author, published or updated, updated, content, ctype, limits, attached
    )


def _xml_content(e: Any, limits: LimitsConfig) -> tuple[str, ContentType]:
    best: Any = None
    for part in e.get("content") or ():
        value = part.get("value") or ""
        if best is None or len(value) > len(best.get("value") or ""):
            best = part
    if best is None or not (best.get("value") or "").strip():
        best = e.get("summary_detail") or {"value": e.get("summary") or "", "type": "text/html"}
    value = best.get("value") or ""
    kind = str(best.get("type") or "text/html").lower()
    ctype = ContentType.TEXT if kind == "text/plain" else ContentType.HTML
    return clean_text(value, max_length=limits.max_body_chars), ctype


def _unique(entries: Iterable[ParsedEntry]) -> tuple[ParsedEntry, ...]:
    """One entry per key: the first wins (a feed that repeats a guid lists its current item first)."""
    seen: dict[str, ParsedEntry] = {}
    for entry in entries:
        seen.setdefault(entry.key, entry)
    return tuple(seen.values())


def _title(value: Any, detail: Any, limits: LimitsConfig) -> str:
    text = str(value or "")
    if len(text) > limits.max_title_chars * 8:
        text = text[: limits.max_title_chars * 8]
    kind = str((detail or {}).get("type") or "")
    if "html" in kind and "<" in text:
        text = html.unescape(_TAG.sub("", text))
    return _plain_title(text, limits)


def _plain_title(text: str, limits: LimitsConfig) -> str:
    if "&" in text and _ESCAPED_ENTITY.search(text):
        text = html.unescape(text)  # escaped twice at the source: "Blog &#8211; News"
    return clean_line(text, max_length=limits.max_title_chars)


def _base(link: Any, url: str | None) -> str | None:
    if isinstance(link, str) and link.startswith(("http://", "https://")):
        return link
    return url


def _url(value: Any, base: str | None) -> str | None:
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


def _from_struct(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        stamp = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return stamp if stamp.year >= 1970 else None


def _entry(
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
        url = _url(raw_url.strip(), base)
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


# ---- JSON Feed 1.0 / 1.1 ---------------------------------------------------------------------


def _parse_json_feed(data: bytes, url: str | None, limits: LimitsConfig) -> ParsedFeed:
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
    base = _base(_str(doc.get("home_page_url")), url)
    feed_author = _json_author(doc)
    entries = []
    skipped = 0
    for item in items:
        if not isinstance(item, dict):
            skipped += 1
            continue
        entries.append(_json_entry(item, base, feed_author, limits))
    return ParsedFeed(
        title=_plain_title(_str(doc.get("title"))[: limits.max_title_chars * 8], limits) or None,
        site_url=_url(_str(doc.get("home_page_url")), url),
        entries=_unique(entries),
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
    link = _url(_str(item.get("url")) or _str(item.get("external_url")), base)
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
    return _entry(
        key,
        _plain_title(_str(item.get("title"))[: limits.max_title_chars * 8], limits),
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


def ttl_minutes(value: Any) -> int | None:
    """RSS's <ttl> as whole minutes (1 minute to a week); None when absent or not a number."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    minutes = int(text)
    return min(minutes, 7 * 24 * 60) if minutes > 0 else None
