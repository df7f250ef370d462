"""Whether a page is a listing (a home page, a section front, a tag or search page) rather than
one article, from general evidence: its structure first, then what it says about itself.

Structure: a listing is made of teasers, many sibling items each of a short headline link
standing alone (not a link inside running text) and a short summary, and has no run of long
paragraphs of its own. An item is the largest element around a headline link that holds no
other one, so a teaser's item is its card (headline, standfirst, byline), while an article's
paragraphs sit outside every teaser. What the page says: JSON-LD's type (`CollectionPage`,
`ItemList`, `SearchResultsPage` against `NewsArticle`, `BlogPosting`...), `og:type` and its
address (a home page, a language root, a `/tag/`, `/category/`, `/search` path or query, against
a date in the path or a long slug). The structure must hold and the page's own word must not
say "article"; then a listing type, a listing address, or a structure without a single long
paragraph of its own decides. A page of teasers with no word about itself either way counts
only when that structure is plain; an article with a block of related stories never does: its
own paragraphs are outside every teaser.

Readers disagree on such a page because there is no article to agree on, so `extract` shows
what Readability.js picks there (the block of teasers it scores best, which is what Firefox's
reader view shows) instead of voting.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import unquote, urlsplit

from newstui.sources.mdtext import WORD

__all__ = ["ListingEvidence", "listing_evidence"]

#: A headline link has at least this many words.
HEADLINE_WORDS = 3
#: A link stands alone when its block's text has at most this many words more than the link (a
#: kicker, a time) rather than a sentence around it.
STANDALONE_SLACK = 4
#: A teaser: its item holds at most this many words, at least `SUMMARY_WORDS` beyond the headline.
TEASER_WORDS = 120
SUMMARY_WORDS = 8
#: A listing has at least this many teasers.
MIN_TEASERS = 8
#: A paragraph counts from this many words of its own text; it is long from `LONG_WORDS`.
PARAGRAPH_WORDS = 15
LONG_WORDS = 40
#: The teasers' paragraph text must be at least this many times the page's other paragraph text,
#: with at most `MAX_LONG` long paragraphs outside the teasers; where nothing but the structure
#: speaks, the page's own paragraph text must be under `LONG_WORDS` (an intro line at most).
TEASER_SHARE = 2.0
MAX_LONG = 1

_BLOCKS = frozenset(
    {
        "p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section",
        "dd", "dt", "blockquote", "figure", "figcaption", "header", "footer", "ul", "ol", "main",
        "body", "table", "tr", "aside", "nav",
    }
)  # fmt: skip
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CHROME = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
_PARAGRAPHS = ("p", "li", "dd", "blockquote", "td", "div", "pre")
_INLINE = frozenset(
    {"b", "i", "em", "strong", "span", "br", "sup", "sub", "small", "abbr", "cite", "q", "mark"}
)
_ARTICLE_TYPES = re.compile(
    r"(?:Article|BlogPosting|LiveBlogPosting|Report|Recipe|HowTo|Review|Question|"
    r"DiscussionForumPosting|SocialMediaPosting|Episode|Course)$"
)
_LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "Blog"})
#: Path segments that name a listing in the web's common languages.
_LISTING_SEGMENTS = frozenset(
    {
        "tag", "tags", "category", "categories", "topic", "topics", "section", "sections",
        "search", "archive", "archives", "label", "labels", "latest", "thema", "themen",
        "rubrik", "rubriken", "kategorie", "kategorien", "schlagwort", "schlagworte", "suche",
        "categoria", "categorias", "categoría", "categorías", "etiqueta", "etiquetas", "seccion",
        "sección", "tema", "temas", "buscar", "busqueda", "búsqueda", "rubrique", "rubriques",
        "categorie", "catégorie", "recherche", "mot-cle", "mots-cles", "archivio", "argomenti",
    }
)  # fmt: skip
#: A listing's later page: `/page/2`.
_PAGE_NUMBER = re.compile(r"/page/\d{1,4}/?$", re.I)
_LISTING_QUERY = re.compile(r"(?:^|&)(?:s|q|query|search|tag|cat|category)=", re.I)
_LANGUAGE_ROOT = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2})?$", re.I)
_INDEX_FILE = re.compile(r"^(?:index|default|home)\.\w{2,5}$", re.I)
_DATE_PATH = re.compile(r"/(?:19|20)\d\d(?:/|-)?[01]?\d(?:/|-)|/(?:19|20)\d\d[01]\d[0-3]\d")
_LONG_ID = re.compile(r"\d{5,}")
#: An address's slug names one article from this many words.
SLUG_WORDS = 4


@dataclass(frozen=True, slots=True)
class ListingEvidence:
    """What decided whether a page is a listing, for tests and for the benchmark's study."""

    teasers: int
    teaser_words: int
    other_words: int
    long_paragraphs: int
    says: str | None
    """"listing" or "article" where the page's metadata or address says so, else None."""

    @property
    def structure(self) -> bool:
        """Whether the page is built as a listing: many teasers and little text of its own."""
        return (
            self.teasers >= MIN_TEASERS
            and self.teaser_words >= TEASER_SHARE * self.other_words
            and self.long_paragraphs <= MAX_LONG
        )

    @property
    def plain(self) -> bool:
        """A listing's structure beyond doubt: hardly a paragraph of the page's own."""
        return self.structure and self.other_words < LONG_WORDS

    @property
    def is_listing(self) -> bool:
        if not self.structure or self.says == "article":
            return False
        return self.says == "listing" or self.plain


