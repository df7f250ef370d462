"""Extracted Markdown: HTML to Markdown (MathML kept), its word tokens, shingles and blocks
(what the merge compares), and the final tidy (clean text, safe absolute links, no repeated title).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from newstui.domain.text import clean_text, is_openable_url

# Word tokens for comparing candidates: CJK characters count one by one.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK_TARGET = re.compile(r"\]\([^)\n]*\)")
_FENCE_LINE = re.compile(r"^ {0,3}(```|~~~)")
LIST_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]")
_MANY_BLANKS = re.compile(r"\n{3,}")
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r'(\s+(?:"[^"\n]*"|\'[^\'\n]*\'))?\s*\)'
)
_LINK_TEXT = re.compile(r"(?<!!)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(")


_MATH = re.compile(r"<math\b[^>]*>(.*?)</math\s*>", re.I | re.S)
_MATH_ANNOTATION = re.compile(r"<annotation(?:-xml)?\b.*?</annotation(?:-xml)?\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


def _math_text(match: re.Match[str]) -> str:
    """A MathML formula as its plain text (the sanitiser would drop it whole): its symbols
    spaced apart, without the source annotations (TeX) that repeat it."""
    text = _TAG.sub(" ", _MATH_ANNOTATION.sub(" ", match.group(1)))
    return " " + " ".join(text.split()) + " "


_TABLE_PART = re.compile(r"<t[dhr]\b", re.I)
_TABLES = frozenset({"table", "tbody", "thead", "tfoot"})


def _orphan_cells_as_blocks(html: str) -> str:
    """`html` with table rows and cells that are in no table (a reader's pick of one row of a
    layout table: the page's columns) made blocks: the sanitiser drops such tags and runs the
    cells' words together. A table's body picked alone keeps its rows, one line each."""
    if not _TABLE_PART.search(html):
        return html
    import lxml.html

    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml refuses empty or odd input: nothing to mend
        return html
    orphans = [
        e
        for e in fragment.iter("tr", "td", "th")
        if not any(a.tag in _TABLES for a in e.iterancestors())
    ]
    for element in orphans:
        element.tag = "div"
    return str(lxml.html.tostring(fragment, encoding="unicode")) if orphans else html


def html_to_markdown(html: str) -> str:
    """Sanitised HTML to Markdown with inline links and images."""
    import markdownify
    import nh3

    safe = nh3.clean(
        _MATH.sub(_math_text, _orphan_cells_as_blocks(html)),
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


def md_words(markdown: str) -> list[str]:
    """Lowercase word tokens of Markdown: image syntax and link targets dropped."""
    text = _MD_LINK_TARGET.sub("] ", MD_IMAGE.sub(" ", markdown))
    return WORD.findall(text.lower())


def shingles_of(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def md_blocks(markdown: str) -> list[str]:
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


def link_share(block: str, words: list[str]) -> float:
    """The share of a block's words that are link text."""
    linked = sum(len(md_words(m)) for m in _LINK_TEXT.findall(block))
    return linked / len(words) if words else 0.0


def share_in(shingles: set[tuple[str, ...]], other: set[tuple[str, ...]]) -> float:
    """The share of `shingles` that `other` has."""
    return len(shingles & other) / len(shingles) if shingles else 0.0


#: A "heading" longer than this is a paragraph the page set in a heading's tag (a slideshow's
#: caption in an `h1`): shown as a paragraph.
HEADING_WORDS = 30
_HEADING_LINE = re.compile(r"#{1,6}[ \t]+")


def tidy(markdown: str, base: str | None) -> str:
    """Clean text, no stray indentation (which would read as code), safe absolute links, no
    paragraph shown as a heading."""
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
        heading = _HEADING_LINE.match(stripped)
        if heading and len(md_words(stripped)) > HEADING_WORDS:
            stripped = stripped[heading.end() :]  # a paragraph the page set as a heading
        if LIST_LINE.match(line):
            indent = len(line) - len(line.lstrip(" \t"))
            stripped = " " * min(indent, 12) + stripped
        lines.append(stripped)
    text = _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip()
    return _LINK.sub(lambda m: _fix_link(m, base), text)


def drop_title(markdown: str, title: str | None) -> str:
    """The body without a leading heading that repeats the title (the pane shows it already)."""
    if not title:
        return markdown
    first, _, rest = markdown.partition("\n\n")
    if first.startswith("#") and "\n" not in first:
        heading = md_words(first.lstrip("#"))
        if (
            heading
            and heading == md_words(title)[: len(heading)]
            and len(heading) * 2 >= len(md_words(title))
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
