"""The sync engine: push the outbox, then pull the server's feeds, new articles and read/starred state.

Local-first. Every local change to an account's article is already in the outbox (a trigger
writes it in the same transaction as the change, see storage.schema 4). A sync:

1. logs in, pushes pending subscribe/unsubscribe, then read/starred changes in batches; a row is
   deleted only after the server took it, and only if it did not change meanwhile (`version`),
   so a kill at any moment re-sends at most what the server already has (idempotent);
2. pulls the feed list (a folder per server category, i.e. the feed's tag) and new articles page
   by page, one transaction a page, keyed by the server's article id (a re-pull after a kill
   stores nothing twice); the cursor is stored only once the pull is complete;
3. pulls the read and starred state: an article with an unpushed local change keeps the local
   value, otherwise the server's state wins.

The engine applies server state with a row in `sync_guard` inside its transaction, so its own
writes queue nothing. Everything from the server passes domain.text's trust boundary (titles,
authors, bodies) with the configured size caps before it is stored.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from newstui.config import AccountConfig, LimitsConfig
from newstui.domain.errors import NewstuiError, StorageError
from newstui.domain.models import ContentType, ParsedEntry
from newstui.domain.text import clean_line, clean_text, is_feed_url
from newstui.domain.update import to_stored
from newstui.storage.db import Database
from newstui.storage.feeds import tag_spellings
from newstui.storage.writer import ArticleBatch
from newstui.sync.backend import Backend, RemoteArticle, RemoteFeed
from newstui.sync.http import SyncError

log = logging.getLogger(__name__)

MAX_URL_CHARS = 4000
MAX_AUTHOR_CHARS = 300
MAX_ID_CHARS = 200


@dataclass
class SyncOutcome:
    """What one account's sync did, as `sync --json` prints it."""

    account: str
    status: str = "ok"
    error: str | None = None
    pushed: int = 0
    new: int = 0
    updated: int = 0
    feeds: int = 0
    state_changes: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "account": clean_line(self.account),
            "status": self.status,
            "error": clean_line(self.error) if self.error else None,
            "pushed": self.pushed,
            "new": self.new,
            "updated": self.updated,
            "feeds": self.feeds,
            "state_changes": self.state_changes,
            "seconds": round(self.seconds, 3),
        }


def ensure_account(db: Database, account: AccountConfig) -> int:
    """The account's row id (made on first use; type and URL follow the config)."""
    with db.tx() as conn:
        row = conn.execute("SELECT id FROM accounts WHERE name = ?", (account.name,)).fetchone()
        if row is not None:
            conn.execute(
                "UPDATE accounts SET type = ?, url = ? WHERE id = ?",
                (account.type, account.url, row[0]),
            )
            return int(row[0])
        cur = conn.execute(
            "INSERT INTO accounts(name, type, url) VALUES (?, ?, ?)",
            (account.name, account.type, account.url),
        )
        return int(cur.lastrowid or 0)


