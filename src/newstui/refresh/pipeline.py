"""The refresh pipeline: fetch -> parse -> decide -> store, concurrently, with progress events."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, TypeVarTuple

from newstui.config import Config
from newstui.domain.errors import NewstuiError, SourceError, StorageError, StorageFailure
from newstui.domain.models import FeedOutcome, FeedStatus, ParsedFeed, RefreshProgress
from newstui.domain.text import clean_line
from newstui.domain.update import StoredEntry, to_timestamp
from newstui.refresh.pool import ParsePool, fewer_malloc_arenas
from newstui.refresh.tasks import BoundedTasks
from newstui.refresh.workers import (
    ArticleRead,
    Extracted,
    Failed,
    Parsed,
    ParseResult,
    extract_page,
    parse_body,
    read_local_article,
    read_local_file,
)
from newstui.sources.paths import local_path
from newstui.storage.db import Database
from newstui.storage.writer import MAX_BATCH, AfterStore, FeedUpdate, UpdateWriter

if TYPE_CHECKING:
    from newstui.sources.local import ArticleFiles
    from newstui.sources.responses import FetchResult, HttpFetcher

_R = TypeVar("_R")
_Args = TypeVarTuple("_Args")

log = logging.getLogger(__name__)

ProgressCallback = Callable[[RefreshProgress], None]


FULL_TEXT_PER_REFRESH = 10
DOCUMENTS_PER_CONNECTION = 1
"""Documents a refresh holds at once (fetching, waiting for a parse worker, or parsing), per
connection it may open (`concurrency`). Where parsing is the slower stage (a cold refresh on
a few cores) the rest wait, compressed, for the workers: 500 feeds with one worker held 128
of them (~4 MB of the command's peak) at 4 per connection, 64 at 2; 1 keeps a worker fed as
well (~1 MB less at the peak, the same CPU: benchmarks/RESULTS.md, issue 17 row 3)."""
UNSTORED = 2 * MAX_BATCH
"""Documents parsing, or parsed and not yet stored, at most: where the writer is the slower
stage, parsed feeds (~120 KB each for 30 articles) waited for it without bound: a cold refresh
of 500 feeds peaked at 63-66 MB, 56-57 MB with this, at the same CPU; two batches feed it."""
MAX_TTL_SECONDS = 24 * 3600
"""A feed's <ttl> delays automatic refreshes by a day at most (as Cache-Control's max-age)."""


@dataclass(frozen=True, slots=True)
class FeedJob:
    """What a refresh needs to know about one feed."""

    feed_id: int
    url: str
    etag: str | None
    last_modified: str | None
    retention_days: int
    full_text: bool = False
    user_agent: str | None = None
    """The feed's own User-Agent; None: the config's."""


class Refresher:
    """Runs one refresh over a set of feeds; one HTTP client and one parse pool for all of them."""

    def __init__(
        self,
        db: Database,
        config: Config,
        *,
        progress: ProgressCallback | None = None,
        after_store: AfterStore | None = None,
        fork_workers: bool = False,
    ) -> None:
        """`fork_workers`: this process may fork its parse workers (refresh.pool): say so only
        where nothing but the refresh runs (a command, a refresh child)."""
        self.db = db
        self.config = config
        self.progress = progress
        self.after_store = after_store
        """Run in each transaction that stored new articles (the rules)."""
        self._pool = ParsePool(config, fork=fork_workers)
        self._own_process = fork_workers
        self._unfinished = 0
        self._documents: asyncio.Semaphore | None = None
        self._unstored: asyncio.Semaphore | None = None
        self._writer: UpdateWriter | None = None
        self._done = 0
        self._total = 0
        self._prefetched: dict[int, tuple[FetchResult, ParseResult]] = {}

    async def run(
        self,
        jobs: Sequence[FeedJob],
        skipped: Sequence[FeedOutcome] = (),
        prefetched: Mapping[int, tuple[FetchResult, ParseResult]] | None = None,
    ) -> list[FeedOutcome]:
        """Refresh `jobs`. `prefetched` maps a feed id to a (FetchResult, parse_body result)
        obtained already: that feed's document is stored as it is, not fetched again."""
        self._prefetched = dict(prefetched or {})

        self._total = len(jobs) + len(skipped)
        outcomes: list[FeedOutcome] = list(skipped)
        for outcome in skipped:
            self._report(outcome)
        if not jobs:
            return outcomes
        remote = [j for j in jobs if local_path(j.url) is None]
        async with AsyncExitStack() as stack:
            # The pool (~0.2 s to start) starts with the first document to parse, while the
            # other requests are in flight; a refresh with nothing new to parse starts none.
            # Feeds without validators cannot answer "not modified": they will parse. Enough of
            # them fork the workers now, before the writer or any other thread of the refresh starts.
            if self._own_process:
                fewer_malloc_arenas()
            self._pool.start(len(remote), certain=sum(1 for j in remote if _no_validators(j)))
            stack.push_async_callback(self._pool.close)
            # Imported once the workers are forked: httpx & co. in a worker's copy of this
            # process would be pages it never uses (~1.7 MB of a forked worker's own memory).
            from newstui.sources.fetch import Fetcher

            self._writer = await asyncio.to_thread(
                lambda: UpdateWriter(self.db, after_store=self.after_store)
            )
            stack.push_async_callback(asyncio.to_thread, self._writer.close)
            fetcher = await stack.enter_async_context(Fetcher(self.config.refresh))
            self._unfinished = len(jobs)
            documents = max(1, DOCUMENTS_PER_CONNECTION * self.config.refresh.concurrency)
            self._documents = asyncio.Semaphore(documents)
            self._unstored = asyncio.Semaphore(UNSTORED)
            # As many feeds at once as these slots hold, and as many again waiting for the writer.
            at_once = documents + UNSTORED + 2 * MAX_BATCH
            tasks = BoundedTasks(lambda job: self._one(fetcher, job), jobs, at_once)
            try:
                async for outcome in tasks:
                    outcomes.append(outcome)
                    self._report(outcome)
            except StorageFailure as exc:
                # The disk is full or failing: every feed after this one would fail the same
                # way, so the refresh stops here. What was stored before is committed and kept.
                raise StorageFailure(
                    f"{exc}; the refresh stopped: {_stopped(outcomes[len(skipped) :], len(jobs))}"
                ) from None
            finally:
                await tasks.cancel()
        order = {j.feed_id: i for i, j in enumerate(jobs)}
        outcomes.sort(key=lambda o: order.get(o.feed_id, -1))
        return outcomes

    def _report(self, outcome: FeedOutcome) -> None:
        self._done += 1
        if self.progress is not None:
            self.progress(RefreshProgress(self._done, self._total, outcome))

    async def _one(self, fetcher: HttpFetcher, job: FeedJob) -> FeedOutcome:
        try:
            path = local_path(job.url)
            if path is not None:
                return await self._local(job, path)
            return await self._remote(fetcher, job)
        except StorageFailure:
            raise  # the refresh stops (see run)
        except StorageError as exc:
            return FeedOutcome(job.feed_id, job.url, FeedStatus.ERROR, error=clean_line(exc))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one feed's failure never stops the others
            log.exception("refreshing %s failed", job.url)
            message = clean_line(f"internal error: {type(exc).__name__}: {exc}")
            await self._store_error(job, message, None)
            return FeedOutcome(job.feed_id, job.url, FeedStatus.ERROR, error=message)
        finally:
            self._unfinished -= 1

    async def _store(self, update: FeedUpdate) -> tuple[int, int]:
        assert self._writer is not None
        # The last feed's update need not wait for others to share its commit.
        last = self._unfinished <= 1
        return await asyncio.wrap_future(self._writer.submit(update, last=last))

    async def _store_error(
        self,
        job: FeedJob,
        message: str,
        http_status: int | None,
        status: str = "error",
        retry_after: float | None = None,
    ) -> None:
        await self._store(
            FeedUpdate(
                job.feed_id,
                status=status,
                error=message,
                http_status=http_status,
                retry_after=retry_after,
            )
        )

    async def _store_parsed(
        self,
        job: FeedJob,
        parsed: ParsedFeed,
        stored: bytes | list[StoredEntry],
        *,
        http_status: int | None,
        etag: str | None,
        last_modified: str | None,
        next_check: float | None = None,
        new_url: str | None = None,
    ) -> FeedOutcome:
        warning = clean_line(parsed.warning) if parsed.warning else None
        new, updated = await self._store(
            FeedUpdate(
                job.feed_id,
                status="ok",
                error=warning,
                http_status=http_status,
                entries=stored,
                feed_title=parsed.title,
                site_url=parsed.site_url,
                etag=etag,
                last_modified=last_modified,
                next_check=next_check,
                new_url=new_url,
                retention_days=job.retention_days,
            )
        )
        return FeedOutcome(
            job.feed_id, new_url or job.url, FeedStatus.OK, http_status, new, updated, warning
        )

    async def _local(self, job: FeedJob, path: Path) -> FeedOutcome:
        from newstui.sources.local import local_validator

        try:
            validator = await asyncio.to_thread(local_validator, path)
        except NewstuiError as exc:
            message = clean_line(exc)
            await self._store_error(job, message, None)
            return FeedOutcome(job.feed_id, job.url, FeedStatus.ERROR, error=message)
        if validator == job.etag:
            await self._store(
                FeedUpdate(job.feed_id, status="not_modified", error=None, http_status=None)
            )
            return FeedOutcome(job.feed_id, job.url, FeedStatus.NOT_MODIFIED)
        from newstui.sources.local import list_articles

        try:
            listing = await asyncio.to_thread(list_articles, path, self.config.limits)
        except NewstuiError as exc:
            message = clean_line(exc)
            await self._store_error(job, message, None)
            return FeedOutcome(job.feed_id, job.url, FeedStatus.ERROR, error=message)
        if listing is not None:
            try:
                parsed, rows = await self._local_articles(job, listing)
            except SourceError as exc:
                message = clean_line(exc)
                await self._store_error(job, message, None)
                return FeedOutcome(job.feed_id, job.url, FeedStatus.ERROR, error=message)
            return await self._store_parsed(
                job, parsed, rows, http_status=None, etag=validator, last_modified=None
            )
        result = await asyncio.to_thread(read_local_file, str(path), self.config.limits)
        if isinstance(result, Failed):
            message = clean_line(result.message)
            await self._store_error(job, message, None)
            return FeedOutcome(job.feed_id, job.url, FeedStatus.ERROR, error=message)
        return await self._store_parsed(
            job, result.feed, result.entries, http_status=None, etag=validator, last_modified=None
        )

    async def _local_articles(
        self, job: FeedJob, listing: ArticleFiles
    ) -> tuple[ParsedFeed, list[StoredEntry]]:
        """A folder's (or one file's) articles read in the parse workers, each page's reader
        text extracted there; files that read as they did when stored are not extracted again."""
        from newstui.sources.local import article_key, folder_warning

        limits = self.config.limits
        stored = await asyncio.to_thread(self.db.stored_files, job.feed_id)
        known = {s.key: s.digest for s in stored}
        # A file whose time is the one stored is not read again (one page edited in a folder of
        # 200: 0.1 s instead of starting the workers for all of them). An article stored by an
        # older newstui (no reader text, plain text not yet cleaned) is read again once.
        times = {s.key: s.updated for s in stored if s.extracted and s.updated is not None}
        unchanged: list[str] = []
        pending: list[str] = []
        for file, modified in zip(listing.files, listing.modified, strict=True):
            key = article_key(file)
            when = times.get(key)
            (unchanged if when is not None and abs(when - modified) < 1e-3 else pending).append(
                file
            )
        pool = await self._pool.for_documents(len(pending))
        # Few documents in flight at once: a file's time limit counts its work, not its queue.
        slots = asyncio.Semaphore(2 * (os.cpu_count() or 1) if pool is not None else 2)

        async def one(file: str) -> tuple[str, ArticleRead | Failed]:
            async with slots:
                key = article_key(file)
                result = await self._pool.run(
                    read_local_article, file, limits, known.get(key), pool=pool
                )
                return key, result

        rows: list[StoredEntry] = [_unchanged(k, known[k]) for k in map(article_key, unchanged)]
        problems: list[str] = []
        for key, result in await asyncio.gather(*(one(f) for f in pending)):
            if isinstance(result, Failed):
                problems.append(clean_line(result.message))
            elif result.entry is None:
                # Unchanged: the stored row stays; its key is listed so retention keeps it.
                rows.append(_unchanged(key, known[key]))
            else:
                rows.append(result.entry)
        warning = folder_warning(problems, listing.left_out, limits.max_folder_files)
        title = listing.title
        if listing.single:
            if problems:
                raise SourceError(problems[0])
            title = (rows[0].site if rows else None) or clean_line(Path(listing.files[0]).name)
        return ParsedFeed(title, None, (), warning=warning), rows

    async def _remote(self, fetcher: HttpFetcher, job: FeedJob) -> FeedOutcome:
        async with AsyncExitStack() as unstored:  # holds an UNSTORED slot from its parse on
            return await self._remote_steps(fetcher, job, unstored)

    async def _remote_steps(
        self, fetcher: HttpFetcher, job: FeedJob, unstored: AsyncExitStack
    ) -> FeedOutcome:
        from newstui.sources.responses import Validators

        # A slot covers the fetch and the parse: fetched documents do not pile up in memory
        # ahead of the parse workers (DOCUMENTS_PER_CONNECTION), nor parsed ones ahead of the
        # writer (UNSTORED: taken before the parse, given back once the feed is stored).
        assert self._documents is not None and self._unstored is not None
        parsed: ParseResult | None = None
        prefetched = self._prefetched.pop(job.feed_id, None)
        if prefetched is not None:  # fetched and parsed already (`add` discovering the feed)
            result, parsed = prefetched
        else:
            async with self._documents:
                validators = Validators(job.etag, job.last_modified)
                result = await fetcher.fetch(
                    job.url, validators, decode=False, user_agent=job.user_agent
                )
                if result.status == "ok":
                    await unstored.enter_async_context(self._unstored)
                    parsed = await self._pool.run(
                        parse_body,
                        result.body,
                        result.encoding,
                        self.config.refresh.max_bytes,
                        result.final_url or job.url,
                        dict(result.headers),
                        self.config.limits,
                    )
                    result = replace(result, body=b"")
        next_check = time.time() + result.max_age if result.max_age else None
        if isinstance(parsed, Parsed) and parsed.feed.ttl_minutes:
            # The feed's <ttl> says how long it stays fresh; the longer of it and max-age wins.
            ttl = min(parsed.feed.ttl_minutes * 60, MAX_TTL_SECONDS)
            next_check = max(next_check or 0.0, time.time() + ttl)
        if result.status == "not_modified":
            await self._store(
                FeedUpdate(
                    job.feed_id,
                    status="not_modified",
                    error=None,
                    http_status=result.http_status,
                    next_check=next_check,
                    new_url=result.permanent_url,
                )
            )
            return FeedOutcome(
                job.feed_id,
                result.permanent_url or job.url,
                FeedStatus.NOT_MODIFIED,
                result.http_status,
            )
        if result.status == "gone":
            message = result.error or "HTTP 410 Gone: the feed was removed by its site"
            await self._store_error(job, message, result.http_status, status="gone")
            return FeedOutcome(
                job.feed_id, job.url, FeedStatus.GONE, result.http_status, error=message
            )
        if result.status != "ok":
            message = clean_line(result.error or "fetch failed")
            await self._store_error(
                job, message, result.http_status, retry_after=to_timestamp(result.retry_after)
            )
            return FeedOutcome(
                job.feed_id, job.url, FeedStatus.ERROR, result.http_status, error=message
            )
        assert parsed is not None
        if isinstance(parsed, Failed):
            message = clean_line(parsed.message)
            if parsed.status == "notafeed" and parsed.candidates:
                links = ", ".join(url for url, _title in parsed.candidates[:3])
                message = clean_line(f"{message}; the page links to feeds: {links}")
            await self._store_error(job, message, result.http_status)
            return FeedOutcome(
                job.feed_id, job.url, FeedStatus.ERROR, result.http_status, error=message
            )
        outcome = await self._store_parsed(
            job,
            parsed.feed,
            parsed.entries,
            http_status=result.http_status,
            etag=result.validators.etag,
            last_modified=result.validators.last_modified,
            next_check=next_check,
            new_url=result.permanent_url,
        )
        await unstored.aclose()  # stored: its slot is free before any web page is fetched
        if job.full_text and outcome.new:
            await self._full_texts(fetcher, job)
        return outcome

    async def _full_texts(self, fetcher: HttpFetcher, job: FeedJob) -> None:
        """Fetch and extract the web pages of a full-text feed's newest articles."""
        rows = await asyncio.to_thread(
            self.db.without_full_text, job.feed_id, FULL_TEXT_PER_REFRESH
        )
        for article_id, url in rows:
            page = await fetcher.get_page(url, user_agent=job.user_agent)
            if page.status != "ok":
                continue
            result = await self._pool.run(extract_page, page.body, page.final_url or url)
            if isinstance(result, Extracted):
                await asyncio.to_thread(self.db.set_full_text, article_id, result.markdown)


