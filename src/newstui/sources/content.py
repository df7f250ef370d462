"""Article bodies (HTML, plain text, Markdown) turned into safe Markdown for the article pane.

Every body is untrusted. HTML is sanitised with nh3 (scripts, styles, handlers and unsafe URL
schemes gone), flattened beyond a nesting depth, then converted with markdownify. Links are
numbered: `text [1]` in the body and a "Links" list at the end; images become `[image: alt] [n]`
placeholders. All text goes through `clean_text`, so no escape sequence reaches the terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import markdownify
import nh3
from bs4.element import Comment, Doctype, NavigableString, Tag

from newstui.domain.models import ContentType
from newstui.domain.text import clean_text, is_openable_url
from newstui.sources.markdown_text import MD_SPECIAL as _MD_SPECIAL
from newstui.sources.markdown_text import TEXT_URL as _TEXT_URL
from newstui.sources.markdown_text import escape_markdown

__all__ = ["Rendered", "escape_markdown", "plain_to_markdown", "render_body"]

#: Tags below this nesting depth are unwrapped (their text kept) before conversion.
MAX_DEPTH = 100

_ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
        "code", "em", "strong", "b", "i", "a", "img", "table", "thead", "tbody", "tfoot", "tr",
        "th", "td", "hr", "figure", "figcaption", "dl", "dt", "dd", "sup", "sub", "div", "span",
        "section", "article", "header", "footer", "main", "aside", "caption", "del", "s", "kbd",
        "samp", "var", "mark", "small", "abbr", "cite", "q", "u", "tt",
    }
)  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "*": set()}
_VOID_TAGS = frozenset({"br", "hr", "img"})
#: Raw HTML nested deeper than this is unwrapped before sanitising (see `_prune_raw_depth`).
MAX_RAW_DEPTH = 1000
_RAW_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
_RAW_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
     "plaintext", "template"}
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "table",
        "thead", "tbody", "tfoot", "tr", "th", "td", "figure", "figcaption", "dl", "dt", "dd",
        "div", "section", "article", "header", "footer", "main", "aside", "caption",
    }
)  # fmt: skip

# A tag as nh3 serialises it: lowercase name, attribute values double-quoted with `"` escaped.
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/"]+(?:="[^"]*")?)*)\s*(/?)>')
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_LINE_START = re.compile(r"^(\d+)([.)])|^([-=])")
_LONG_SPACE = re.compile(r"[ \t\n]{33,}")
_INLINE_PARENTS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "td", "th"})
_EXTRACT_NEWLINES = re.compile(r"^(\n*)((?:.*[^\n])?)(\n*)$", re.S)
_MarkdownConverter: Any = markdownify.MarkdownConverter
_remove_inside: Any = getattr(markdownify, "should_remove_whitespace_inside")  # noqa: B009
_remove_outside: Any = getattr(markdownify, "should_remove_whitespace_outside")  # noqa: B009
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f<>\\\"`]")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A body as Markdown, with the links and images it refers to, in order."""

    markdown: str
    links: tuple[tuple[str, str], ...]
    """(text, absolute url), numbered [1], [2]... in the text."""
    images: tuple[tuple[str, str], ...]
    """(alt, absolute src)."""


def render_body(
    content: str,
    content_type: ContentType | str,
    *,
    base_url: str | None = None,
    max_chars: int = 2_000_000,
    max_depth: int = MAX_DEPTH,
) -> Rendered:
    """`content` as safe Markdown. CPU-bound for large bodies: call it from a worker thread."""
    text = content if isinstance(content, str) else str(content or "")
    if len(text) > max_chars:
        text = text[:max_chars]
    text = clean_text(text)
    try:
        kind = ContentType(str(content_type).lower())
    except ValueError:
        kind = ContentType.HTML
    if kind == ContentType.TEXT:
        return Rendered(plain_to_markdown(text), (), ())
    links = _LinkTable(base_url)
    if kind == ContentType.MARKDOWN:
        body = _number_markdown_links(text, links)
    else:
        body = _html_to_markdown(text, links, max_depth)
    return Rendered(links.finish(body), tuple(links.links), tuple(links.images))


