"""Main-text extraction of a web page: the article body as Markdown, with title, author and date.

The page is decoded (`decode`) and parsed once (`pagetree`); what a browser would not show
(`hidden`, `display: none`, `visibility: hidden`, `aria-hidden`) is removed, unless it is nearly
the whole page (revealed by a script). Two extractors read the page: trafilatura (robust
metadata, conservative about boilerplate) and readability-lxml (the Readability algorithm, good
at keeping whole article containers); `merge` makes one body of their Markdown, the page's tree
telling where each block sits, and Readability.js's current algorithm (`readability_js`) as a
third reader where the two disagree on a full paragraph. A list item that introduces a sub-list ("In progress:") but lost
it (both extractors drop lists that are all links) gets its sub-list back from the page, when the
sub-list's items read as text (several words each) rather than as a bar of short links. Page
furniture that both extractors keep goes (`furniture`): blocks of links only at the text's ends,
a byline or date line at its start, "Related" lists, calls to subscribe, copyright and "Tags:"
lines at its end, picture captions and credits and "Read more: ..." pointers anywhere.

A page of teasers with no single article (a home page, a section front, a tag or search page:
`listing` tells one from its structure and what it says about itself) has nothing for the readers
to agree on: it gives what Readability.js picks, as Firefox's reader view shows it.

A page is never left empty when it shows text: a short result stays when it is most of the
page's visible text (a short page); else the page's container with the most paragraph text is
taken, else the page's visible text without its chrome, and `Extracted.method` says which. A
frameset reads as its `<noframes>` text; a page with no text of its own raises an error that
says why (its text is in frames, at these addresses; it shows only images; a script builds it).
Nothing here looks at any reference output: it depends only on the page and the two candidates.

CPU-bound (tens of milliseconds to a second): call it from a worker thread or process.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from newstui.domain.errors import ExtractionError
from newstui.domain.text import clean_line, is_openable_url
from newstui.sources.decode import decode_html
from newstui.sources.furniture import prune_furniture
from newstui.sources.listing import listing_evidence
from newstui.sources.mdtext import (
    LIST_LINE,
    drop_title,
    html_to_markdown,
    md_words,
    tidy,
)
from newstui.sources.merge import merge
from newstui.sources.pagetree import (
    Page,
    best_candidate,
    drop_hidden,
    no_text_reason,
    open_frames,
    page_markdown,
    parse_page,
)
from newstui.sources.readability_js import grab_article

__all__ = ["METHODS", "Extracted", "extract_article"]

#: How `Extracted.markdown` was found: "both" (the two extractors' texts merged), "readability" or
#: "trafilatura" (only one found text), "listing" (a page of teasers, no single article: what
#: Readability.js picks, see `listing`), "candidate" (neither found enough: the page's container
#: with the most paragraph text), "page" (not even that: the page's visible text).
METHODS = ("both", "readability", "trafilatura", "listing", "candidate", "page")

#: Fewer words than this in the merged text sends extraction to its fallbacks (see `_fallback`).
MIN_WORDS = 20
#: A short extraction is kept (a short page) when it holds at least this share of the page's text.
SHORT_SHARE = 0.5
#: A dropped sub-list is restored only when its items average at least this many words.
SUBLIST_ITEM_WORDS = 4

_INTRO_ITEM = re.compile(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)(.*\S)[ \t]*:[*_]*[ \t]*$")
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
    root = parse_page(html)
    if root is not None:
        drop_hidden(root)
        root = open_frames(root)
        if root.find("body") is None:  # a frameset, or only a head: no text of its own
            raise ExtractionError(f"no article text on the page: {no_text_reason(root, base)}")
    meta, traf = _trafilatura(html if root is None else root, base)
    title, author, date = meta
    document = _readability_document(html if root is None else deepcopy(root), base)
    page = Page(root) if root is not None else None
    reread = _reread(root, title)
    body, method = _listing(root, base, reread)
    if not body:
        body, method = merge(_readability_body(document), traf, root, page, reread)
    title = title or _readability_title(document)
    markdown = _finish(body, html, base, title, page, author)
    if len(md_words(markdown)) < MIN_WORDS and root is not None:
        markdown, method = _fallback(markdown, method, root, base, title)
    if not md_words(markdown):
        reason = no_text_reason(root, base) if root is not None else "it shows no text"
        raise ExtractionError(f"no article text on the page: {reason}")
    return Extracted(title=title, author=author, date=date, markdown=markdown, method=method)


def _finish(
    body: str,
    html: str,
    base: str | None,
    title: str | None,
    page: Page | None,
    author: str | None = None,
) -> str:
    # The title first: a byline under it is furniture at the start.
    text = drop_title(tidy(_restore_sublists(body, html), base), title)
    return drop_title(prune_furniture(text, page.in_caption if page else None, author), title)


def _listing(root: Any, base: str | None, reread: Callable[[], str] | None) -> tuple[str, str]:
    """On a page of teasers (no single article, see `listing`), what Readability.js picks: the
    readers disagree there because there is nothing to agree on. ("", "") on any other page."""
    if root is None or reread is None or not listing_evidence(root, base).is_listing:
        return "", ""
    body = reread()
    return (body, "listing") if len(md_words(body)) >= MIN_WORDS else ("", "")


def _fallback(
    markdown: str, method: str, root: Any, base: str | None, title: str | None
) -> tuple[str, str]:
    """For a short extraction: itself when it is most of the page's visible text (a short page),
    else the best candidate container, else the page's text; nothing when the page shows none."""
    page = drop_title(tidy(page_markdown(root), base), title)
    found, available = len(md_words(markdown)), len(md_words(page))
    if not available:
        return "", method  # nothing a reader would see: a script-only page
    if found >= SHORT_SHARE * available:
        return markdown, method
    candidate = best_candidate(root)
    if candidate is not None:
        text = drop_title(tidy(candidate, base), title)
        if len(md_words(text)) >= MIN_WORDS:
            return text, "candidate"
    return page, "page"


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


