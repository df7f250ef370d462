"""Main-text extraction of a web page: the article body as Markdown, with title, author and date.

The page is parsed once; what a browser would not show (`hidden`, `display: none`, `visibility:
hidden`, `aria-hidden`) is removed, unless it is nearly the whole page (revealed by a script).
Two extractors read the page: trafilatura (robust metadata, conservative about boilerplate) and
readability-lxml (the Readability algorithm, good at keeping whole article containers). Their
Markdown is split into blocks and merged: readability's blocks are the base; trafilatura's blocks
that readability missed are inserted where they fall between blocks both extractors agree on
(the shared blocks), or put first when they come before all of those and are not mostly links;
readability's trailing text from a "Related"-style heading on is dropped; a block from
trafilatura that the text already has is not added twice (the page's own repeated paragraphs
stay). When readability picked a far smaller container than trafilatura, trafilatura's text is
used. Finally, a list item that introduces a sub-list ("In progress:") but lost it (both
extractors drop lists that are all links) gets its sub-list back from the page, when the
sub-list's items read as text (several words each) rather than as a bar of short links.

Where a block sits in the page decides what trafilatura may add. Each block is found in the page
by its first 3-word shingle that occurs in one place only, and the article's container is the
deepest element holding all of readability's shared blocks (a layout table rather than one of
its cells; the element holding a table or list, as that is a part of the article, not all of
it). Trafilatura's extra blocks outside that container are left out: teasers of other
stories after the article, and, before it, the article's header (title, standfirst, byline,
tags), unless that lead-in has several full paragraphs (body text readability missed). After
the last shared block, its extra blocks inside the container (notes, references) follow the
text when one of them is a full paragraph (a short promotion there is not). A run of
extra blocks inside the article that outweighs all the shared text (a gallery, a list of other
stories set into the page) is left out too, and does not count when judging readability's
container too small.

A MathML formula keeps its text (its symbols, not its TeX annotation); the HTML sanitiser would
drop it whole. At the text's ends, page furniture goes: blocks of links only (a "read on one page" link, a row
of other stories) and, at the end, short copyright, rights and "Tags:"-style lines.

A page is never left empty when it shows text: a short result stays when it is most of the
page's visible text (a short page); else the page's container with the most paragraph text is
taken, else the page's visible text without its chrome, and `Extracted.method` says which.
Nothing here looks at any reference output: it depends only on the page and the two candidates.

CPU-bound (tens of milliseconds to a second): call it from a worker thread or process.
"""

from __future__ import annotations

import codecs
import logging
import re
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from itertools import pairwise
from typing import Any
from urllib.parse import urljoin, urlsplit

from newstui.domain.errors import ExtractionError
from newstui.domain.text import clean_line, clean_text, is_openable_url

__all__ = ["METHODS", "Extracted", "extract_article"]

#: How `Extracted.markdown` was found: "both" (the two extractors' texts merged), "readability" or
#: "trafilatura" (only one found text), "candidate" (neither found enough: the page's container
#: with the most paragraph text), "page" (not even that: the page's visible text).
METHODS = ("both", "readability", "trafilatura", "candidate", "page")

#: Fewer words than this in the merged text sends extraction to its fallbacks (see `_fallback`).
MIN_WORDS = 20
#: A short extraction is kept (a short page) when it holds at least this share of the page's text.
SHORT_SHARE = 0.5
#: A candidate smaller than this share of the other is taken as a too-narrow pick.
NARROW_SHARE = 0.5
#: A run of trafilatura's blocks inside the article is dropped when it has more words than this
#: share of the text the two extractors share.
OVERSIZED_SHARE = 1.0
#: A block is found in the page by the first of this many of its 3-word shingles that is in one
#: place only.
LOCATE_SHINGLES = 40
#: Lead-in blocks outside the article's container are kept when this many of them are full
#: paragraphs of at least `PARAGRAPH_WORDS` words.
LEAD_PARAGRAPHS = 2
PARAGRAPH_WORDS = 20
#: A block at either end whose words are at least this share link text is page furniture.
LINKS_ONLY_SHARE = 0.8
#: A closing line is furniture ("Tags: ...", "© 2019 ...") only when it is this short.
FURNITURE_WORDS = 60
#: The article's container is looked for only when the extractors share this many blocks.
CONTAINER_MIN_BLOCKS = 3
#: The article's container is the deepest element holding this share of the shared text.
CONTAINER_SHARE = 1.0
#: A dropped sub-list is restored only when its items average at least this many words.
SUBLIST_ITEM_WORDS = 4

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
# WHATWG: these labels mean windows-1252 in browsers.
_LATIN1_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"}
)
# WHATWG: legacy Chinese labels mean the superset encodings.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}
_HTML_MARKER = re.compile(r"<\s*(?:!doctype|html|head|body|p|div|article|main|section|title|meta|h[1-6]|br|table|span|a)\b", re.I)  # fmt: skip
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")

