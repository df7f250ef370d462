"""What a saved web page says about itself: title (without the site's suffix), author, site, date.

Sources, best first: the page's metadata (Open Graph, Twitter cards, JSON-LD, `<meta>`), its
`<title>`, its `<h1>`. A template placeholder left in a saved page (`{{page.title}}`) is never
taken for a title, nor is the site's name: the names the page states (og:site_name, the
publisher, twitter:site) and its domain's own label tell what the site is called, so a
metadata title that is only that name (or that name and a slogan, where `<title>` says
something else) gives way, and only a part that names the site leaves a title. Where the page
names no site, a short end that reads as a name goes. The headline the page shows (an `<h1>`
that its `<title>` or its address confirms) beats metadata that agrees with neither. The date comes from htmldate (meta tags, JSON-LD, `<time>`, the canonical
URL), the library trafilatura itself relies on.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from newstui.domain.text import clean_line
from newstui.sources.decode import decode_html

log = logging.getLogger(__name__)

#: How much of a page the metadata is looked for in (the head and the start of the body).
HEAD_BYTES = 512 * 1024
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\$\{.*?\}|<%.*?%>|\[\[.*?\]\]|^__\w+__$")
_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ", " » ", " / ", " : ")
_WORD = re.compile(r"[^\W_]+")
_SECOND_LEVEL = frozenset(
    ("co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go", "gob", "gv", "ltd", "plc")
)


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
    metas = _metas(tree)
    ld = _json_ld(tree)
    page_title = _first_text(_text_of(tree.find(".//title")))
    metadata = [
        t
        for t in (
            metas.get("og:title"),
            metas.get("twitter:title"),
            _ld_text(ld.get("headline")),
            metas.get("dc.title"),
            metas.get("parsely-title"),
            metas.get("title"),
        )
        if t
    ]
    # A page may set its application's name to each article's title: then it names no site.
    titles = {_squash(t) for t in (page_title or "", *metadata)}
    app = metas.get("application-name")
    names = [
        clean_line(n, max_length=1000)
        for n in (
            metas.get("og:site_name"),
            _ld_name(ld.get("publisher")),
            app if app and _squash(app) not in titles else None,
            metas.get("twitter:site", "").lstrip("@"),
        )
        if n and clean_line(n) and not is_placeholder(n)
    ]
    site = names[0] if names else None
    url = _canonical(tree, metas)
    sites = Sites(tuple(names), _domain_label(url))
    h1s = [
        h
        for h in (_text_of(h) for h in tree.iter("h1"))
        if h and not is_placeholder(h) and not sites.named(h)
    ]
    title = _best_title(metadata, h1s, page_title, sites, _slug_words(url))
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


#: A site's name that a title sets off has at most this many words.
NAME_WORDS = 4


@dataclass(frozen=True, slots=True)
class Sites:
    """What the page says its site is called: the names it states and its domain's own label."""

    names: tuple[str, ...] = ()
    domain: str | None = None
    """`theverge` for `www.theverge.com`, `yahoo` for `news.yahoo.co.jp`."""

    def named(self, text: str) -> bool:
        """Whether `text` is the site's name (a site's name is no article's title)."""
        key = _squash(text)
        return bool(key) and (key == self.domain or any(key == _squash(n) for n in self.names))

    def evident(self, part: str) -> bool:
        """Whether `part` of a title (what a separator sets off) names the site: one of its
        names, or holding its domain's label (`Yahoo!ニュース` on yahoo.co.jp)."""
        key = _squash(part)
        if not key:
            return False
        if any(key == n for n in self._keys()) or key == self.domain:
            return True
        if len(_WORD.findall(part)) > NAME_WORDS:
            return False  # a name is short: "How we designed Dropbox's ATF" names no site
        if self.domain and len(self.domain) >= 3 and self.domain in key:
            return True
        return any(len(n) >= 4 and (n in key or key in n) for n in self._keys())

    def _keys(self) -> list[str]:
        # "SIMPLYFOUND.COM | BY: JOE WEE": each part a separator sets off is a name too.
        keys = []
        for name in self.names:
            keys.append(_squash(name))
            keys += [_squash(p) for p in re.split(r"\s[|\-–—·:/»]+\s", name)]
        return [k for k in keys if k]