def _reread(root: Any | None, title: str | None) -> Callable[[], str] | None:
    """Readability.js's reading of the page as Markdown, made when `merge` first asks for it (on
    about one page in eight of trafilatura's evaluation set; it costs a fifth of the rest)."""
    if root is None:
        return None

    @cache
    def reread() -> str:
        import lxml.html

        article = grab_article(root, title)
        if article is None:
            return ""
        return html_to_markdown(lxml.html.tostring(article, encoding="unicode"))

    return reread


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
        import readability.readability
        from readability import Document
    except ImportError:  # optional second opinion
        return None
    from newstui.sources import whitespace

    whitespace.install(readability.readability)  # its text measure, same result, less CPU

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
    return html_to_markdown(summary)


def _readability_title(document: Any | None) -> str | None:
    """readability-lxml's title (asked only when trafilatura found none: it costs a parse)."""
    if document is None:
        return None
    try:
        return clean_line(document.short_title(), max_length=500) or None
    except Exception as exc:
        log.debug("readability failed: %s", exc)
        return None


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
        if LIST_LINE.match(following) and len(following) - len(following.lstrip()) >= indent:
            continue  # it has its sub-list
        key = tuple(md_words(match.group(2)))
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
        sublists.setdefault(tuple(md_words(own)), nested[0])
    for n, prefix, key in reversed(intros):
        sublist = sublists.get(key)
        if sublist is None:
            continue
        items = [len(md_words(li.text_content())) for li in sublist if li.tag == "li"]
        if not items or sum(items) < SUBLIST_ITEM_WORDS * len(items):
            continue  # a row of short links (a share bar, tags), not text
        block = html_to_markdown(lxml.html.tostring(sublist, encoding="unicode", with_tail=False))
        restored = [prefix + x if x.strip() else "" for x in block.strip("\n").split("\n")]
        lines[n + 1 : n + 1] = restored
    return "\n".join(lines)


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
