"""What some migrations run after their SQL: work over the stored articles that SQL cannot do.

`AFTER_MIGRATION` maps a migration's number (storage/schema.py) to the function that finishes it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from newstui.domain.dedupe import text_key, url_key
from newstui.domain.update import search_text
from newstui.storage.search import rebuild_search_index

log = logging.getLogger(__name__)


def find_copies(conn: sqlite3.Connection) -> None:
    """Give the articles already stored their dedupe keys, and link the copies among them."""
    (count,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    if count >= 50000:
        log.warning("newstui: upgrading the library: looking for stories in several feeds (once)")
    first: dict[tuple[str, int], tuple[int, int]] = {}
    done, last = 0, -1
    while True:  # a batch at a time: never every article's text in memory at once
        rows = conn.execute(
            "SELECT id, feed_id, title, url, content, content_type FROM articles WHERE id > ? "
            "ORDER BY id LIMIT ?",
            (last, COPIES_BATCH),
        ).fetchall()
        if not rows:
            break
        updates: list[tuple[int | None, int | None, int | None, int]] = []
        for article_id, feed_id, title, url, content, content_type in rows:
            keys = (url_key(url), text_key(title, search_text(content, content_type)))
            dup_of = None
            for kind, key in zip(("u", "t"), keys, strict=True):
                if key is None:
                    continue
                earlier = first.setdefault((kind, key), (article_id, feed_id))
                if dup_of is None and earlier[1] != feed_id:
                    dup_of = earlier[0]
            updates.append((*keys, dup_of, article_id))
        conn.executemany(
            "UPDATE articles SET url_key = ?, text_key = ?, dup_of = ? WHERE id = ?", updates
        )
        done, last = done + len(rows), rows[-1][0]
        if count >= 50000:
            log.warning(
                "newstui: looked for copies in %d of %d articles (%d%%)",
                done,
                count,
                100 * done // count,
            )


COPIES_BATCH = 5000
"""Articles `find_copies` reads at a time (their text is read to key it)."""


AFTER_MIGRATION: dict[int, Callable[[sqlite3.Connection], None]] = {
    2: rebuild_search_index,
    3: rebuild_search_index,
    5: rebuild_search_index,
    7: find_copies,
    12: rebuild_search_index,
}