def listing_evidence(root: Any, url: str | None = None) -> ListingEvidence:
    """The evidence on whether the page (an lxml tree, hidden parts removed) is a listing; `url`
    is where it was fetched from (its canonical address is read from the page when absent)."""
    body = root.find("body")
    body = body if body is not None else root
    teasers, items = _teaser_items(body)
    if teasers < MIN_TEASERS:
        return ListingEvidence(teasers, 0, 0, 0, None)
    teaser_words = other_words = long_paragraphs = 0
    for element in body.iter(*_PARAGRAPHS):
        words = _own_words(element)
        if words < PARAGRAPH_WORDS:
            continue
        ancestors = list(element.iterancestors())
        if any(a.tag in _CHROME for a in ancestors):
            continue
        if element in items or any(a in items for a in ancestors):
            teaser_words += words
        else:
            other_words += words
            long_paragraphs += words >= LONG_WORDS
    evidence = ListingEvidence(teasers, teaser_words, other_words, long_paragraphs, None)
    if not evidence.structure:
        return evidence
    return ListingEvidence(teasers, teaser_words, other_words, long_paragraphs, _says(root, url))


def _words(text: str) -> int:
    return len(WORD.findall(text))


def _more_words(text: str, than: int) -> bool:
    """Whether `text` has more than `than` words (counted no further than that)."""
    return next(islice(WORD.finditer(text), than, None), None) is not None


def _own_words(element: Any) -> int:
    """The words of an element's own running text: its text and its inline children's, not its
    links' nor its blocks'."""
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if child.tag in _INLINE:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return _words(" ".join(parts))


def _headlines(body: Any) -> list[tuple[Any, int]]:
    """The page's headline links, each with its headline's word count: a link of a few words
    that stands alone in its block (not a link inside a sentence)."""
    heads: list[tuple[Any, int]] = []
    for link in body.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        whole = link.text_content()
        if not _more_words(whole, HEADLINE_WORDS - 1):
            continue  # most links: "Home", "Share", a name
        size = _words(whole)
        heading = next(link.iter(*_HEADINGS), None) if len(link) else None
        words = size if heading is None else _words(heading.text_content())
        if words < HEADLINE_WORDS:
            continue
        block = next((a for a in link.iterancestors() if a.tag in _BLOCKS), None)
        if block is not None and _more_words(block.text_content(), size + STANDALONE_SLACK):
            continue  # a link inside a sentence, not a headline
        heads.append((link, words))
    return heads


