"""Storing refreshes: one feed's articles inserted or updated with their search rows, and the writer thread."""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, InvalidStateError
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from newstui.domain.errors import StorageError, StorageFailure
from newstui.domain.update import (
    Stored,
    StoredEntry,
    plan_update,
    shows_image,
    unpack_entries,
    unpack_text,
)
from newstui.storage.database import BaseDatabase, chunks
from newstui.storage.search import FTS_INSERT, FtsRow, fts_row

log = logging.getLogger(__name__)


class ArticleBatch:
    """Feeds' articles stored in one transaction, as `domain.update.plan_update` decides; their
    search rows go into the index at the end (`index`), with one executemany.

    Interleaving FTS5 inserts with inserts into `articles` costs about twice the CPU. A changed
    article is indexed again by trigger as its row changes (schema 12), and one whose search row
    still waits is indexed first (`settle`): the trigger takes out of the index the text of the
    row as it was, which must be there. New
    articles go in with one executemany a feed, their ids given here (the transaction holds the
    write lock), and the feed's counters grow once: a trigger per inserted row cost ~20 us an
    article, a fifth of a cold refresh's storing.
    """

    def __init__(self, conn: sqlite3.Connection, now: float) -> None:
        self.conn = conn
        self.now = now
        """When the articles are stored: their first_seen, and the sort date of undated ones."""
        self._search: list[FtsRow] = []
        self._search_at: dict[int, int] = {}  # an article's id -> its place in `_search`

    def stored(self, feed_id: int) -> dict[str, Stored]:
        """The feed's articles as the decision needs them, by key."""
        return {
            key: Stored(article_id, digest)
            for key, article_id, digest in self.conn.execute(
                "SELECT key, id, hash FROM articles WHERE feed_id = ?", (feed_id,)
            )
        }

    def store(self, feed_id: int, entries: Sequence[StoredEntry]) -> tuple[int, int]:
        """Insert the feed's new articles and update its changed ones; (new, changed)."""
        plan = plan_update(entries, self.stored(feed_id))
        if plan.new:
            self._insert(feed_id, plan.new)
        self.settle(article_id for article_id, _e in plan.changed)
        for article_id, e in plan.changed:
            sort_date = e.published if e.published is not None else e.updated
            image = _has_image(e)
            self.conn.execute(
                "UPDATE articles SET title = ?, url = ?, author = ?, site = ?, published = ?, "
                "updated = ?, sort_date = coalesce(?, sort_date), content = ?, content_type = ?, "
                "hash = ?, full_text = coalesce(?, full_text), enclosure = ?, has_image = ? "
                "WHERE id = ?",
                (e.title, e.url, e.author, e.site, e.published, e.updated, sort_date,
                 e.content, e.content_type, e.digest, e.full_text, e.enclosures, image,
                 article_id),
            )  # fmt: skip
        return len(plan.new), len(plan.changed)

    def index(self) -> None:
        """Put the search rows of what was stored into the index (before the commit)."""
        self.conn.executemany(FTS_INSERT, self._search)
        self._search.clear()
        self._search_at.clear()

    def settle(self, article_ids: Iterable[int]) -> None:
        """Index what waits now if any of these articles is about to change or go."""
        if self._search_at and any(i in self._search_at for i in article_ids):
            self.index()

    def _index(self, article_id: int, e: StoredEntry) -> None:
        # The index's triggers take an article out by `search_body` of its row, so that is
        # what must go in: the parse worker's `index_text` is `search_text` of the very text
        # it packed, which is what search_body gives for a row without a full text.
        if e.index_text is not None and e.full_text is None:
            row: FtsRow = (article_id, e.title, e.index_text, e.author, e.url)
        else:
            row = fts_row(
                article_id,
                e.key,
                e.title,
                unpack_text(e.content),
                e.content_type,
                e.full_text,
                e.author,
                e.url,
            )
        self._search_at[article_id] = len(self._search)
        self._search.append(row)

    def _insert(self, feed_id: int, new: Sequence[StoredEntry]) -> None:
        conn, now = self.conn, self.now
        (first_id,) = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()
        inserts: list[tuple[Any, ...]] = []
        for article_id, e in enumerate(new, first_id):
            sort_date = e.published if e.published is not None else e.updated
            when = sort_date if sort_date is not None else now
            inserts.append(
                (article_id, feed_id, e.key, e.title, e.url, e.author, e.site, e.published,
                 e.updated, when, e.content, e.content_type, e.digest, e.full_text,
                 e.enclosures, now, _has_image(e), e.url_key, e.text_key)
            )  # fmt: skip
            self._index(article_id, e)
        rows = link_copies(conn, feed_id, inserts)
        conn.executemany(
            "INSERT INTO articles(id, feed_id, key, title, url, author, site, published, updated, "
            "sort_date, content, content_type, hash, full_text, enclosure, first_seen, has_image, "
            "url_key, text_key, dup_of, read) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # New articles are unread (but a copy of a story read elsewhere); deleting one, or
        # marking it read, is counted by triggers.
        unread = sum(1 for row in rows if not row[-1])
        copies = [row for row in rows if row[-2] is not None]
        conn.execute(
            "UPDATE feeds SET total = total + ?, unread = unread + ?, copies = copies + ?, "
            "copies_unread = copies_unread + ? WHERE id = ?",
            (len(rows), unread, len(copies), sum(1 for row in copies if not row[-1]), feed_id),
        )


def _has_image(e: StoredEntry) -> bool:
    if e.has_image is not None:
        return e.has_image
    return shows_image(unpack_text(e.content), e.content_type)


def link_copies(
    conn: sqlite3.Connection, feed_id: int, inserts: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The new rows with `dup_of` and `read`: a story already stored by another feed (the same
    link, or the same title and text) becomes a copy of its first copy, read if that one is.

    Two indexed queries per feed, whatever its size; a feed with no copies pays only those.
    """
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for slot, column in ((-2, "url_key"), (-1, "text_key")):
        keys = list({row[slot] for row in inserts if row[slot] is not None})
        for chunk in chunks(keys, 500):
            marks = ",".join("?" * len(chunk))
            for key, article_id, dup_of, read in conn.execute(
                f"SELECT {column}, id, dup_of, read FROM articles "
                f"WHERE {column} IN ({marks}) AND feed_id != ? ORDER BY id",
                [*chunk, feed_id],
            ):
                found.setdefault((slot, key), (dup_of or article_id, read))
    if not found:
        return [(*row, None, 0) for row in inserts]
    rows = []
    for row in inserts:
        first = found.get((-2, row[-2])) or found.get((-1, row[-1]))
        rows.append((*row, None, 0) if first is None else (*row, first[0], first[1]))
    return rows


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """One feed's refresh as it is stored: its outcome, validators and (when fetched) articles."""

    feed_id: int
    status: str
    error: str | None
    http_status: int | None
    entries: Sequence[StoredEntry] | bytes | None = None
    """The articles, or `pack_entries` of them made by our own parse worker."""
    feed_title: str | None = None
    site_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None
    next_check: float | None = None
    new_url: str | None = None
    retention_days: int = 0


def apply_update(batch: ArticleBatch, u: FeedUpdate) -> tuple[int, int]:
    """Store one feed's refresh in `batch`'s transaction: its articles (their search rows wait for
    `batch.index()`), its old read articles pruned, its outcome and validators; (new, changed)."""
    conn, now = batch.conn, batch.now
    if conn.execute("SELECT 1 FROM feeds WHERE id = ?", (u.feed_id,)).fetchone() is None:
        return 0, 0  # removed while it was being fetched
    new = updated = 0
    if u.entries is not None:
        entries: Sequence[StoredEntry] = (
            unpack_entries(u.entries) if isinstance(u.entries, bytes) else u.entries
        )
        new, updated = batch.store(u.feed_id, entries)
        if u.retention_days > 0:
            keys = {e.key for e in entries}
            cutoff = now - u.retention_days * 86400
            old = conn.execute(
                "SELECT id, key FROM articles WHERE feed_id = ? AND read = 1 AND "
                "bookmarked = 0 AND sort_date < ?",
                (u.feed_id, cutoff),
            ).fetchall()
            doomed = [(i,) for i, key in old if key not in keys]
            batch.settle(i for (i,) in doomed)
            conn.executemany("DELETE FROM articles WHERE id = ?", doomed)
    sets = [
        "status = ?",
        "error = ?",
        "http_status = ?",
        "last_checked = ?",
        "retry_after = ?",
        "next_check = ?",
    ]
    params: list[Any] = [u.status, u.error, u.http_status, now, u.retry_after, u.next_check]
    if u.status == "ok":
        sets += ["etag = ?", "last_modified = ?"]
        params += [u.etag, u.last_modified]
        if u.feed_title is not None:
            sets.append("feed_title = ?")
            params.append(u.feed_title)
        if u.site_url is not None:
            sets.append("site_url = ?")
            params.append(u.site_url)
    if u.new_url is not None:
        taken = conn.execute("SELECT 1 FROM feeds WHERE url = ?", (u.new_url,)).fetchone()
        if taken is None:
            sets.append("url = ?")
            params.append(u.new_url)
    conn.execute(f"UPDATE feeds SET {', '.join(sets)} WHERE id = ?", [*params, u.feed_id])
    return new, updated


AfterStore = Callable[[sqlite3.Connection, int, int], None]
"""Called inside a refresh's transaction with the first and last id of the articles it stored
(library.rules.RuleRunner): what it changes commits with them."""


def apply_updates(
    db: BaseDatabase, updates: Sequence[FeedUpdate], *, after_store: AfterStore | None = None
) -> list[tuple[int, int]]:
    """Store several feeds' refreshes in one transaction; (new, updated) counts per feed.

    One commit for many feeds: FTS5 writes a segment per commit and merges them later, so a
    commit per feed costs several times the indexing itself.
    """
    with db.tx() as conn:
        (before,) = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
        batch = ArticleBatch(conn, time.time())
        counts = [apply_update(batch, u) for u in updates]
        batch.index()
        if after_store is not None and any(new for new, _updated in counts):
            # New ids are max(id) + 1 onwards (ArticleBatch), all of them this transaction's.
            (last,) = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
            after_store(conn, before + 1, last)
    return counts


_STOP = object()

MAX_BATCH = 15
"""Feeds' updates that share a commit at most: see GATHER."""
GATHER = 0.3
"""Seconds a transaction waits for more feeds after its first. A cold refresh's documents come
from the parse workers a few at a time: waiting 50 ms, the writer committed 500 feeds in ~120
transactions of ~4, and each commit writes a search-index segment that later merges cost again
(storing alone: ~2.3 CPU s at 50 feeds a commit, ~2.4 at 10, 2.8-3.2 at 3). With 0.3 s and 15:
36 commits, the command's CPU 4.4-5.1 -> 4.0-4.4 s, its memory unchanged (at 50 a commit it
held ~5 MB more: a batch's texts wait for the index until the commit). A feed's outcome is
known at most this much later; the last feed of a refresh commits at once. A batch with no
articles yet (feeds that answered "not modified", or failed) waits QUICK instead: it writes no
segment, and a warm refresh of 500 feeds took 0.8 -> 1.25 s waiting for 15 at a time."""
QUICK = 0.05
"""Seconds a transaction of feeds without articles waits for more (see GATHER)."""
WRITER_CACHE_KIB = 1024
"""The writer's own connection keeps at most this much of the file in its page cache (SQLite's
default is 2,000 KiB): a cold refresh of 500 feeds peaks ~1 MB lower at the same storing CPU
(500 feeds stored alone, three runs each: 1.36 / 1.46 / 1.45 against 1.35 / 1.46 / 1.47 s; at
512 KiB +0.1-0.2 s, the indexes' pages read again). benchmarks/RESULTS.md, issue 17 row 3."""


class UpdateWriter:
    """Stores FeedUpdates from one thread, several feeds to a transaction (group commit).

    It writes through its own connection, so in WAL mode the library's readers (the TUI) never
    wait for a refresh's transaction. Updates that arrive within `gather` seconds of the first
    one, up to `max_batch`, share a commit; if that transaction fails, each update is retried
    alone so one feed's failure is its own. A failure of the storage itself (disk full) on one
    feed alone is everyone's: it fails every later update without writing again.
    """

    def __init__(
        self,
        db: BaseDatabase,
        *,
        max_batch: int = MAX_BATCH,
        gather: float = GATHER,
        after_store: AfterStore | None = None,
    ) -> None:
        self._db = db.sibling()
        self.after_store = after_store
        self._own = self._db is not db
        if self._own:  # (an in-memory database is its cache: it has no second connection)
            self._db.conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        self.max_batch = max_batch
        self.gather = gather
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._failure: StorageFailure | None = None
        self._thread = threading.Thread(target=self._run, name="newstui-writer", daemon=True)
        self._thread.start()

    def submit(self, update: FeedUpdate, *, last: bool = False) -> Future[tuple[int, int]]:
        """Queue one feed's update; `last` says none will follow soon, so commit without waiting."""
        future: Future[tuple[int, int]] = Future()
        self._queue.put((update, future, last))
        return future

    def close(self) -> None:
        """Write what is queued, then stop the thread (blocking: call it off the event loop)."""
        self._queue.put(_STOP)
        self._thread.join()
        if self._own:
            self._db.close()

    def _run(self) -> None:
        stop = False
        while not stop:
            item = self._queue.get()
            if item is _STOP:
                break
            batch = [item[:2]]
            start = time.monotonic()
            articles = _has_articles(item[0])
            while len(batch) < self.max_batch and not item[2]:
                window = self.gather if articles else min(self.gather, QUICK)
                try:
                    item = self._queue.get(timeout=max(0.0, start + window - time.monotonic()))
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item[:2])
                articles = articles or _has_articles(item[0])
            self._write(batch)
        if self._failure is None:
            give_back_free_pages(self._db)

    def _write(self, batch: list[tuple[FeedUpdate, Future[tuple[int, int]]]]) -> None:
        try:
            if self._failure is not None:  # the disk failed: do not try (and fail) again
                raise self._failure
            counts = apply_updates(
                self._db, [update for update, _ in batch], after_store=self.after_store
            )
        except BaseException as exc:
            # A batch that fails is retried one update at a time (one transaction each): a
            # feed's own fault stays its own, and on a disk nearly full the smaller commits
            # that still fit are kept. The first single update the disk refuses stops all.
            if len(batch) == 1 and isinstance(exc, StorageFailure):
                self._failure = exc
            if len(batch) == 1 or self._failure is not None:
                for _, future in batch:
                    with suppress(InvalidStateError):  # its waiter may have been cancelled
                        future.set_exception(exc)
                return
            for one in batch:
                self._write([one])
            return
        for (_, future), result in zip(batch, counts, strict=True):
            with suppress(InvalidStateError):
                future.set_result(result)


def _has_articles(update: FeedUpdate) -> bool:
    return bool(update.entries)


def give_back_free_pages(db: BaseDatabase) -> None:
    """Shrink the file by its free pages, in a library made with incremental auto-vacuum
    (storage.database: every library made since schema 16): the search index's merges free
    pages all through a refresh, ~5-15% of what it stored, and a new library would otherwise
    keep them until later refreshes fill them. A few ms; a failure only leaves them."""
    try:
        with db.tx() as conn:
            (mode,) = conn.execute("PRAGMA auto_vacuum").fetchone()
            (free,) = conn.execute("PRAGMA freelist_count").fetchone()
            if mode == 2:
                for _ in range(free):  # Python's sqlite3 steps it once: one page a statement
                    conn.execute("PRAGMA incremental_vacuum")
    except StorageError as exc:
        log.warning("could not give the free pages back: %s", exc)
