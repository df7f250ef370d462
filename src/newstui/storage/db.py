"""SQLite access: opening safely, migrations, transactions, and every query the library needs."""

from __future__ import annotations

import html
import json
import logging
import os
import pickle
import queue
import re
import sqlite3
import stat
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, InvalidStateError
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from newstui.domain.errors import NotFoundError, StorageError, StorageFailure
from newstui.domain.models import (
    Article,
    ContentType,
    Enclosure,
    Feed,
    FeedStatus,
    Headline,
    View,
)
from newstui.query import Compiled, compile_query, parse
from newstui.query import register as register_query_functions
from newstui.storage.copies import (
    group_sql,
    hide_copies,
    not_hidden,
    only_unread,
    read_every_copy,
    set_flag_on_copies,
)
from newstui.storage.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"

_FEED_COLUMNS = (
    "f.id, f.url, f.title, f.feed_title, f.site_url, f.status, f.error, f.http_status, "
    "f.last_checked, f.retry_after, f.full_text, f.unread, f.total, "
    "(SELECT name FROM accounts WHERE id = f.account_id), f.retention_days, "
    "f.refresh_minutes, f.user_agent, f.paused"
)
_QUERY_VIEWS = frozenset({"search", "query"})
_VIEWS_WITH_COPIES = frozenset({"feed", "bookmarks"})
"""A feed shows its own articles, copies or not; a bookmark is a choice of one copy."""
FEED_SETTING_COLUMNS = frozenset(
    {"title", "refresh_minutes", "retention_days", "full_text", "user_agent", "paused"}
)
_HEADLINE_COLUMNS = (
    "a.id, a.feed_id, coalesce(f.title, f.feed_title, f.url), a.title, a.url, a.published, "
    "a.read, a.bookmarked"
)


def to_datetime(value: float | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def to_timestamp(value: datetime | None) -> float | None:
    if value is None:
        return None
    try:
        return value.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def storage_error(path: str, exc: sqlite3.Error) -> StorageError:
    """The project's error for an SQLite error on the database at `path`, naming what failed.

    Failures of the storage itself (disk full, I/O error, read-only or corrupt file) are
    `StorageFailure`: whatever is under way stops, since nothing more can be written. The
    transaction that failed was rolled back, so what was committed before is all there.
    """
    where = os.path.abspath(path) if path != ":memory:" else path
    code = getattr(exc, "sqlite_errorcode", None) or 0
    primary = code & 0xFF
    text = str(exc)
    if primary == sqlite3.SQLITE_FULL or "disk is full" in text:
        return StorageFailure(f"disk full while writing {where}; nothing was lost")
    if primary == sqlite3.SQLITE_IOERR or "disk I/O" in text:
        if code in (sqlite3.SQLITE_IOERR_READ, sqlite3.SQLITE_IOERR_SHORT_READ):
            return StorageFailure(f"disk I/O error while reading {where}")
        kind, detail = _write_failure(where)
        return StorageFailure(f"{kind} while writing {where}{detail}; nothing was lost")
    if primary == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return StorageFailure(f"{where}: the database is read-only ({text}); nothing was lost")
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text:
        return StorageFailure(f"{where}: the database is corrupt: {text}")
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StorageError(f"{where}: the database is busy (another newstui is writing): {text}")
    return StorageError(f"{where}: database error: {text}")


def _write_failure(path: str) -> tuple[str, str]:
    """What most likely made a write fail with an I/O error: SQLite does not pass errno on."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit == resource.RLIM_INFINITY:
            limit = -1
    except (ImportError, OSError, ValueError):
        limit = -1
    if limit >= 0:
        sizes = []
        for name in (path, f"{path}-wal", f"{path}-journal"):
            with suppress(OSError):
                sizes.append(os.stat(name).st_size)
        if sizes and max(sizes) + 65536 >= limit:  # within a page or so of the limit
            return "disk full", f" (the file size limit, {limit} bytes, is reached)"
    with suppress(OSError):
        fs = os.statvfs(os.path.dirname(path) or ".")
        if fs.f_bavail * fs.f_frsize < 1 << 20:
            return "disk full", ""
    return "disk I/O error", ""


def check_database_file(path: Path) -> bool:
    """Refuse what is not a healthy newstui database before SQLite touches it; True if it exists."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StorageError(f"{path}: cannot open the database: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise StorageError(f"{path}: the database path is not a regular file")
    if info.st_size == 0:
        raise StorageError(f"{path}: the database file is empty (truncated?); not touching it")
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise StorageError(f"{path}: cannot read the database: {exc.strerror}") from None
    if not header.startswith(SQLITE_HEADER):
        raise StorageError(f"{path}: not a newstui database (not an SQLite file); not touching it")
    if len(header) < 100:
        raise StorageError(f"{path}: the database file is truncated; not touching it")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages, valid_for = (
        struct.unpack(">I", header[24:28])[0],
        *struct.unpack(">I", header[28:32]),
        struct.unpack(">I", header[92:96])[0],
    )
    if pages and change_counter == valid_for and info.st_size < pages * page_size:
        # A checkpoint that was interrupted (a crash, a full disk) leaves the main file short
        # of the size its header already says, with the missing pages safe in the WAL. So
        # when a WAL is there, SQLite decides: read-only (nothing is written), the whole file.
        verdict = _integrity_with_wal(path)
        if verdict != "ok":
            raise StorageError(
                f"{path}: the database file is truncated ({info.st_size} bytes, expected "
                f"{pages * page_size}{verdict}); not touching it"
            )
        log.info("%s: completing a checkpoint that was interrupted", path)
    return True


def _integrity_with_wal(path: Path) -> str:
    """'ok' when SQLite, reading the file with its WAL, finds the database whole; else why not."""
    try:
        if os.stat(f"{path}-wal").st_size <= 32:  # no WAL, or one without frames
            return ""
    except OSError:
        return ""
    try:
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True, timeout=15)
    except sqlite3.Error as exc:
        return f"; with its WAL: {exc}"
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            return "; with its WAL it is not a newstui database"
        rows = conn.execute("PRAGMA integrity_check(1)").fetchall()
    except sqlite3.Error as exc:
        return f"; with its WAL: {exc}"
    finally:
        conn.close()
    result = str(rows[0][0]) if rows else "no answer"
    return "ok" if result == "ok" else f"; with its WAL: {result}"


