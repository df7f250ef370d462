"""Main-text extraction of a web page: the article body as Markdown, with title, author and date.

Two extractors read the page: trafilatura (robust metadata, conservative about boilerplate) and
readability-lxml (the Readability algorithm, good at keeping whole article containers). Their
Markdown is split into blocks and merged: readability's blocks are the base; trafilatura's blocks
that readability missed are inserted where they fall between blocks both extractors agree on, or
put first when they come before all of those and are not mostly links; readability's trailing
text from a "Related"-style heading on is dropped; a paragraph repeated word for word is kept
once; and when readability picked a far smaller container than trafilatura, trafilatura's text
is used. Finally, a list item that introduces a sub-list ("In progress:") but lost it (both
extractors drop lists that are all links) gets its sub-list back from the page, when the
sub-list's items read as text (several words each) rather than as a bar of short links. Nothing
here looks at any reference output: it depends only on the page and the two candidates.

CPU-bound (tens of milliseconds to a second): call it from a worker thread or process.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from newstui.core.text import clean_line, clean_text, is_openable_url
from newstui.errors import ExtractionError

__all__ = ["Extracted", "extract_article"]

#: Fewer words than this in the result means there is no article (a paywall, a script-only page).
MIN_WORDS = 20
#: A candidate smaller than this share of the other is taken as a too-narrow pick.
NARROW_SHARE = 0.5
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


def extract_article(data: bytes, *, url: str | None = None) -> Extracted:
    """The main text of the HTML page `data` (fetched from `url`) as Markdown.

    Raises `ExtractionError` when the page is not HTML or has no main text.
    """
    html = decode_html(data)
    base = url if url and is_openable_url(url) else None
    meta, traf = _trafilatura(html, base)
    title, author, date = meta
    readable, readable_title = _readability(html, base)
    merged = _restore_sublists(choose(readable, traf), html)
    markdown = _drop_title(_tidy(merged, base), title or readable_title)
    if len(_words(markdown)) < MIN_WORDS:
        raise ExtractionError("no article text found on the page (paywall or script-only page?)")
    return Extracted(
        title=title or readable_title,
        author=author,
        date=date,
        markdown=markdown,
    )


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


def _readability(html: str, url: str | None) -> tuple[str, str | None]:
    """The Markdown body per readability-lxml, and its title ("" and None when it fails)."""
    try:
        from readability import Document
    except ImportError:  # optional second opinion
        return "", None
    try:
        document = Document(html, url=url)
        summary = str(document.summary(html_partial=True))
        title = clean_line(document.short_title(), max_length=500) or None
    except Exception as exc:  # Unparseable and friends
        log.debug("readability failed: %s", exc)
        return "", None
    return _html_to_markdown(summary), title


def _html_to_markdown(html: str) -> str:
    """Sanitised HTML to Markdown with inline links and images."""
    import markdownify
    import nh3

    safe = nh3.clean(
        html,
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
    from newstui.core.content import MAX_DEPTH, _flatten

    converted = markdownify.markdownify(
        _flatten(safe, MAX_DEPTH),
        heading_style="ATX",
        bullets="-",
        newline_style="BACKSLASH",
        escape_misc=False,
    )
    return str(converted)


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


def choose(readable: str, traf: str) -> str:
    """The merged body of readability's and trafilatura's Markdown (see the module docstring)."""
    r_blocks, t_blocks = _blocks(readable), _blocks(traf)
    r_words = [_words(b) for b in r_blocks]
    t_words = [_words(b) for b in t_blocks]
    r_total, t_total = sum(map(len, r_words)), sum(map(len, t_words))
    if not r_total or not t_total:
        return readable if r_total else traf
    if r_total < NARROW_SHARE * t_total:
        # Readability settled on a much smaller container than trafilatura found: too narrow.
        return traf
    r_all = set().union(*(_shingles(w) for w in r_words))
    t_all = set().union(*(_shingles(w) for w in t_words))
    r_in_t = [_contained(w, t_all) for w in r_words]
    t_in_r = [_contained(w, r_all) for w in t_words]
    r_anchors = [i for i, w in enumerate(r_words) if len(w) >= 5 and r_in_t[i] >= 0.6]
    t_anchors = [i for i, w in enumerate(t_words) if len(w) >= 5 and t_in_r[i] >= 0.6]
    if not r_anchors or not t_anchors:
        return traf  # the two disagree entirely: trafilatura is the conservative choice
    merged: list[list[str]] = [[b] for b in r_blocks]
    r_shingles = [_shingles(w) for w in r_words]
    # Readability's own text after the last shared block, from a "Related"-style heading on, is
    # a teaser list or a share bar.
    for i in range(r_anchors[-1] + 1, len(r_blocks)):
        if _BOILERPLATE_HEADING.match(r_blocks[i]):
            del merged[i:]
            break
    # Trafilatura's blocks before the first shared one that readability dropped (a lead-in, a
    # list of materials) go first, unless they are mostly links (a navigation bar).
    lead = [
        t_blocks[j]
        for j in range(t_anchors[0])
        if t_words[j] and t_in_r[j] < 0.3 and _link_share(t_blocks[j], t_words[j]) < 0.5
    ]
    if lead:
        merged[r_anchors[0]][:0] = lead
    for j in range(t_anchors[0] + 1, t_anchors[-1]):
        if t_in_r[j] >= 0.3 or not t_words[j]:
            continue
        previous = max(a for a in t_anchors if a < j)
        anchor = _shingles(t_words[previous])
        at = max(range(len(r_blocks)), key=lambda i: len(r_shingles[i] & anchor))
        merged[at].append(t_blocks[j])
    out: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for group in merged:
        for block in group:
            key = tuple(_words(block))
            if len(key) >= 10 and key in seen:
                continue  # the same paragraph twice is a teaser list, not the article
            seen.add(key)
            out.append(block)
    return "\n\n".join(out)


def _link_share(block: str, words: list[str]) -> float:
    """The share of a block's words that are link text."""
    linked = sum(len(_words(m)) for m in _LINK_TEXT.findall(block))
    return linked / len(words) if words else 0.0


def _contained(words: list[str], other: set[tuple[str, ...]]) -> float:
    shingles = _shingles(words)
    return sum(1 for s in shingles if s in other) / len(shingles) if shingles else 0.0


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
