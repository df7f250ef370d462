"""The Library's refreshes and syncs: which feeds to check, the pipeline run, what follows a
refresh (rules' notifications, the `on_new` hook), and the sync accounts."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from newstui.domain.models import Feed, FeedOutcome, RefreshProgress
from newstui.library.queries import Queries

if TYPE_CHECKING:
    from newstui.library.rules import Matched
    from newstui.refresh.pipeline import FeedJob
    from newstui.refresh.workers import ParseResult
    from newstui.sources.fetch import FetchResult
    from newstui.sync.engine import SyncOutcome

log = logging.getLogger(__name__)


class Refreshing(Queries):
    """Refreshing feeds and syncing accounts."""

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        progress: Callable[[RefreshProgress], None] | None = None,
        background: bool = False,
        prefetched: Mapping[int, tuple[FetchResult, ParseResult]] | None = None,
        fork_workers: bool = False,
    ) -> list[FeedOutcome]:
        """Refresh feeds (all by default); one feed's failure never stops the others.

        A failure of the disk does: it raises StorageFailure (what was stored before is kept).
        `prefetched`: a feed's fetch and parse already made (by `add_feed`), stored as they are.
        `fork_workers`: the process may fork its parse workers (nothing else runs in it).
        """
        # The pipeline (the writer, the parse pool) is imported by the first refresh, not by
        # the reader's start.
        from newstui.refresh.pipeline import FeedJob, Refresher, skipped_outcome

        rows = await asyncio.to_thread(self._db.refresh_rows, feed_ids)
        jobs: list[FeedJob] = []
        skipped: list[FeedOutcome] = []
        now = time.time()
        for row in rows:
            if row.paused and (background or feed_ids is None):
                continue  # a paused feed is checked only when it is asked for by name
            outcome = skipped_outcome(row.id, row.url, row.status, row.error, row.retry_after)
            if outcome is not None:
                skipped.append(outcome)
                continue
            if background and row.next_check is not None and row.next_check > now:
                continue
            minutes, last_checked = row.refresh_minutes, row.last_checked
            if background and minutes and last_checked and last_checked + minutes * 60 > now + 1:
                continue  # its own interval has not gone by
            days = row.retention_days
            jobs.append(
                FeedJob(
                    row.id,
                    row.url,
                    row.etag,
                    row.last_modified,
                    days if days is not None else self.config.refresh.retention_days,
                    bool(row.full_text),
                    row.user_agent,
                )
            )
        hook = self.config.hooks.on_new
        before = await asyncio.to_thread(self._db.last_article_id) if hook and jobs else None
        runner = self._rule_runner()
        refresher = Refresher(
            self._db, self.config, progress=progress, after_store=runner, fork_workers=fork_workers
        )
        outcomes = await refresher.run(jobs, skipped, prefetched)
        if runner is not None and runner.matched.notices:
            await asyncio.to_thread(_notify_rules, runner.matched)
        if before is not None and any(o.new for o in outcomes):
            await asyncio.to_thread(self._run_on_new, before)
        return outcomes

    def due_feeds(self, now: float | None = None) -> list[int]:
        """Feeds an automatic refresh should check now: not paused, their interval (their own,
        else the config's) gone by since their last check, and past any TTL or max-age."""
        now = time.time() if now is None else now
        default = self.config.refresh.refresh_interval_minutes
        due = []
        for row in self._db.check_times(default):
            interval = (row.refresh_minutes or default) * 60
            if row.last_checked is not None and row.last_checked + interval > now + 1:
                continue
            if row.next_check is not None and row.next_check > now:
                continue
            due.append(int(row.id))
        return due

    def _run_on_new(self, after_id: int) -> None:
        """`[hooks] on_new` with the articles stored since `after_id` (ids only grow)."""
        from newstui.library.hooks import article_record, run_hook

        records = (article_record(a) for a in self._db.articles_after(after_id))
        problem = run_hook(self.config.hooks.on_new, records)
        if problem is not None:
            log.warning("newstui: %s", problem)

    # ---- sync accounts ----------------------------------------------------------------------

    def sync(
        self,
        names: Sequence[str] | None = None,
        *,
        progress: Callable[[str, str], None] | None = None,
    ) -> list[SyncOutcome]:
        """Sync the configured accounts (blocking: network and SQLite; run it off the UI loop)."""
        from newstui.sync.run import sync_accounts

        return sync_accounts(self._db, self.config, names, progress=progress)

    def accounts(self) -> list[dict[str, Any]]:
        """Each configured account's last sync, as `feeds --json` and the reader show it."""
        from newstui.sync.run import account_states

        return account_states(self._db, self.config)

    def add_account_feed(self, account: str, url: str, category: str | None = None) -> Feed:
        """Subscribe an account to `url`: the server is told at the next sync."""
        from newstui.sync.run import add_account_feed

        return self._db.feed(add_account_feed(self._db, self.config, account, url, category))


def _notify_rules(matched: Matched) -> None:
    """One notification per `notify` rule that matched new articles."""
    from newstui.library.hooks import notify

    for name, titles in matched.notices.items():
        count = matched.counts.get(name, len(titles))
        more = count - len(titles)
        body = "; ".join(titles) + (f" and {more} more" if more > 0 else "")
        notify(f"newstui: {name} ({count} new)", body)
