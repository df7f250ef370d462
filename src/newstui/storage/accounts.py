"""An account's rows: its feeds by server id, the articles it stored, the outbox of local changes, its cursor and outcome.

The sync engine (sync.engine) decides; this module holds its SQL. Writes that apply the
server's state go through `applying`, whose row in `sync_guard` keeps the outbox triggers
(storage.schema 4) from queueing them as local changes.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import NamedTuple

from newstui.domain.update import StoredEntry
from newstui.storage.database import BaseDatabase, chunks
from newstui.storage.feeds import tag_spellings
from newstui.storage.writer import ArticleBatch


class OutboxRow(NamedTuple):
    """A local change waiting to be sent to the server."""

    id: int
    remote_id: str
    field: str
    value: str
    version: int
    """Bumped when the change changes again: only the version sent is deleted."""


class AccountFeed(NamedTuple):
    """A feed as the server lists it, its text already cleaned."""

    remote_id: str
    url: str
    title: str | None
    site_url: str | None
    tag: str | None


class AccountArticle(NamedTuple):
    """An article from the server: its stored row (keyed by the server's id) and its flags."""

    entry: StoredEntry
    read: bool
    starred: bool


def ensure_account(db: BaseDatabase, name: str, kind: str, url: str) -> int:
    """The account's row id (made on first use; type and URL follow the config)."""
    with db.tx() as conn:
        row = conn.execute("SELECT id FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is not None:
            conn.execute("UPDATE accounts SET type = ?, url = ? WHERE id = ?", (kind, url, row[0]))
            return int(row[0])
        cur = conn.execute(
            "INSERT INTO accounts(name, type, url) VALUES (?, ?, ?)", (name, kind, url)
        )
        return int(cur.lastrowid or 0)


def account_rows(db: BaseDatabase) -> dict[str, tuple[str, str | None, float | None, float | None]]:
    """Each stored account's name -> (status, error, last sync, last success)."""
    return {
        str(name): (str(status), error, last_sync, last_ok)
        for name, status, error, last_sync, last_ok in db.query(
            "SELECT name, status, error, last_sync, last_ok FROM accounts"
        )
    }


class AccountStore:
    """One account's part of the database."""

    def __init__(self, db: BaseDatabase, account_id: int, name: str) -> None:
        self.db = db
        self.account_id = account_id
        self.name = name

    @contextmanager
    def applying(self) -> Iterator[sqlite3.Connection]:
        """A write transaction whose article changes queue nothing in the outbox."""
        with self.db.tx() as conn:
            conn.execute("INSERT OR IGNORE INTO sync_guard(id) VALUES (1)")
            yield conn
            conn.execute("DELETE FROM sync_guard")

    def record(self, status: str, error: str | None) -> None:
        """The sync's outcome, on the account and on its feeds (shown like a feed's own)."""
        now = time.time()
        ok = status == "ok"
        with self.db.tx() as conn:
            conn.execute(
                "UPDATE accounts SET status = ?, error = ?, last_sync = ?, "
                "last_ok = CASE WHEN ? THEN ? ELSE last_ok END WHERE id = ?",
                (status, error, now, ok, now, self.account_id),
            )
            conn.execute(
                "UPDATE feeds SET status = ?, error = ?, last_checked = ? WHERE account_id = ?",
                (
                    "ok" if ok else "error",
                    None if ok else f"account {self.name}: {error}",
                    now,
                    self.account_id,
                ),
            )

    def record_failure(self, status: str, error: str | None) -> None:
        """A sync that failed before it began (no password, no server): the account and its
        feeds say why; its last sync time is left as it was."""
        with self.db.tx() as conn:
            conn.execute(
                "UPDATE accounts SET status = ?, error = ? WHERE id = ?",
                (status, error, self.account_id),
            )
            conn.execute(
                "UPDATE feeds SET status = 'error', error = ? WHERE account_id = ?",
                (f"account {self.name}: {error}", self.account_id),
            )

    def add_feed(self, url: str, category: str | None) -> int:
        """A placeholder feed for `url` and its 'subscribe' outbox row, in one transaction; the
        folder takes the library's spelling of `category` (here and on the server)."""
        with self.db.tx() as conn:
            if category:
                category = tag_spellings(conn).get(category.casefold(), category)
            cur = conn.execute(
                "INSERT INTO feeds(url, account_id, remote_url, origin, added) "
                "VALUES (?, ?, ?, 'account', ?)",
                (f"{url}#newstui-account={self.name}:new", self.account_id, url, time.time()),
            )
            feed_id = int(cur.lastrowid or 0)
            conn.execute(
                "UPDATE feeds SET url = ? WHERE id = ?",
                (f"{url}#newstui-account={self.name}:new{feed_id}", feed_id),
            )
            if category:
                conn.execute(
                    "INSERT INTO feed_tags(feed_id, tag) VALUES (?, ?)", (feed_id, category)
                )
            conn.execute(
                "INSERT INTO outbox(account_id, remote_id, field, value, created) "
                "VALUES (?, ?, 'subscribe', ?, ?)",
                (
                    self.account_id,
                    f"local:{feed_id}",
                    url + ("\n" + category if category else ""),
                    time.time(),
                ),
            )
        return feed_id

    # ---- the outbox ----------------------------------------------------------------------

    def outbox(self, fields: Sequence[str]) -> list[OutboxRow]:
        """The pending changes of these kinds, oldest first."""
        marks = ",".join("?" * len(fields))
        return [
            OutboxRow(int(i), str(remote_id), str(field), str(value), int(version))
            for i, remote_id, field, value, version in self.db.query(
                "SELECT id, remote_id, field, value, version FROM outbox "
                f"WHERE account_id = ? AND field IN ({marks}) ORDER BY id",
                (self.account_id, *fields),
            )
        ]

    def drop_outbox(self, rows: Iterable[OutboxRow]) -> None:
        """Delete changes the server took, unless they changed again meanwhile."""
        with self.db.tx() as conn:
            conn.executemany(
                "DELETE FROM outbox WHERE id = ? AND version = ?",
                [(row.id, row.version) for row in rows],
            )

    def has_feed(self, feed_id: int) -> bool:
        """Whether the account still has this (not removed) feed."""
        row = self.db.one(
            "SELECT id FROM feeds WHERE id = ? AND account_id = ? AND removed = 0",
            (feed_id, self.account_id),
        )
        return row is not None

    def subscribed(self, row: OutboxRow, feed_id: int, remote_id: str, url: str) -> None:
        """The server subscribed the local feed `feed_id` as `remote_id`: link them (or drop the
        placeholder when the account has that feed already), and the outbox row with it."""
        with self.applying() as conn:
            taken = conn.execute(
                "SELECT id FROM feeds WHERE account_id = ? AND remote_id = ? AND id != ?",
                (self.account_id, remote_id, feed_id),
            ).fetchone()
            if taken is None:
                conn.execute(
                    "UPDATE feeds SET remote_id = ?, remote_url = ? WHERE id = ?",
                    (remote_id, url, feed_id),
                )
            else:  # already subscribed on the server: the placeholder goes
                conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
            conn.execute("DELETE FROM outbox WHERE id = ? AND version = ?", (row.id, row.version))

    # ---- feeds ---------------------------------------------------------------------------

    def apply_feeds(self, remote: Sequence[AccountFeed]) -> None:
        """Make the account's feeds the server's: new ones added, titles and folders updated,
        feeds the server no longer has removed (their bookmarked articles stay)."""
        with self.applying() as conn:
            local = {
                remote_id: (feed_id, removed)
                for feed_id, remote_id, removed in conn.execute(
                    "SELECT id, remote_id, removed FROM feeds WHERE account_id = ? "
                    "AND remote_id IS NOT NULL",
                    (self.account_id,),
                )
            }
            unsubscribing = {
                r[0]
                for r in conn.execute(
                    "SELECT remote_id FROM outbox WHERE account_id = ? AND field = 'unsubscribe'",
                    (self.account_id,),
                )
            }
            # A server category is a folder here, joining one of the same name in another case
            # (a local feed's, another account's, another category's): the first spelling stays.
            spellings = tag_spellings(conn)
            seen: set[str] = set()
            for f in remote:
                if f.remote_id in unsubscribing or f.remote_id in seen:
                    continue
                seen.add(f.remote_id)
                known = local.get(f.remote_id)
                if known is None:
                    key = f"{f.url}#newstui-account={self.name}:{f.remote_id}"
                    cur = conn.execute(
                        "INSERT INTO feeds(url, feed_title, site_url, account_id, remote_id, "
                        "remote_url, origin, added) VALUES (?, ?, ?, ?, ?, ?, 'account', ?) "
                        "ON CONFLICT(url) DO UPDATE SET removed = 0, account_id = excluded.account_id, "
                        "remote_id = excluded.remote_id RETURNING id",
                        (
                            key,
                            f.title,
                            f.site_url,
                            self.account_id,
                            f.remote_id,
                            f.url,
                            time.time(),
                        ),
                    )
                    feed_id = int(cur.fetchone()[0])
                else:
                    feed_id = known[0]
                    conn.execute(
                        "UPDATE feeds SET feed_title = ?, remote_url = ?, removed = 0 WHERE id = ?",
                        (f.title, f.url, feed_id),
                    )
                conn.execute("DELETE FROM feed_tags WHERE feed_id = ?", (feed_id,))
                if f.tag:
                    tag = spellings.setdefault(f.tag.casefold(), f.tag)
                    conn.execute(
                        "INSERT INTO feed_tags(feed_id, tag) VALUES (?, ?)", (feed_id, tag)
                    )
            # Feeds the server no longer has were unsubscribed elsewhere: gone here too
            # (bookmarked articles stay, as when a feed is removed here).
            for remote_id, (feed_id, removed) in local.items():
                if remote_id in seen or removed:
                    continue
                conn.execute(
                    "DELETE FROM articles WHERE feed_id = ? AND bookmarked = 0", (feed_id,)
                )
                kept = conn.execute(
                    "SELECT count(*) FROM articles WHERE feed_id = ?", (feed_id,)
                ).fetchone()[0]
                if kept:
                    conn.execute("UPDATE feeds SET removed = 1 WHERE id = ?", (feed_id,))
                    conn.execute("DELETE FROM feed_tags WHERE feed_id = ?", (feed_id,))
                else:
                    conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def feed_ids(self) -> dict[str, int]:
        """The account's feeds: server id -> local id."""
        return {
            str(remote_id): int(feed_id)
            for feed_id, remote_id in self.db.query(
                "SELECT id, remote_id FROM feeds WHERE account_id = ? AND remote_id IS NOT NULL "
                "AND removed = 0",
                (self.account_id,),
            )
        }

    def unread_counts(self) -> dict[str, int]:
        """The account's feeds: server id -> how many of its articles are unread here."""
        return {
            str(remote_id): int(unread)
            for remote_id, unread in self.db.query(
                "SELECT remote_id, unread FROM feeds WHERE account_id = ? AND removed = 0 "
                "AND remote_id IS NOT NULL",
                (self.account_id,),
            )
        }

    # ---- articles ------------------------------------------------------------------------

    def cursor(self) -> str | None:
        row = self.db.one("SELECT cursor FROM accounts WHERE id = ?", (self.account_id,))
        return None if row is None or row[0] is None else str(row[0])

    def set_cursor(self, cursor: str) -> None:
        with self.db.tx() as conn:
            conn.execute("UPDATE accounts SET cursor = ? WHERE id = ?", (cursor, self.account_id))

    def stored(self, remote_ids: Sequence[str]) -> set[str]:
        """Which of these server ids the account has stored."""
        found: set[str] = set()
        for chunk in chunks(list(remote_ids), 500):
            marks = ",".join("?" * len(chunk))
            found.update(
                str(r[0])
                for r in self.db.query(
                    f"SELECT remote_id FROM account_articles WHERE account_id = ? "
                    f"AND remote_id IN ({marks})",
                    (self.account_id, *chunk),
                )
            )
        return found

    def store_page(self, by_feed: Mapping[int, Sequence[AccountArticle]]) -> tuple[int, int]:
        """Store a page of the server's articles in one transaction, with their read and
        starred state where no local change waits to be sent; (new, updated)."""
        new = updated = 0
        with self.applying() as conn:
            batch = ArticleBatch(conn, time.time())
            pending = self._pending(conn)
            for feed_id, items in by_feed.items():
                unique = {a.entry.key: a for a in items}
                n, u = batch.store(feed_id, [a.entry for a in unique.values()])
                new, updated = new + n, updated + u
                keys = list(unique)
                ids = _article_ids(conn, feed_id, keys)
                conn.executemany(
                    "INSERT OR IGNORE INTO account_articles(article_id, account_id, remote_id) "
                    "VALUES (?, ?, ?)",
                    [(ids[k], self.account_id, k) for k in keys if k in ids],
                )
                self._apply_flags(conn, ids, unique, pending)
            batch.index()
        return new, updated

    def _apply_flags(
        self,
        conn: sqlite3.Connection,
        ids: dict[str, int],
        articles: dict[str, AccountArticle],
        pending: set[tuple[str, str]],
    ) -> None:
        for column, flag, attr in (("read", "read", "read"), ("bookmarked", "starred", "starred")):
            for value in (0, 1):
                chosen = [
                    ids[k]
                    for k, a in articles.items()
                    if k in ids and int(getattr(a, attr)) == value and (k, flag) not in pending
                ]
                for chunk in chunks(chosen, 500):
                    marks = ",".join("?" * len(chunk))
                    conn.execute(
                        f"UPDATE articles SET {column} = ? WHERE id IN ({marks}) AND {column} != ?",
                        [value, *chunk, value],
                    )

    def _pending(self, conn: sqlite3.Connection) -> set[tuple[str, str]]:
        return {
            (remote_id, flag)
            for remote_id, flag in conn.execute(
                "SELECT remote_id, field FROM outbox WHERE account_id = ? "
                "AND field IN ('read', 'starred')",
                (self.account_id,),
            )
        }

    # ---- state ---------------------------------------------------------------------------

    def remote_ids(self, feed_ids: list[int] | None) -> set[str]:
        """The server ids of the account's articles (in these feeds only, unless None)."""
        if feed_ids is None:
            rows = self.db.query(
                "SELECT remote_id FROM account_articles WHERE account_id = ?", (self.account_id,)
            )
        else:
            marks = ",".join("?" * len(feed_ids))
            rows = self.db.query(
                "SELECT aa.remote_id FROM account_articles aa JOIN articles a "
                f"ON a.id = aa.article_id WHERE aa.account_id = ? AND a.feed_id IN ({marks})",
                (self.account_id, *feed_ids),
            )
        return {str(r[0]) for r in rows}

    def apply_set(
        self,
        column: str,
        flag: str,
        on: set[str],
        *,
        complement: set[str] | None = None,
    ) -> int:
        """Set `column` on the articles whose server id is in `on`, clear it on the rest of the
        account's articles (or on `complement`), except where a local change is unpushed."""
        assert column in ("read", "bookmarked")
        changed = 0
        with self.applying() as conn:
            pending = {r for r, f in self._pending(conn) if f == flag}
            if complement is None:
                current = {
                    str(r[0])
                    for r in conn.execute(
                        f"SELECT aa.remote_id FROM account_articles aa JOIN articles a ON "
                        f"a.id = aa.article_id JOIN feeds f ON f.id = a.feed_id "
                        f"WHERE aa.account_id = ? AND a.{column} = 1 AND f.removed = 0",
                        (self.account_id,),
                    )
                }
                to_set, to_clear = on - current - pending, current - on - pending
            else:
                to_set, to_clear = on - pending, complement - pending
            for value, remote_ids in ((1, to_set), (0, to_clear)):
                for chunk in chunks(list(remote_ids), 500):
                    marks = ",".join("?" * len(chunk))
                    cur = conn.execute(
                        # A removed feed's kept bookmarks are the user's now: left alone.
                        f"UPDATE articles SET {column} = ? WHERE {column} != ? AND id IN "
                        f"(SELECT article_id FROM account_articles WHERE account_id = ? AND "
                        f"remote_id IN ({marks})) AND feed_id IN "
                        f"(SELECT id FROM feeds WHERE removed = 0)",
                        [value, value, self.account_id, *chunk],
                    )
                    changed += cur.rowcount
        return changed


def _article_ids(conn: sqlite3.Connection, feed_id: int, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(keys, 500):
        marks = ",".join("?" * len(chunk))
        for key, article_id in conn.execute(
            f"SELECT key, id FROM articles WHERE feed_id = ? AND key IN ({marks})",
            (feed_id, *chunk),
        ):
            found[str(key)] = int(article_id)
    return found
