"""Merging readability's and trafilatura's Markdown into one body, guided by the page's tree.

Readability's blocks are the base; trafilatura's blocks that readability missed are inserted
where they fall between blocks both extractors agree on (the shared blocks), or put first when
they come before all of those and are not mostly links; readability's trailing text from a
"Related"-style heading on is dropped; a block from trafilatura that the text already has is not
added twice (the page's own repeated paragraphs stay). When readability picked a far smaller
container than trafilatura, trafilatura's text is used.

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
container too small. When readability's text is far smaller than trafilatura's, trafilatura's
text is cut to that container, unless Readability.js reads the page as trafilatura does (each
holds nearly all of the other's words): two readers of three then say the article is wider,
and only an `<article>` element around the container, the page's own mark, bounds it.

A third reader settles disputes: a full paragraph of trafilatura's that the rules above would
leave out (outside the container, or partly in readability's text) is kept when Readability.js's
current algorithm (`readability_js`, run only when needed) keeps it too, and a short block of
readability's after the last shared one that trafilatura lacks goes when Readability.js lacks
it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from newstui.sources.mdtext import link_share, md_blocks, md_words, share_in, shingles_of
from newstui.sources.pagetree import Page

__all__ = ["merge"]

#: A candidate smaller than this share of the other is taken as a too-narrow pick.
NARROW_SHARE = 0.5
#: A run of trafilatura's blocks inside the article is dropped when it has more words than this
#: share of the text the two extractors share.
OVERSIZED_SHARE = 1.0
#: Lead-in blocks outside the article's container are kept when this many of them are full
#: paragraphs of at least `PARAGRAPH_WORDS` words.
LEAD_PARAGRAPHS = 2
PARAGRAPH_WORDS = 20
#: A closing block of readability's alone is put to Readability.js when this short at most.
CLOSING_WORDS = 40
#: Two readings agree when each holds this share of the other's words.
AGREE_SHARE = 0.9
#: The article's container is looked for only when the extractors share this many blocks.
CONTAINER_MIN_BLOCKS = 3
_BOILERPLATE_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*|\*\*)?[*_]*\s*(?:related|like this|share this|share|more from|more stories|"
    r"recommended|you may also like|you might also like|read more|comments?|leave a (?:reply|comment)|"
    r"popular|trending|most read|sponsored|advertisement)\b",
    re.I,
)


class _Text:
    """A Markdown text as blocks, with each block's words and 3-word shingles (found once)."""

    __slots__ = ("blocks", "everything", "shingles", "total", "words")

    def __init__(self, markdown: str) -> None:
        self.blocks = md_blocks(markdown)
        self.words = [md_words(b) for b in self.blocks]
        self.shingles = [shingles_of(w) for w in self.words]
        self.everything: set[tuple[str, ...]] = set().union(*self.shingles)
        self.total = sum(len(w) for w in self.words)

    def shared(self, other: _Text) -> list[float]:
        """How much of each block the other text has (the share of its shingles)."""
        return [share_in(s, other.everything) for s in self.shingles]


def merge(
    readable: str,
    traf: str,
    root: Any | None = None,
    page: Page | None = None,
    reread: Callable[[], str] | None = None,
) -> tuple[str, str]:
    """The merged body of readability's and trafilatura's Markdown, and which of `METHODS` it is.

    With the page's tree `root`, trafilatura's blocks that readability lacks are kept only when
    they sit inside the article's container: the page element that holds the text both agree on.
    `reread` gives Readability.js's reading of the page, asked at most once, for a full
    paragraph of trafilatura's that those rules would leave out.
    """
    r, t = _Text(readable), _Text(traf)
    if not r.total or not t.total:
        return (readable, "readability") if r.total else (traf, "trafilatura")
    if page is None and root is not None:
        page = Page(root)
    t_in_r = t.shared(r)
    t_shared = [len(w) >= 5 and c >= 0.6 for w, c in zip(t.words, t_in_r, strict=True)]
    oversized = sum(len(t.words[n]) for n in _oversized(t.words, t_shared))
    if r.total < NARROW_SHARE * (t.total - oversized):
        # Readability settled on a much smaller container than trafilatura found: too narrow.
        # Trafilatura's text, without what lies outside the container of the shared text,
        # unless Readability.js reads the page as trafilatura does: then two readers of three
        # agree that the text is wider, and only the page's own <article> bounds it.
        if page is None:
            return traf, "trafilatura"
        container = _container(r, t, page)
        if container is not None and reread is not None and _agree(t, _Text(reread())):
            container = next(
                (e for e in (container, *container.iterancestors()) if e.tag == "article"), None
            )
        return (traf if container is None else _inside(t, page, container)), "trafilatura"
    return _choose(r, t, t_in_r, traf, page, reread), "both"