# Word tokens for comparing candidates: CJK characters count one by one.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK_TARGET = re.compile(r"\]\([^)\n]*\)")
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_FENCE_LINE = re.compile(r"^ {0,3}(```|~~~)")
_LIST_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]")
_MANY_BLANKS = re.compile(r"\n{3,}")
_INTRO_ITEM = re.compile(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)(.*\S)[ \t]*:[*_]*[ \t]*$")
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r'(\s+(?:"[^"\n]*"|\'[^\'\n]*\'))?\s*\)'
)

_END_FURNITURE = re.compile(
    r"^\W*(?:©|\(c\)\s|copyright\b|all rights reserved|tags?\b\W|categories\b\W|category\b\W|"
    r"topics?\b\W|filed under\b|this (?:document|article|material|content) (?:is|may)\b)",
    re.I,
)
_LINK_TEXT = re.compile(r"(?<!!)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(")
_BOILERPLATE_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*|\*\*)?[*_]*\s*(?:related|like this|share this|share|more from|more stories|"
    r"recommended|you may also like|you might also like|read more|comments?|leave a (?:reply|comment)|"
    r"popular|trending|most read|sponsored|advertisement)\b",
    re.I,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Extracted:
    """A page's main text and metadata."""

    title: str | None
    author: str | None
    date: datetime | None
    markdown: str
    """The body only: inline `[text](url)` links and `![alt](src)` images; no header, no link list."""
    method: str = "both"
    """How the text was found, one of `METHODS`."""


def extract_article(data: bytes, *, url: str | None = None) -> Extracted:
    """The main text of the HTML page `data` (fetched from `url`) as Markdown.

    `Extracted.method` says how the text was found (see `METHODS`). Raises `ExtractionError`
    when the page is not HTML or has no visible text at all.
    """
    html = decode_html(data)
    base = url if url and is_openable_url(url) else None
    root = _parse_page(html)
    if root is not None:
        _drop_hidden(root)
    meta, traf = _trafilatura(html if root is None else root, base)
    title, author, date = meta
    document = _readability_document(html if root is None else deepcopy(root), base)
    readable = _readability_body(document)
    body, method = merge(readable, traf, root)
    title = title or _readability_title(document)
    markdown = _finish(body, html, base, title)
    if len(_words(markdown)) < MIN_WORDS and root is not None:
        markdown, method = _fallback(markdown, method, root, base, title)
    if not _words(markdown):
        raise ExtractionError("no article text found on the page (script-only page?)")
    return Extracted(title=title, author=author, date=date, markdown=markdown, method=method)


def _finish(body: str, html: str, base: str | None, title: str | None) -> str:
    return _drop_title(_prune_ends(_tidy(_restore_sublists(body, html), base)), title)


def _prune_ends(markdown: str) -> str:
    """The text without the page furniture at its ends: from the end, copyright and rights
    lines, "Tags:"-style lines and blocks of links only; from the start, blocks of links only."""
    blocks = _blocks(markdown)
    if len(blocks) < 3:
        return markdown

    def furniture(block: str, at_end: bool) -> bool:
        words = _words(block)
        if not words:
            return not _MD_IMAGE.search(block)  # a stray mark; a picture stays
        if _link_share(block, words) >= LINKS_ONLY_SHARE:
            return True
        return at_end and len(words) <= FURNITURE_WORDS and bool(_END_FURNITURE.match(block))

    start, end = 0, len(blocks)
    while end > start + 1 and furniture(blocks[end - 1], True):
        end -= 1
    while start < end - 1 and furniture(blocks[start], False):
        start += 1
    if (start, end) == (0, len(blocks)):
        return markdown
    return "\n\n".join(blocks[start:end])


def _fallback(
    markdown: str, method: str, root: Any, base: str | None, title: str | None
) -> tuple[str, str]:
    """For a short extraction: itself when it is most of the page's visible text (a short page),
    else the best candidate container, else the page's text; nothing when the page shows none."""
    page = _drop_title(_tidy(_page_markdown(root), base), title)
    found, available = len(_words(markdown)), len(_words(page))
    if not available:
        return "", method  # nothing a reader would see: a script-only page
    if found >= SHORT_SHARE * available:
        return markdown, method
    candidate = _best_candidate(root)
    if candidate is not None:
        text = _drop_title(_tidy(candidate, base), title)
        if len(_words(text)) >= MIN_WORDS:
            return text, "candidate"
    return page, "page"


# --- bytes to text ------------------------------------------------------------------------------


def decode_html(data: bytes) -> str:
    """`data` as text, by BOM, then UTF-8 if valid, then `<meta charset>`, then detection."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ExtractionError("not an HTML page")
    data = bytes(data)
    if not data.strip():
        raise ExtractionError("the page is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _check_html(data.decode(encoding, errors="replace"))
    head = data[:8192]
    if b"\x00" in head or len(_BINARY_BYTES.findall(head)) > len(head) // 20:
        raise ExtractionError("not an HTML page (binary data)")
    # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the page claims (re-saved pages lie).
    try:
        return _check_html(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(head)
    if match:
        label = match.group(1).decode("ascii", errors="replace").lower()
        label = _ALIASES.get(label, "cp1252" if label in _LATIN1_LABELS else label)
        try:
            codecs.lookup(label)
        except LookupError:
            pass
        else:
            if label.replace("_", "-") in {"utf-16", "utf-16le", "utf-16be", "utf-32"}:
                label = "utf-8"  # a page read as bytes with an ASCII meta tag is not UTF-16
            return _check_html(data.decode(label, errors="replace"))
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:500_000]).best()
        encoding = best.encoding if best is not None else "cp1252"
    except Exception:  # detection is best effort
        encoding = "cp1252"
    return _check_html(data.decode(encoding, errors="replace"))


def _check_html(text: str) -> str:
    if not _HTML_MARKER.search(text[:200_000]):
        raise ExtractionError("not an HTML page")
    return text


# --- the two extractors -------------------------------------------------------------------------

_Meta = tuple[str | None, str | None, datetime | None]


def _trafilatura(html: str, url: str | None) -> tuple[_Meta, str]:
    """(title, author, date) and the Markdown body per trafilatura ("" when it finds none)."""
    import trafilatura
    from trafilatura.settings import Extractor, set_date_params
    from trafilatura.xml import xmltotxt

    library_log = logging.getLogger("trafilatura")
    if library_log.level == logging.NOTSET:
        # Its warnings ("discarding data: None") are about its own attempts, not for the user:
        # an empty result is ours to report. A level set by the user is kept.
        library_log.setLevel(logging.ERROR)

    options = Extractor(
        output_format="markdown",
        formatting=True,
        links=True,
        images=True,
        tables=True,
        comments=False,
        with_metadata=True,
        url=url,
        # No guessing from copyright lines or URLs: a missing date beats a wrong one.
        date_params=set_date_params(False),
    )
    try:
        document: Any = trafilatura.bare_extraction(html, url=url, options=options)
    except Exception as exc:  # a library failure on odd input is no extraction, not a crash
        log.debug("trafilatura failed: %s", exc)
        return (None, None, None), ""
    if document is None or isinstance(document, dict):
        return (None, None, None), ""
    body = xmltotxt(document.body, True) if document.body is not None else ""
    title = clean_line(document.title, max_length=500) or None
    author = clean_line(document.author, max_length=300) or None
    return (title, author, _parse_date(document.date)), str(body or "")


def _readability_document(page: Any, url: str | None) -> Any | None:
    """readability-lxml's view of `page` (HTML text or a tree of our own), or None without it.

    readability parses and cleans its input again for each of its calls (a summary that retries
    less ruthlessly, the title), and cleaning costs more than all its scoring: the cleaned tree
    is made once here, and each call gets a copy of it.
    """
    document_class = _document_class()
    return None if document_class is None else document_class(page, url=url)


@cache
def _document_class() -> Any | None:
    try:
        from readability import Document
    except ImportError:  # optional second opinion
        return None

    class CleanedOnce(Document):  # type: ignore[misc]
        _cleaned: Any = None

        def _parse(self, input: Any) -> Any:
            if self._cleaned is None:
                self._cleaned = super()._parse(input)
            return deepcopy(self._cleaned)

    return CleanedOnce


def _readability_body(document: Any | None) -> str:
    """The Markdown body per readability-lxml ("" when it fails)."""
    if document is None:
        return ""
    try:
        summary = str(document.summary(html_partial=True))
    except Exception as exc:  # Unparseable and friends
        log.debug("readability failed: %s", exc)
        return ""
    return _html_to_markdown(summary)


def _readability_title(document: Any | None) -> str | None:
    """readability-lxml's title (asked only when trafilatura found none: it costs a parse)."""
    if document is None:
        return None
    try:
        return clean_line(document.short_title(), max_length=500) or None
    except Exception as exc:
        log.debug("readability failed: %s", exc)
        return None


_MATH = re.compile(r"<math\b[^>]*>(.*?)</math\s*>", re.I | re.S)
_MATH_ANNOTATION = re.compile(r"<annotation(?:-xml)?\b.*?</annotation(?:-xml)?\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


def _math_text(match: re.Match[str]) -> str:
    """A MathML formula as its plain text (the sanitiser would drop it whole): its symbols
    spaced apart, without the source annotations (TeX) that repeat it."""
    text = _TAG.sub(" ", _MATH_ANNOTATION.sub(" ", match.group(1)))
    return " " + " ".join(text.split()) + " "


def _html_to_markdown(html: str) -> str:
    """Sanitised HTML to Markdown with inline links and images."""
    import markdownify
    import nh3

    safe = nh3.clean(
        _MATH.sub(_math_text, html),
        tags={
            "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
            "pre", "code", "em", "strong", "b", "i", "a", "img", "table", "thead", "tbody",
            "tfoot", "tr", "th", "td", "hr", "figure", "figcaption", "dl", "dt", "dd", "sup",
            "sub", "div", "span", "section", "article", "header", "footer", "main", "aside",
            "caption", "del", "s", "kbd", "samp", "var", "mark", "small", "abbr", "cite", "q",
        },
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}, "img": {"src", "alt"}, "*": set()},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        generic_attribute_prefixes=set(),
    )  # fmt: skip
    from newstui.sources.content import MAX_DEPTH, _flatten

    converted = markdownify.markdownify(
        _flatten(safe, MAX_DEPTH),
        heading_style="ATX",
        bullets="-",
        newline_style="BACKSLASH",
        escape_misc=False,
    )
    return str(converted)


