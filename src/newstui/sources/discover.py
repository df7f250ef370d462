"""Feed autodiscovery: what an HTML page says about its feeds (`<link rel="alternate">`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

from newstui.domain.text import clean_line

# The first bytes of a document, past a BOM, blanks, comments, processing instructions and a
# non-HTML doctype: enough to tell an HTML page from a feed without parsing either.
_PROLOG = re.compile(rb"^(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta[\s>])", re.I)
_FEED_TYPES = {
    "application/rss+xml": 0,
    "application/atom+xml": 0,
    "application/feed+json": 1,
    "application/rdf+xml": 2,
    "application/json": 3,
    "text/xml": 4,
    "application/xml": 4,
}
_FEEDISH_HREF = re.compile(r"(?:[./](?:rss|atom|feed|rdf)(?:\.xml|\.json)?|/feed/?|\.xml)$", re.I)
SCAN_BYTES = 1024 * 1024


def looks_like_html(data: bytes) -> bool:
    """True when a document starts like an HTML page rather than a feed."""
    head = data[:4096]
    match = _PROLOG.match(head)
    rest = head[match.end() if match else 0 :]
    if rest[:9].lower() == b"<!doctype" and not _HTML_START.match(rest):
        # <!DOCTYPE rss ...> and friends: skip the doctype and look at the root element.
        end = rest.find(b">")
        rest = rest[end + 1 :].lstrip() if end >= 0 else b""
        match = _PROLOG.match(rest)
        rest = rest[match.end() if match else 0 :]
    return bool(_HTML_START.match(rest))


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str, str]] = []
        self.anchors: list[tuple[str, str]] = []
        self.base: str | None = None
        self._anchor: str | None = None
        self._anchor_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"].strip()
        elif tag == "link":
            rels = values.get("rel", "").lower().split()
            kind = values.get("type", "").lower().split(";")[0].strip()
            href = values.get("href", "").strip()
            if href and ("alternate" in rels or "feed" in rels) and kind in _FEED_TYPES:
                self.links.append((_FEED_TYPES[kind], href, values.get("title", "")))
            elif href and "feed" in rels and not kind:
                self.links.append((5, href, values.get("title", "")))
        elif tag == "a":
            href = values.get("href", "").strip()
            self._anchor = href if href and _FEEDISH_HREF.search(href.split("?")[0]) else None
            self._anchor_text = []

    def handle_data(self, data: str) -> None:
        if self._anchor is not None and len(self._anchor_text) < 20:
            self._anchor_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            self.anchors.append((self._anchor, "".join(self._anchor_text)))
            self._anchor = None


def find_feed_links(data: bytes, base_url: str | None = None) -> list[tuple[str, str]]:
    """(url, title) of the feeds an HTML page links to, best first; absolute http(s) URLs only."""
    text = data[:SCAN_BYTES].decode("utf-8", "replace")
    parser = _LinkParser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):  # HTMLParser gives up on some broken markup
        pass
    base = base_url or ""
    if parser.base:
        base = urljoin(base, parser.base)
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    ranked = sorted(enumerate(parser.links), key=lambda item: (item[1][0], item[0]))
    candidates = [(href, title) for _i, (_rank, href, title) in ranked]
    if not candidates:
        candidates = parser.anchors
    for href, title in candidates:
        url = urljoin(base, href) if base else href
        if not url.lower().startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        found.append((clean_line(url), clean_line(title, max_length=200)))
        if len(found) >= 20:
            break
    return found
