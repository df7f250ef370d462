"""An article's body as safe Markdown for the article pane: the feed's text or the fetched page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newstui.domain.display import shorten_url
from newstui.domain.models import Article
from newstui.domain.text import clean_text
from newstui.library.facade import Library

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(frozen=True, slots=True)
class BodyImage:
    """An image of the body: its `[image: alt] [n]` placeholder and where it comes from."""

    number: int
    """The placeholder's link number (`[n]`), which also says where the image sits in the text."""
    alt: str
    src: str


@dataclass(frozen=True, slots=True)
class ArticleBody:
    """What the article pane shows of one article."""

    markdown: str
    links: tuple[tuple[str, str], ...]
    """(text, url) numbered from 1, as `[n]` in the text and in the Links list at its end."""
    images: tuple[BodyImage, ...]
    full_text: bool
    """True when this is the extracted web page, False for the feed's own text."""


def article_body(library: Library, article: Article, *, full_text: bool = False) -> ArticleBody:
    """The feed's text, or the extracted web page when `full_text` and it has been fetched.

    CPU-bound for large bodies: call it from a worker thread.
    """
    full_text = bool(full_text and article.full_text)
    rendered = library.render(article, full_text=full_text)
    links = tuple(rendered.links)
    return ArticleBody(
        markdown=str(rendered.markdown),
        links=links,
        images=_number_images(links, rendered.images),
        full_text=full_text,
    )


def article_markdown(library: Library, article: Article, *, full_text: bool = False) -> str:
    """The body's Markdown alone (see `article_body`)."""
    return article_body(library, article, full_text=full_text).markdown


def _number_images(
    links: tuple[tuple[str, str], ...], images: tuple[tuple[str, str], ...]
) -> tuple[BodyImage, ...]:
    """Each image with the number of its placeholder: images are links too, in the same order."""
    out: list[BodyImage] = []
    start = 0
    for alt, src in images:
        for index in range(start, len(links)):
            text, url = links[index]
            if url == src and text.startswith("image"):
                out.append(BodyImage(index + 1, alt, src))
                start = index + 1
                break
    return tuple(out)


# A line of the Links list at the end of a body: `\[n\]: <url>` or `\[n\]: [shortened](<url>)`,
# then a hard break (`\`) but on the last line.
_LISTED = re.compile(
    r"^\\\[(\d+)\\\]: (?:<([^>\n]*)>|\[(?:[^\]\n]|\\\])*\]\(<([^>\n]*)>\))(\\?)$", re.M
)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")
LINKS_HEADING = "\n**Links**\n"
"""What opens the Links list at the end of a body (sources/content.py writes it)."""


def fit_links(markdown: str, width: int) -> str:
    """The body with its Links list fitted to `width` columns: each address whole when it fits
    on the line beside its number, else shortened with "…" to what fits (the link itself stays
    whole). A pane narrower than the renderer's listing broke long ones mid-word."""
    head, found, listing = markdown.rpartition(LINKS_HEADING)
    if not found:
        return markdown

    def fit(match: re.Match[str]) -> str:
        number, url, hard_break = match.group(1), match.group(2) or match.group(3), match.group(4)
        room = width - len(f"[{number}]: ")
        if len(url) <= room:
            return f"\\[{number}\\]: <{url}>{hard_break}"
        label = _MD_SPECIAL.sub(r"\\\1", shorten_url(url, max(room, 12)))
        return f"\\[{number}\\]: [{label}](<{url}>){hard_break}"

    return head + found + _LISTED.sub(fit, listing)


def markdown_parser() -> MarkdownIt:
    """Textual's "gfm-like" parser, but a link shown as its own text stays clean: markdown-it
    percent-decodes that text (`<https://x/%1B[6n>` showed an ESC to the terminal)."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("gfm-like")
    decode = parser.normalizeLinkText

    def shown(url: str) -> str:
        return clean_text(decode(url))

    parser.normalizeLinkText = shown  # type: ignore[method-assign,assignment]
    return parser