# --- the page itself -----------------------------------------------------------------------------

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:;|!|$)", re.I
)
#: A hidden element is kept when it holds more than this share of the page's text (a page that
#: script reveals as a whole).
HIDDEN_MAX_SHARE = 0.75
#: Never text: dropped before the page's text is read.
_NOT_TEXT = ("script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas")
#: The page's chrome: dropped from the page's text when what remains still has text.
_CHROME = ("nav", "header", "footer", "aside", "form", "button", "select", "dialog", "menu")
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
        "figcaption", "figure", "dd", "dt", "dl", "section", "article", "main", "aside",
        "header", "footer", "nav", "table", "tr", "ul", "ol", "body", "form",
    }
)  # fmt: skip
_PARAGRAPH_TAGS = ("p", "pre", "td", "li", "blockquote", "dd", "div", "section", "article")


def _parse_page(html: str) -> Any | None:
    """The page's lxml tree, comments removed; None when it does not parse."""
    import lxml.html

    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1), parser=parser)
    except Exception as exc:  # lxml's ParserError and ValueError on odd input
        log.debug("lxml failed: %s", exc)
        return None
    return root


def _drop_hidden(root: Any) -> None:
    """Remove what a browser does not show (`hidden`, `display: none`, `visibility: hidden`,
    `aria-hidden`): an image's copy, a closed dialog, a teaser held for later."""
    total = len(root.text_content())
    for element in root.xpath('//*[@hidden or @style or @aria-hidden="true"]'):
        if element.tag in ("html", "body") or element.getparent() is None:
            continue
        hidden = element.get("hidden") is not None or element.get("aria-hidden") == "true"
        if not hidden and not _HIDDEN_STYLE.search(element.get("style") or ""):
            continue
        if len(element.text_content()) > HIDDEN_MAX_SHARE * total:
            continue  # the page itself, revealed by a script
        element.drop_tree()


