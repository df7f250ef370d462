"""The feeds: their rows, settings, tags and the counters kept on them."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from typing import Any, NamedTuple

from newstui.domain.errors import NotFoundError
from newstui.domain.models import Feed, FeedOutline, FeedRow, FeedStatus
from newstui.domain.update import to_datetime
from newstui.storage.database import BaseDatabase

_FEED_COLUMNS = (
    "f.id, f.url, f.title, f.feed_title, f.site_url, f.status, f.error, f.http_status, "
    "f.last_checked, f.retry_after, f.full_text, f.unread, f.total, "
    "(SELECT name FROM accounts WHERE id = f.account_id), f.retention_days, "
    "f.refresh_minutes, f.user_agent, f.paused"
)
FEED_SETTING_COLUMNS = frozenset(
    {"title", "refresh_minutes", "retention_days", "full_text", "user_agent", "paused"}
)


class RefreshRow(NamedTuple):
    """What a refresh reads of a feed to plan its check."""

    id: int
    url: str
    status: str
    error: str | None
    retry_after: float | None
    etag: str | None
    last_modified: str | None
    retention_days: int | None
    next_check: float | None
    full_text: int | None
    paused: int
    refresh_minutes: int | None
    last_checked: float | None
    user_agent: str | None


class CheckTimes(NamedTuple):
    """When a feed was checked and may be checked again (for the automatic refresh)."""

    id: int
    last_checked: float | None
    refresh_minutes: int | None
    next_check: float | None


class Feeds(BaseDatabase):
    """The feeds' part of the database."""

    def _feeds_where(self, where: str, params: Sequence[Any]) -> list[Feed]:
        rows = self.query(
            f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE f.removed = 0 AND {where}", params
        )
        tags = self._tags_where(where, params)
        return [_feed_from_row(row, tags.get(row[0], ())) for row in rows]

    def _tags_where(self, where: str, params: Sequence[Any]) -> dict[int, tuple[str, ...]]:
        """The tags of the feeds `where` selects (all feeds: "1"), by feed, each feed's in order."""
        if where != "1":
            where = f"t.feed_id IN (SELECT f.id FROM feeds f WHERE {where})"
        tags: dict[int, list[str]] = {}
        for feed_id, tag in self.query(
            f"SELECT t.feed_id, t.tag FROM feed_tags t WHERE {where} ORDER BY t.tag", params
        ):
            tags.setdefault(feed_id, []).append(tag)
        return {feed_id: tuple(names) for feed_id, names in tags.items()}

    def refresh_rows(self, feed_ids: Sequence[int] | None = None) -> list[RefreshRow]:
        """The feeds a refresh checks (all, by id, else those of `feed_ids` in their order);
        an account's feeds come from its server (sync), never fetched by a refresh."""
        sql = f"SELECT {', '.join(RefreshRow._fields)} FROM feeds WHERE removed = 0 AND account_id IS NULL"
        if feed_ids is None:
            return [RefreshRow(*r) for r in self.query(sql + " ORDER BY id")]
        for feed_id in feed_ids:
            self.feed(feed_id)  # NotFoundError for a wrong id
        marks = ",".join("?" * len(feed_ids))
        rows = self.query(sql + f" AND id IN ({marks})", list(feed_ids))
        order = {f: i for i, f in enumerate(feed_ids)}
        return sorted((RefreshRow(*r) for r in rows), key=lambda r: order[r.id])

    def check_times(self, default_minutes: int) -> list[CheckTimes]:
        """Feeds an automatic refresh may check (not paused, with an interval of their own or
        `default_minutes` > 0), with their times."""
        rows = self.query(
            f"SELECT {', '.join(CheckTimes._fields)} FROM feeds "
            "WHERE removed = 0 AND paused = 0 AND (refresh_minutes IS NOT NULL OR ? > 0)",
            (default_minutes,),
        )
        return [CheckTimes(*r) for r in rows]

    def has_feeds(self) -> bool:
        return self.one("SELECT 1 FROM feeds WHERE removed = 0 LIMIT 1") is not None

    def feeds(self) -> list[Feed]:
        feeds = self._feeds_where("1", ())
        feeds.sort(key=lambda f: (f.display_title.casefold(), f.id))
        return feeds

    def feed_rows(self) -> list[FeedRow]:
        """Every feed as the feeds pane lists it: the columns a row shows, read as tuples
        (20,000 feeds: ~50 ms, where `feeds()` takes ~0.5 s), in SQLite's order of their titles
        (`COLLATE NOCASE`: ASCII letters' case aside), the order `feed_outline` reads a part in."""
        return self._feed_rows("1", ())

    def _feed_rows(self, where: str, params: Sequence[Any], limit: int = -1) -> list[FeedRow]:
        rows = self.query(
            f"SELECT f.id, {_TITLE}, f.status IN ('error', 'gone'), f.unread, f.error "
            f"FROM feeds f WHERE f.removed = 0 AND {where} "
            f"ORDER BY {_TITLE} COLLATE NOCASE, f.id LIMIT ?",
            (*params, limit),
        )
        if limit >= 0:
            marks = ",".join("?" * len(rows))
            tags = self._tags_where(f"f.id IN ({marks})", [r[0] for r in rows])
        else:
            tags = self._tags_where("1", ())
        return [
            FeedRow(feed_id, title, bool(failed), unread, tags.get(feed_id, ()), error)
            for feed_id, title, failed, unread, error in rows
        ]

    def feed_outline(self, lines: int) -> FeedOutline:
        """The feeds pane's first `lines` lines (all folders open) without reading every feed:
        the folders' sizes from the tags' index, the feeds in none counted, and each folder's
        first rows (then the loose feeds') by `LIMIT`, in `feed_rows()`' order."""
        sizes = self.query("SELECT tag, count(*) FROM feed_tags GROUP BY tag")
        tagged = int(self.one("SELECT count(DISTINCT feed_id) FROM feed_tags")[0])
        loose = int(self.one("SELECT count(*) FROM feeds WHERE removed = 0")[0]) - tagged
        folders: list[tuple[str, int, tuple[FeedRow, ...]]] = []
        left = lines
        for tag, size in sorted(
            ((str(t), int(n)) for t, n in sizes), key=lambda f: f[0].casefold()
        ):
            first: list[FeedRow] = []
            left -= 1
            if left > 0:
                inside = "f.id IN (SELECT feed_id FROM feed_tags WHERE tag = ?)"
                first = self._feed_rows(inside, (tag,), min(size, left))
                left -= size
            folders.append((tag, size, tuple(first)))
        loose_rows: list[FeedRow] = []
        if left > 0 and loose:
            alone = "NOT EXISTS (SELECT 1 FROM feed_tags t WHERE t.feed_id = f.id)"
            loose_rows = self._feed_rows(alone, (), left)
        return FeedOutline(tuple(folders), loose, tuple(loose_rows))

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


_TITLE = "coalesce(nullif(f.title, ''), nullif(f.feed_title, ''), f.url)"
"""A feed's `display_title`, in SQL."""


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


def tag_spellings(conn: sqlite3.Connection) -> dict[str, str]:
    """The library's spelling of each of its tags, by its casefolded form: the earliest feed's.

    Tags compare without case: `tech` joins the `Tech` folder, and the first spelling stays.
    Whatever sets a feed's tags spells them from here (add, edit, import, sync).
    """
    known: dict[str, str] = {}
    for (tag,) in conn.execute("SELECT DISTINCT tag FROM feed_tags ORDER BY feed_id, tag"):
        known.setdefault(str(tag).casefold(), str(tag))
    return known


def _known_spellings(conn: sqlite3.Connection, tags: Sequence[str]) -> list[str]:
    """`tags` without case duplicates, each spelt as the library already spells it."""
    known = tag_spellings(conn)
    result: dict[str, str] = {}
    for tag in tags:
        key = tag.casefold()
        result.setdefault(key, known.get(key, tag))
    return list(result.values())
