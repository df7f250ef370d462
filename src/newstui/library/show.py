"""An article as the reader shows it (header, body, numbered links, enclosures), for `newstui show`.

The body is the one the article pane shows by default: a local HTML file's reader text, a
fetched full text when the feed asks for it, else the feed's own text. The CLI's formats
(cli/formats.py: Markdown, plain text, JSON) are made from these parts, so a pipe gets exactly
what a reader sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from newstui.domain.display import format_date, home_path
from newstui.domain.models import Article, Enclosure
from newstui.domain.text import clean_line, clean_text

if TYPE_CHECKING:
    from newstui.library.facade import Library


@dataclass(frozen=True, slots=True)
class ShownArticle:
    """The parts of an article's page in the reader."""

    id: int
    title: str
    site: str
    author: str | None
    published: datetime | None
    url: str | None
    location: str | None
    """Where it lives, for people: a `~/…` path for a local file, else its URL."""
    body_markdown: str
    """The body as the pane renders it, its Links list at the end."""
    links: tuple[tuple[str, str], ...]
    enclosures: tuple[Enclosure, ...]


def shown_article(library: Library, article: Article) -> ShownArticle:
    """What the article pane shows of `article` when it is opened (CPU-bound: a thread)."""
    from newstui.library.facade import local_file, reads_as_page

    feed = library.feed(article.feed_id) if article.feed_id >= 0 else None
    full = reads_as_page(article) or bool(feed is not None and feed.full_text and article.full_text)
    rendered = library.render(article, full_text=full)
    site = clean_line(article.site or article.feed_title, max_length=200)
    path = local_file(article)
    return ShownArticle(
        id=article.id,
        title=clean_line(article.title, max_length=1000) or "(untitled)",
        site=site,
        author=clean_line(article.author, max_length=200) or None,
        published=article.published,
        url=clean_line(article.url, max_length=4000) or None,
        location=home_path(path) if path is not None else clean_line(article.url) or None,
        body_markdown=rendered.markdown,
        links=rendered.links,
        enclosures=article.enclosures,
    )


def byline(shown: ShownArticle, date_format: str = "%Y-%m-%d %H:%M") -> str:
    """`Site · by Author · date`."""
    parts = [shown.site]
    if shown.author:
        parts.append(f"by {shown.author}")
    parts.append(format_date(shown.published, date_format))
    return " · ".join(p for p in parts if p)


# A line of the Links list whose address is shown shortened: `\[n\]: [host…end](<url>)`.
_LISTED_SHORT = re.compile(r"^(\\\[\d+\\\]: )\[(?:[^\]\n]|\\\])*\]\((<[^>\n]*>)\)")
_LINK_MARKER = re.compile(r"\[\\\[(\d+)\\\]\]\(<[^>\n]*>\)")
_MD_LINK = re.compile(r"(?<!\\)\[((?:[^\[\]\n]|\\\[|\\\])*)\]\((?:<[^>\n]*>|[^\s()]*)\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]*)>")
_EMPHASIS = re.compile(r"(?<![\\\w])(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~&=\"'])")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_to_text(markdown: str) -> str:
    """The rendered Markdown of a body as plain text: what the pane shows, without the marks."""
    out: list[str] = []
    for line in clean_text(markdown).split("\n"):
        heading = _HEADING.match(line)
        if heading:
            line = heading.group(2)
        if line.rstrip().endswith("\\") and not line.rstrip().endswith("\\\\"):
            line = line.rstrip()[:-1]  # a hard line break
        # A pipe has no pane to fit: each listed address whole.
        line = _LISTED_SHORT.sub(r"\1\2", line)
        line = _LINK_MARKER.sub(r"[\1]", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _AUTOLINK.sub(r"\1", line)
        line = _EMPHASIS.sub(r"\2", line)
        line = _ESCAPE.sub(r"\1", line)
        if line.strip() == "---":
            line = "-" * 20
        out.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