def _page_markdown(root: Any) -> str:
    """The page's visible text as Markdown, without its chrome when that leaves text."""
    import lxml.html

    body = root.find("body")
    page = deepcopy(body if body is not None else root)
    for element in page.xpath(" | ".join(f"descendant-or-self::{t}" for t in _NOT_TEXT)):
        if element.getparent() is not None:
            element.drop_tree()
    bare = deepcopy(page)
    for element in bare.xpath(" | ".join(f"descendant::{t}" for t in _CHROME)):
        if element.getparent() is not None:
            element.drop_tree()
    for candidate in (bare, page):
        markdown = _html_to_markdown(lxml.html.tostring(candidate, encoding="unicode"))
        if _words(markdown):
            return markdown
    return ""


def _best_candidate(root: Any) -> str | None:
    """The Markdown of the page's container with the most paragraph text (Readability's scoring
    in short: each paragraph-like element's words, less its link words, count for its parent
    and half for its grandparent), or None."""
    import lxml.html

    scores: dict[Any, float] = {}
    for element in root.iter(*_PARAGRAPH_TAGS):
        own = (element.text or "") + "".join(
            (
                child.text_content()
                if child.tag in ("a", "b", "i", "em", "strong", "span", "br")
                else ""
            )
            + (child.tail or "")
            for child in element
            if isinstance(child.tag, str)
        )
        words = len(_WORD.findall(own))
        if words < 5:
            continue
        linked = sum(len(_WORD.findall(a.text_content())) for a in element.iter("a"))
        value = max(0.0, words - linked)
        parent = element.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + value
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + value / 2
    if not scores:
        return None
    best = max(scores, key=lambda e: scores[e])
    if best.tag in ("html", "body"):
        return None
    best = deepcopy(best)
    for element in best.xpath(" | ".join(f"descendant::{t}" for t in _NOT_TEXT)):
        if element.getparent() is not None:
            element.drop_tree()
    return _html_to_markdown(lxml.html.tostring(best, encoding="unicode"))


