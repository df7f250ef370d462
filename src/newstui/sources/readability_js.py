"""The article's container as Mozilla's Readability.js picks it today, over an lxml tree.

readability-lxml ports arc90's 2010 script: a paragraph's score reaches its parent and
grandparent only, and a short result is retried once without stripping unlikely elements.
Readability.js (github.com/mozilla/readability, `_grabArticle`) has grown since: a paragraph's
score reaches five ancestors (a third of it and less from the third level up), a container holding
several of the five best candidates that score alike is taken over any one of them, a parent
that scores higher is taken, siblings that score a fifth of the top are merged, and a result
under 500 characters is retried with fewer clean-ups (unlikely elements kept, then class names
unweighted, then nothing cleaned conditionally), the longest attempt winning. That is this
module, step for step, where a step decides what text is kept; left out are the steps that only
change how the text looks (styles, lazy images, `h1` to `h2`, `br` runs to paragraphs) and its
visibility test (`pagetree.drop_hidden` has removed hidden elements already). On the 130
mozilla/readability test pages its text matches Readability.js's expected output at median word
F1 1.000 (mean 0.996). `merge` asks it for a third reading where readability-lxml and
trafilatura disagree on a full paragraph; its clean-up of the pick is `readability_clean`.

Readability.js is Copyright (c) 2010 Arc90 Inc and Mozilla, under the Apache License 2.0; the
steps, thresholds and class-name patterns here (and in `readability_clean`) follow its source.
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from newstui.sources.readability_clean import (
    CHAR_THRESHOLD,
    CLEAN_CONDITIONALLY,
    DIV_TO_P,
    STRIP_UNLIKELYS,
    WEIGHT_CLASSES,
    class_weight,
    elements,
    has_ancestor,
    inner_text,
    link_density,
    prep_article,
)

__all__ = ["grab_article"]

N_TOP_CANDIDATES = 5
_TAGS_TO_SCORE = frozenset({"section", "h2", "h3", "h4", "h5", "h6", "p", "td", "pre"})
_UNLIKELY = re.compile(
    r"-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|"
    r"header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|"
    r"supplemental|ad-break|agegate|pagination|pager|popup|yom-remote",
    re.I,
)
_MAYBE = re.compile(r"and|article|body|column|content|main|mathjax|shadow", re.I)
_BYLINE = re.compile(r"byline|author|dateline|writtenby|p-author", re.I)
_COMMAS = re.compile("[\u002c\u060c\ufe50\ufe10\ufe11\u2e41\u2e34\u2e32\uff0c]")
_UNLIKELY_ROLES = frozenset(
    {"menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog"}
)
_PHRASING = frozenset(
    """abbr audio b bdo br button cite code data datalist dfn em embed i img input kbd label
    mark math meter noscript object output progress q ruby samp script select small span strong
    sub sup textarea time var wbr""".split()  # noqa: SIM905
)
_EMPTY_WHEN_BLANK = frozenset({"div", "section", "header", "h1", "h2", "h3", "h4", "h5", "h6"})
_KEEP_TAG = frozenset({"div", "article", "section", "p", "ol", "ul"})
_BASE_SCORE = {
    "div": 5, "pre": 3, "td": 3, "blockquote": 3, "address": -3, "ol": -3, "ul": -3, "dl": -3,
    "dd": -3, "dt": -3, "li": -3, "form": -3, "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5,
    "h6": -5, "th": -5,
}  # fmt: skip


def grab_article(root: Any, title: str | None = None) -> Any | None:
    """A new `div` holding what Readability.js keeps of the page `root` (left as it is), or None
    when no attempt finds any text; its first `h1` or `h2` that repeats `title` is left out."""
    attempts: list[tuple[int, Any]] = []
    flags = STRIP_UNLIKELYS | WEIGHT_CLASSES | CLEAN_CONDITIONALLY
    page = deepcopy(root)
    for element in page.xpath("//script|//style|//noscript|//template"):
        if element.getparent() is not None:
            element.drop_tree()
    while True:
        article = _Attempt(deepcopy(page), flags, title).run()
        length = len(inner_text(article)) if article is not None else 0
        if length >= CHAR_THRESHOLD:
            return article
        attempts.append((length, article))
        for flag in (STRIP_UNLIKELYS, WEIGHT_CLASSES, CLEAN_CONDITIONALLY):
            if flags & flag:
                flags &= ~flag
                break
        else:
            length, article = max(attempts, key=lambda a: a[0])  # the first of the longest
            return article if length else None


def _is_phrasing(node: Any) -> bool:
    if isinstance(node, str) or not isinstance(node.tag, str):
        return True
    if node.tag in _PHRASING:
        return True
    return node.tag in ("a", "del", "ins") and all(_is_phrasing(c) for c in node)


def _single_child(element: Any, tag: str) -> bool:
    children = elements(iter(element))
    if len(children) != 1 or children[0].tag != tag:
        return False
    return not (element.text or "").strip() and not (children[0].tail or "").strip()


def _set_tag(element: Any, tag: str) -> Any:
    element.tag = tag
    return element


def _next_node(node: Any, skip_children: bool = False) -> Any | None:
    """The next element after `node` in document order (depth first), as Readability.js walks."""
    if not skip_children:
        for child in node:
            if isinstance(child.tag, str):
                return child
    while node is not None:
        sibling = node.getnext()
        while sibling is not None and not isinstance(sibling.tag, str):
            sibling = sibling.getnext()
        if sibling is not None:
            return sibling
        node = node.getparent()
    return None


def _remove_and_next(node: Any) -> Any | None:
    following = _next_node(node, skip_children=True)
    node.drop_tree()  # its tail (text after it) stays
    return following


def _wrap_phrasing(div: Any) -> None:
    """Put each run of a `div`'s inline content (text, links, emphasis) into a `p` of its own."""
    items: list[Any] = [div.text] if div.text else []
    for child in div:
        items.append(child)
        if child.tail:
            items.append(child.tail)
    if all(isinstance(i, str) for i in items) and not any(i.strip() for i in items):
        return
    for child in list(div):
        div.remove(child)
    div.text = None

    def blank(item: Any) -> bool:
        return (isinstance(item, str) and not item.strip()) or (
            not isinstance(item, str) and item.tag == "br"
        )

    def flush(run: list[Any]) -> None:
        while run and blank(run[0]):
            run.pop(0)
        while run and blank(run[-1]):
            run.pop()
        if not run:
            return
        p = div.makeelement("p", {})
        div.append(p)
        for item in run:
            if isinstance(item, str):
                if len(p):
                    p[-1].tail = (p[-1].tail or "") + item
                else:
                    p.text = (p.text or "") + item
            else:
                item.tail = None
                p.append(item)
        run.clear()

    run: list[Any] = []
    for item in items:
        if _is_phrasing(item):
            run.append(item)
        else:
            flush(run)
            item.tail = None
            div.append(item)
    flush(run)


