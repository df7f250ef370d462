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
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from newstui.config import AccountConfig, LimitsConfig
from newstui.domain.errors import NewstuiError, StorageError
from newstui.domain.models import ContentType, ParsedEntry
from newstui.domain.text import clean_line, clean_text, is_feed_url
from newstui.domain.update import to_stored
from newstui.storage.accounts import AccountArticle, AccountFeed, AccountStore, OutboxRow
from newstui.storage.accounts import ensure_account as storage_ensure_account
from newstui.storage.db import Database
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
    return storage_ensure_account(db, account.name, account.type, account.url)


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
        self.store = AccountStore(db, self.account_id, account.name)

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
        self.store.record(outcome.status, outcome.error)

    # ---- push --------------------------------------------------------------------------

    def push_subscriptions(self) -> int:
        done = 0
        for row in self.store.outbox(("subscribe", "unsubscribe")):
            if row.field == "unsubscribe":
                self.backend.unsubscribe(row.remote_id)
                self.store.drop_outbox([row])
            else:
                local_id = int(row.remote_id.split(":", 1)[1])
                if self.store.has_feed(local_id):
                    url, _, category = row.value.partition("\n")
                    new_id = self.backend.subscribe(url, category or None)
                    self.store.subscribed(row, local_id, new_id, url)
                else:
                    self.store.drop_outbox([row])
            done += 1
        return done

    def push_flags(self) -> int:
        groups: dict[tuple[str, bool], list[OutboxRow]] = defaultdict(list)
        for row in self.store.outbox(("read", "starred")):
            groups[(row.field, row.value == "1")].append(row)
        pushed = 0
        batch = max(1, self.backend.max_batch)
        for (flag, value), items in groups.items():
            for start in range(0, len(items), batch):
                chunk = items[start : start + batch]
                self.backend.set_flag([row.remote_id for row in chunk], flag, value)
                self.store.drop_outbox(chunk)
                pushed += len(chunk)
        return pushed

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
        self.store.apply_feeds(
            [
                AccountFeed(
                    f.id,
                    _clean_url(f.url) or "",
                    clean_line(f.title, max_length=self.limits.max_title_chars) or None,
                    _clean_url(f.site_url),
                    categories.get(f.category_id or "") or None,
                )
                for f in remote
            ]
        )
        return remote

    # ---- pull: articles ----------------------------------------------------------------

    def pull_articles(self, remote_feeds: Sequence[RemoteFeed]) -> tuple[int, int]:
        cursor = self.store.cursor()
        feed_ids = self.store.feed_ids()
        new = updated = 0
        for page in self.backend.new_articles(cursor, self.store.stored):
            if page.articles:
                n, u = self._store_page(page.articles, feed_ids)
                new, updated = new + n, updated + u
            if page.cursor is not None:
                self.store.set_cursor(page.cursor[:MAX_ID_CHARS])
        return new, updated

    def _store_page(
        self, articles: Sequence[RemoteArticle], feed_ids: dict[str, int]
    ) -> tuple[int, int]:
        by_feed: dict[int, list[RemoteArticle]] = defaultdict(list)
        for a in articles:
            feed_id = feed_ids.get(a.feed_id)
            if feed_id is not None and a.id and len(a.id) <= MAX_ID_CHARS:
                by_feed[feed_id].append(a)
        return self.store.store_page(
            {
                feed_id: [
                    AccountArticle(to_stored(self._entry(a)), a.read, a.starred) for a in items
                ]
                for feed_id, items in by_feed.items()
            }
        )

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
        feed_ids = self.store.feed_ids()
        with ThreadPoolExecutor(2, thread_name_prefix="newstui-sync") as pool:
            got_starred = pool.submit(self.backend.starred_ids)
            got_lately = pool.submit(self.backend.recently_read_ids)
            starred, lately = got_starred.result(), got_lately.result()
        changes = self.store.apply_set("bookmarked", "starred", starred)
        # Read state: what the server read lately first, then only feeds whose unread count
        # still differs from ours are read again (a server that gives no counts is read whole).
        if lately:
            changes += self.store.apply_set("read", "read", lately, complement=set())
        local_unread = self.store.unread_counts()
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
        read = self.store.remote_ids(scope)
        changes += self.store.apply_set("read", "read", read - unread, complement=read & unread)
        return changes


def _clean_url(value: str | None) -> str | None:
    if not value:
        return None
    text = clean_line(value, max_length=MAX_URL_CHARS)
    return text if is_feed_url(text) else None