# --- choosing and merging -----------------------------------------------------------------------


def _words(markdown: str) -> list[str]:
    """Lowercase word tokens of Markdown: image syntax and link targets dropped."""
    text = _MD_LINK_TARGET.sub("] ", _MD_IMAGE.sub(" ", markdown))
    return _WORD.findall(text.lower())


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _blocks(markdown: str) -> list[str]:
    """Markdown split at blank lines, code fences kept whole."""
    blocks: list[str] = []
    current: list[str] = []
    fenced = False
    for line in markdown.split("\n"):
        if _FENCE_LINE.match(line):
            fenced = not fenced
        if not fenced and not line.strip():
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return [b for b in blocks if b.strip()]


class _Text:
    """A Markdown text as blocks, with each block's words and 3-word shingles (found once)."""

    __slots__ = ("blocks", "everything", "shingles", "total", "words")

    def __init__(self, markdown: str) -> None:
        self.blocks = _blocks(markdown)
        self.words = [_words(b) for b in self.blocks]
        self.shingles = [_shingles(w) for w in self.words]
        self.everything: set[tuple[str, ...]] = set().union(*self.shingles)
        self.total = sum(len(w) for w in self.words)

    def shared(self, other: _Text) -> list[float]:
        """How much of each block the other text has (the share of its shingles)."""
        return [_share(s, other.everything) for s in self.shingles]


def merge(readable: str, traf: str, root: Any | None = None) -> tuple[str, str]:
    """The merged body of readability's and trafilatura's Markdown, and which of `METHODS` it is.

    With the page's tree `root`, trafilatura's blocks that readability lacks are kept only when
    they sit inside the article's container: the page element that holds the text both agree on.
    """
    r, t = _Text(readable), _Text(traf)
    if not r.total or not t.total:
        return (readable, "readability") if r.total else (traf, "trafilatura")
    page = _Page(root) if root is not None else None
    t_in_r = t.shared(r)
    t_shared = [len(w) >= 5 and c >= 0.6 for w, c in zip(t.words, t_in_r, strict=True)]
    oversized = sum(len(t.words[n]) for n in _oversized(t.words, t_shared))
    if r.total < NARROW_SHARE * (t.total - oversized):
        # Readability settled on a much smaller container than trafilatura found: too narrow.
        # Trafilatura's text, without what lies outside the container of the shared text.
        return (_within(r, t, traf, page) if page is not None else traf), "trafilatura"
    return _choose(r, t, t_in_r, traf, page), "both"


def _runs(shared: list[bool]) -> list[tuple[int, int]]:
    """(start, end) of each run of unshared blocks between two shared ones."""
    runs = []
    marks = [n for n, s in enumerate(shared) if s]
    for a, b in pairwise(marks):
        if b > a + 1:
            runs.append((a + 1, b))
    return runs


def _oversized(t_words: list[list[str]], shared: list[bool]) -> set[int]:
    """Trafilatura's blocks in runs, between shared blocks, longer than all the shared text:
    something set into the article (a gallery, a list of stories), not a part of it."""
    total = sum(len(w) for w, s in zip(t_words, shared, strict=True) if s)
    out: set[int] = set()
    for start, end in _runs(shared):
        if sum(len(w) for w in t_words[start:end]) > OVERSIZED_SHARE * total:
            out.update(range(start, end))
    return out


