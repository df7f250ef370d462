"""The search index (FTS5): its rows, the function it reads articles' text by, and building it again.

What it holds of an article (`search_text`, `with_full_text`) is decided in domain.update.
The index keeps no copy of the text (schema 12: an external-content FTS5 table over the view
`articles_search`): an article's text is `search_body` of its stored row, which SQLite calls
(as the function `search_body`) to read the text back and, in triggers, to take an article out
of the index when it changes or goes. So `search_body` must give, for a stored row, exactly what
it gave when the row was indexed: a change to what it returns needs a migration that rebuilds
the index (`rebuild_search_index`), or removing an article would leave its words behind.
"""

from __future__ import annotations

import logging
import sqlite3

from newstui.domain.update import SEARCH_TEXT_MAX, search_text, unpack_text, with_full_text

log = logging.getLogger(__name__)

FTS_INSERT = "INSERT INTO articles_fts(rowid, title, body, author, url) VALUES (?, ?, ?, ?, ?)"
FtsRow = tuple[int, str, str, str | None, str | None]
"""An article's row in the search index: id, title, text, author, url."""


def search_body(key: str, content: str | bytes, content_type: str, full_text: str | None) -> str:
    """What the search index holds of an article's text, from its stored row alone.

    The feed's text (`content` as stored: packed or not, see domain.update.pack_text); with a
    web page's article text (`f`) too, both; a local article file's reader text alone (its
    content is the whole page). See the module's docstring: what this returns for a stored row
    must never change without a migration that rebuilds the index.
    """
    content = unpack_text(content)
    if full_text is None:
        return search_text(content, content_type)
    if key.startswith("file:"):
        return full_text[:SEARCH_TEXT_MAX]
    return with_full_text(search_text(content, content_type), full_text)


def fts_row(
    article_id: int,
    key: str,
    title: str,
    content: str,
    content_type: str,
    full_text: str | None,
    author: str | None,
    url: str | None,
) -> FtsRow:
    """An article's row for FTS_INSERT, from the values its `articles` row holds."""
    return (article_id, title, search_body(key, content, content_type, full_text), author, url)


def register(conn: sqlite3.Connection) -> None:
    """Give a connection `search_body`: the index reads articles' text and removes them by it."""
    conn.create_function("search_body", 4, search_body, deterministic=True)


REBUILD_BATCH = 20_000


def rebuild_search_index(conn: sqlite3.Connection) -> None:
    """Index every article again (after a migration that recreated the index), in batches of
    `REBUILD_BATCH` articles with a line of progress for a large library. It runs inside the
    migration's transaction: stopped halfway, the library stays as it was, and the next start
    upgrades it again."""
    (count,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    loud = count >= 5000  # ~15 s for 100,000 articles: say why the start waits
    if loud:
        log.warning(
            "newstui: upgrading the library: indexing %d articles for search again (once)", count
        )
    done, last = 0, -1
    while True:
        ids = conn.execute(
            "SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, REBUILD_BATCH)
        ).fetchall()
        if not ids:
            break
        conn.execute(
            "INSERT INTO articles_fts(rowid, title, body, author, url) "
            "SELECT id, title, body, author, url FROM articles_search WHERE id BETWEEN ? AND ?",
            (ids[0][0], ids[-1][0]),
        )
        done, last = done + len(ids), ids[-1][0]
        if loud:
            log.warning(
                "newstui: indexed %d of %d articles (%d%%)", done, count, 100 * done // count
            )