class _Attempt:
    """One pass of `_grabArticle` with the given clean-up flags, over its own copy of the page."""

    def __init__(self, root: Any, flags: int, title: str | None) -> None:
        self.root = root
        self.flags = flags
        self.title = title
        self.scores: dict[Any, float] = {}

    def score_of(self, element: Any) -> float:
        if element not in self.scores:
            self.scores[element] = _BASE_SCORE.get(element.tag, 0) + class_weight(
                element, self.flags
            )
        return self.scores[element]

    def run(self) -> Any | None:
        body = self.root.find("body")
        if body is None:
            return None
        to_score = self.prepare()
        candidates = self.score(to_score)
        top = self.choose(candidates, body)
        article = body.makeelement("div", {})
        if top is None:
            for child in list(body):
                article.append(child)  # the whole page, its tails with it
            article.text = body.text
        else:
            self.merge_siblings(top, article)
        prep_article(article, self.flags)
        return article

    def prepare(self) -> list[Any]:
        """Remove unlikely and empty elements, turn text-only `div`s into `p`s; the elements
        to score, in the page's order."""
        to_score: list[Any] = []
        byline_found = False
        title_found = not self.title
        node = self.root
        while node is not None:
            tag = node.tag
            match = f"{node.get('class') or ''} {node.get('id') or ''}"
            if node.get("aria-modal") == "true" and node.get("role") == "dialog":
                node = _remove_and_next(node)
                continue
            if not byline_found and self.byline(node, match):
                byline_found = True
                node = _remove_and_next(node)
                continue
            if not title_found and tag in ("h1", "h2") and _similar(self.title, inner_text(node)):
                title_found = True
                node = _remove_and_next(node)
                continue
            if self.flags & STRIP_UNLIKELYS and tag not in ("html", "body", "a"):
                unlikely = (
                    _UNLIKELY.search(match)
                    and not _MAYBE.search(match)
                    and not has_ancestor(node, "table")
                    and not has_ancestor(node, "code")
                )
                if unlikely or node.get("role") in _UNLIKELY_ROLES:
                    node = _remove_and_next(node)
                    continue
            if tag in _EMPTY_WHEN_BLANK and self.without_content(node):
                node = _remove_and_next(node)
                continue
            if tag in _TAGS_TO_SCORE:
                to_score.append(node)
            if tag == "div":
                _wrap_phrasing(node)
                if _single_child(node, "p") and link_density(node) < 0.25:
                    child = elements(iter(node))[0]
                    tail = node.tail
                    node.getparent().replace(node, child)
                    child.tail = tail
                    node = child
                    to_score.append(node)
                elif not any(True for _ in node.iterdescendants(*DIV_TO_P)):
                    to_score.append(_set_tag(node, "p"))
            node = _next_node(node)
        return to_score

    @staticmethod
    def byline(node: Any, match: str) -> bool:
        if not (
            node.get("rel") == "author"
            or "author" in (node.get("itemprop") or "")
            or _BYLINE.search(match)
        ):
            return False
        return 0 < len(node.text_content().strip()) < 100

    @staticmethod
    def without_content(node: Any) -> bool:
        if node.text_content().strip():
            return False
        children = elements(iter(node))
        return all(c.tag in ("br", "hr") for c in children)

    def score(self, to_score: list[Any]) -> list[Any]:
        """Each paragraph's score added to its five ancestors (divided by 1, 2, then 3 x the
        level); the ancestors scored, in the order first met."""
        candidates: list[Any] = []
        for element in to_score:
            if element.getparent() is None:
                continue
            text = inner_text(element)
            if len(text) < 25:
                continue
            points = 1 + len(_COMMAS.split(text)) + min(len(text) // 100, 3)
            for level, ancestor in enumerate(element.iterancestors()):
                if level == 5:
                    break
                if ancestor.getparent() is None:
                    continue  # the document's root
                if ancestor not in self.scores:
                    candidates.append(ancestor)
                self.scores[ancestor] = self.score_of(ancestor) + points / (
                    1 if level == 0 else 2 if level == 1 else level * 3
                )
        for candidate in candidates:
            self.scores[candidate] *= 1 - link_density(candidate)
        return candidates

    def choose(self, candidates: list[Any], body: Any) -> Any | None:
        """The top candidate, moved up to a shared or higher-scoring ancestor; None for the
        whole page."""
        top_five = sorted(candidates, key=lambda c: -self.scores[c])[:N_TOP_CANDIDATES]
        if not top_five or top_five[0] is body:
            return None
        top = top_five[0]
        best = self.scores[top]
        alternatives = [
            set(c.iterancestors())
            for c in top_five[1:]
            if best > 0 and self.scores[c] / best >= 0.75
        ]
        if len(alternatives) >= 3:
            parent = top.getparent()
            while parent is not None and parent is not body:
                if sum(parent in a for a in alternatives) >= 3:
                    top = parent
                    break
                parent = parent.getparent()
        self.score_of(top)
        parent = top.getparent()
        last = self.scores[top]
        threshold = last / 3
        while parent is not None and parent is not body:
            if parent not in self.scores:
                parent = parent.getparent()
                continue
            if self.scores[parent] < threshold:
                break
            if self.scores[parent] > last:
                top = parent
                break
            last = self.scores[parent]
            parent = parent.getparent()
        parent = top.getparent()
        while parent is not None and parent is not body and len(elements(iter(parent))) == 1:
            top, parent = parent, parent.getparent()
        self.score_of(top)
        return top

    def merge_siblings(self, top: Any, article: Any) -> None:
        """The top candidate and those of its siblings that score near it or read as text."""
        threshold = max(10.0, self.scores[top] * 0.2)
        top_class = top.get("class") or ""
        for sibling in elements(iter(top.getparent())):
            append = sibling is top
            if not append:
                bonus = (
                    self.scores[top] * 0.2 if top_class and sibling.get("class") == top_class else 0
                )
                if sibling in self.scores and self.scores[sibling] + bonus >= threshold:
                    append = True
                elif sibling.tag == "p":
                    density, text = link_density(sibling), inner_text(sibling)
                    append = (len(text) > 80 and density < 0.25) or (
                        0 < len(text) < 80
                        and density == 0
                        and re.search(r"\.( |$)", text) is not None
                    )
            if append:
                if sibling.tag not in _KEEP_TAG:
                    sibling.tag = "div"
                sibling.tail = None
                article.append(sibling)


def _similar(title: Any, heading: str) -> bool:
    """Whether a heading repeats the title: of its words' text, over three quarters in the title."""
    words = [w for w in re.split(r"\W+", heading.lower()) if w]
    known = {w for w in re.split(r"\W+", str(title).lower()) if w}
    if not words or not known:
        return False
    new = " ".join(w for w in words if w not in known)
    return 1 - len(new) / len(" ".join(words)) > 0.75
