"""The page as a tree: parsed, what a browser hides removed, its visible text, its container with
the most paragraph text, and where a block of text sits in it (`Page`)."""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from typing import Any

from newstui.sources.mdtext import WORD, html_to_markdown, md_words

log = logging.getLogger(__name__)

#: A block is found in the page by the first of this many of its 3-word shingles that is in one
#: place only.
LOCATE_SHINGLES = 40
#: The article's container is the deepest element holding this share of the shared text.
CONTAINER_SHARE = 1.0
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
#: A caption is looked for this many levels up from a block's element.
CAPTION_DEPTH = 3
_CAPTION_PARTS = frozenset({"caption", "captions", "figcaption", "credit", "credits"})
#: A class that says the element has or lacks a caption ("no_caption", "has-caption").
_NOT_CAPTION_PARTS = frozenset({"no", "has", "with", "without", "hide", "show"})
_PARAGRAPH_TAGS = ("p", "pre", "td", "li", "blockquote", "dd", "div", "section", "article")


def parse_page(html: str) -> Any | None:
    """The page's lxml tree, comments removed; None when it does not parse."""
    import lxml.html

    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1), parser=parser)
    except Exception as exc:  # lxml's ParserError and ValueError on odd input
        log.debug("lxml failed: %s", exc)
        return None
    return root


def drop_hidden(root: Any) -> None:
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


def open_frames(root: Any) -> Any:
    """The page a reader sees: for a frameset, the HTML of its `<noframes>` (what a browser
    without frames shows), parsed, when it has text; else the page itself."""
    if root.find("frameset") is None:
        return root
    import lxml.html

    for noframes in root.iter("noframes"):
        inner = (noframes.text or "") + "".join(
            lxml.html.tostring(child, encoding="unicode") for child in noframes
        )
        page = parse_page(inner) if inner.strip() else None
        if page is not None and page.find("body") is not None and WORD.search(page.text_content()):
            drop_hidden(page)
            return page
    return root


def no_text_reason(root: Any, base: str | None) -> str:
    """Why a page without a body or without visible text shows none, for the user."""
    from urllib.parse import urljoin

    frames = [
        urljoin(base or "", src)
        for src in (f.get("src", "").strip() for f in root.iter("frame", "iframe"))
        if src and not src.startswith(("javascript:", "about:", "data:"))
    ]
    if frames:
        more = f" and {len(frames) - 5} more" if len(frames) > 5 else ""
        return f"its text is in frames: {', '.join(frames[:5])}{more}"
    images = sum(1 for _ in root.iter("img"))
    if images:
        return f"it shows only {images} image{'s' if images > 1 else ''}"
    if any(s.get("src") or (s.text or "").strip() for s in root.iter("script")):
        return "it is built by a script (it has no text without it)"
    return "it shows no text"


def page_markdown(root: Any) -> str:
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
        markdown = html_to_markdown(lxml.html.tostring(candidate, encoding="unicode"))
        if md_words(markdown):
            return markdown
    return ""


def best_candidate(root: Any) -> str | None:
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
        words = len(WORD.findall(own))
        if words < 5:
            continue
        linked = sum(len(WORD.findall(a.text_content())) for a in element.iter("a"))
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
    return html_to_markdown(lxml.html.tostring(best, encoding="unicode"))


class Page:
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
                found = WORD.findall((element.text or "").lower())
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
                    found = WORD.findall((element.tail or "").lower())
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

    def in_caption(self, words: list[str]) -> bool:
        """Whether the block sits in a picture's caption or credit: a `figcaption`, or an
        element whose class or id says caption or credit (itself or a near ancestor)."""
        element = self.locate(words)
        for _ in range(CAPTION_DEPTH):
            if element is None or not isinstance(element.tag, str):
                return False
            if element.tag == "figcaption":
                return True
            names = f"{element.get('class') or ''} {element.get('id') or ''}".lower().split()
            if any(_caption_name(name) for name in names):
                return True
            element = element.getparent()
        return False

    def inside(self, words: list[str], container: Any) -> bool | None:
        """Whether the block is in `container`; None when it cannot be found in the page."""
        element = self.locate(words)
        if element is None:
            return None
        return element is container or any(a is container for a in element.iterancestors())


def _caption_name(name: str) -> bool:
    """Whether a class or id names a caption or credit ("wp-caption-text", "image__credit"),
    not an element that has or lacks one ("no_caption")."""
    parts = [p for p in re.split(r"[-_]+", name) if p]
    return bool(_CAPTION_PARTS.intersection(parts)) and parts[0] not in _NOT_CAPTION_PARTS


def _common_ancestor(a: Any, b: Any) -> Any:
    above = {id(e): e for e in (a, *a.iterancestors())}
    for element in (b, *b.iterancestors()):
        if id(element) in above:
            return element
    return a