# --- plain text ---------------------------------------------------------------------------------


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown paragraphs: lines of a paragraph joined, special characters escaped."""
    paragraphs = []
    for block in _BLANK_LINES.split(clean_text(text)):
        words = " ".join(line.strip() for line in block.split("\n") if line.strip())
        if not words:
            continue
        paragraph = escape_markdown(words)
        # A paragraph that starts like a list item, a rule or a setext underline stays a paragraph.
        paragraph = _LINE_START.sub(_escape_line_start, paragraph, count=1)
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return f"{match.group(1)}\\{match.group(2)}"
    return "\\" + match.group(3)


# --- links --------------------------------------------------------------------------------------


class _LinkTable:
    """Numbered links and images of one body, with URLs resolved and checked."""

    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url if base_url and is_openable_url(base_url) else None
        self.links: list[tuple[str, str]] = []
        self.images: list[tuple[str, str]] = []

    def resolve(self, url: str | None) -> str | None:
        """An absolute http(s)/mailto URL, safe inside `<...>`, or None."""
        if not url:
            return None
        url = clean_text(url).strip()
        if not url or url.startswith("#"):
            return None
        try:
            scheme = urlsplit(url).scheme.lower()
            if not scheme and self.base_url:
                url = urljoin(self.base_url, url)
        except ValueError:
            return None
        url = _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)
        return url if is_openable_url(url) else None

    def add(self, text: str, url: str) -> int:
        self.links.append((text, url))
        return len(self.links)

    def finish(self, body: str) -> str:
        body = clean_text(body).strip()
        if not self.links:
            return body
        lines = [f"\\[{n}\\]: {_listed(url)}" for n, (_, url) in enumerate(self.links, 1)]
        listing = "**Links**\n\n" + "\\\n".join(lines)
        return f"{body}\n\n---\n\n{listing}" if body else listing


#: Longer addresses are listed shortened ("host/…/end"): a pane breaks a long one mid-word.
LISTED_URL_CHARS = 60


def _listed(url: str) -> str:
    if len(url) <= LISTED_URL_CHARS:
        return f"<{url}>"
    from newstui.domain.display import shorten_url

    label = _MD_SPECIAL.sub(r"\\\1", shorten_url(url, LISTED_URL_CHARS))
    return f"[{label}](<{url}>)"


def _marker(number: int, url: str) -> str:
    return f"[\\[{number}\\]](<{url}>)"


def _plain(markdown_text: str) -> str:
    """Readable text of a converted fragment, for the links list."""
    text = re.sub(r"\[\\\[\d+\\\]\]\(<[^>]*>\)", "", markdown_text)
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.replace("*", "").split())[:300]


# --- HTML ---------------------------------------------------------------------------------------


def _html_to_markdown(html: str, links: _LinkTable, max_depth: int = MAX_DEPTH) -> str:
    safe = nh3.clean(
        _prune_raw_depth(html, MAX_RAW_DEPTH),
        tags=set(_ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={k: set(v) for k, v in _ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
        generic_attribute_prefixes=set(),
    )
    # Long whitespace runs make markdownify's whitespace regexes quadratic: cap them first.
    safe = _LONG_SPACE.sub(_shorten_space, clean_text(safe))
    safe = _flatten(safe, max(1, min(max_depth, MAX_RAW_DEPTH)))
    converter = _Converter(links)
    markdown = converter.convert(safe)
    markdown = _TRAILING_SPACE.sub("\n", markdown)
    markdown = _tidy_breaks(markdown)
    return _MANY_NEWLINES.sub("\n\n", markdown)


_FENCED = re.compile(r"^```.*?^```[ \t]*$", re.M | re.S)
# A hard line break (`\` at a line's end) that ends its block shows as a literal `\`: before a
# blank line, the end of the text, another break, or the next list item or quoted line.
_DEAD_BREAK = re.compile(r"(?:[ \t]*\\\n)+(?=[ \t]*(?:\n|$|(?:[*+-]|\d{1,9}[.)])[ \t]|>))")
_LAST_BREAK = re.compile(r"(?:(?<!\\)\\\s*)+$")
_BREAK_RUN = re.compile(r"\\\n(?:[ \t]*\\\n)+")
_LONE_BREAK = re.compile(r"^[ \t]*\\\n", re.M)


def _tidy_breaks(markdown: str) -> str:
    """Hard line breaks that would show as a stray `\\`: `<br>` at the end of a paragraph or a
    list item, `<br><br>` (a new paragraph), `<p><br></p>`. Code blocks are left as written."""
    if "\\\n" not in markdown and not markdown.endswith("\\"):
        return markdown
    parts: list[str] = []
    pos = 0
    for fence in _FENCED.finditer(markdown):
        parts.append(_untangle(markdown[pos : fence.start()]))
        parts.append(fence.group())
        pos = fence.end()
    parts.append(_LAST_BREAK.sub("", _untangle(markdown[pos:]).rstrip()))
    return "".join(parts)


def _untangle(text: str) -> str:
    text = _BREAK_RUN.sub("\n\n", text)
    text = _LONE_BREAK.sub("", text)
    text = _DEAD_BREAK.sub("\n", text)
    return _LAST_BREAK.sub("", text)


def _shorten_space(match: re.Match[str]) -> str:
    run = match.group()
    newlines = run.count("\n")
    return "\n" * min(newlines, 2) if newlines else run[:32]


def _prune_raw_depth(html: str, max_depth: int) -> str:
    """Untrusted HTML with tags nested deeper than `max_depth` dropped, before nh3 sees it.

    html5ever's tree building is quadratic in nesting depth (100,000 nested `<div>` take a
    minute). Depth is counted naively (every non-void open tag nests), so only absurd documents
    are touched; text is kept, and raw-text elements (script, style...) are never unwrapped.
    """
    if html.count("<") <= max_depth:
        return html
    out: list[str] = []
    depth = pos = 0
    for match in _RAW_TAG.finditer(html):
        name = match.group(2).lower()
        if name in _RAW_VOID or name in _RAW_TEXT or match.group().endswith("/>"):
            continue
        if match.group(1):
            depth = max(0, depth - 1)
            dropped = depth >= max_depth
        else:
            dropped = depth >= max_depth
            depth += 1
        if dropped:
            out.append(html[pos : match.start()])
            out.append(" " if name in _BLOCK_TAGS else "")
            pos = match.end()
    if not out:
        return html
    out.append(html[pos:])
    return "".join(out)


def _flatten(html: str, max_depth: int) -> str:
    """Serialised, well-formed HTML with tags nested deeper than `max_depth` unwrapped."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag, kept)
    pos = 0
    for match in _TAG.finditer(html):
        out.append(html[pos : match.start()])
        pos = match.end()
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name in _VOID_TAGS:
            out.append(match.group())
            continue
        if not closing:
            kept = len(stack) < max_depth
            stack.append((name, kept))
            out.append(match.group() if kept else _gap(name, out))
            continue
        if not stack or stack[-1][0] != name:
            continue  # unbalanced: drop the stray closing tag
        _, kept = stack.pop()
        out.append(match.group() if kept else _gap(name, out))
    out.append(html[pos:])
    return "".join(out)


