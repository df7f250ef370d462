"""What a saved web page says about itself: title (without the site's suffix), author, site, date.

Sources, best first: the page's metadata (Open Graph, Twitter cards, JSON-LD, `<meta>`), its
`<h1>`, its `<title>`. A template placeholder left in a saved page (`{{page.title}}`) is never
taken for a title. The date comes from htmldate (meta tags, JSON-LD, `<time>`, the canonical
URL), the library trafilatura itself relies on.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newstui.domain.text import clean_line
from newstui.sources.decode import decode_html

log = logging.getLogger(__name__)

#: How much of a page the metadata is looked for in (the head and the start of the body).
HEAD_BYTES = 512 * 1024
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\$\{.*?\}|<%.*?%>|\[\[.*?\]\]|^__\w+__$")
_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ", " » ", " / ", " : ")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class PageMeta:
    """A page's own description of itself; any part may be missing."""

    title: str | None
    author: str | None
    site: str | None
    published: datetime | None
    url: str | None
    """The page's canonical address, when it gives one (http(s) only)."""


def is_placeholder(text: str) -> bool:
    """A template's unfilled variable (`{{title}}`, `{% block %}`, `${title}`)."""
    return bool(_PLACEHOLDER.search(text))


def page_meta(data: bytes) -> PageMeta:
    """The metadata of the HTML page `data` (untrusted; never raises for bad HTML)."""
    try:
        import lxml.html

        tree = lxml.html.document_fromstring(decode_html(data[:HEAD_BYTES]))
    except Exception:  # lxml refuses empty or non-HTML documents
        return PageMeta(None, None, None, None, None)
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        value = meta.get("content")
        if key and value and clean_line(value) and key not in metas:
            metas[key] = clean_line(value, max_length=1000)
    ld = _json_ld(tree)
    site = _first_text(
        metas.get("og:site_name"),
        _ld_name(ld.get("publisher")),
        metas.get("application-name"),
        metas.get("twitter:site", "").lstrip("@") if "twitter:site" in metas else None,
    )
    page_title = _first_text(_text_of(tree.find(".//title")))
    h1s = [h for h in (_text_of(h) for h in tree.iter("h1")) if h and not is_placeholder(h)]
    title = _best_title(
        _first_text(
            metas.get("og:title"),
            metas.get("twitter:title"),
            _ld_text(ld.get("headline")),
            metas.get("dc.title"),
            metas.get("title"),
        ),
        h1s,
        page_title,
        site,
    )
    if site is None and page_title:
        site = _site_from_title(page_title, title)
    author = _first_text(
        metas.get("author"),
        _ld_name(ld.get("author")),
        metas.get("article:author") if not _is_url(metas.get("article:author")) else None,
        metas.get("dc.creator"),
        metas.get("byl"),
        metas.get("parsely-author"),
        metas.get("sailthru.author"),
    )
    if author and author.lower().startswith("by "):
        author = author[3:].strip() or None
    url = _canonical(tree, metas)
    return PageMeta(title, author, site, page_date(data, url), url)


def page_date(data: bytes, url: str | None = None) -> datetime | None:
    """When the page says it was first published, or None."""
    try:
        import htmldate

        found = htmldate.find_date(
            data.decode("utf-8", "replace") if isinstance(data, bytes) else data,
            url=url,
            original_date=True,
            extensive_search=False,
            outputformat="%Y-%m-%dT%H:%M:%S%z",
        )
    except Exception:  # a library error on odd input means no date, not a failed page
        log.debug("htmldate failed", exc_info=True)
        return None
    return parse_date(found)


def parse_date(value: object) -> datetime | None:
    """`2015-04-16T00:00:00`, `...+0100`: a UTC datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            when = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC)
    return None


def strip_site(title: str, site: str | None) -> str:
    """`Article | Site` (or `Site - Article`) as `Article`, when the site is known or evident."""
    text = " ".join(title.split())
    if site:
        low, low_site = text.lower(), site.lower()
        for sep in _SEPARATORS:
            if low.endswith(sep + low_site):
                return text[: -len(sep + site)].strip()
            if low.startswith(low_site + sep):
                return text[len(site + sep) :].strip()
    for sep in _SEPARATORS[:6]:
        if sep in text:
            head, tail = text.rsplit(sep, 1)
            # The site is the short side and reads as a name; the article's title keeps two words.
            if len(_WORD.findall(head)) >= 2 and _looks_like_name(tail):
                return head.strip()
            first, rest = text.split(sep, 1)
            if len(_WORD.findall(rest)) >= 3 and len(_WORD.findall(first)) <= 3:
                return rest.strip()
    return text


def _looks_like_name(text: str) -> bool:
    words = _WORD.findall(text)
    if not 1 <= len(words) <= 4:
        return False
    capital = sum(1 for w in words if not w[0].isalpha() or w[0].isupper() or not w[0].islower())
    return capital * 2 >= len(words)


def _best_title(
    meta: str | None, h1s: list[str], page_title: str | None, site: str | None
) -> str | None:
    if meta:
        return strip_site(meta, site)
    stripped = strip_site(page_title, site) if page_title else None
    if stripped and (site is None or stripped.lower() != site.lower()):
        return stripped
    return h1s[0] if h1s else stripped


def _site_from_title(page_title: str, title: str | None) -> str | None:
    """The suffix or prefix that `<title>` adds to the article's title: the site's name."""
    text = " ".join(page_title.split())
    if not title or title == text:
        return None
    for sep in _SEPARATORS[:6]:
        if text.startswith(title + sep):
            return text[len(title + sep) :].strip() or None
        if text.endswith(sep + title):
            return text[: -len(sep + title)].strip() or None
    return None


def _first_text(*values: str | None) -> str | None:
    for value in values:
        text = clean_line(value, max_length=1000) if value else ""
        if text and not is_placeholder(text):
            return text
    return None


def _text_of(element: Any) -> str | None:
    if element is None:
        return None
    try:
        return clean_line(element.text_content(), max_length=1000) or None
    except ValueError:
        return None


def _is_url(value: str | None) -> bool:
    return bool(value) and str(value).startswith(("http://", "https://", "/"))


def _canonical(tree: Any, metas: dict[str, str]) -> str | None:
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical":
            href = (link.get("href") or "").strip()
            if href.startswith(("http://", "https://")):
                return clean_line(href, max_length=2000)
    url = metas.get("og:url", "")
    return url if url.startswith(("http://", "https://")) else None


def _json_ld(tree: Any) -> dict[str, Any]:
    """The first JSON-LD object describing an article (or any object, if none does)."""
    found: dict[str, Any] = {}
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            doc = json.loads(script.text[:200_000])
        except (ValueError, RecursionError):
            continue
        for item in _ld_items(doc):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and ("Article" in k or k == "BlogPosting") for k in kinds):
                return item
            if not found:
                found = item
    return found


def _ld_items(doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, list):
        return [d for d in doc if isinstance(d, dict)]
    if isinstance(doc, dict):
        graph = doc.get("@graph")
        if isinstance(graph, list):
            return [d for d in graph if isinstance(d, dict)]
        return [doc]
    return []


def _ld_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        names = [_ld_name(v) for v in value[:5]]
        joined = ", ".join(n for n in names if n)
        return joined or None
    if isinstance(value, dict):
        return _ld_text(value.get("name"))
    return _ld_text(value)
