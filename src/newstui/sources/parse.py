"""Feed documents to `ParsedFeed`: RSS and Atom through lxml or feedparser, JSON Feed (`jsonfeed`).

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

import re
from collections.abc import Mapping
from html.entities import name2codepoint
from typing import Any

from newstui.config import LimitsConfig
from newstui.domain.errors import NotAFeedError, ParseError
from newstui.domain.models import ContentType, ParsedEntry, ParsedFeed
from newstui.domain.text import clean_line, clean_text
from newstui.sources.discover import find_feed_links, looks_like_html
from newstui.sources.entryfields import (
    MAX_AUTHOR_CHARS,
    MAX_KEY_CHARS,
    base_url,
    enclosures,
    entry_url,
    from_struct,
    make_entry,
    title_text,
    ttl_minutes,
    unique_entries,
)
from newstui.sources.jsonfeed import parse_json_feed

# The last alternative always matches, so a search stops at the first `<!DOCTYPE` (one scan,
# not one per occurrence: 20,000 unterminated ones took 30 s); unterminated, it runs to the end.
_DOCTYPE = re.compile(rb"<!DOCTYPE\b(?:[^\[>]*\[.*?\]\s*>|[^>]*>|[^>]*\Z)", re.I | re.DOTALL)
_DECLARATION = re.compile(rb"(?is)<!(?:DOCTYPE|ENTITY)\b[^>]*(?:>|\Z)")
_ENTITY_REF = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});")
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_SPACE_RUN = re.compile(rb"\s{2,}")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|channel)[\s>]")
_JSON_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*[\{\[]")
# feedparser flags these as "bozo" although the document parsed fine.
_HARMLESS_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")


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
            return parse_json_feed(data, url, limits)
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
    base = base_url(raw.link, url)
    html_type, text_type = {"type": "text/html"}, {"type": "text/plain"}
    entries = []
    for e in raw.entries:
        updated = from_struct(e.updated)
        entries.append(
            make_entry(
                clean_line(e.id, max_length=MAX_KEY_CHARS),
                title_text(e.title, html_type if e.title_is_html else text_type, limits),
                entry_url(e.link, base),
                clean_line(e.author, max_length=MAX_AUTHOR_CHARS) or None,
                from_struct(e.published) or updated,
                updated,
                clean_text(e.content, max_length=limits.max_body_chars),
                ContentType.HTML if e.content_is_html else ContentType.TEXT,
                limits,
                enclosures(e.enclosures or (), e.duration, base),
            )
        )
    return ParsedFeed(
        title=title_text(raw.title, html_type if raw.title_is_html else text_type, limits) or None,
        site_url=entry_url(raw.link, url),
        entries=unique_entries(entries),
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
    base = base_url(feed.get("link"), url)
    items = unique_entries(_xml_entry(e, base, limits) for e in entries)
    warning = None
    if bozo:
        recovered = "1 entry was" if len(items) == 1 else f"{len(items)} entries were"
        warning = f"the feed is malformed ({problem}); {recovered} recovered"
    return ParsedFeed(
        title=title_text(feed.get("title"), feed.get("title_detail"), limits) or None,
        site_url=entry_url(feed.get("link"), url),
        entries=items,
        warning=warning,
        ttl_minutes=ttl_minutes(feed.get("ttl")),
    )


def _xml_entry(e: Any, base: str | None, limits: LimitsConfig) -> ParsedEntry:
    content, ctype = _xml_content(e, limits)
    link = entry_url(e.get("link"), base)
    title = title_text(e.get("title"), e.get("title_detail"), limits)
    author = clean_line(e.get("author"), max_length=MAX_AUTHOR_CHARS) or None
    # dict.get: FeedParserDict.get maps a missing updated_parsed to published_parsed, with a warning
    published = from_struct(dict.get(e, "published_parsed")) or from_struct(
        dict.get(e, "created_parsed")
    )
    updated = from_struct(dict.get(e, "updated_parsed"))
    key = clean_line(e.get("id") or e.get("guid"), max_length=MAX_KEY_CHARS)
    files = [
        (str(f.get("href") or ""), str(f.get("type") or ""), str(f.get("length") or ""))
        for f in e.get("enclosures") or ()
        if isinstance(f, dict)
    ]
    attached = enclosures(files, str(e.get("itunes_duration") or ""), base)
    return make_entry(
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