def _gap(name: str, out: list[str]) -> str:
    """What an unwrapped tag leaves: one space between blocks, so words do not run together."""
    if name in _BLOCK_TAGS and out and out[-1] and not out[-1][-1:].isspace():
        return " "
    return ""


class _Converter(_MarkdownConverter):  # type: ignore[misc]
    """markdownify with numbered links, image placeholders and escaping of text."""

    def __init__(self, links: _LinkTable) -> None:
        super().__init__(
            heading_style="ATX",
            bullets="*-",
            escape_misc=True,
            escape_asterisks=True,
            escape_underscores=True,
            autolinks=False,
            newline_style="backslash",
            bs4_options="html.parser",
        )
        self.links = links

    def process_tag(self, node: Any, parent_tags: set[str] | None = None) -> str:
        """markdownify's `process_tag`, without its per-node walk up the tree (quadratic-ish)."""
        parent_tags = parent_tags or set()
        remove_inside = _remove_inside(node)
        children: list[Any] = []
        for el in node.children:
            if isinstance(el, Tag):
                children.append(el)
            elif isinstance(el, (Comment, Doctype)) or not isinstance(el, NavigableString):
                continue
            elif str(el).strip():
                children.append(el)
            elif (
                (remove_inside and (not el.previous_sibling or not el.next_sibling))
                or _remove_outside(el.previous_sibling)
                or _remove_outside(el.next_sibling)
            ):
                continue
            else:
                children.append(el)
        child_tags = set(parent_tags)
        child_tags.add(node.name)
        if node.name in _INLINE_PARENTS:
            child_tags.add("_inline")
        if node.name in {"pre", "code", "kbd", "samp"}:
            child_tags.add("_noformat")
        strings = [s for s in (self.process_element(el, child_tags) for el in children) if s]
        if node.name != "pre" and "pre" not in parent_tags:
            collapsed = [""]
            for piece in strings:
                match = _EXTRACT_NEWLINES.match(piece)
                assert match is not None
                leading, body, trailing = match.groups()
                if collapsed[-1] and leading:
                    previous = collapsed.pop()
                    leading = "\n" * min(2, max(len(previous), len(leading)))
                collapsed.extend([leading, body, trailing])
            strings = collapsed
        text = "".join(strings)
        convert = self.get_conv_fn_cached(node.name)
        if convert is not None:
            text = convert(node, text, parent_tags=parent_tags)
        return str(text)

    def convert_br(self, el: Any, text: str, parent_tags: set[str]) -> str:
        if "_noformat" in parent_tags or "pre" in parent_tags:
            return "\n"  # in code a break is a newline; `\\` would show as written
        return str(super().convert_br(el, text, parent_tags))

    def escape(self, text: str, parent_tags: set[str]) -> str:
        """markdownify's escaping, except in web addresses written as text: a renderer links
        those and would show their escapes (`logged\\_in`); they become `<url>` links instead."""
        if "://" not in text:
            return str(super().escape(text, parent_tags))
        out: list[str] = []
        pos = 0
        for match in _TEXT_URL.finditer(text):
            url = match.group().rstrip(".,;:!?)]'\"")
            out.append(str(super().escape(text[pos : match.start()], parent_tags)))
            out.append(f"<{url}>")
            pos = match.start() + len(url)
        out.append(str(super().escape(text[pos:], parent_tags)))
        return "".join(out)

    def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
        if "_noformat" in parent_tags:
            return text
        url = self.links.resolve(el.get("href"))
        if url is None:
            return text
        prefix, suffix, inner = _chomp(text)
        if not inner.strip():
            return text
        number = self.links.add(_plain(inner) or url, url)
        return f"{prefix}{inner} {_marker(number, url)}{suffix}"

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        alt = " ".join(clean_text(el.get("alt") or "").split())
        label = f"image: {alt}" if alt else "image"
        if "_noformat" in parent_tags:
            return f"[{label}]"
        placeholder = f"\\[{self.escape(label, parent_tags)}\\]"
        src = self.links.resolve(el.get("src"))
        if src is None:
            return placeholder
        self.links.images.append((alt, src))
        number = self.links.add(f"image: {alt}" if alt else "image", src)
        return f"{placeholder} {_marker(number, src)}"


