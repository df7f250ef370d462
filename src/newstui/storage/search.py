"""The search index (FTS5): what it holds of an article, and building it again after a migration."""

from __future__ import annotations

import html
import logging
import re
import sqlite3

log = logging.getLogger(__name__)

FTS_INSERT = "INSERT INTO articles_fts(rowid, title, body, author, url) VALUES (?, ?, ?, ?, ?)"
FtsRow = tuple[int, str, str, str | None, str | None]
"""An article's row in the search index: id, title, text, author, url."""

FTS_MAX = 200_000
SEARCH_TEXT_MAX = 100_000


def search_text(content: str, content_type: str) -> str:
    """What the search index holds of an article's feed text."""
    return (plain_text(content) if content_type == "html" else content)[:SEARCH_TEXT_MAX]


def with_full_text(feed_text: str, markdown: str) -> str:
    """What the search index holds of an article whose web page was fetched too."""
    return (feed_text + "\n" + plain_text(markdown))[:FTS_MAX]


def rebuild_search_index(conn: sqlite3.Connection) -> None:
    """Index every article again (after a migration that recreated the index)."""
    (count,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    if count >= 5000:  # ~15 s for 100,000 articles: say why the start waits
        log.warning(
            "newstui: upgrading the library: indexing %d articles for search again (once)", count
        )
    rows = conn.execute(
        "SELECT id, title, content, content_type, full_text, author, url FROM articles"
    )
    conn.executemany(
        FTS_INSERT,
        (
            (
                article_id,
                title,
                search_text(content, content_type)
                if full_text is None
                else with_full_text(search_text(content, content_type), full_text),
                author,
                url,
            )
            for article_id, title, content, content_type, full_text, author, url in rows
        ),
    )


_TAG_FOR_INDEX = re.compile(r"<[^>]{0,2000}>")


def plain_text(content: str) -> str:
    """Tags and entities out, for the search index only (never for display)."""
    text = _TAG_FOR_INDEX.sub(" ", content)
    return html.unescape(text) if "&" in text else text