class SyncEngine:
    """One account's sync against one backend, on one database connection."""

    def __init__(
        self,
        db: Database,
        account: AccountConfig,
        backend: Backend,
        limits: LimitsConfig,
        *,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.db = db
        self.account = account
        self.backend = backend
        self.limits = limits
        self.progress = progress or (lambda _step: None)
        self.account_id = ensure_account(db, account)

    # ---- the whole sync ----------------------------------------------------------------

    def run(self) -> SyncOutcome:
        """Sync once; a failure is recorded as the account's status and returned, not raised."""
        outcome = SyncOutcome(self.account.name)
        started = time.monotonic()
        try:
            self._sync(outcome)
        except (SyncError, NewstuiError) as exc:
            outcome.status = getattr(exc, "kind", "error")
            outcome.error = clean_line(str(exc), max_length=500)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # A server's answer of an unexpected shape that slipped past the checks.
            outcome.status = "bad_response"
            outcome.error = clean_line(f"unexpected answer: {type(exc).__name__}", max_length=200)
            log.debug("sync %s failed", self.account.name, exc_info=True)
        outcome.seconds = time.monotonic() - started
        try:
            self._record(outcome)
        except StorageError as exc:
            outcome.status, outcome.error = "error", clean_line(str(exc))
        return outcome

    def _step(self, outcome: SyncOutcome, name: str) -> Callable[[], None]:
        self.progress(name)
        t0 = time.monotonic()

        def done() -> None:
            outcome.steps[name] = outcome.steps.get(name, 0.0) + time.monotonic() - t0

        return done

    def _sync(self, outcome: SyncOutcome) -> None:
        done = self._step(outcome, "login")
        self.backend.login()
        done()
        done = self._step(outcome, "push")
        outcome.pushed = self.push_subscriptions() + self.push_flags()
        done()
        done = self._step(outcome, "feeds")
        remote_feeds = self.pull_feeds()
        outcome.feeds = len(remote_feeds)
        done()
        done = self._step(outcome, "articles")
        outcome.new, outcome.updated = self.pull_articles(remote_feeds)
        done()
        done = self._step(outcome, "state")
        outcome.state_changes = self.pull_state(remote_feeds)
        done()

    def _record(self, outcome: SyncOutcome) -> None:
        now = time.time()
        ok = outcome.status == "ok"
        with self.db.tx() as conn:
            conn.execute(
                "UPDATE accounts SET status = ?, error = ?, last_sync = ?, "
                "last_ok = CASE WHEN ? THEN ? ELSE last_ok END WHERE id = ?",
                (outcome.status, outcome.error, now, ok, now, self.account_id),
            )
            # The account's feeds show its outcome like a feed's own (the feeds pane, feeds --json).
            conn.execute(
                "UPDATE feeds SET status = ?, error = ?, last_checked = ? WHERE account_id = ?",
                (
                    "ok" if ok else "error",
                    None if ok else f"account {self.account.name}: {outcome.error}",
                    now,
                    self.account_id,
                ),
            )

    @contextmanager
    def _applying(self) -> Iterator[sqlite3.Connection]:
        """A write transaction whose article changes queue nothing in the outbox."""
        with self.db.tx() as conn:
            conn.execute("INSERT OR IGNORE INTO sync_guard(id) VALUES (1)")
            yield conn
            conn.execute("DELETE FROM sync_guard")

    # ---- push --------------------------------------------------------------------------

    def push_subscriptions(self) -> int:
        rows = self.db.query(
            "SELECT id, remote_id, field, value, version FROM outbox "
            "WHERE account_id = ? AND field IN ('subscribe', 'unsubscribe') ORDER BY id",
            (self.account_id,),
        )
        done = 0
        for row_id, remote_id, kind, value, version in rows:
            if kind == "unsubscribe":
                self.backend.unsubscribe(remote_id)
                self._drop_outbox(row_id, version)
            else:
                local_id = int(remote_id.split(":", 1)[1])
                feed = self.db.one(
                    "SELECT id FROM feeds WHERE id = ? AND account_id = ? AND removed = 0",
                    (local_id, self.account_id),
                )
                if feed is not None:
                    url, _, category = value.partition("\n")
                    new_id = self.backend.subscribe(url, category or None)
                    with self._applying() as conn:
                        taken = conn.execute(
                            "SELECT id FROM feeds WHERE account_id = ? AND remote_id = ? AND id != ?",
                            (self.account_id, new_id, local_id),
                        ).fetchone()
                        if taken is None:
                            conn.execute(
                                "UPDATE feeds SET remote_id = ?, remote_url = ? WHERE id = ?",
                                (new_id, url, local_id),
                            )
                        else:  # already subscribed on the server: the placeholder goes
                            conn.execute("DELETE FROM feeds WHERE id = ?", (local_id,))
                        conn.execute(
                            "DELETE FROM outbox WHERE id = ? AND version = ?", (row_id, version)
                        )
                else:
                    self._drop_outbox(row_id, version)
            done += 1
        return done

    def push_flags(self) -> int:
        rows = self.db.query(
            "SELECT id, remote_id, field, value, version FROM outbox "
            "WHERE account_id = ? AND field IN ('read', 'starred') ORDER BY id",
            (self.account_id,),
        )
        groups: dict[tuple[str, bool], list[tuple[int, str, int]]] = defaultdict(list)
        for row_id, remote_id, flag, value, version in rows:
            groups[(flag, value == "1")].append((row_id, remote_id, version))
        pushed = 0
        batch = max(1, self.backend.max_batch)
        for (flag, value), items in groups.items():
            for start in range(0, len(items), batch):
                chunk = items[start : start + batch]
                self.backend.set_flag([remote for _, remote, _ in chunk], flag, value)
                with self.db.tx() as conn:
                    conn.executemany(
                        "DELETE FROM outbox WHERE id = ? AND version = ?",
                        [(row_id, version) for row_id, _, version in chunk],
                    )
                pushed += len(chunk)
        return pushed

    def _drop_outbox(self, row_id: int, version: int) -> None:
        with self.db.tx() as conn:
            conn.execute("DELETE FROM outbox WHERE id = ? AND version = ?", (row_id, version))

    # ---- pull: feeds -------------------------------------------------------------------

    def pull_feeds(self) -> list[RemoteFeed]:
        # Two independent reads at once: a round trip less (each is ~50 ms on tt-rss).
        with ThreadPoolExecutor(2, thread_name_prefix="newstui-sync") as pool:
            got_categories = pool.submit(self.backend.categories)
            got_feeds = pool.submit(self.backend.feeds)
            categories = {
                c.id: clean_line(c.title, max_length=200) for c in got_categories.result()
            }
            remote = [f for f in got_feeds.result() if f.id and len(f.id) <= MAX_ID_CHARS]
        name = self.account.name
        with self._applying() as conn:
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
                if f.id in unsubscribing or f.id in seen:
                    continue
                seen.add(f.id)
                url = _clean_url(f.url) or ""
                title = clean_line(f.title, max_length=self.limits.max_title_chars) or None
                tag = categories.get(f.category_id or "") or None
                known = local.get(f.id)
                if known is None:
                    key = f"{url}#newstui-account={name}:{f.id}"
                    cur = conn.execute(
                        "INSERT INTO feeds(url, feed_title, site_url, account_id, remote_id, "
                        "remote_url, origin, added) VALUES (?, ?, ?, ?, ?, ?, 'account', ?) "
                        "ON CONFLICT(url) DO UPDATE SET removed = 0, account_id = excluded.account_id, "
                        "remote_id = excluded.remote_id RETURNING id",
                        (
                            key,
                            title,
                            _clean_url(f.site_url),
                            self.account_id,
                            f.id,
                            url,
                            time.time(),
                        ),
                    )
                    feed_id = int(cur.fetchone()[0])
                else:
                    feed_id = known[0]
                    conn.execute(
                        "UPDATE feeds SET feed_title = ?, remote_url = ?, removed = 0 WHERE id = ?",
                        (title, url, feed_id),
                    )
                conn.execute("DELETE FROM feed_tags WHERE feed_id = ?", (feed_id,))
                if tag:
                    tag = spellings.setdefault(tag.casefold(), tag)
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
        return remote

    def _feed_ids(self) -> dict[str, int]:
        return {
            str(remote_id): int(feed_id)
            for feed_id, remote_id in self.db.query(
                "SELECT id, remote_id FROM feeds WHERE account_id = ? AND remote_id IS NOT NULL "
                "AND removed = 0",
                (self.account_id,),
            )
        }

    # ---- pull: articles ----------------------------------------------------------------

    def pull_articles(self, remote_feeds: Sequence[RemoteFeed]) -> tuple[int, int]:
        row = self.db.one("SELECT cursor FROM accounts WHERE id = ?", (self.account_id,))
        cursor = row[0] if row else None
        feed_ids = self._feed_ids()
        new = updated = 0
        for page in self.backend.new_articles(cursor, self._stored):
            if page.articles:
                n, u = self._store_page(page.articles, feed_ids)
                new, updated = new + n, updated + u
            if page.cursor is not None:
                with self.db.tx() as conn:
                    conn.execute(
                        "UPDATE accounts SET cursor = ? WHERE id = ?",
                        (page.cursor[:MAX_ID_CHARS], self.account_id),
                    )
        return new, updated

    def _stored(self, remote_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        ids = list(remote_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
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

    def _store_page(
        self, articles: Sequence[RemoteArticle], feed_ids: dict[str, int]
    ) -> tuple[int, int]:
        by_feed: dict[int, list[RemoteArticle]] = defaultdict(list)
        for a in articles:
            feed_id = feed_ids.get(a.feed_id)
            if feed_id is not None and a.id and len(a.id) <= MAX_ID_CHARS:
                by_feed[feed_id].append(a)
        new = updated = 0
        with self._applying() as conn:
            batch = ArticleBatch(conn, time.time())
            pending = self._pending(conn)
            for feed_id, items in by_feed.items():
                unique = {a.id: a for a in items}
                entries = [to_stored(self._entry(a)) for a in unique.values()]
                n, u = batch.store(feed_id, entries)
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
        articles: dict[str, RemoteArticle],
        pending: set[tuple[str, str]],
    ) -> None:
        for column, flag, attr in (("read", "read", "read"), ("bookmarked", "starred", "starred")):
            for value in (0, 1):
                chosen = [
                    ids[k]
                    for k, a in articles.items()
                    if k in ids and int(getattr(a, attr)) == value and (k, flag) not in pending
                ]
                for start in range(0, len(chosen), 500):
                    chunk = chosen[start : start + 500]
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

    def _entry(self, a: RemoteArticle) -> ParsedEntry:
        limits = self.limits
        url = _clean_url(a.url)
        return ParsedEntry(
            key=a.id,
            title=clean_line(a.title, max_length=limits.max_title_chars) or "(untitled)",
            url=url,
            author=clean_line(a.author, max_length=MAX_AUTHOR_CHARS) or None,
            published=a.published,
            updated=a.updated,
            content=clean_text(a.content, max_length=limits.max_body_chars),
            content_type=ContentType.HTML,
        )

    # ---- pull: state -------------------------------------------------------------------

    def pull_state(self, remote_feeds: Sequence[RemoteFeed]) -> int:
        feed_ids = self._feed_ids()
        with ThreadPoolExecutor(2, thread_name_prefix="newstui-sync") as pool:
            got_starred = pool.submit(self.backend.starred_ids)
            got_lately = pool.submit(self.backend.recently_read_ids)
            starred, lately = got_starred.result(), got_lately.result()
        changes = self._apply_set("bookmarked", "starred", starred, None)
        # Read state: what the server read lately first, then only feeds whose unread count
        # still differs from ours are read again (a server that gives no counts is read whole).
        if lately:
            changes += self._apply_set("read", "read", lately, None, complement=set())
        local_unread = {
            str(remote_id): int(unread)
            for remote_id, unread in self.db.query(
                "SELECT remote_id, unread FROM feeds WHERE account_id = ? AND removed = 0 "
                "AND remote_id IS NOT NULL",
                (self.account_id,),
            )
        }
        counted = [f for f in remote_feeds if f.id in feed_ids]
        if any(f.unread is None for f in counted):
            unread = self.backend.unread_ids(None)
            scope = None
        else:
            stale = [f.id for f in counted if f.unread != local_unread.get(f.id)]
            if not stale:
                return changes
            unread = self.backend.unread_ids(stale)
            scope = [feed_ids[f] for f in stale]
        read = self._account_ids(scope)
        changes += self._apply_set("read", "read", read - unread, scope, complement=read & unread)
        return changes

    def _account_ids(self, scope: list[int] | None) -> set[str]:
        if scope is None:
            rows = self.db.query(
                "SELECT remote_id FROM account_articles WHERE account_id = ?", (self.account_id,)
            )
        else:
            marks = ",".join("?" * len(scope))
            rows = self.db.query(
                "SELECT aa.remote_id FROM account_articles aa JOIN articles a "
                f"ON a.id = aa.article_id WHERE aa.account_id = ? AND a.feed_id IN ({marks})",
                (self.account_id, *scope),
            )
        return {str(r[0]) for r in rows}

    def _apply_set(
        self,
        column: str,
        flag: str,
        on: set[str],
        scope: list[int] | None,
        *,
        complement: set[str] | None = None,
    ) -> int:
        """Set `column` on the articles whose server id is in `on`, clear it on the rest of the
        account's articles (or on `complement`), except where a local change is unpushed."""
        changed = 0
        with self._applying() as conn:
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
                ids = list(remote_ids)
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
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
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for key, article_id in conn.execute(
            f"SELECT key, id FROM articles WHERE feed_id = ? AND key IN ({marks})",
            (feed_id, *chunk),
        ):
            found[str(key)] = int(article_id)
    return found


def _clean_url(value: str | None) -> str | None:
    if not value:
        return None
    text = clean_line(value, max_length=MAX_URL_CHARS)
    return text if is_feed_url(text) else None