def _chomp(text: str) -> tuple[str, str, str]:
    prefix = " " if text.startswith((" ", "\t")) else ""
    suffix = " " if text.endswith((" ", "\t")) else ""
    return prefix, suffix, text.strip()


# --- Markdown -----------------------------------------------------------------------------------

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\2[`~]*[ \t]*$|\Z)", re.M | re.S)
_MD_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r'(?:\s+(?:"[^"\n]*"|\'[^\'\n]*\'|\([^)\n]*\)))?\s*\)'
)
_CODE_SPAN = re.compile(r"(`+)[^`].*?\1", re.S)


def _number_markdown_links(markdown: str, links: _LinkTable) -> str:
    """Inline links and images numbered as for HTML; unsafe ones left as their text."""
    parts: list[str] = []
    pos = 0
    for fence in _FENCE.finditer(markdown):
        parts.append(_number_links_in(markdown[pos : fence.start()], links))
        parts.append(fence.group())
        pos = fence.end()
    parts.append(_number_links_in(markdown[pos:], links))
    return "".join(parts)


def _number_links_in(text: str, links: _LinkTable) -> str:
    out: list[str] = []
    pos = 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_MD_LINK.sub(lambda m: _replace_md_link(m, links), text[pos : span.start()]))
        out.append(span.group())
        pos = span.end()
    out.append(_MD_LINK.sub(lambda m: _replace_md_link(m, links), text[pos:]))
    return "".join(out)


def _replace_md_link(match: re.Match[str], links: _LinkTable) -> str:
    image, label, target = match.group(1), match.group(2), match.group(3)
    if target.startswith("<") and target.endswith(">"):
        target = target[1:-1]
    url = links.resolve(target)
    if image:
        alt = " ".join(label.split())
        placeholder = f"\\[image: {alt}\\]" if alt else "\\[image\\]"
        if url is None:
            return placeholder
        links.images.append((_plain(alt), url))
        return f"{placeholder} {_marker(links.add(_plain('image: ' + alt), url), url)}"
    if url is None:
        return label
    return f"{label} {_marker(links.add(_plain(label) or url, url), url)}"