class _Page:
    """Where a block of text sits in the page: the block-level element holding its first words."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._starts: dict[tuple[str, ...], Any] | None = None
        # A shingle in several places -> those places, then (once asked) their common ancestor.
        self._repeats: dict[tuple[str, ...], Any] = {}

    def _index(self) -> dict[tuple[str, ...], Any]:
        """Each 3-word shingle of the page's text -> the block element where it first starts."""
        if self._starts is not None:
            return self._starts
        from lxml import etree

        body = self.root.find("body")
        body = body if body is not None else self.root
        words: list[str] = []
        owners: list[Any] = []
        stack: list[Any] = []
        skip = 0
        for event, element in etree.iterwalk(body, events=("start", "end")):
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "start":
                if skip or tag in _NOT_TEXT:
                    skip += 1
                    continue
                stack.append(element if tag in _BLOCK_TAGS or not stack else stack[-1])
                found = _WORD.findall((element.text or "").lower())
                words += found
                owners += [stack[-1]] * len(found)
            else:
                if skip:
                    skip -= 1
                    if skip or tag not in _NOT_TEXT:
                        continue
                else:
                    stack.pop()
                if element is not body and stack:
                    found = _WORD.findall((element.tail or "").lower())
                    words += found
                    owners += [stack[-1]] * len(found)
        starts: dict[tuple[str, ...], Any] = {}
        repeats = self._repeats
        for key, owner in zip(zip(words, words[1:], words[2:], strict=False), owners, strict=False):
            first = starts.setdefault(key, owner)
            if first is not owner:
                # In two places: it says only that the block is in their common ancestor.
                repeats.setdefault(key, [first]).append(owner)
        self._starts = starts
        return starts

    def _shared_at(self, key: tuple[str, ...]) -> Any:
        """The common ancestor of the places of a shingle found in several (once per shingle)."""
        places = self._repeats[key]
        if isinstance(places, list):
            at = places[0]
            for owner in places[1:]:
                at = _common_ancestor(at, owner)
            self._repeats[key] = places = at
        return places

    def locate(self, words: list[str]) -> Any | None:
        """The element holding the block with these words: where its first shingle that is in
        one place only is, else the deepest common ancestor of its shingles' places; or None."""
        starts = self._index()
        shared: list[Any] = []
        for n in range(min(len(words) - 2, LOCATE_SHINGLES)):
            key = (words[n], words[n + 1], words[n + 2])
            element = starts.get(key)
            if element is None:
                continue
            if key not in self._repeats:
                return element
            shared.append(self._shared_at(key))
        if not shared:
            return None
        return max(shared, key=lambda e: sum(1 for _ in e.iterancestors()))

    def container(self, blocks: list[list[str]]) -> Any | None:
        """The deepest element holding most of these blocks' words (a table, not its cell)."""
        held: dict[Any, int] = {}
        total = 0
        for words in blocks:
            element = self.locate(words)
            if element is None:
                continue
            total += len(words)
            for holder in (element, *element.iterancestors()):
                held[holder] = held.get(holder, 0) + len(words)
        if not total:
            return None
        best = max(
            (e for e, n in held.items() if n >= CONTAINER_SHARE * total),
            key=lambda e: sum(1 for _ in e.iterancestors()),
        )
        # A layout table's cell holds a part of the article; the table holds it all.
        while best.tag in ("td", "th", "tr", "tbody", "thead", "tfoot", "table", "ul", "ol", "dl"):
            parent = best.getparent()
            if parent is None:
                break
            best = parent
        return best

    def inside(self, words: list[str], container: Any) -> bool | None:
        """Whether the block is in `container`; None when it cannot be found in the page."""
        element = self.locate(words)
        if element is None:
            return None
        return element is container or any(a is container for a in element.iterancestors())


def _common_ancestor(a: Any, b: Any) -> Any:
    above = {id(e): e for e in (a, *a.iterancestors())}
    for element in (b, *b.iterancestors()):
        if id(element) in above:
            return element
    return a


def _within(r: _Text, t: _Text, traf: str, page: _Page) -> str:
    """Trafilatura's blocks, less those found outside the container of the shared text (and
    the unplaced ones among them)."""
    shared = [w for w, c in zip(r.words, r.shared(t), strict=True) if len(w) >= 5 and c >= 0.6]
    if len(shared) < CONTAINER_MIN_BLOCKS:
        return traf  # too little shared text to tell where the article is
    container = page.container(shared)
    if container is None:
        return traf
    where = [page.inside(w, container) for w in t.words]
    keep: list[str] = []
    for n, block in enumerate(t.blocks):
        if where[n] is None:
            before = next((x for x in reversed(where[:n]) if x is not None), None)
            after = next((x for x in where[n + 1 :] if x is not None), None)
            if not (before and after):
                continue  # unplaced, and not between two blocks of the article
        elif not where[n]:
            continue
        keep.append(block)
    return "\n\n".join(keep)