class Database:
    """One SQLite connection, serialised by a lock so any thread may use it."""

    def __init__(self, path: Path | str, *, _checked: bool = False) -> None:
        self.path = str(path)
        self.dedupe = True
        """Views show a story stored by several feeds once; reading a copy reads them all."""
        self._lock = threading.RLock()
        memory = self.path == ":memory:"
        # A second connection (`sibling`) must not open and close the file itself: closing any
        # descriptor of a file drops every POSIX lock this process holds on it, SQLite's too.
        exists = _checked or (False if memory else check_database_file(Path(self.path)))
        if not memory and not exists:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"{self.path}: cannot create its folder: {exc.strerror}"
                ) from None
        try:
            if memory:
                self.conn = sqlite3.connect(
                    ":memory:", check_same_thread=False, isolation_level=None
                )
            else:
                mode = "rw" if exists else "rwc"
                uri = Path(self.path).absolute().as_uri() + f"?mode={mode}"
                self.conn = sqlite3.connect(
                    uri, uri=True, check_same_thread=False, isolation_level=None, timeout=15
                )
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: cannot open the database: {exc}") from None
        try:
            self._setup(exists)
        except sqlite3.Error as exc:
            self.conn.close()
            raise storage_error(self.path, exc) from None
        except UnicodeDecodeError:  # a scribbled page where SQLite keeps text (its schema)
            self.conn.close()
            raise StorageError(
                f"{self.path}: the database is corrupt (text is not UTF-8)"
            ) from None
        except StorageError:
            self.conn.close()
            raise

    def _setup(self, exists: bool) -> None:
        conn = self.conn
        conn.execute("PRAGMA busy_timeout = 15000")
        if exists:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise StorageError(f"{self.path}: not a newstui database; not touching it")
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"{self.path}: made by a newer newstui (schema {version} > {SCHEMA_VERSION})"
                )
            if not os.access(self.path, os.W_OK):
                raise StorageError(f"{self.path}: the database is read-only")
        if self.path != ":memory:":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("could not switch %s to WAL (mode %s)", self.path, mode)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        register_query_functions(conn)
        self._migrate()

    def _migrate(self) -> None:
        with self.tx() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                existing = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if existing:
                    raise StorageError(f"{self.path}: not a newstui database; not touching it")
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            afterwards: list[Callable[[sqlite3.Connection], None]] = []
            for target in range(version + 1, SCHEMA_VERSION + 1):
                log.info("migrating %s to schema %d", self.path, target)
                for statement in _split_sql(MIGRATIONS[target]):
                    conn.execute(statement)
                after = AFTER_MIGRATION.get(target)
                if after is not None and version > 0 and after not in afterwards:
                    afterwards.append(after)
                conn.execute(f"PRAGMA user_version = {target}")
            for after in afterwards:  # once each, after every script (2 and 3 rebuild one index)
                after(conn)

    def close(self) -> None:
        with self._lock, suppress(sqlite3.Error):
            self.conn.close()

    def sibling(self) -> Database:
        """A second connection to the same file (itself for an in-memory database), with this
        connection's size limit; in WAL mode its writes never block this one's reads."""
        if self.path == ":memory:":
            return self
        other = Database(self.path, _checked=True)
        limit = self.one("PRAGMA max_page_count")[0]
        other.conn.execute(f"PRAGMA max_page_count = {int(limit)}")
        return other

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """An immediate (write) transaction; rolled back on any error, errors become StorageError."""
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise storage_error(self.path, exc) from None
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise storage_error(self.path, exc) from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        with suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise storage_error(self.path, exc) from None

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    # ---- settings -------------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        row = self.one("SELECT value FROM settings WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self.tx() as conn:
            conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ---- feeds ----------------------------------------------------------------------------

    def _feeds_where(self, where: str, params: Sequence[Any]) -> list[Feed]:
        rows = self.query(
            f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE f.removed = 0 AND {where}", params
        )
        tags: dict[int, list[str]] = {}
        for feed_id, tag in self.query("SELECT feed_id, tag FROM feed_tags ORDER BY tag"):
            tags.setdefault(feed_id, []).append(tag)
        return [_feed_from_row(row, tuple(tags.get(row[0], ()))) for row in rows]

    def has_feeds(self) -> bool:
        return self.one("SELECT 1 FROM feeds WHERE removed = 0 LIMIT 1") is not None

    def feeds(self) -> list[Feed]:
        feeds = self._feeds_where("1", ())
        feeds.sort(key=lambda f: (f.display_title.casefold(), f.id))
        return feeds

    def feed(self, feed_id: int) -> Feed:
        found = self._feeds_where("f.id = ?", (feed_id,))
        if not found:
            raise NotFoundError(f"no feed with id {feed_id}")
        return found[0]

    def feed_by_url(self, url: str, *, include_removed: bool = False) -> tuple[int, bool] | None:
        row = self.one("SELECT id, removed FROM feeds WHERE url = ?", (url,))
        if row is None or (row[1] and not include_removed):
            return None
        return int(row[0]), bool(row[1])

    def feed_state(self, feed_id: int) -> dict[str, Any]:
        row = self.one(
            "SELECT url, etag, last_modified, retry_after, next_check, status, retention_days, "
            "full_text FROM feeds WHERE id = ?",
            (feed_id,),
        )
        if row is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        keys = (
            "url",
            "etag",
            "last_modified",
            "retry_after",
            "next_check",
            "status",
            "retention_days",
            "full_text",
        )
        return dict(zip(keys, row, strict=True))

    def insert_feed(
        self,
        url: str,
        *,
        title: str | None,
        tags: Sequence[str],
        origin: str = "user",
        retention_days: int | None = None,
        full_text: bool = False,
    ) -> int:
        with self.tx() as conn:
            row = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
            if row is not None:
                feed_id = int(row[0])
                conn.execute(
                    "UPDATE feeds SET removed = 0, title = coalesce(?, title), origin = ?, "
                    "retention_days = ?, full_text = ? WHERE id = ?",
                    (title, origin, retention_days, int(full_text), feed_id),
                )
            else:
                cur = conn.execute(
                    "INSERT INTO feeds(url, title, origin, retention_days, full_text, added) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (url, title, origin, retention_days, int(full_text), time.time()),
                )
                feed_id = int(cur.lastrowid or 0)
            if tags:
                conn.executemany(
                    "INSERT OR IGNORE INTO feed_tags(feed_id, tag) VALUES (?, ?)",
                    [(feed_id, t) for t in _known_spellings(conn, tags)],
                )
        return feed_id

    def edit_feed(
        self, feed_id: int, *, title: str | None, tags: Sequence[str], full_text: bool | None
    ) -> None:
        with self.tx() as conn:
            if conn.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone() is None:
                raise NotFoundError(f"no feed with id {feed_id}")
            conn.execute("UPDATE feeds SET title = ? WHERE id = ?", (title or None, feed_id))
            if full_text is not None:
                conn.execute(
                    "UPDATE feeds SET full_text = ? WHERE id = ?", (int(full_text), feed_id)
                )
            conn.execute("DELETE FROM feed_tags WHERE feed_id = ?", (feed_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO feed_tags(feed_id, tag) VALUES (?, ?)",
                [(feed_id, t) for t in _known_spellings(conn, tags)],
            )

    def set_feed_settings(self, feed_id: int, values: dict[str, Any]) -> None:
        """Change a feed's settings: `values` maps FEED_SETTING_COLUMNS to their new values."""
        unknown = set(values) - FEED_SETTING_COLUMNS
        if unknown:
            raise ValueError(f"not feed settings: {sorted(unknown)}")
        with self.tx() as conn:
            if conn.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone() is None:
                raise NotFoundError(f"no feed with id {feed_id}")
            for column, value in values.items():
                conn.execute(f"UPDATE feeds SET {column} = ? WHERE id = ?", (value, feed_id))

    def remove_feed(self, feed_id: int) -> None:
        """Remove a feed; its bookmarked articles stay (the feed row is kept hidden for them)."""
        with self.tx() as conn:
            if conn.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone() is None:
                raise NotFoundError(f"no feed with id {feed_id}")
            conn.execute("DELETE FROM articles WHERE feed_id = ? AND bookmarked = 0", (feed_id,))
            kept = conn.execute(
                "SELECT count(*) FROM articles WHERE feed_id = ?", (feed_id,)
            ).fetchone()[0]
            if kept:
                conn.execute(
                    "UPDATE feeds SET removed = 1, etag = NULL, last_modified = NULL WHERE id = ?",
                    (feed_id,),
                )
                conn.execute("DELETE FROM feed_tags WHERE feed_id = ?", (feed_id,))
            else:
                conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def tags(self) -> list[str]:
        rows = self.query(
            "SELECT DISTINCT t.tag FROM feed_tags t JOIN feeds f ON f.id = t.feed_id "
            "WHERE f.removed = 0 ORDER BY t.tag COLLATE NOCASE"
        )
        return [r[0] for r in rows]

    def unread_total(self) -> int:
        """Unread articles outside the feeds' own views: each story once (kept counters)."""
        column = "unread - copies_unread" if self.dedupe else "unread"
        return int(self.one(f"SELECT coalesce(sum({column}), 0) FROM feeds WHERE removed = 0")[0])

    def bookmark_count(self) -> int:
        return int(self.one("SELECT count(*) FROM articles WHERE bookmarked = 1 AND hidden = 0")[0])

    # ---- views ----------------------------------------------------------------------------

    def _view_sql(self, view: View) -> tuple[str, str, list[Any]]:
        """(FROM ... WHERE ..., ORDER BY ..., params) selecting the view's articles as `a`;
        later copies of a story are left out (storage.copies) but in a feed's own view."""
        where, order, params = self._view_sql_all(view)
        if view.kind not in _QUERY_VIEWS:  # a query says itself whether it wants hidden ones
            where = not_hidden(where)
        if view.unread_only:
            where = only_unread(where)
        if self.dedupe and view.kind not in _VIEWS_WITH_COPIES:
            where, params = hide_copies(where, params)
        return where, order, params

    def _view_sql_all(self, view: View) -> tuple[str, str, list[Any]]:
        """(FROM ... WHERE ..., ORDER BY ..., params) selecting the view's articles as `a`.

        A search or query view's limit:N is not in it: see `_view_limit`.
        """
        order = "ORDER BY a.sort_date DESC, a.id DESC"
        if view.kind in ("search", "query"):
            compiled = view_query(view)
            return (
                f"{Compiled.FROM} WHERE f.removed = 0 AND ({compiled.where})",
                f"ORDER BY {compiled.order}",
                list(compiled.params),
            )
        base = "FROM articles a JOIN feeds f ON f.id = a.feed_id"
        if view.kind == "all":
            return f"{base} WHERE f.removed = 0", order, []
        if view.kind == "unread":
            return f"{base} WHERE a.read = 0 AND f.removed = 0", order, []
        if view.kind == "bookmarks":
            return f"{base} WHERE a.bookmarked = 1", order, []
        if view.kind == "feed":
            return f"{base} WHERE a.feed_id = ?", order, [view.feed_id]
        if view.kind == "tag":
            return (
                f"{base} WHERE a.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag = ?) "
                "AND f.removed = 0",
                order,
                [view.tag],
            )
        raise ValueError(f"unknown view kind {view.kind!r}")

    def count(self, view: View) -> int:
        if view.unread_only and view.kind in ("all", "unread"):
            return self.unread_total()
        if view.unread_only and view.kind == "feed":
            row = self.one("SELECT unread FROM feeds WHERE id = ?", (view.feed_id,))
            return int(row[0]) if row else 0
        if view.unread_only:
            where, _order, params = self._view_sql(view)
            return int(self.one(f"SELECT count(*) {where}", params)[0])
        if view.kind == "feed":
            row = self.one("SELECT total FROM feeds WHERE id = ?", (view.feed_id,))
            return int(row[0]) if row else 0
        if view.kind == "unread":
            return self.unread_total()
        if view.kind == "all":  # the maintained per-feed totals: no scan of the articles
            column = "total - copies" if self.dedupe else "total"
            return int(
                self.one(f"SELECT coalesce(sum({column}), 0) FROM feeds WHERE removed = 0")[0]
            )
        where, _order, params = self._view_sql(view)
        cap = _view_limit(view)
        if cap is not None:
            return int(
                self.one(f"SELECT count(*) FROM (SELECT 1 {where} LIMIT ?)", [*params, cap])[0]
            )
        return int(self.one(f"SELECT count(*) {where}", params)[0])

    def headlines(self, view: View, offset: int, limit: int) -> list[Headline]:
        where, order, params = self._view_sql(view)
        cap = _view_limit(view)
        if cap is not None:
            limit = max(0, min(limit, cap - offset))
        ids = self._query_page(view, where, params, offset, limit)
        if ids is not None:
            rows = self._headline_rows(ids)
        else:
            rows = self.query(
                f"SELECT {_HEADLINE_COLUMNS} {where} {order} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
        return [
            Headline(
                id=r[0],
                feed_id=r[1],
                feed_title=r[2],
                title=r[3],
                url=r[4],
                published=to_datetime(r[5]),
                read=bool(r[6]),
                bookmarked=bool(r[7]),
            )
            for r in rows
        ]

    def _query_page(
        self, view: View, where: str, params: list[Any], offset: int, limit: int
    ) -> list[int] | None:
        """The ids of one page of a search or saved view in newest- or oldest-first order, found
        without reading the rows of the articles it passes over; None: use the plain query.

        SQLite's own plan reads every match's row and then sorts: a second for a word in 77,000
        of 1,000,000 articles, whose rows hold their text. Instead, when every match is dated,
        the date index is walked in its order (a dated article's sort date is its published
        date); else the first WALK rows of the sort index are tested in order (the columns a
        query filters on are in both indexes): a broad query's page is there, and a narrow one
        that is not is cheap for SQLite's plan.
        """
        if view.kind not in _QUERY_VIEWS or not where.startswith(Compiled.FROM + " WHERE "):
            return None
        compiled = view_query(view)
        if compiled.order not in (_NEWEST, _OLDEST) or limit <= 0:
            return None
        cond = where[len(Compiled.FROM + " WHERE ") :]
        direction = "DESC" if compiled.order == _NEWEST else "ASC"
        join = "JOIN feeds f ON f.id = a.feed_id"
        if compiled.dated:
            sql = (
                f"SELECT a.id FROM articles a INDEXED BY articles_published {join} "
                f"WHERE a.published IS NOT NULL AND {cond} "
                f"ORDER BY a.published {direction}, a.id {direction} LIMIT ? OFFSET ?"
            )
            return [r[0] for r in self.query(sql, [*params, limit, offset])]
        if offset + limit > WALK:
            return None
        sql = (
            f"SELECT id FROM (SELECT a.id AS id, CASE WHEN {cond} THEN 1 ELSE 0 END AS ok "
            f"FROM articles a INDEXED BY articles_sort {join} ORDER BY {compiled.order} "
            f"LIMIT {WALK}) WHERE ok LIMIT ? OFFSET ?"
        )
        ids = [r[0] for r in self.query(sql, [*params, limit, offset])]
        return ids if len(ids) == limit else None

    def _headline_rows(self, ids: list[int]) -> list[Any]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.query(
            f"SELECT {_HEADLINE_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id "
            f"WHERE a.id IN ({marks})",
            ids,
        )
        place = {article_id: i for i, article_id in enumerate(ids)}
        return sorted(rows, key=lambda r: place[r[0]])

    def view_ids(self, view: View) -> list[int]:
        where, order, params = self._view_sql(view)
        cap = _view_limit(view)
        if cap is not None:
            return [
                r[0] for r in self.query(f"SELECT a.id {where} {order} LIMIT ?", [*params, cap])
            ]
        return [r[0] for r in self.query(f"SELECT a.id {where} {order}", params)]

    def position(self, view: View, article_id: int) -> int | None:
        if view.kind in ("search", "query"):
            compiled = view_query(view)
            if compiled.limit is not None or compiled.order != _NEWEST:
                ids = self.view_ids(view)
                return ids.index(article_id) if article_id in ids else None
        where, _order, params = self._view_sql(view)
        row = self.one("SELECT sort_date, id FROM articles WHERE id = ?", (article_id,))
        if row is None:
            return None
        inside = self.one(f"SELECT 1 {where} AND a.id = ?", [*params, article_id])
        if inside is None:
            return None
        before = self.one(
            f"SELECT count(*) {where} AND (a.sort_date > ? OR (a.sort_date = ? AND a.id > ?))",
            [*params, row[0], row[0], article_id],
        )
        return int(before[0])

    def article(self, article_id: int) -> Article:
        row = self.one(
            "SELECT a.id, a.feed_id, coalesce(f.title, f.feed_title, f.url), a.key, a.title, a.url, "
            "a.author, a.site, a.published, a.updated, a.content, a.content_type, a.read, "
            "a.bookmarked, a.full_text, a.enclosure FROM articles a JOIN feeds f "
            "ON f.id = a.feed_id "
            "WHERE a.id = ?",
            (article_id,),
        )
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        also_in: tuple[str, ...] = ()
        if self.dedupe:
            also_in = tuple(
                r[0]
                for r in self.query(
                    "SELECT DISTINCT coalesce(f.title, f.feed_title, f.url) FROM articles d "
                    "JOIN feeds f ON f.id = d.feed_id WHERE d.id IN "
                    f"({group_sql('?')}) AND d.feed_id != ? AND f.removed = 0",
                    (article_id, article_id, row[1]),
                )
            )
        return Article(
            id=row[0],
            feed_id=row[1],
            feed_title=row[2],
            key=row[3],
            title=row[4],
            url=row[5],
            author=row[6],
            site=row[7],
            published=to_datetime(row[8]),
            updated=to_datetime(row[9]),
            content=row[10],
            content_type=ContentType(row[11]),
            read=bool(row[12]),
            bookmarked=bool(row[13]),
            full_text=row[14],
            enclosures=decode_enclosures(row[15]),
            also_in=also_in,
        )

    def articles(
        self,
        view: View,
        limit: int | None = None,
        *,
        unread: bool = False,
        bookmarked: bool = False,
        feed_id: int | None = None,
    ) -> list[Article]:
        """The view's articles in its order, narrowed by the filters in the query, then limited."""
        where, order, params = self._view_sql(view)
        params = list(params)
        if unread:
            where += " AND a.read = 0"
        if bookmarked:
            where += " AND a.bookmarked = 1"
        if feed_id is not None:
            where += " AND a.feed_id = ?"
            params.append(feed_id)
        caps = [cap for cap in (_view_limit(view), limit) if cap is not None]
        sql = f"SELECT a.id {where} {order}"
        if caps:
            sql += " LIMIT ?"
            params.append(min(caps))
        return [self.article(row[0]) for row in self.query(sql, params)]

    def last_article_id(self) -> int:
        """The largest article id so far: articles stored later have larger ones."""
        return int(self.one("SELECT coalesce(max(id), 0) FROM articles")[0])

    def articles_after(self, article_id: int) -> Iterator[Article]:
        """The articles stored after the one with `article_id`, oldest first (one at a time)."""
        last = article_id
        while True:
            ids = [
                r[0]
                for r in self.query(
                    "SELECT id FROM articles WHERE id > ? AND hidden = 0 ORDER BY id LIMIT 500",
                    (last,),
                )
            ]
            if not ids:
                return
            for found in ids:
                yield self.article(found)
            last = ids[-1]

    def existing_articles(self, article_ids: Sequence[int]) -> list[int]:
        found: list[int] = []
        for chunk in _chunks(list(article_ids), 500):
            marks = ",".join("?" * len(chunk))
            found += [
                r[0] for r in self.query(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            ]
        return found

    def unhide_all(self) -> int:
        with self.tx() as conn:
            return int(conn.execute("UPDATE articles SET hidden = 0 WHERE hidden = 1").rowcount)

    def set_flag(self, column: str, article_ids: Sequence[int], value: bool) -> int:
        assert column in ("read", "bookmarked", "hidden")
        changed = 0
        with self.tx() as conn:
            for chunk in _chunks(list(article_ids), 500):
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
        if _view_limit(view) is not None:
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

    def unread_count(self, view: View) -> int:
        """How many of the view's articles are unread (what marking the view read would touch)."""
        if view.kind == "feed":
            row = self.one("SELECT unread FROM feeds WHERE id = ?", (view.feed_id,))
            return int(row[0]) if row else 0
        if view.kind in ("all", "unread"):
            return self.unread_total()
        where, order, params = self._view_sql(view)
        cap = _view_limit(view)
        if cap is not None:
            return int(
                self.one(
                    f"SELECT count(*) FROM (SELECT a.read AS r {where} {order} LIMIT ?) WHERE r = 0",
                    [*params, cap],
                )[0]
            )
        return int(self.one(f"SELECT count(*) {where} AND a.read = 0", params)[0])

    def mark_view_read_ids(self, view: View) -> list[int]:
        """Mark the view read in one transaction; the ids it changed (to undo it)."""
        where, _order, params = self._view_sql(view)
        changed: list[int] = []
        with self.tx() as conn:
            if _view_limit(view) is None:
                rows = conn.execute(
                    f"UPDATE articles SET read = 1 WHERE read = 0 AND id IN (SELECT a.id {where}) "
                    "RETURNING id",
                    params,
                ).fetchall()
                if self.dedupe:
                    read_every_copy(conn)
                return [r[0] for r in rows]
            for chunk in _chunks(self.view_ids(view), 500):
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"UPDATE articles SET read = 1 WHERE id IN ({marks}) AND read = 0 RETURNING id",
                    chunk,
                ).fetchall()
                changed += [r[0] for r in rows]
                if self.dedupe:
                    set_flag_on_copies(conn, "read", chunk, True)
        return changed

    # ---- queries (query) ----------------------------------------------------------------

    def query_ids(self, compiled: Compiled, within: Sequence[int] | None = None) -> list[int]:
        """The ids of the articles a compiled query selects, in its order and limit; with
        `within`, only those of the given ids that match (what a rule tests on new articles)."""
        if within is None:
            sql, params = compiled.select("a.id")
            return [r[0] for r in self.query(sql, params)]
        found: set[int] = set()
        for chunk in _chunks(list(within), 500):
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.query(
                    f"SELECT a.id {Compiled.FROM} WHERE a.id IN ({marks}) AND f.removed = 0 "
                    f"AND ({compiled.where})",
                    [*chunk, *compiled.params],
                )
            )
        return [i for i in within if i in found]

    def query_count(self, compiled: Compiled, *, unread: bool = False) -> int:
        """How many articles a compiled query selects (only its unread ones with `unread`)."""
        extra = " AND a.read = 0" if unread else ""
        sql = f"SELECT 1 {Compiled.FROM} WHERE f.removed = 0 AND ({compiled.where}){extra}"
        params = list(compiled.params)
        if compiled.limit is not None:
            if unread:  # the unread among the query's first N
                inner, params = compiled.select("a.read")
                return int(self.one(f"SELECT count(*) FROM ({inner}) WHERE read = 0", params)[0])
            sql += " LIMIT ?"
            params.append(compiled.limit)
        return int(self.one(f"SELECT count(*) FROM ({sql})", params)[0])

    def set_full_text(self, article_id: int, markdown: str) -> None:
        with self.tx() as conn:
            conn.execute("UPDATE articles SET full_text = ? WHERE id = ?", (markdown, article_id))
            row = conn.execute(
                "SELECT title, author, url FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row is not None:
                body = conn.execute(
                    "SELECT body FROM articles_fts WHERE rowid = ?", (article_id,)
                ).fetchone()
                text = _with_full_text(body[0] if body else "", markdown)
                conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
                conn.execute(
                    "INSERT INTO articles_fts(rowid, title, body, author, url) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (article_id, row[0], text, row[1], row[2]),
                )


def encode_enclosures(enclosures: Sequence[Enclosure]) -> str | None:
    """Enclosures as stored in `articles.enclosure`: a JSON list of [url, type, length,
    duration], None for none (so `has:enclosure` is `enclosure IS NOT NULL`)."""
    if not enclosures:
        return None
    return json.dumps([[e.url, e.type, e.length, e.duration] for e in enclosures])


def decode_enclosures(text: str | None) -> tuple[Enclosure, ...]:
    """What `encode_enclosures` stored; a damaged value gives no enclosures, not an error."""
    if not text:
        return ()
    try:
        rows = json.loads(text)
        return tuple(
            Enclosure(
                str(url),
                str(kind) if kind else None,
                int(length) if isinstance(length, int) else None,
                int(duration) if isinstance(duration, int) else None,
            )
            for url, kind, length, duration in rows
        )
    except (ValueError, TypeError):
        return ()


FTS_INSERT = "INSERT INTO articles_fts(rowid, title, body, author, url) VALUES (?, ?, ?, ?, ?)"
FtsRow = tuple[int, str, str, str | None, str | None]
"""An article's row in the search index: id, title, text, author, url."""

FTS_MAX = 200_000
SEARCH_TEXT_MAX = 100_000


def search_text(content: str, content_type: str) -> str:
    """What the search index holds of an article's feed text."""
    return (plain_text(content) if content_type == "html" else content)[:SEARCH_TEXT_MAX]


def _with_full_text(feed_text: str, markdown: str) -> str:
    """What the search index holds of an article whose web page was fetched too."""
    return (feed_text + "\n" + plain_text(markdown))[:FTS_MAX]


def _rebuild_search_index(conn: sqlite3.Connection) -> None:
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
                else _with_full_text(search_text(content, content_type), full_text),
                author,
                url,
            )
            for article_id, title, content, content_type, full_text, author, url in rows
        ),
    )


