"""`Database`, the one class the rest of newstui uses: the storage modules' parts, and the article marks."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from newstui.domain.models import View
from newstui.storage.copies import read_every_copy, set_flag_on_copies
from newstui.storage.counts import Counts, counts_as_kept, kept_counts
from newstui.storage.database import chunks, storage_error
from newstui.storage.queries import Queries
from newstui.storage.query_views import view_limit

if TYPE_CHECKING:
    from newstui.query import Query


class Database(Queries):
    """One SQLite connection, serialised by a lock so any thread may use it.

    Opening, transactions and migrations are `storage.database`'s; feeds `storage.feeds`'; views
    and reads of articles `storage.queries`'; what changes an article here: its marks (read,
    bookmarked, hidden) and its full text. A refresh is stored by `storage.writer`.
    """

    def unhide_all(self) -> int:
        with self.tx() as conn:
            return int(conn.execute("UPDATE articles SET hidden = 0 WHERE hidden = 1").rowcount)

    def set_flag(self, column: str, article_ids: Sequence[int], value: bool) -> int:
        assert column in ("read", "bookmarked", "hidden")
        changed = 0
        with self.tx() as conn:
            for chunk in chunks(list(article_ids), 500):
                marks = ",".join("?" * len(chunk))
                cur = conn.execute(
                    f"UPDATE articles SET {column} = ? WHERE id IN ({marks}) AND {column} != ?",
                    [int(value), *chunk, int(value)],
                )
                changed += cur.rowcount
                if column == "read" and self.dedupe:
                    set_flag_on_copies(conn, column, chunk, value)
        return changed

    def mark_view_read(self, view: View) -> int:
        if view_limit(view) is not None:
            return self.set_flag("read", self.view_ids(view), True)
        where, _order, params = self._view_sql(view)
        with self.tx() as conn:
            cur = conn.execute(
                f"UPDATE articles SET read = 1 WHERE read = 0 AND id IN (SELECT a.id {where})",
                params,
            )
            if self.dedupe:
                read_every_copy(conn)
            return cur.rowcount

    def mark_view_read_ids(self, view: View) -> list[int]:
        """Mark the view read in one transaction; the ids it changed (to undo it)."""
        where, _order, params = self._view_sql(view)
        changed: list[int] = []
        with self.tx() as conn:
            if view_limit(view) is None:
                rows = conn.execute(
                    f"UPDATE articles SET read = 1 WHERE read = 0 AND id IN (SELECT a.id {where}) "
                    "RETURNING id",
                    params,
                ).fetchall()
                if self.dedupe:
                    read_every_copy(conn)
                return [r[0] for r in rows]
            for chunk in chunks(self.view_ids(view), 500):
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"UPDATE articles SET read = 1 WHERE id IN ({marks}) AND read = 0 RETURNING id",
                    chunk,
                ).fetchall()
                changed += [r[0] for r in rows]
                if self.dedupe:
                    set_flag_on_copies(conn, "read", chunk, True)
        return changed

    def set_full_text(self, article_id: int, markdown: str) -> None:
        with self.tx() as conn:
            # The search index follows by trigger (schema 12): the page's text joins the feed's.
            conn.execute("UPDATE articles SET full_text = ? WHERE id = ?", (markdown, article_id))

    def saved_view_counts(
        self, queries: Mapping[str, Query], now: float | None = None
    ) -> dict[str, Counts]:
        """The saved views' counts (query text -> parsed query; every saved view, as views kept
        before and not given are forgotten), kept as the library changes (storage.counts):
        what their lists show, so each story once when the library dedupes."""
        with self._lock:  # a read first (one snapshot): at start-up nothing changed, usually
            try:
                self.conn.execute("BEGIN")
                try:
                    quick = counts_as_kept(self.conn, queries, dedupe=self.dedupe)
                finally:
                    self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise storage_error(self.path, exc) from None
        if quick is not None:
            return quick
        with self.tx() as conn:
            return kept_counts(
                conn, queries, time.time() if now is None else now, dedupe=self.dedupe
            )
