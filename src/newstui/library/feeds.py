"""The Library's subscriptions: add (with discovery), find, edit, remove, the config's feeds,
OPML import, and how a source is stored and exported."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newstui.domain.errors import NotFoundError, ParseError, SourceError
from newstui.domain.models import Feed, FeedOutcome, FeedStatus
from newstui.domain.text import clean_line, is_feed_url
from newstui.library.refreshing import Refreshing
from newstui.sources.paths import local_path

if TYPE_CHECKING:
    from newstui.refresh.workers import ParseResult
    from newstui.sources.fetch import FetchResult


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an OPML import did."""

    added: int
    existing: int
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AddResult:
    """A new subscription and what was found on the way."""

    feed: Feed
    outcome: FeedOutcome | None
    candidates: tuple[tuple[str, str], ...] = ()
    """Feed links the page advertised, when the URL given was an HTML page."""


class Feeds(Refreshing):
    """Subscriptions: adding one refreshes it at once."""

    def sync_config_feeds(self) -> None:
        """Feeds declared in the config become subscriptions (exact URL match, never duplicated)."""
        for fc in self.config.feeds:
            url = store_form(fc.url)
            found = self._db.feed_by_url(url)
            if found is None:
                self._db.insert_feed(
                    url,
                    title=fc.title,
                    tags=fc.tags,
                    origin="config",
                    retention_days=fc.retention_days,
                    full_text=fc.full_text,
                )
            elif fc.tags or fc.title:
                feed = self._db.feed(found[0])
                tags = tuple(dict.fromkeys((*feed.tags, *fc.tags)))
                if tags != feed.tags or (fc.title and fc.title != feed.title):
                    self._db.edit_feed(
                        feed.id, title=fc.title or feed.title, tags=tags, full_text=None
                    )

    def find_feed(self, ref: str) -> Feed:
        """A feed by id or by exact URL (or path)."""
        ref = ref.strip()
        if ref.isdigit():
            return self._db.feed(int(ref))
        for candidate in (ref, store_form(ref)):
            found = self._db.feed_by_url(candidate)
            if found is not None:
                return self._db.feed(found[0])
        raise NotFoundError(
            f"no feed {clean_line(ref)!r} (give its id or URL; see `newstui feeds`)"
        )

    def subscribe(self, source: str, *, title: str | None = None, tags: Sequence[str] = ()) -> Feed:
        """Subscribe to `source` (a URL or a local path) without checking it: the next refresh
        reads it, as after an OPML import. Nothing is fetched here."""
        clean_tags = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
        return self._db.feed(self._db.insert_feed(store_form(source), title=title, tags=clean_tags))

    def tags(self) -> list[str]:
        return self._db.tags()

    async def add_feed(
        self, url_or_path: str, *, title: str | None = None, tags: Sequence[str] = ()
    ) -> AddResult:
        """Subscribe to a feed, a local file or folder, or the feed an HTML page advertises."""
        tags = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
        arg = url_or_path.strip()
        path = local_path(arg)
        if path is not None:
            _check_local(path)
            url = store_form(arg)
            feed_id = self._db.insert_feed(url, title=title, tags=tags)
            outcomes = await self.refresh([feed_id])
            return AddResult(self._db.feed(feed_id), outcomes[0] if outcomes else None)
        if not is_feed_url(arg):
            raise SourceError(
                f"{clean_line(arg)!r} is neither an http(s) URL nor a readable file or folder"
            )
        url, candidates, fetched = await self._discover(arg)
        existing = self._db.feed_by_url(url)
        feed_id = self._db.insert_feed(url, title=title, tags=tags)
        outcome = None
        if existing is None or self._db.feed(feed_id).status == FeedStatus.NEVER:
            # The document fetched and parsed to discover the feed is the one stored.
            prefetched = {feed_id: fetched} if fetched is not None else None
            outcomes = await self.refresh([feed_id], prefetched=prefetched)
            outcome = outcomes[0] if outcomes else None
        return AddResult(self._db.feed(feed_id), outcome, tuple(candidates))

    async def _discover(
        self, url: str
    ) -> tuple[str, list[tuple[str, str]], tuple[FetchResult, ParseResult] | None]:
        """The feed URL to subscribe to: `url` itself, or the first feed an HTML page links to.

        When `url` is a feed, also its fetch and parse, for the refresh to store as they are.
        """
        from newstui.refresh.workers import Failed, parse_body
        from newstui.sources.fetch import Fetcher

        async with Fetcher(self.config.refresh) as fetcher:
            result = await fetcher.fetch(url, decode=False)
        if result.status != "ok":
            raise SourceError(f"{clean_line(url)}: {result.error or result.status}")
        parsed = await asyncio.to_thread(
            parse_body,
            result.body,
            result.encoding,
            self.config.refresh.max_bytes,
            result.final_url or url,
            dict(result.headers),
            self.config.limits,
        )
        if isinstance(parsed, Failed):
            if parsed.status != "notafeed":
                raise ParseError(parsed.message)
            if not parsed.candidates:
                raise SourceError(f"{clean_line(url)}: {parsed.message} (and it links to no feed)")
            return parsed.candidates[0][0], list(parsed.candidates), None
        return url, [], (replace(result, body=b""), parsed)

    def remove_feed(self, feed_id: int) -> None:
        self._db.remove_feed(feed_id)

    def edit_feed(
        self,
        feed_id: int,
        *,
        title: str | None,
        tags: Sequence[str],
        full_text: bool | None = None,
    ) -> Feed:
        clean_tags = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
        self._db.edit_feed(
            feed_id, title=(title or "").strip() or None, tags=clean_tags, full_text=full_text
        )
        return self._db.feed(feed_id)

    def set_feed_settings(self, feed_id: int, values: dict[str, Any]) -> Feed:
        """Change a feed's settings; `values` as `feed_settings.parse_assignments` makes them."""
        if feed_id < 0:
            raise NotFoundError("the welcome pages have no settings")
        self._db.set_feed_settings(feed_id, values)
        return self._db.feed(feed_id)

    def import_opml(self, path: Path) -> ImportReport:
        from newstui.sources.local import read_file
        from newstui.sources.opml import parse_opml

        data = read_file(path, self.config.limits.max_opml_bytes)
        result = parse_opml(data, source=str(path))
        added = existing = 0
        for entry in result.feeds:
            url = store_form(entry.url)
            if self._db.feed_by_url(url) is not None:
                existing += 1
                feed = self.find_feed(url)
                tags = tuple(dict.fromkeys((*feed.tags, *entry.tags)))
                if tags != feed.tags:
                    self._db.edit_feed(feed.id, title=feed.title, tags=tags, full_text=None)
                continue
            self._db.insert_feed(url, title=entry.title or None, tags=entry.tags)
            added += 1
        return ImportReport(added, existing, tuple(result.warnings))


def store_form(arg: str) -> str:
    """How a source is stored: URLs as given; local paths (also as file:// URLs) made absolute,
    so a path and its file:// URL are one subscription (cwd may change)."""
    if arg[:7].lower() == "file://":
        path = local_path(arg)
        return os.path.abspath(path) if path is not None else arg
    if "://" in arg:
        return arg
    return os.path.abspath(os.path.expanduser(arg))


def export_url(url: str) -> str:
    """A source as OPML's xmlUrl: a URL, local paths too (file:///...), as other readers expect."""
    path = local_path(url)
    return Path(os.path.abspath(path)).as_uri() if path is not None else url


def _check_local(path: Path) -> None:
    # sources.local brings bs4, markdownify and nh3 (~100 ms): imported when a file is met,
    # not on the reader's way to its first paint.
    from newstui.sources.local import check_readable, display_path

    check_readable(path)
    try:
        os.path.abspath(path).encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the name: the database stores UTF-8 text
        raise SourceError(
            f"{display_path(path)}: the path is not valid UTF-8; rename it to subscribe"
        ) from None
