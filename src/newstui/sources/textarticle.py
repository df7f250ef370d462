"""Plain-text articles as scraped from the web: boilerplate lines out, subheads, a date and byline.

A scraped article file is a title line (`Headline | Site`), then blocks separated by blank
lines, or one paragraph a line with no blank line between them; a paragraph wrapped at a fixed
width stays one paragraph. Among the paragraphs sit lines the scraper kept from the page around
the article: video player notices, "Advertisement", share and follow prompts, image credits,
"Source link", a related story or tag line at the end. textscraps.py says which lines those
are; a date line and a byline near the top are the article's date and author (textdates.py).

Short title-like lines between paragraphs are the page's subheads; lines in quotation marks
stay quotations. The result is Markdown with every kept block escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from newstui.sources.markdown_text import escape_markdown
from newstui.sources.textdates import date_in_line, is_date_line, strip_date
from newstui.sources.textscraps import (
    MAX_LINE_WORDS,
    SENTENCE_END,
    is_boilerplate,
    is_prose,
    is_title_like,
    word_count,
)
from newstui.sources.texttitle import split_title, title_line

__all__ = [
    "MAX_LINE_WORDS",
    "TextArticle",
    "as_written",
    "date_in_line",
    "is_boilerplate",
    "read_text_article",
]

#: Lines this long at most, and at least this long, may be a paragraph wrapped at a fixed width
#: (the widths that tools and mail wrap at); longer lines are one paragraph each.
WRAP_WIDTHS = (40, 100)
#: A date or byline line is looked for among this many blocks after the title.
HEAD_BLOCKS = 4

_FULL_STOP = re.compile(r"[.!?…]['\"’”»)]*$")
_QUOTE_OPEN = "\"'“‘«„‹「『"
_QUOTE_CLOSE = "\"'”’»“‹›」』"
_BYLINE = re.compile(r"^(?:by|written by|words by|story by|von|par|por|di)\s+(.{2,80})$", re.I)


@dataclass(frozen=True, slots=True)
class TextArticle:
    """A plain-text article read as a page: its parts and its body as Markdown."""

    title: str
    site: str | None
    author: str | None
    published: datetime | None
    markdown: str
    dropped: tuple[str, ...] = ()
    """The boilerplate lines left out, in order (for tests and for the curious)."""


def read_text_article(text: str) -> TextArticle:
    """A scraped plain-text article: title line, then paragraphs and the page's scraps."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return TextArticle("", None, None, None, "")
    title, site = split_title(title_line(lines[0]))
    blocks = _blocks(lines[1:])
    author = published = None
    dropped: list[str] = []
    # A byline and a date line near the top are metadata, not text.
    head: list[str] = []
    for index, block in enumerate(blocks[:HEAD_BLOCKS]):
        if word_count(block) > MAX_LINE_WORDS:
            head.extend(blocks[index:HEAD_BLOCKS])
            break
        when = date_in_line(block)
        byline = _BYLINE.match(block.strip())
        if when is not None and published is None and is_date_line(block):
            published = when
            dropped.append(block)
        elif byline is not None and author is None and not is_prose(block):
            author = strip_date(byline.group(1)).strip(" ,|·-–—")
            dropped.append(block)
            if published is None:
                published = date_in_line(block)
        else:
            head.append(block)
    blocks = head + blocks[HEAD_BLOCKS:]
    kept: list[str] = []
    for block in blocks:
        if is_boilerplate(block):
            dropped.append(block)
        else:
            kept.append(block)
    # A trailing title-like line (a related story, a tag or section name) ends many scrapes;
    # only after the article's prose, so a short note is never emptied.
    while (
        len(kept) > 1
        and is_title_like(kept[-1])
        and not _is_quote(kept[-1])
        and any(is_prose(b) for b in kept[:-1])
    ):
        dropped.append(kept.pop())
    out: list[str] = []
    for index, block in enumerate(kept):
        if _is_subhead(kept, index):
            out.append("## " + escape_markdown(" ".join(block.split())))
        else:
            out.append(_paragraph(block))
    return TextArticle(title, site, author or None, published, "\n\n".join(out), tuple(dropped))


def _blocks(lines: list[str]) -> list[str]:
    """The text's blocks: runs of lines between blank lines, each split where it is not one
    wrapped paragraph (`_lines_of`)."""
    blocks: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.extend(_lines_of(current))
            current = []
    return blocks


def _lines_of(lines: list[str]) -> list[str]:
    """A run of lines as blocks: each line on its own, except where a paragraph was wrapped.

    A wrapping tool fills each line until the next word would pass its width: so where a line
    and the next one's first word would not fit in the run's longest line, the line was broken
    there, inside a paragraph. A run whose lines all end that way is one wrapped text (a line
    ending a sentence inside it stays in it); in a mixed run, only breaks inside a sentence
    join. A line that goes on in lower case continues the line before, whatever the width. The
    page's leftovers on a line of their own after a sentence are never joined.
    """
    if len(lines) == 1:
        return lines
    width = max(len(line) for line in lines)
    fits = WRAP_WIDTHS[0] <= width <= WRAP_WIDTHS[1]
    full = [fits and len(a) + 1 + len(b.split()[0]) > width for a, b in pairwise(lines)]
    wrapped = all(full)
    out = [lines[0]]
    for index, line in enumerate(lines[1:]):
        before = lines[index]
        ends = bool(SENTENCE_END.search(before))
        joins = (full[index] and (wrapped or not ends)) or (
            line[0].islower() and not _FULL_STOP.search(before)
        )
        if joins and not is_boilerplate(before) and not (ends and is_boilerplate(line)):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return out


def _is_quote(block: str) -> bool:
    text = block.strip()
    return len(text) > 1 and text[0] in _QUOTE_OPEN and text[-1] in _QUOTE_CLOSE + ".,!?"


def _is_subhead(blocks: list[str], index: int) -> bool:
    """A title-like line (a question counts) between paragraphs, not a quotation."""
    block = blocks[index]
    if index == 0 or index == len(blocks) - 1 or _is_quote(block):
        return False
    if not is_title_like(block):
        return False
    # A heading introduces text: some paragraph follows it before the end.
    return any(is_prose(b) for b in blocks[index + 1 :])


def _paragraph(block: str) -> str:
    words = " ".join(block.split())
    paragraph = escape_markdown(words)
    # A paragraph that starts like a list item, a rule or a heading stays a paragraph.
    match = re.match(r"^(\d+)([.)])|^([-=])", paragraph)
    if match is not None:
        if match.group(1) is not None:
            paragraph = f"{match.group(1)}\\{match.group(2)}{paragraph[match.end() :]}"
        else:
            paragraph = "\\" + paragraph
    return paragraph


def as_written(text: str) -> str:
    """The text as the file has it, as Markdown: each line on its own line, blank lines between
    paragraphs, nothing read as markup (what `f` shows of a scraped text: every line it holds)."""
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return "\n\n".join(
        "\\\n".join(_paragraph(line) for line in block.split("\n") if line.strip())
        for block in blocks
        if block.strip()
    )
