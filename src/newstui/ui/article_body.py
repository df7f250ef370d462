"""An article's body as safe Markdown for the article pane (core.content when present, else plain text)."""

from __future__ import annotations

import re

from newstui.core.models import Article, ContentType
from newstui.core.text import clean_text

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_BLANK = re.compile(r"\n[ \t]*\n+")


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown paragraphs: lines of a paragraph joined, every special character escaped."""
    paragraphs = []
    for block in _BLANK.split(clean_text(text)):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines:
            paragraph = _MD_SPECIAL.sub(r"\\\1", " ".join(lines))
            # A paragraph that starts like a list item or a rule would not read as a paragraph.
            if re.match(r"^(\d+[.)]|[-=]+$)", paragraph):
                paragraph = "\\" + paragraph
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def article_markdown(article: Article, *, base_url: str | None = None) -> str:
    """The body to show: extracted full text when fetched, else the feed's content, as Markdown.

    CPU-bound for large bodies: call it from a worker thread.
    """
    if article.full_text:
        return article.full_text
    try:
        from newstui.core.content import render_body
    except ImportError:  # the converter lands separately; until then show clean paragraphs
        return plain_to_markdown(
            _strip_tags(article.content)
            if article.content_type == ContentType.HTML
            else article.content
        )
    rendered = render_body(article.content, article.content_type, base_url=base_url or article.url)
    return str(rendered.markdown)


def _strip_tags(html: str) -> str:
    import html as html_module

    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", html)
    text = re.sub(r"(?i)<\s*(br|/p|/div|/h[1-6]|/li|/blockquote)\b[^>]*>", "\n\n", text)
    text = re.sub(r"<[^>]*>", "", text)
    return html_module.unescape(text)