def _agree(a: _Text, b: _Text) -> bool:
    """Whether two readings of a page hold nearly the same text (each most of the other's)."""
    return min(_held(a, b), _held(b, a)) >= AGREE_SHARE


def _held(a: _Text, b: _Text) -> float:
    """The share of `a`'s words in blocks that `b` has."""
    held = sum(len(w) for w, c in zip(a.words, a.shared(b), strict=True) if c >= 0.6)
    return held / a.total if a.total else 0.0


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


def _container(r: _Text, t: _Text, page: Page) -> Any | None:
    """The page's element holding the text both extractors share (None: too little shared)."""
    shared = [w for w, c in zip(r.words, r.shared(t), strict=True) if len(w) >= 5 and c >= 0.6]
    if len(shared) < CONTAINER_MIN_BLOCKS:
        return None  # too little shared text to tell where the article is
    return page.container(shared)


def _inside(t: _Text, page: Page, container: Any) -> str:
    """Trafilatura's blocks, less those found outside `container` (and the unplaced ones
    among them)."""
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


def _choose(
    r: _Text,
    t: _Text,
    t_in_r: list[float],
    traf: str,
    page: Page | None,
    reread: Callable[[], str] | None = None,
) -> str:
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

    second: list[_Text] = []

    def confirmed(j: int) -> bool:
        """Whether Readability.js's reading of the page has this full paragraph (read once, when
        first asked: a short line is never worth it)."""
        if reread is None or len(t_words[j]) < PARAGRAPH_WORDS:
            return False
        if not second:
            second.append(_Text(reread()))
        return share_in(t.shingles[j], second[0].everything) >= 0.6

    # After the last shared block, a short block of readability's that trafilatura lacks (a
    # rating widget, a "Related" heading, an author's line) goes when Readability.js lacks it
    # too: two readers of three.
    if reread is not None:
        for i in range(r_anchors[-1] + 1, min(len(r_blocks), len(merged))):
            if r_in_t[i] >= 0.3 or not r_words[i] or len(r_words[i]) > CLOSING_WORDS:
                continue
            if not second:
                second.append(_Text(reread()))
            if share_in(r_shingles[i], second[0].everything) < 0.6:
                merged[i] = merged[i][1:]
    lead_at = [
        j
        for j in range(t_anchors[0])
        if t_words[j] and t_in_r[j] < 0.6 and link_share(t_blocks[j], t_words[j]) < 0.5
    ]
    # Outside the article's container, a lead-in is the article's header (its title, standfirst,
    # byline, tags): left out, unless it has body paragraphs readability missed (several full
    # paragraphs). A block partly in readability's text or outside its container is disputed:
    # kept when Readability.js's reading of the page has it (a slideshow's caption above the
    # article whose body alone is readability-lxml's container).
    body = [j for j in lead_at if t_in_r[j] < 0.3 and len(t_words[j]) >= PARAGRAPH_WORDS]
    several = len(body) >= LEAD_PARAGRAPHS
    lead_at = [
        j for j in lead_at if (t_in_r[j] < 0.3 and (several or not outside(j))) or confirmed(j)
    ]
    lead = [t_blocks[j] for j in lead_at]
    if lead:
        merged[r_anchors[0]][:0] = lead
    oversized = _oversized(t_words, [j in set(t_anchors) for j in range(len(t_words))])
    for j in range(t_anchors[0] + 1, t_anchors[-1]):
        if t_in_r[j] >= 0.3 or not t_words[j] or j in oversized:
            continue
        if outside(j) and not confirmed(j):
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
        sizes = [len(md_words(b)) for b in tail]
        if sizes and max(sizes) >= PARAGRAPH_WORDS and sum(sizes) <= OVERSIZED_SHARE * shared_words:
            merged.append(tail)
    out: list[str] = []
    own = {tuple(w) for w in r_words}
    for group in merged:
        for block in group:
            key = tuple(md_words(block))
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