def strip_site(
    title: str, sites: Sites | str | None = None, witnesses: tuple[str, ...] = ()
) -> str:
    """`Article | Site` (or `Site - Article`) as `Article`, when the site is known or evident.

    A part that another of the page's titles (`witnesses`: an `<h1>`, the metadata's) has
    alone is the article's title. Where the page names its site (its metadata, its domain),
    only a part that names it goes: "Minecraft 1.8 - The Bountiful Update" keeps its subtitle
    on a site called otherwise. A page that names no site loses a short end that reads as a name.
    """
    if isinstance(sites, str) or sites is None:
        sites = Sites((sites,) if sites else ())
    text = " ".join(title.split())
    confirmed = {_squash(w) for w in witnesses} - {""}
    if confirmed and _squash(text) not in confirmed:
        for sep in _SEPARATORS:
            parts = text.split(sep)
            for n in range(1, len(parts)):
                head, tail = sep.join(parts[:n]).strip(), sep.join(parts[n:]).strip()
                for part, rest in ((head, tail), (tail, head)):
                    # A blog's name in its h1 is the short end: the longer part is the title.
                    if _squash(part) in confirmed and (
                        len(_WORD.findall(part)) >= len(_WORD.findall(rest))
                        or any(sites.evident(x) for x in rest.split(sep))
                    ):
                        return part
    for site in sites.names:
        key = _squash(site)
        for sep in _SEPARATORS:
            parts = text.split(sep)
            # `Article | Site`, `Article | Site | slogan`, `Site - Article`.
            at = next((n for n, x in enumerate(parts) if _squash(x) == key), None)
            if at is not None and len(parts) > 1:
                kept = sep.join(parts[:at] if at else parts[1:]).strip()
                if kept:
                    return kept
    for sep in _SEPARATORS[:6]:
        if sep in text:
            head, tail = text.rsplit(sep, 1)
            if sites.names:
                if len(_WORD.findall(head)) >= 2 and sites.evident(tail):
                    return head.strip()
                first, rest = text.split(sep, 1)
                if len(_WORD.findall(rest)) >= 2 and sites.evident(first):
                    return rest.strip()
                continue
            # The site is the short side and reads as a name; the article's title keeps two words.
            if len(_WORD.findall(head)) >= 2 and (_looks_like_name(tail) or sites.evident(tail)):
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
    metadata: list[str],
    h1s: list[str],
    page_title: str | None,
    sites: Sites,
    slug: set[str],
) -> str | None:
    """The article's title: the metadata's, unless it is only the site's name (alone or with
    its slogan, where `<title>` says otherwise) or the headline the page shows (an `<h1>` that
    its `<title>` or its address confirms) differs from it; then `<title>` less the site's name;
    then the first `<h1>`."""
    stripped = strip_site(page_title, sites, (*h1s[:3], *metadata)) if page_title else None
    if stripped and sites.named(stripped):
        stripped = None
    meta = None
    for value in metadata:
        text = clean_line(value, max_length=1000)
        if not text or is_placeholder(text):
            continue
        if _names_site(text, sites, stripped):
            continue
        meta = strip_site(text, sites, tuple(h1s[:3]))
        break
    headline = _headline(h1s[:3], stripped, slug)
    if meta and headline and _overlap(meta, headline) < AGREE_SHARE:
        return headline
    return meta or stripped or (h1s[0] if h1s else None)


def _names_site(text: str, sites: Sites, page_title: str | None) -> bool:
    """Whether a metadata title is the site's name, alone or with its slogan ("Yahoo News -
    Latest News & Headlines") where the page's `<title>` says something else."""
    if sites.named(text) or sites.named(strip_site(text, sites)):
        return True
    if page_title and _overlap(text, page_title) < AGREE_SHARE:
        for sep in _SEPARATORS:
            if sep in text and sites.evident(text.split(sep, 1)[0]):
                return True
    return False


#: Two titles agree when this share of the shorter one's words is in the other.
AGREE_SHARE = 0.5


def _headline(h1s: list[str], page_title: str | None, slug: set[str]) -> str | None:
    """The first `<h1>` that the page's `<title>` or its address's words confirm, or None."""
    for text in h1s:
        words = _title_words(text)
        if len(words) < 2:
            continue
        # Most of both: a blog's name in its h1 is a part of every post's <title>, not its title.
        if page_title and _overlap(text, page_title, most=True) >= AGREE_SHARE:
            return text
        if len(words & slug) >= max(2, AGREE_SHARE * len(words)):
            return text
    return None


def _overlap(a: str, b: str, *, most: bool = False) -> float:
    """The share of the shorter title's words that the other has (`most`: of the longer's)."""
    x, y = _title_words(a), _title_words(b)
    if not x or not y:
        return 0.0
    return len(x & y) / (max if most else min)(len(x), len(y))


def _title_words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _squash(text: str) -> str:
    """A name without case, blanks or punctuation: `The Verge`, `@verge` -> `theverge`, `verge`."""
    return "".join(_WORD.findall(text.casefold()))


def _domain_label(url: str | None) -> str | None:
    """The label a domain is known by: `theverge` for `https://www.theverge.com/...`."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    labels = [x for x in host.split(".") if x]
    if len(labels) < 2:
        return None
    # A second-level suffix (co.uk, com.au, ne.jp) pushes the name one label left.
    at = -3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else -2
    return _squash(labels[at]) or None


def _slug_words(url: str | None) -> set[str]:
    """The words of an address's last path segment (`/the-deck-of-cards` -> the, deck, of, cards)."""
    if not url:
        return set()
    segments = [x for x in urlsplit(url).path.split("/") if x]
    if not segments:
        return set()
    last = max(segments[-2:], key=len)
    words = _WORD.findall(unquote(last).casefold())
    return set(words) if len(words) >= 3 else set()


def _metas(tree: Any) -> dict[str, str]:
    """`<meta>` values by lower-case name, the first one of each; a `property` may hold several
    names (`og:title twitter:title`), and `dc:title` is `dc.title`."""
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        value = meta.get("content")
        if not value or not clean_line(value):
            continue
        keys = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        for key in keys.split():
            key = re.sub(r"^(dc|dcterms?):", r"\1.", key)
            if key not in metas:
                metas[key] = clean_line(value, max_length=1000)
    return metas


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
