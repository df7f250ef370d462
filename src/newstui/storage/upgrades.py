"""What some migrations run after their SQL: work over the stored articles that SQL cannot do.

`AFTER_MIGRATION` maps a migration's number (storage/schema.py) to the function that finishes it
inside the migration's transaction; `RESUMED` are passes that run after it, a batch per
transaction, and pick up where they stopped at the next start.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

from newstui.domain.dedupe import text_key, url_key
from newstui.domain.update import pack_text, search_text, unpack_text
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
            keys = (url_key(url), text_key(title, search_text(unpack_text(content), content_type)))
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


PACK_SETTING = "upgrade.pack_texts_after"
"""Set by migration 16: the id after which articles' texts are still to be packed; gone when done."""
PACK_BATCH = 2000
"""Articles `pack_stored_texts` packs in one transaction (~2 s of work for a slow machine)."""

LOUD_FROM = 5000
"""From this many articles to pack (~1 s of work), the pass says why the start waits."""

Transaction = Callable[[], AbstractContextManager[sqlite3.Connection]]


def pack_stored_texts(tx: Transaction) -> None:
    """Compress the text of the articles stored before schema 16 (domain.update.pack_text), a
    batch per transaction with a line of progress for a large library. Stopped at any point,
    nothing is lost: a row reads the same packed or not, the setting says where to go on, and
    the next start does. The file does not shrink: the pages freed hold the next articles."""
    with tx() as conn:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (PACK_SETTING,)).fetchone()
        if row is None:
            return
        (count,) = conn.execute(
            "SELECT count(*) FROM articles WHERE id > ?", (int(row[0]),)
        ).fetchone()
    loud = count >= LOUD_FROM
    if loud:
        log.warning("newstui: upgrading the library: compressing %d articles' text (once)", count)
    done = 0
    while True:
        with tx() as conn:
            row = conn.execute(
                "SELECT value FROM settings WHERE key = ?", (PACK_SETTING,)
            ).fetchone()
            if row is None:  # another process finished it
                return
            rows = conn.execute(
                "SELECT id, content FROM articles WHERE id > ? ORDER BY id LIMIT ?",
                (int(row[0]), PACK_BATCH),
            ).fetchall()
            if not rows:
                conn.execute("DELETE FROM settings WHERE key = ?", (PACK_SETTING,))
                return
            updates = []
            for article_id, content in rows:
                if isinstance(content, str):
                    packed = pack_text(content)
                    if packed is not content:
                        updates.append((packed, article_id))
            conn.executemany("UPDATE articles SET content = ? WHERE id = ?", updates)
            conn.execute(
                "UPDATE settings SET value = ? WHERE key = ?", (str(rows[-1][0]), PACK_SETTING)
            )
        done += len(rows)
        if loud:
            log.warning(
                "newstui: compressed %d of %d articles (%d%%)",
                done,
                count,
                100 * done // max(count, done),
            )


RESUMED: tuple[Callable[[Transaction], None], ...] = (pack_stored_texts,)
"""Passes over the library that run after the migrations, each once, resumable (see above)."""


AFTER_MIGRATION: dict[int, Callable[[sqlite3.Connection], None]] = {
    2: rebuild_search_index,
    3: rebuild_search_index,
    5: rebuild_search_index,
    7: find_copies,
    12: rebuild_search_index,
}