def _find_copies(conn: sqlite3.Connection) -> None:
    """Give the articles already stored their dedupe keys, and link the copies among them."""
    from newstui.domain.dedupe import text_key, url_key

    (count,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    if count >= 50000:
        log.warning("newstui: upgrading the library: looking for stories in several feeds (once)")
    first: dict[tuple[str, int], tuple[int, int]] = {}
    updates: list[tuple[int | None, int | None, int | None, int]] = []
    rows = conn.execute(
        "SELECT id, feed_id, title, url, content, content_type FROM articles ORDER BY id"
    ).fetchall()
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


AFTER_MIGRATION: dict[int, Callable[[sqlite3.Connection], None]] = {
    2: _rebuild_search_index,
    3: _rebuild_search_index,
    5: _rebuild_search_index,
    7: _find_copies,
}


_TAG_FOR_INDEX = re.compile(r"<[^>]{0,2000}>")


def plain_text(content: str) -> str:
    """Tags and entities out, for the search index only (never for display)."""
    text = _TAG_FOR_INDEX.sub(" ", content)
    return html.unescape(text) if "&" in text else text


_NEWEST = "a.sort_date DESC, a.id DESC"
_OLDEST = "a.sort_date ASC, a.id ASC"
WALK = 4000
"""Rows of the sort index a search's page is first looked for in (see `_query_page`)."""


def view_query(view: View) -> Compiled:
    """A search or query view's compiled query (QueryError when its text is malformed)."""
    return compile_query(parse(view.query or ""))


def _view_limit(view: View) -> int | None:
    if view.kind not in ("search", "query"):
        return None
    return parse(view.query or "").limit


def _feed_from_row(row: Sequence[Any], tags: tuple[str, ...]) -> Feed:
    try:
        status = FeedStatus(row[5])
    except ValueError:
        status = FeedStatus.NEVER
    return Feed(
        id=row[0],
        url=row[1],
        title=row[2],
        feed_title=row[3],
        site_url=row[4],
        status=status,
        error=row[6],
        http_status=row[7],
        last_checked=to_datetime(row[8]),
        retry_after=to_datetime(row[9]),
        full_text=bool(row[10]),
        unread=int(row[11]),
        total=int(row[12]),
        tags=tags,
        account=row[13],
        retention_days=row[14],
        refresh_minutes=row[15],
        user_agent=row[16],
        paused=bool(row[17]),
    )


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    current: list[str] = []
    in_trigger = False
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        current.append(line)
        if stripped.upper().startswith("CREATE TRIGGER"):
            in_trigger = True
        if (in_trigger and stripped.upper() == "END;") or (
            not in_trigger and stripped.endswith(";")
        ):
            statements.append("\n".join(current))
            current = []
            in_trigger = False
    if current:
        statements.append("\n".join(current))
    return statements


def _store_entries(
    conn: sqlite3.Connection,
    feed_id: int,
    entries: Sequence[StoredEntry],
    now: float,
    fts_rows: list[FtsRow],
) -> tuple[int, int]:
    """Insert or update one feed's articles; their search rows are appended to `fts_rows`.

    The caller indexes `fts_rows` with one executemany after every article row is written:
    interleaving FTS5 inserts with inserts into `articles` costs about twice the CPU. New
    articles go in with one executemany, their ids given here (the transaction holds the write
    lock), and the feed's counters grow once: a trigger per inserted row cost ~20 us an article,
    a fifth of a cold refresh's storing.
    """
    existing = {
        key: (article_id, digest)
        for key, article_id, digest in conn.execute(
            "SELECT key, id, hash FROM articles WHERE feed_id = ?", (feed_id,)
        )
    }
    inserts: list[tuple[Any, ...]] = []
    pending: dict[int, int] = {}  # a new article's id -> its place in `inserts`
    indexed: dict[int, int] = {}  # an article's id -> its place in `fts_rows`
    next_id = 0
    updated = 0
    for e in entries:
        known = existing.get(e.key)
        if known is not None and known[1] == e.digest:
            continue
        sort_date = e.published if e.published is not None else e.updated
        shown = (e.title, e.url, e.author, e.site, e.published, e.updated)
        body = (e.content, e.content_type, e.digest, e.full_text, e.enclosures)
        when = sort_date if sort_date is not None else now
        if known is None:
            if not next_id:
                (next_id,) = conn.execute(
                    "SELECT coalesce(max(id), 0) + 1 FROM articles"
                ).fetchone()
            article_id, next_id = next_id, next_id + 1
            pending[article_id] = len(inserts)
            keys = (e.url_key, e.text_key)
            inserts.append((article_id, feed_id, e.key, *shown, when, *body, now, *keys))
        elif known[0] in pending:  # new, and its key came twice in one document: the later wins
            article_id = known[0]
            keys = (e.url_key, e.text_key)
            inserts[pending[article_id]] = (
                article_id,
                feed_id,
                e.key,
                *shown,
                when,
                *body,
                now,
                *keys,
            )
        else:
            article_id = known[0]
            conn.execute(
                "UPDATE articles SET title = ?, url = ?, author = ?, site = ?, published = ?, "
                "updated = ?, sort_date = coalesce(?, sort_date), content = ?, content_type = ?, "
                "hash = ?, full_text = coalesce(?, full_text), enclosure = ? WHERE id = ?",
                (*shown, sort_date, *body, article_id),
            )
            if article_id not in indexed:  # not already changed earlier in this document
                conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
                updated += 1
        existing[e.key] = (article_id, e.digest)
        search = (article_id, e.title, e.search_text, e.author, e.url)
        place = indexed.get(article_id)
        if place is None:
            indexed[article_id] = len(fts_rows)
            fts_rows.append(search)
        else:
            fts_rows[place] = search
    if inserts:
        rows = _link_copies(conn, feed_id, inserts)
        conn.executemany(
            "INSERT INTO articles(id, feed_id, key, title, url, author, site, published, updated, "
            "sort_date, content, content_type, hash, full_text, enclosure, first_seen, url_key, "
            "text_key, dup_of, read) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    return len(inserts), updated


def _link_copies(
    conn: sqlite3.Connection, feed_id: int, inserts: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The new rows with `dup_of` and `read`: a story already stored by another feed (the same
    link, or the same title and text) becomes a copy of its first copy, read if that one is.

    Two indexed queries per feed, whatever its size; a feed with no copies pays only those.
    """
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for slot, column in ((-2, "url_key"), (-1, "text_key")):
        keys = list({row[slot] for row in inserts if row[slot] is not None})
        for chunk in _chunks(keys, 500):
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


class StoredEntry(NamedTuple):
    """An entry ready for the database: timestamps as floats, its digest and search text.

    A named tuple: a parse worker sends a feed's entries as one pickle of plain tuples
    (`pack_entries`), ~7 us an entry cheaper both ways than a dataclass's state.
    """

    key: str
    title: str
    url: str | None
    author: str | None
    site: str | None
    published: float | None
    updated: float | None
    content: str
    content_type: str
    digest: str
    search_text: str
    full_text: str | None = None
    """A local HTML file's reader text (its extracted article); None keeps what is stored."""
    enclosures: str | None = None
    """`encode_enclosures` of the entry's audio and video files, or None."""
    url_key: int | None = None
    """domain.dedupe.url_key of its link: the same story in another feed has the same."""
    text_key: int | None = None
    """domain.dedupe.text_key of its title and text."""


def pack_entries(entries: Sequence[StoredEntry]) -> bytes:
    """Entries as one bytes object, for a worker to send and the writer to keep until it stores."""
    return pickle.dumps([tuple(e) for e in entries], pickle.HIGHEST_PROTOCOL)


def unpack_entries(data: bytes) -> list[StoredEntry]:
    """What `pack_entries` made (only ever bytes from our own parse worker)."""
    return [StoredEntry._make(row) for row in pickle.loads(data)]


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


def _apply_update(
    conn: sqlite3.Connection, u: FeedUpdate, now: float, fts_rows: list[FtsRow]
) -> tuple[int, int]:
    if conn.execute("SELECT 1 FROM feeds WHERE id = ?", (u.feed_id,)).fetchone() is None:
        return 0, 0  # removed while it was being fetched
    new = updated = 0
    if u.entries is not None:
        entries: Sequence[StoredEntry] = (
            unpack_entries(u.entries) if isinstance(u.entries, bytes) else u.entries
        )
        new, updated = _store_entries(conn, u.feed_id, entries, now, fts_rows)
        if u.retention_days > 0:
            keys = {e.key for e in entries}
            cutoff = now - u.retention_days * 86400
            old = conn.execute(
                "SELECT id, key FROM articles WHERE feed_id = ? AND read = 1 AND "
                "bookmarked = 0 AND sort_date < ?",
                (u.feed_id, cutoff),
            ).fetchall()
            doomed = [(i,) for i, key in old if key not in keys]
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
    db: Database, updates: Sequence[FeedUpdate], *, after_store: AfterStore | None = None
) -> list[tuple[int, int]]:
    """Store several feeds' refreshes in one transaction; (new, updated) counts per feed.

    One commit for many feeds: FTS5 writes a segment per commit and merges them later, so a
    commit per feed costs several times the indexing itself.
    """
    now = time.time()
    fts_rows: list[FtsRow] = []
    with db.tx() as conn:
        (before,) = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
        counts = [_apply_update(conn, u, now, fts_rows) for u in updates]
        conn.executemany(FTS_INSERT, fts_rows)
        if after_store is not None and any(new for new, _updated in counts):
            # New ids are max(id) + 1 onwards (_store_entries), all of them this transaction's.
            (last,) = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
            after_store(conn, before + 1, last)
    return counts


def apply_refresh(
    db: Database,
    feed_id: int,
    *,
    status: str,
    error: str | None,
    http_status: int | None,
    entries: Sequence[StoredEntry] | None = None,
    feed_title: str | None = None,
    site_url: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    retry_after: float | None = None,
    next_check: float | None = None,
    new_url: str | None = None,
    retention_days: int = 0,
) -> tuple[int, int]:
    """Store one feed's refresh in one transaction: its articles, validators and outcome."""
    update = FeedUpdate(
        feed_id,
        status,
        error,
        http_status,
        entries,
        feed_title,
        site_url,
        etag,
        last_modified,
        retry_after,
        next_check,
        new_url,
        retention_days,
    )
    return apply_updates(db, [update])[0]


_STOP = object()


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
        db: Database,
        *,
        max_batch: int = 50,
        gather: float = 0.05,
        after_store: AfterStore | None = None,
    ) -> None:
        self._db = db.sibling()
        self.after_store = after_store
        self._own = self._db is not db
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
                return
            batch = [item[:2]]
            deadline = time.monotonic() + self.gather
            while len(batch) < self.max_batch and not item[2]:
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item[:2])
            self._write(batch)

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


def _known_spellings(conn: sqlite3.Connection, tags: Sequence[str]) -> list[str]:
    """`tags` without case duplicates, each spelt as the library already spells it.

    Tags compare without case: `tech` joins the `Tech` folder, and the first spelling stays.
    """
    known: dict[str, str] = {}
    for (tag,) in conn.execute("SELECT DISTINCT tag FROM feed_tags ORDER BY feed_id, tag"):
        known.setdefault(str(tag).casefold(), str(tag))
    result: dict[str, str] = {}
    for tag in tags:
        key = tag.casefold()
        result.setdefault(key, known.get(key, tag))
    return list(result.values())