def _no_validators(job: FeedJob) -> bool:
    return job.etag is None and job.last_modified is None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _stopped(done: Sequence[FeedOutcome], total: int) -> str:
    """What a refresh that stopped early did: the feeds stored, those the server or the file
    said had not changed, those that failed, and the rest (the one whose store failed among
    them), which keep what they had. A feed that was unchanged is not one that was stored."""
    stored = sum(1 for o in done if o.status == FeedStatus.OK)
    unchanged = sum(1 for o in done if o.status == FeedStatus.NOT_MODIFIED)
    failed = len(done) - stored - unchanged
    parts = [f"{stored} of {_count(total, 'feed')} stored"]
    if unchanged:
        parts.append(f"{unchanged} unchanged")
    if failed:
        parts.append(f"{failed} failed")
    parts.append(f"{total - len(done)} not refreshed")
    return ", ".join(parts)


def _unchanged(key: str, digest: str) -> StoredEntry:
    """A row that the writer recognises as stored already (same key and digest) and skips."""
    return StoredEntry(key, "", None, None, None, None, None, "", "text", digest)


def skipped_outcome(
    feed_id: int, url: str, status: str, error: str | None, retry_after: float | None
) -> FeedOutcome | None:
    """Feeds an explicit refresh leaves alone: gone ones, and those waiting out a Retry-After."""
    if status == FeedStatus.GONE:
        return FeedOutcome(
            feed_id, url, FeedStatus.GONE, error=error or "the feed is gone (HTTP 410)"
        )
    if retry_after is not None and retry_after > time.time():
        when = datetime.fromtimestamp(retry_after, UTC).strftime("%Y-%m-%d %H:%M UTC")
        return FeedOutcome(
            feed_id, url, FeedStatus.ERROR, error=f"skipped: the server asked to wait until {when}"
        )
    return None