def _choose(r: _Text, t: _Text, t_in_r: list[float], traf: str, page: _Page | None) -> str:
    """The merged body of readability's and trafilatura's Markdown (see the module docstring)."""
    r_blocks, t_blocks = r.blocks, t.blocks
    r_words, t_words = r.words, t.words
    r_in_t = r.shared(t)
    r_anchors = [i for i, w in enumerate(r_words) if len(w) >= 5 and r_in_t[i] >= 0.6]
    t_anchors = [i for i, w in enumerate(t_words) if len(w) >= 5 and t_in_r[i] >= 0.6]
    t_anchors = _best_matches(t_anchors, t.shingles, r.shingles)
    if not r_anchors or not t_anchors:
        return traf  # the two disagree entirely: trafilatura is the conservative choice
    # Each group: a readability block, then the trafilatura blocks put after it.
    merged: list[list[str]] = [[b] for b in r_blocks]
    r_set = set(r_blocks)
    r_shingles = r.shingles
    # Readability's own text after the last shared block, from a "Related"-style heading on, is
    # a teaser list or a share bar.
    for i in range(r_anchors[-1] + 1, len(r_blocks)):
        if _BOILERPLATE_HEADING.match(r_blocks[i]):
            del merged[i:]
            break
    # Trafilatura's blocks before the first shared one that readability dropped (a lead-in, a
    # list of materials) go first, unless they are mostly links (a navigation bar).
    container = None
    if page is not None and len(r_anchors) >= CONTAINER_MIN_BLOCKS:
        container = page.container([r_words[i] for i in r_anchors])

    def outside(j: int) -> bool:
        return (
            container is not None
            and page is not None
            and page.inside(t_words[j], container) is False
        )

    lead_at = [
        j
        for j in range(t_anchors[0])
        if t_words[j] and t_in_r[j] < 0.3 and _link_share(t_blocks[j], t_words[j]) < 0.5
    ]
    # Outside the article's container, a lead-in is the article's header (its title, standfirst,
    # byline, tags): left out, unless it has body paragraphs readability missed (several full
    # paragraphs).
    body = [j for j in lead_at if len(t_words[j]) >= PARAGRAPH_WORDS]
    if len(body) < LEAD_PARAGRAPHS:
        lead_at = [j for j in lead_at if not outside(j)]
    lead = [t_blocks[j] for j in lead_at]
    if lead:
        merged[r_anchors[0]][:0] = lead
    oversized = _oversized(t_words, [j in set(t_anchors) for j in range(len(t_words))])
    for j in range(t_anchors[0] + 1, t_anchors[-1]):
        if t_in_r[j] >= 0.3 or not t_words[j] or j in oversized or outside(j):
            continue
        previous = max(a for a in t_anchors if a < j)
        anchor = t.shingles[previous]
        at = max(range(len(r_blocks)), key=lambda i: len(r_shingles[i] & anchor))
        merged[at].append(t_blocks[j])
    # Trafilatura's blocks after the last shared one that readability dropped (notes, references,
    # a closing paragraph) follow the text when they sit inside the article's container, up to a
    # "Related"-style heading, unless they outweigh the shared text (a list of other stories) or
    # none of them is a full paragraph (a promotion's heading, lead line and links).
    if container is not None:
        tail: list[str] = []
        unplaced: list[str] = []  # a heading too short to find: kept when text inside follows
        for j in range(t_anchors[-1] + 1, len(t_blocks)):
            if _BOILERPLATE_HEADING.match(t_blocks[j]):
                break
            if t_in_r[j] >= 0.3 or not t_words[j] or page is None:
                continue
            where = page.inside(t_words[j], container)
            if where is None:
                unplaced.append(t_blocks[j])
            elif where:
                tail += [*unplaced, t_blocks[j]]
                unplaced = []
            else:
                unplaced = []
        shared_words = sum(len(t_words[a]) for a in t_anchors)
        sizes = [len(_words(b)) for b in tail]
        if sizes and max(sizes) >= PARAGRAPH_WORDS and sum(sizes) <= OVERSIZED_SHARE * shared_words:
            merged.append(tail)
    out: list[str] = []
    own = {tuple(w) for w in r_words}
    for group in merged:
        for block in group:
            key = tuple(_words(block))
            if block in r_set or len(key) < 10 or key not in own:
                out.append(block)
                own.add(key)  # a block from trafilatura that the text already has is dropped
    return "\n\n".join(out)


