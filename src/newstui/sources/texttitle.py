"""The title of a plain-text article, its first line (`Headline | Site`): read on its own, it
needs none of the reader's rules for the rest of the text (textarticle.py), so a list of
articles can show titles before any article is read."""

from __future__ import annotations


def split_title(first: str) -> tuple[str, str | None]:
    """`Headline | Site` as (headline, site); a line without a site is all title."""
    for separator in (" | ", " ｜ "):
        if separator in first:
            head, tail = first.rsplit(separator, 1)
            if head.strip() and tail.strip():
                return head.strip(), tail.strip()
    return first, None


def title_line(text: str) -> str:
    """The article's first line that is not blank, stripped ("" when there is none)."""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            return line.strip()
    return ""
