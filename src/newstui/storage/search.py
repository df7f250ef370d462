"""The search index (FTS5): its rows, and building it again after a migration.

What it holds of an article (`search_text`, `with_full_text`) is decided in domain.update.
"""

from __future__ import annotations

import logging
import sqlite3

from newstui.domain.update import search_text, with_full_text

log = logging.getLogger(__name__)

FTS_INSERT = "INSERT INTO articles_fts(rowid, title, body, author, url) VALUES (?, ?, ?, ?, ?)"
FtsRow = tuple[int, str, str, str | None, str | None]
"""An article's row in the search index: id, title, text, author, url."""


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