def _teaser_items(body: Any) -> tuple[int, set[Any]]:
    """How many teasers the page has outside its chrome, and the elements they are made of (see
    the module docstring). Where a headline's item is the headline alone, in a flat list
    (`<h2><a>…</a></h2><p>…</p><h2>…`), its summary is the siblings that follow it up to the
    next headline."""
    heads = _headlines(body)
    holding: dict[Any, int] = {}
    for link, _ in heads:
        for ancestor in link.iterancestors():
            holding[ancestor] = holding.get(ancestor, 0) + 1
    items: set[Any] = set()
    teasers = 0
    for link, words in heads:
        item = link
        for ancestor in link.iterancestors():
            if holding[ancestor] > 1 or ancestor is body:
                break
            item = ancestor
        if item.tag in _CHROME or any(a.tag in _CHROME for a in item.iterancestors()):
            continue
        parts = [item]
        total = _words(item.text_content())
        if total - words < SUMMARY_WORDS:
            for sibling in item.itersiblings():
                if not isinstance(sibling.tag, str) or sibling in holding or sibling.tag == "a":
                    break
                parts.append(sibling)
                total += _words(sibling.text_content())
                if total > TEASER_WORDS:
                    break
        if total <= TEASER_WORDS and total - words >= SUMMARY_WORDS:
            items.update(parts)
            teasers += 1
    return teasers, items


def _says(root: Any, url: str | None) -> str | None:
    """ "article" or "listing" where the page's JSON-LD, `og:type` or address says so."""
    types = _ld_types(root)
    if any(_ARTICLE_TYPES.search(t) for t in types):
        return "article"
    if types & _LISTING_TYPES:
        return "listing"
    address = url or _canonical(root)
    where = _address_says(address) if address else None
    if where is not None:
        return where
    og_type = _og_type(root)
    if og_type == "website":
        return "listing"
    if og_type == "article":
        return "article"
    return None


def _address_says(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = unquote(parts.path)
    segments = [s for s in path.split("/") if s]
    if _LISTING_QUERY.search(parts.query):
        return "listing"
    if _DATE_PATH.search(path) or _LONG_ID.search(path):
        return "article"
    if not segments or (len(segments) == 1 and _LANGUAGE_ROOT.match(segments[0])):
        return "listing"  # a home page, or a language's
    if len(segments) == 1 and _INDEX_FILE.match(segments[0]):
        return "listing"
    if len(WORD.findall(segments[-1])) >= SLUG_WORDS:
        return "article"  # one story's slug, even under a category's path
    if _PAGE_NUMBER.search(path) or any(s.lower() in _LISTING_SEGMENTS for s in segments):
        return "listing"
    return None


def _ld_types(root: Any) -> set[str]:
    """The `@type`s of the page's top-level JSON-LD items (an `@graph`'s too)."""
    types: set[str] = set()
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        text = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", script.text.strip())
        try:
            doc = json.loads(text[:500_000])
        except (ValueError, RecursionError):
            continue
        for item in doc if isinstance(doc, list) else [doc]:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            for node in graph if isinstance(graph, list) else [item]:
                kind = node.get("@type") if isinstance(node, dict) else None
                for name in kind if isinstance(kind, list) else [kind]:
                    if isinstance(name, str):
                        types.add(name.rsplit("/", 1)[-1])
    return types


def _og_type(root: Any) -> str | None:
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:type":
            return (meta.get("content") or "").strip().lower() or None
    return None


def _canonical(root: Any) -> str | None:
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical":
            href = (link.get("href") or "").strip()
            if href.startswith(("http://", "https://")):
                return href
    for meta in root.iter("meta"):
        if (meta.get("property") or "").lower() == "og:url":
            content = (meta.get("content") or "").strip()
            if content.startswith(("http://", "https://")):
                return content
    return None
