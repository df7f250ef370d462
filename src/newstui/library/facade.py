"""The facade: the one API that the CLI and the TUI use (feeds, articles, refresh, import/export)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newstui.config import Config
from newstui.domain.errors import NotFoundError, ParseError, SourceError
from newstui.domain.models import (
    Article,
    ContentType,
    Feed,
    FeedOutcome,
    FeedStatus,
    Headline,
    ParsedFeed,
    RefreshProgress,
    SavedView,
    View,
)
from newstui.domain.text import clean_line, is_feed_url
from newstui.library.feed_settings import (
    SettingError,
    minutes_text,
    parse_fields,
)
from newstui.query import (
    Query,
    QueryError,
    combine,
    compile_query,
    feed_only,
    highlights,
    parse,
    spans,
)
from newstui.refresh.pipeline import FeedJob, Refresher, local_path, skipped_outcome
from newstui.sources.local import check_readable, display_path, read_file
from newstui.storage.db import Database

if TYPE_CHECKING:
    from newstui.library.rules import Matched, Rule, RuleRunner
    from newstui.sources.content import Rendered
    from newstui.sync.engine import SyncOutcome

log = logging.getLogger(__name__)

WELCOME_FEED_ID = -1


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


class Library:
    """Subscriptions and articles in one SQLite file. Thread-safe (calls are serialised)."""

    def __init__(self, db: Database, config: Config) -> None:
        self.db = db
        self.config = config
        db.dedupe = config.display.dedupe
        self._rules: tuple[Rule, ...] | None = None
        self.welcome = False
        self._welcome_cache: tuple[Feed, list[Article]] | None = None

    @classmethod
    def open(cls, config: Config, db_path: Path | str) -> Library:
        library = cls(Database(db_path), config)
        try:
            if config.rules:
                library.rules()  # a bad rule is said at once, not at the first refresh
            library.sync_config_feeds()
        except BaseException:
            library.close()
            raise
        return library

    def close(self) -> None:
        self.db.close()

    # ---- settings -----------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        return self.db.get_setting(key)

    def set_setting(self, key: str, value: str) -> None:
        self.db.set_setting(key, value)

    # ---- feeds --------------------------------------------------------------------------

    def sync_config_feeds(self) -> None:
        """Feeds declared in the config become subscriptions (exact URL match, never duplicated)."""
        for fc in self.config.feeds:
            url = _store_form(fc.url)
            found = self.db.feed_by_url(url)
            if found is None:
                self.db.insert_feed(
                    url,
                    title=fc.title,
                    tags=fc.tags,
                    origin="config",
                    retention_days=fc.retention_days,
                    full_text=fc.full_text,
                )
            elif fc.tags or fc.title:
                feed = self.db.feed(found[0])
                tags = tuple(dict.fromkeys((*feed.tags, *fc.tags)))
                if tags != feed.tags or (fc.title and fc.title != feed.title):
                    self.db.edit_feed(
                        feed.id, title=fc.title or feed.title, tags=tags, full_text=None
                    )

    def _show_welcome(self) -> bool:
        return self.welcome and not self.db.has_feeds()

    def feeds(self) -> list[Feed]:
        feeds = self.db.feeds()
        if not feeds and self.welcome:
            return [self._welcome()[0]]
        return feeds

    def feed(self, feed_id: int) -> Feed:
        if feed_id == WELCOME_FEED_ID and self.welcome:
            return self._welcome()[0]
        return self.db.feed(feed_id)

    def find_feed(self, ref: str) -> Feed:
        """A feed by id or by exact URL (or path)."""
        ref = ref.strip()
        if ref.isdigit():
            return self.db.feed(int(ref))
        for candidate in (ref, _store_form(ref)):
            found = self.db.feed_by_url(candidate)
            if found is not None:
                return self.db.feed(found[0])
        raise NotFoundError(
            f"no feed {clean_line(ref)!r} (give its id or URL; see `newstui feeds`)"
        )

    def tags(self) -> list[str]:
        return self.db.tags()

    async def add_feed(
        self, url_or_path: str, *, title: str | None = None, tags: Sequence[str] = ()
    ) -> AddResult:
        """Subscribe to a feed, a local file or folder, or the feed an HTML page advertises."""
        tags = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
        arg = url_or_path.strip()
        path = local_path(arg)
        if path is not None:
            _check_local(path)
            url = _store_form(arg)
            feed_id = self.db.insert_feed(url, title=title, tags=tags)
            outcomes = await self.refresh([feed_id])
            return AddResult(self.db.feed(feed_id), outcomes[0] if outcomes else None)
        if not is_feed_url(arg):
            raise SourceError(
                f"{clean_line(arg)!r} is neither an http(s) URL nor a readable file or folder"
            )
        url, candidates, fetched = await self._discover(arg)
        existing = self.db.feed_by_url(url)
        feed_id = self.db.insert_feed(url, title=title, tags=tags)
        outcome = None
        if existing is None or self.db.feed(feed_id).status == FeedStatus.NEVER:
            # The document fetched and parsed to discover the feed is the one stored.
            prefetched = {feed_id: fetched} if fetched is not None else None
            outcomes = await self.refresh([feed_id], prefetched=prefetched)
            outcome = outcomes[0] if outcomes else None
        return AddResult(self.db.feed(feed_id), outcome, tuple(candidates))

    async def _discover(self, url: str) -> tuple[str, list[tuple[str, str]], Any]:
        """The feed URL to subscribe to: `url` itself, or the first feed an HTML page links to.

        When `url` is a feed, also its fetch and parse, for the refresh to store as they are.
        """
        from newstui.refresh.workers import parse_body
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
        if parsed[0] == "notafeed":
            if not parsed[2]:
                raise SourceError(f"{clean_line(url)}: {parsed[1]} (and it links to no feed)")
            return parsed[2][0][0], list(parsed[2]), None
        if parsed[0] != "ok":
            raise ParseError(parsed[1])
        return url, [], (replace(result, body=b""), parsed)

    def remove_feed(self, feed_id: int) -> None:
        self.db.remove_feed(feed_id)

    def edit_feed(
        self,
        feed_id: int,
        *,
        title: str | None,
        tags: Sequence[str],
        full_text: bool | None = None,
    ) -> Feed:
        clean_tags = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
        self.db.edit_feed(
            feed_id, title=(title or "").strip() or None, tags=clean_tags, full_text=full_text
        )
        return self.db.feed(feed_id)

    def set_feed_settings(self, feed_id: int, values: dict[str, Any]) -> Feed:
        """Change a feed's settings; `values` as `feed_settings.parse_assignments` makes them."""
        if feed_id < 0:
            raise NotFoundError("the welcome pages have no settings")
        self.db.set_feed_settings(feed_id, values)
        return self.db.feed(feed_id)

    def due_feeds(self, now: float | None = None) -> list[int]:
        """Feeds an automatic refresh should check now: not paused, their interval (their own,
        else the config's) gone by since their last check, and past any TTL or max-age."""
        now = time.time() if now is None else now
        default = self.config.refresh.refresh_interval_minutes
        rows = self.db.query(
            "SELECT id, last_checked, refresh_minutes, next_check FROM feeds "
            "WHERE removed = 0 AND paused = 0 AND (refresh_minutes IS NOT NULL OR ? > 0)",
            (default,),
        )
        due = []
        for feed_id, last_checked, minutes, next_check in rows:
            interval = (minutes or default) * 60
            if last_checked is not None and last_checked + interval > now + 1:
                continue
            if next_check is not None and next_check > now:
                continue
            due.append(int(feed_id))
        return due

    # ---- articles -----------------------------------------------------------------------

    def _welcome_view(self, view: View) -> bool:
        return self.welcome and (
            view.feed_id == WELCOME_FEED_ID
            or (view.kind in ("all", "unread") and self._show_welcome())
        )

    def count(self, view: View) -> int:
        if self._welcome_view(view):
            return len(self._welcome_headlines(view))
        return self.db.count(view)

    def headlines(self, view: View, offset: int = 0, limit: int = 100) -> list[Headline]:
        if self._welcome_view(view):
            return self._welcome_headlines(view)[offset : offset + limit]
        return self.db.headlines(view, offset, limit)

    def position(self, view: View, article_id: int) -> int | None:
        if self._welcome_view(view):
            ids = [h.id for h in self._welcome_headlines(view)]
            return ids.index(article_id) if article_id in ids else None
        return self.db.position(view, article_id)

    def article(self, article_id: int) -> Article:
        if article_id < 0 and self.welcome:
            for article in self._welcome()[1]:
                if article.id == article_id:
                    return article
        return self.db.article(article_id)

    def articles(
        self,
        view: View,
        limit: int | None = None,
        *,
        unread: bool = False,
        bookmarked: bool = False,
        feed_id: int | None = None,
    ) -> list[Article]:
        """A view's articles, only unread / bookmarked / one feed's if asked, at most `limit`."""
        return self.db.articles(view, limit, unread=unread, bookmarked=bookmarked, feed_id=feed_id)

    def set_read(self, article_ids: Sequence[int], read: bool = True) -> int:
        self._welcome_flags(article_ids, read=read)
        return self.db.set_flag("read", [i for i in article_ids if i >= 0], read)

    def set_bookmarked(self, article_ids: Sequence[int], bookmarked: bool = True) -> int:
        self._welcome_flags(article_ids, bookmarked=bookmarked)
        return self.db.set_flag("bookmarked", [i for i in article_ids if i >= 0], bookmarked)

    def set_hidden(self, article_ids: Sequence[int] | None, hidden: bool = True) -> int:
        """Hide articles from every view but `is:hidden` (never deleted), or show them again;
        `None` with `hidden=False` shows every hidden article again."""
        if article_ids is None:
            if hidden:
                raise ValueError("hide which articles?")
            return self.db.unhide_all()
        return self.db.set_flag("hidden", [i for i in article_ids if i >= 0], hidden)

    # ---- rules --------------------------------------------------------------------------

    def rule_matches(self, query: str, limit: int | None = None) -> list[Article]:
        """The articles a rule with this query would match now (QueryError when malformed)."""
        from newstui.query import compile_query, parse

        ids = self.db.query_ids(compile_query(parse(query)))
        return [self.db.article(i) for i in (ids if limit is None else ids[:limit])]

    def apply_rules(self, *, dry_run: bool = False) -> list[tuple[str, int, int]]:
        """Every rule over the whole library: (name, articles matched, rows changed) each.

        `notify` raises no notification here; a dry run changes nothing."""
        from newstui.library.rules import apply_actions

        report: list[tuple[str, int, int]] = []
        try:
            with self.db.tx() as conn:
                for rule in self.rules():
                    ids = self.db.query_ids(rule.compiled())
                    changed = apply_actions(conn, rule, ids) if ids else 0
                    report.append((rule.name, len(ids), changed))
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return report

    def check_articles(self, article_ids: Sequence[int]) -> None:
        """Raise NotFoundError naming the first id that is not in the library."""
        found = set(self.db.existing_articles(article_ids))
        for article_id in article_ids:
            if article_id not in found:
                raise NotFoundError(f"no article with id {article_id}")

    def mark_view_read(self, view: View) -> int:
        if self._welcome_view(view):
            ids = [h.id for h in self._welcome_headlines(view)]
            self._welcome_flags(ids, read=True)
            return len(ids)
        return self.db.mark_view_read(view)

    def mark_view_read_ids(self, view: View) -> list[int]:
        """Mark the view read; the ids of the articles that were unread (to undo it)."""
        if self._welcome_view(view):
            ids = [h.id for h in self._welcome_headlines(view) if not h.read]
            self._welcome_flags(ids, read=True)
            return ids
        return self.db.mark_view_read_ids(view)

    def unread_count(self, view: View) -> int:
        """How many of the view's articles are unread."""
        if self._welcome_view(view):
            return sum(1 for h in self._welcome_headlines(view) if not h.read)
        return self.db.unread_count(view)

    def unread_total(self) -> int:
        if self._show_welcome():
            return sum(1 for a in self._welcome()[1] if not a.read)
        return self.db.unread_total()

    def bookmark_count(self) -> int:
        return self.db.bookmark_count()

    def next_unread(
        self,
        view: View,
        after: int | None,
        *,
        backwards: bool = False,
        order: Sequence[int] | None = None,
    ) -> int | None:
        """The next unread article after `after` in the view's order, wrapping around; like newsboat.

        A feed view continues into the following feeds when it has no unread article left after
        `after`: in `order` (the feeds' ids as the feeds pane shows them), else by name.
        """
        if self._welcome_view(view):
            ids = [h.id for h in self._welcome_headlines(view) if not h.read or h.id == after]
            return _next_in(
                ids,
                after,
                backwards,
                unread={h.id for h in self._welcome_headlines(view) if not h.read},
            )
        if view.kind != "feed":
            ids = self.db.view_ids(view)
            unread = set(self.db.view_ids(View("unread"))) if view.kind != "unread" else set(ids)
            return _next_in(ids, after, backwards, unread=unread)
        # Across feeds: this feed's unread after `after`, then the following feeds', wrapping.
        order = list(dict.fromkeys(order)) if order is not None else [f.id for f in self.db.feeds()]
        if view.feed_id not in order:
            order.insert(0, view.feed_id or 0)
        start = order.index(view.feed_id or 0)
        sequence = order[start:] + order[:start]
        if backwards:
            sequence = [sequence[0], *reversed(sequence[1:])]
        first_ids = self.db.view_ids(View("feed", feed_id=sequence[0]))
        unread_first = set(self.db.view_ids(View("unread"))) & set(first_ids)
        found = _next_in(first_ids, after, backwards, unread=unread_first, wrap=False)
        if found is not None:
            return found
        for feed_id in sequence[1:]:
            feed = self.db.feed(feed_id)
            if feed.unread == 0:
                continue
            ids = self.db.view_ids(View("feed", feed_id=feed_id))
            unread = set(self.db.view_ids(View("unread"))) & set(ids)
            picked = [i for i in ids if i in unread]
            if picked:
                return picked[-1] if backwards else picked[0]
        # Wrap to the start of the first feed.
        return _next_in(first_ids, None, backwards, unread=unread_first - {after}, wrap=False)

    # ---- queries and saved views ----------------------------------------------------------

    def query_ids(self, query: str | Query, within: Sequence[int] | None = None) -> list[int]:
        """The ids a query selects, in its order (QueryError when malformed); with `within`,
        which of those articles match."""
        parsed = parse(query) if isinstance(query, str) else query
        return self.db.query_ids(compile_query(parsed), within)

    def query_articles(
        self,
        query: str,
        *,
        feed: int | None = None,
        unread: bool = False,
        bookmarked: bool = False,
        search: str | None = None,
        limit: int | None = None,
    ) -> list[Article]:
        """`articles --query`: the query with the shorthands' terms added; `limit` comes last."""
        parts = [parse(query)]
        if search:
            parts.append(parse(search))
        if unread:
            parts.append(parse("is:unread"))
        if bookmarked:
            parts.append(parse("is:bookmarked"))
        if feed is not None:
            parts.append(Query(feed_only(feed)))
        ids = self.query_ids(combine(parts))
        if limit is not None:
            ids = ids[:limit]
        return [self.db.article(i) for i in ids]

    def unread_query_ids(self, query: str) -> list[int]:
        """The unread articles among what a query selects (what marking it read changes)."""
        return self.query_ids(parse("is:unread"), within=self.query_ids(query))

    def mark_query_read(self, query: str) -> int:
        """Mark what a query selects read; how many changed."""
        return self.db.set_flag("read", self.query_ids(query), True)

    def saved_views(self, *, counts: bool = True) -> list[SavedView]:
        """The config file's [views], then those added with `add_view`, with their counts."""
        views = [SavedView(n, q, origin="config") for n, q in self.config.views]
        taken = {v.name.casefold() for v in views}
        views += [SavedView(n, q) for n, q in self._stored_views() if n.casefold() not in taken]
        if not counts:
            return views
        return [
            replace(v, unread=u, total=t) for v in views for u, t in [self.view_counts(v.query)]
        ]

    def view_unread(self, query: str) -> int:
        """A saved view's unread count (0 when its query no longer parses)."""
        try:
            return self.db.query_count(compile_query(parse(query)), unread=True)
        except QueryError:
            return 0

    def view_counts(self, query: str) -> tuple[int, int]:
        """(unread, total) of a saved view's query; (0, 0) when it no longer parses."""
        try:
            compiled = compile_query(parse(query))
        except QueryError:
            return 0, 0
        return self.db.query_count(compiled, unread=True), self.db.query_count(compiled)

    def add_view(self, name: str, query: str) -> SavedView:
        """Save a query under a name (QueryError when it is malformed); replaces a view of
        that name added before, never one from the config file."""
        name = clean_line(name).strip()
        if not name:
            raise SourceError("a view needs a name")
        parse(query)
        if any(n.casefold() == name.casefold() for n, _q in self.config.views):
            raise SourceError(f"the view {name!r} is defined in the config file; change it there")
        stored = [(n, q) for n, q in self._stored_views() if n.casefold() != name.casefold()]
        stored.append((name, query))
        self.db.set_setting("views", json.dumps(stored, ensure_ascii=False))
        return SavedView(name, query)

    def remove_view(self, name: str) -> None:
        if any(n.casefold() == name.strip().casefold() for n, _q in self.config.views):
            raise SourceError(
                f"the view {clean_line(name)!r} is defined in the config file; remove it there"
            )
        stored = self._stored_views()
        kept = [(n, q) for n, q in stored if n.casefold() != name.strip().casefold()]
        if len(kept) == len(stored):
            raise NotFoundError(f"no saved view named {clean_line(name)!r} (see `newstui views`)")
        self.db.set_setting("views", json.dumps(kept, ensure_ascii=False))

    def _stored_views(self) -> list[tuple[str, str]]:
        raw = self.db.get_setting("views")
        if not raw:
            return []
        try:
            data = json.loads(raw)
        except ValueError:
            log.warning("the saved views in the database are unreadable; ignoring them")
            return []
        return [
            (str(item[0]), str(item[1]))
            for item in data
            if isinstance(item, list) and len(item) == 2
        ]

    # ---- refresh ------------------------------------------------------------------------

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        progress: Callable[[RefreshProgress], None] | None = None,
        background: bool = False,
        prefetched: Mapping[int, Any] | None = None,
    ) -> list[FeedOutcome]:
        """Refresh feeds (all by default); one feed's failure never stops the others.

        A failure of the disk does: it raises StorageFailure (what was stored before is kept).
        """
        rows = await asyncio.to_thread(self._refresh_rows, feed_ids)
        jobs: list[FeedJob] = []
        skipped: list[FeedOutcome] = []
        now = time.time()
        for (
            feed_id,
            url,
            status,
            error,
            retry_after,
            etag,
            last_modified,
            retention,
            next_check,
            full_text,
            paused,
            minutes,
            last_checked,
            user_agent,
        ) in rows:
            if paused and (background or feed_ids is None):
                continue  # a paused feed is checked only when it is asked for by name
            outcome = skipped_outcome(feed_id, url, status, error, retry_after)
            if outcome is not None:
                skipped.append(outcome)
                continue
            if background and next_check is not None and next_check > now:
                continue
            if background and minutes and last_checked and last_checked + minutes * 60 > now + 1:
                continue  # its own interval has not gone by
            days = retention if retention is not None else self.config.refresh.retention_days
            jobs.append(
                FeedJob(feed_id, url, etag, last_modified, days, bool(full_text), user_agent)
            )
        hook = self.config.hooks.on_new
        before = await asyncio.to_thread(self.db.last_article_id) if hook and jobs else None
        runner = self._rule_runner()
        refresher = Refresher(self.db, self.config, progress=progress, after_store=runner)
        outcomes = await refresher.run(jobs, skipped, prefetched)
        if runner is not None and runner.matched.notices:
            await asyncio.to_thread(_notify_rules, runner.matched)
        if before is not None and any(o.new for o in outcomes):
            await asyncio.to_thread(self._run_on_new, before)
        return outcomes

    def _rule_runner(self) -> RuleRunner | None:
        if not self.config.rules:
            return None
        from newstui.library.rules import RuleRunner

        return RuleRunner(self.rules())

    def rules(self) -> tuple[Rule, ...]:
        """The config's `[[rules]]`, their queries checked (ConfigError names a bad one)."""
        if self._rules is None:
            from newstui.library.rules import load_rules

            where = str(self.config.path) if self.config.path else "config"
            self._rules = load_rules(self.config.rules, where)
        return self._rules

    def _run_on_new(self, after_id: int) -> None:
        """`[hooks] on_new` with the articles stored since `after_id` (ids only grow)."""
        from newstui.library.hooks import article_record, run_hook

        records = (article_record(a) for a in self.db.articles_after(after_id))
        problem = run_hook(self.config.hooks.on_new, records)
        if problem is not None:
            log.warning("newstui: %s", problem)

    @property
    def can_refresh_in_child(self) -> bool:
        """Whether `refresh_in_child` can work: a child process can open the same file."""
        return self.db.path != ":memory:"

    async def refresh_in_child(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        progress: Callable[[RefreshProgress], None] | None = None,
        background: bool = False,
    ) -> list[FeedOutcome]:
        """`refresh`, run by a child process (see refresh.isolated); progress comes on this loop."""
        from newstui.refresh.isolated import refresh_in_child

        return await refresh_in_child(
            open_library,
            self.db.path,
            self.config,
            feed_ids,
            progress=progress,
            background=background,
        )

    def _refresh_rows(self, feed_ids: Sequence[int] | None) -> list[Any]:
        sql = (
            "SELECT id, url, status, error, retry_after, etag, last_modified, retention_days, "
            "next_check, full_text, paused, refresh_minutes, last_checked, user_agent "
            "FROM feeds WHERE removed = 0 AND account_id IS NULL"
        )  # an account's feeds come from its server (sync), never fetched here
        if feed_ids is None:
            return self.db.query(sql + " ORDER BY id")
        for feed_id in feed_ids:
            self.db.feed(feed_id)  # NotFoundError for a wrong id
        marks = ",".join("?" * len(feed_ids))
        rows = self.db.query(sql + f" AND id IN ({marks})", list(feed_ids))
        order = {f: i for i, f in enumerate(feed_ids)}
        return sorted(rows, key=lambda r: order[r[0]])

    # ---- sync accounts --------------------------------------------------------------------

    def sync(
        self,
        names: Sequence[str] | None = None,
        *,
        progress: Callable[[str, str], None] | None = None,
    ) -> list[SyncOutcome]:
        """Sync the configured accounts (blocking: network and SQLite; run it off the UI loop)."""
        from newstui.sync.run import sync_accounts

        return sync_accounts(self.db, self.config, names, progress=progress)

    def accounts(self) -> list[dict[str, Any]]:
        """Each configured account's last sync, as `feeds --json` and the reader show it."""
        from newstui.sync.run import account_states

        return account_states(self.db, self.config)

    def add_account_feed(self, account: str, url: str, category: str | None = None) -> Feed:
        """Subscribe an account to `url`: the server is told at the next sync."""
        from newstui.sync.run import add_account_feed

        return self.db.feed(add_account_feed(self.db, self.config, account, url, category))

    # ---- reading ------------------------------------------------------------------------

    def render(self, article: Article, *, full_text: bool = False) -> Rendered:
        """The article's body as safe Markdown with its links and images (CPU-bound: a thread).

        `full_text` picks the extracted web page when one has been fetched, else the feed's text.
        """
        from newstui.sources.content import render_body

        limits = self.config.limits
        if full_text and article.full_text:
            return render_body(
                article.full_text,
                ContentType.MARKDOWN,
                base_url=article.url,
                max_chars=limits.max_body_chars,
            )
        return render_body(
            article.content,
            article.content_type,
            base_url=article.url,
            max_chars=limits.max_body_chars,
            max_depth=limits.max_html_depth,
        )

    async def fetch_image(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """An image of an article, within the size limit; `SourceError` when it cannot be had."""
        from newstui.sources.fetch import Fetcher

        if not is_feed_url(url):
            raise SourceError(f"{clean_line(url)}: only http(s) images are loaded")
        limit = max_bytes or self.config.limits.max_image_bytes
        refresh = replace(self.config.refresh, max_bytes=min(limit, self.config.refresh.max_bytes))
        async with Fetcher(refresh) as fetcher:
            result = await fetcher.get_page(url)
        if result.status != "ok":
            raise SourceError(f"{clean_line(url)}: {result.error or result.status}")
        return result.body

    # ---- full text ----------------------------------------------------------------------

    async def fetch_full_text(self, article_id: int) -> str:
        """The article's web page, extracted to Markdown and cached in the database.

        For a local HTML file the page is the file itself (its reader text is normally made
        during the refresh; this makes it for an article stored before that).
        """
        from newstui.sources.extract import extract_article
        from newstui.sources.fetch import Fetcher

        article = await asyncio.to_thread(self.article, article_id)
        if article.full_text:
            return article.full_text
        path = local_file(article)
        if path is not None and article.content_type == ContentType.HTML:
            data = await asyncio.to_thread(read_file, path, self.config.limits.max_file_bytes)
            extracted = await asyncio.to_thread(extract_article, data)
            if article_id >= 0:
                await asyncio.to_thread(self.db.set_full_text, article_id, extracted.markdown)
            return extracted.markdown
        if not article.url or not is_feed_url(article.url):
            raise SourceError("this article has no web page to fetch")
        async with Fetcher(self.config.refresh) as fetcher:
            result = await fetcher.get_page(article.url)
        if result.status != "ok":
            raise SourceError(f"{clean_line(article.url)}: {result.error or result.status}")
        extracted = await asyncio.to_thread(
            extract_article, result.body, url=result.final_url or article.url
        )
        if article_id >= 0:
            await asyncio.to_thread(self.db.set_full_text, article_id, extracted.markdown)
        return extracted.markdown

    # ---- import / export ----------------------------------------------------------------

    def import_opml(self, path: Path) -> ImportReport:
        from newstui.sources.opml import parse_opml

        data = read_file(path, self.config.limits.max_opml_bytes)
        result = parse_opml(data, source=str(path))
        added = existing = 0
        for entry in result.feeds:
            url = _store_form(entry.url)
            if self.db.feed_by_url(url) is not None:
                existing += 1
                feed = self.find_feed(url)
                tags = tuple(dict.fromkeys((*feed.tags, *entry.tags)))
                if tags != feed.tags:
                    self.db.edit_feed(feed.id, title=feed.title, tags=tags, full_text=None)
                continue
            self.db.insert_feed(url, title=entry.title or None, tags=entry.tags)
            added += 1
        return ImportReport(added, existing, tuple(result.warnings))

    # ---- previews and the welcome source ------------------------------------------------

    def _welcome(self) -> tuple[Feed, list[Article]]:
        if self._welcome_cache is None:
            from newstui.sources.local import read_local

            folder = resources.files("newstui") / "welcome"
            with resources.as_file(folder) as path:
                parsed = read_local(Path(path), limits=self.config.limits)
            self._welcome_cache = _welcome_from(parsed)
        return self._welcome_cache

    def _welcome_headlines(self, view: View) -> list[Headline]:
        _feed, articles = self._welcome()
        return [
            Headline(
                a.id, a.feed_id, a.feed_title, a.title, a.url, a.published, a.read, a.bookmarked
            )
            for a in articles
            if not ((view.kind == "unread" or view.unread_only) and a.read)
        ]

    def _welcome_flags(
        self,
        article_ids: Sequence[int],
        *,
        read: bool | None = None,
        bookmarked: bool | None = None,
    ) -> None:
        if not any(i < 0 for i in article_ids) or self._welcome_cache is None:
            return
        from dataclasses import replace

        feed, articles = self._welcome_cache
        updated = [
            replace(
                a,
                read=a.read if read is None else read,
                bookmarked=a.bookmarked if bookmarked is None else bookmarked,
            )
            if a.id in article_ids
            else a
            for a in articles
        ]
        unread = sum(1 for a in updated if not a.read)
        self._welcome_cache = (replace(feed, unread=unread), updated)


def open_library(db_path: str, config: Config) -> Library:
    """The Library on the file at `db_path` (how a refresh child opens it)."""
    return Library(Database(db_path), config)


def local_file(article: Article | Headline) -> Path | None:
    """The file a local article was read from, or None for an article from the web."""
    if not article.url or not article.url.startswith("file:"):
        return None
    from newstui.sources.local import parse_source_path

    return parse_source_path(article.url)


def reads_as_page(article: Article) -> bool:
    """True for a local HTML file with reader text: shown as that text unless asked otherwise."""
    return bool(article.full_text) and local_file(article) is not None


class _DryRun(Exception):
    """Rolls back a dry run's transaction."""


def _notify_rules(matched: Matched) -> None:
    """One notification per `notify` rule that matched new articles."""
    from newstui.library.hooks import notify

    for name, titles in matched.notices.items():
        count = matched.counts.get(name, len(titles))
        more = count - len(titles)
        body = "; ".join(titles) + (f" and {more} more" if more > 0 else "")
        notify(f"newstui: {name} ({count} new)", body)


def _welcome_from(parsed: ParsedFeed) -> tuple[Feed, list[Article]]:
    articles = [
        Article(
            id=-(i + 1),
            feed_id=WELCOME_FEED_ID,
            # Bundled pages: no link to where the package happens to be installed.
            feed_title="Welcome guide",
            key=e.key,
            title=e.title,
            url=None,
            author=e.author,
            site="newstui",
            published=None,
            updated=None,
            content=e.content,
            content_type=e.content_type,
            read=False,
            bookmarked=False,
        )
        for i, e in enumerate(sorted(parsed.entries, key=lambda e: e.key))
    ]
    feed = Feed(
        id=WELCOME_FEED_ID,
        url="newstui:welcome",
        title="Welcome to newstui",
        status=FeedStatus.OK,
        unread=len(articles),
        total=len(articles),
    )
    return feed, articles


def _next_in(
    ids: list[int], after: int | None, backwards: bool, *, unread: set[int], wrap: bool = True
) -> int | None:
    sequence = list(reversed(ids)) if backwards else ids
    start = 0
    if after is not None and after in sequence:
        start = sequence.index(after) + 1
    for article_id in sequence[start:]:
        if article_id in unread:
            return article_id
    if wrap:
        for article_id in sequence[:start]:
            if article_id in unread and article_id != after:
                return article_id
    return None


def search_marks(view: View | None, fields: tuple[str, ...]) -> list[tuple[tuple[str, ...], bool]]:
    """What to highlight in text of `fields` ("title", "content") when `view` is a search or a
    saved view: its words, as `spans` takes them."""
    if view is None or view.kind not in ("search", "query") or not view.query:
        return []
    try:
        query = parse(view.query)
    except QueryError:
        return []
    wanted = ("text", *fields)
    return highlights(query, wanted)


def _store_form(arg: str) -> str:
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
    check_readable(path)
    try:
        os.path.abspath(path).encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the name: the database stores UTF-8 text
        raise SourceError(
            f"{display_path(path)}: the path is not valid UTF-8; rename it to subscribe"
        ) from None


# Re-exported for the UI, which must not import storage.
__all__ = [
    "WELCOME_FEED_ID",
    "AddResult",
    "Article",
    "ContentType",
    "Feed",
    "FeedOutcome",
    "Headline",
    "ImportReport",
    "Library",
    "QueryError",
    "SavedView",
    "SettingError",
    "View",
    "export_url",
    "local_file",
    "minutes_text",
    "parse",
    "parse_fields",
    "reads_as_page",
    "search_marks",
    "spans",
]