def _best_matches(
    anchors: list[int], shingles: list[set[tuple[str, ...]]], other: list[set[tuple[str, ...]]]
) -> list[int]:
    """`anchors` less those whose best match in `other` is some other anchor's better match
    (a caption or a summary repeating part of a paragraph is not where that paragraph is)."""
    best: dict[int, tuple[int, int]] = {}
    for i in anchors:
        mine = shingles[i]
        overlap, at = max((len(mine & s), n) for n, s in enumerate(other))
        if at not in best or overlap > best[at][0]:
            best[at] = (overlap, i)
    keep = {i for _, i in best.values()}
    return [i for i in anchors if i in keep]


def _link_share(block: str, words: list[str]) -> float:
    """The share of a block's words that are link text."""
    linked = sum(len(_words(m)) for m in _LINK_TEXT.findall(block))
    return linked / len(words) if words else 0.0


def _share(shingles: set[tuple[str, ...]], other: set[tuple[str, ...]]) -> float:
    """The share of `shingles` that `other` has."""
    return len(shingles & other) / len(shingles) if shingles else 0.0


def _restore_sublists(markdown: str, html: str) -> str:
    """`markdown` with the sub-lists of its childless "...:" list items put back from `html`."""
    lines = markdown.split("\n")
    intros: list[tuple[int, str, tuple[str, ...]]] = []
    for n, line in enumerate(lines):
        match = _INTRO_ITEM.match(line)
        if not match:
            continue
        following = next((x for x in lines[n + 1 :] if x.strip()), "")
        indent = len(match.group(1))
        if _LIST_LINE.match(following) and len(following) - len(following.lstrip()) >= indent:
            continue  # it has its sub-list
        key = tuple(_words(match.group(2)))
        if key:
            intros.append((n, " " * indent, key))
    if not intros:
        return markdown
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception as exc:  # unparseable page: nothing to restore
        log.debug("lxml failed: %s", exc)
        return markdown
    sublists: dict[tuple[str, ...], Any] = {}
    for item in root.iter("li"):
        nested = [c for c in item if c.tag in ("ul", "ol")]
        if len(nested) != 1:
            continue
        own = (item.text or "") + "".join(
            lxml.html.tostring(c, method="text", encoding="unicode", with_tail=True)
            if c is not nested[0]
            else (c.tail or "")
            for c in item
        )
        sublists.setdefault(tuple(_words(own)), nested[0])
    for n, prefix, key in reversed(intros):
        sublist = sublists.get(key)
        if sublist is None:
            continue
        items = [len(_words(li.text_content())) for li in sublist if li.tag == "li"]
        if not items or sum(items) < SUBLIST_ITEM_WORDS * len(items):
            continue  # a row of short links (a share bar, tags), not text
        block = _html_to_markdown(lxml.html.tostring(sublist, encoding="unicode", with_tail=False))
        restored = [prefix + x if x.strip() else "" for x in block.strip("\n").split("\n")]
        lines[n + 1 : n + 1] = restored
    return "\n".join(lines)


# --- final Markdown -----------------------------------------------------------------------------


def _tidy(markdown: str, base: str | None) -> str:
    """Clean text, no stray indentation (which would read as code), safe absolute links."""
    lines: list[str] = []
    fenced = False
    for line in clean_text(markdown).split("\n"):
        if _FENCE_LINE.match(line):
            fenced = not fenced
            lines.append(line.strip())
            continue
        if fenced:
            lines.append(line.rstrip())
            continue
        stripped = line.strip()
        if _LIST_LINE.match(line):
            indent = len(line) - len(line.lstrip(" \t"))
            stripped = " " * min(indent, 12) + stripped
        lines.append(stripped)
    text = _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip()
    return _LINK.sub(lambda m: _fix_link(m, base), text)


def _drop_title(markdown: str, title: str | None) -> str:
    """The body without a leading heading that repeats the title (the pane shows it already)."""
    if not title:
        return markdown
    first, _, rest = markdown.partition("\n\n")
    if first.startswith("#") and "\n" not in first:
        heading = _words(first.lstrip("#"))
        if (
            heading
            and heading == _words(title)[: len(heading)]
            and len(heading) * 2 >= len(_words(title))
        ):
            return rest.lstrip("\n")
    return markdown


def _fix_link(match: re.Match[str], base: str | None) -> str:
    image, label, target = match.group(1), match.group(2), match.group(3)
    if target.startswith("<") and target.endswith(">"):
        target = target[1:-1]
    url = _absolute(target, base)
    if url is None:
        return "" if image else label
    url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"{image}[{label}]({url})"


def _absolute(target: str, base: str | None) -> str | None:
    target = target.strip()
    if not target:
        return None
    try:
        if not urlsplit(target).scheme and base:
            target = urljoin(base, target)
    except ValueError:
        return None
    return target if is_openable_url(target) else None


def _parse_date(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
