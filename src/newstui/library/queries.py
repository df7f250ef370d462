"""The Library's queries: what a query selects, saved views and their counts, and the config's
rules (test them, apply them)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace
from typing import TYPE_CHECKING

from newstui.domain.errors import NotFoundError, SourceError
from newstui.domain.models import Article, SavedView, View
from newstui.domain.text import clean_line
from newstui.library.base import LibraryBase
from newstui.query.errors import QueryError

if TYPE_CHECKING:
    from newstui.library.rules import Rule, RuleRunner
    from newstui.query import Query

log = logging.getLogger(__name__)


class Queries(LibraryBase):
    """Queries, saved views and rules over the database's articles."""

    def query_ids(self, query: str | Query, within: Sequence[int] | None = None) -> list[int]:
        """The ids a query selects, in its order (QueryError when malformed); with `within`,
        which of those articles match."""
        from newstui.query import compile_query, parse  # loaded with the first query

        parsed = parse(query) if isinstance(query, str) else query
        return self._db.query_ids(compile_query(parsed), within)

    def article_at(self, ref: str) -> Article:
        """The stored article whose link is `ref`, or (a local article) whose file is at the
        path `ref`; NotFoundError saying so, and what to do, when there is none."""
        import re
        from pathlib import Path

        from newstui.sources.local import article_key, display_path

        local = "://" not in ref
        if local:
            path = Path(ref).expanduser()
            shown = display_path(ref)
            if not path.exists():
                raise NotFoundError(f"{shown}: no such file")
            url = article_key(path)
        else:
            url, shown = ref, clean_line(ref, max_length=300)
        # The query's regex is case-insensitive: the link is then compared exactly.
        pattern = re.escape(url).replace("/", "\\/")
        for article_id in self.query_ids(f"url:/^{pattern}$/"):
            article = self._db.article(article_id)
            if article.url == url:
                return article
        if local:
            raise NotFoundError(
                f"{shown} is not in the library: `newstui open {shown}` reads it without "
                f"subscribing, `newstui add {shown}` subscribes to it"
            )
        raise NotFoundError(f"no article with the link {shown}")

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
        """`articles --query`: the query with the shorthands' terms added; `limit` comes last.
        What a search of it lists in the reader: each story once when the library dedupes."""
        from newstui.query import Query, combine, compile_query, feed_only, parse

        parts = [parse(query)]
        if search:
            parts.append(parse(search))
        if unread:
            parts.append(parse("is:unread"))
        if bookmarked:
            parts.append(parse("is:bookmarked"))
        if feed is not None:
            parts.append(Query(feed_only(feed)))
        ids = self._db.listed_ids(compile_query(combine(parts)))
        if limit is not None:
            ids = ids[:limit]
        return [self._db.article(i) for i in ids]

    def unread_query_ids(self, query: str) -> list[int]:
        """The unread articles among what a query selects (what marking it read changes)."""
        return self.query_ids("is:unread", within=self.query_ids(query))

    def mark_query_read(self, query: str) -> int:
        """Mark what a query selects read; how many changed."""
        return self._db.set_flag("read", self.query_ids(query), True)

    # ---- saved views ----------------------------------------------------------------------

    def saved_views(self, *, counts: bool = True) -> list[SavedView]:
        """The config file's [views], then those added with `add_view`, with their counts."""
        views = [SavedView(n, q, origin="config") for n, q in self.config.views]
        taken = {v.name.casefold() for v in views}
        views += [SavedView(n, q) for n, q in self._stored_views() if n.casefold() not in taken]
        if not counts:
            return views
        kept = self._db.saved_view_counts(_parsed(views))
        return [
            replace(v, unread=kept[v.query].unread, total=kept[v.query].total)
            if v.query in kept
            else v
            for v in views
        ]

    def view_unread(self, query: str) -> int:
        """A saved view's unread count (0 when its query no longer parses)."""
        return self.view_counts(query)[0]

    def view_counts(self, query: str) -> tuple[int, int]:
        """(unread, total) of a saved view's query; (0, 0) when it no longer parses.

        The saved views' counts are kept as the library changes (storage.counts): asking them
        looks only at what changed since they were last asked. Another query is counted whole.
        """
        from newstui.query import parse

        try:
            parse(query)
        except QueryError:
            return 0, 0
        saved = _parsed(self.saved_views(counts=False))
        if query not in saved:  # what the view's list shows (each story once, as it does)
            view = View("query", query=query)
            return self._db.unread_count(view), self._db.count(view)
        counts = self._db.saved_view_counts(saved)[query]
        return counts.unread, counts.total

    def add_view(self, name: str, query: str) -> SavedView:
        """Save a query under a name (QueryError when it is malformed); replaces a view of
        that name added before, never one from the config file."""
        from newstui.query import parse

        name = clean_line(name).strip()
        if not name:
            raise SourceError("a view needs a name")
        parse(query)
        if any(n.casefold() == name.casefold() for n, _q in self.config.views):
            raise SourceError(f"the view {name!r} is defined in the config file; change it there")
        import json  # with the first saved view, not at the reader's start

        stored = [(n, q) for n, q in self._stored_views() if n.casefold() != name.casefold()]
        stored.append((name, query))
        self._db.set_setting("views", json.dumps(stored, ensure_ascii=False))
        return SavedView(name, query)

    def remove_view(self, name: str) -> None:
        if any(n.casefold() == name.strip().casefold() for n, _q in self.config.views):
            raise SourceError(
                f"the view {clean_line(name)!r} is defined in the config file; remove it there"
            )
        import json

        stored = self._stored_views()
        kept = [(n, q) for n, q in stored if n.casefold() != name.strip().casefold()]
        if len(kept) == len(stored):
            raise NotFoundError(f"no saved view named {clean_line(name)!r} (see `newstui views`)")
        self._db.set_setting("views", json.dumps(kept, ensure_ascii=False))

    def _stored_views(self) -> list[tuple[str, str]]:
        raw = self._db.get_setting("views")
        if not raw:
            return []
        import json

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

    # ---- rules ------------------------------------------------------------------------------

    def rules(self) -> tuple[Rule, ...]:
        """The config's `[[rules]]`, their queries checked (ConfigError names a bad one)."""
        if self._rules is None:
            from newstui.library.rules import load_rules

            where = str(self.config.path) if self.config.path else "config"
            self._rules = load_rules(self.config.rules, where)
        return self._rules

    def _rule_runner(self) -> RuleRunner | None:
        if not self.config.rules:
            return None
        from newstui.library.rules import RuleRunner

        return RuleRunner(self.rules())

    def rule_matches(self, query: str, limit: int | None = None) -> list[Article]:
        """The articles a rule with this query would match now (QueryError when malformed)."""
        from newstui.query import compile_query, parse

        ids = self._db.query_ids(compile_query(parse(query)))
        return [self._db.article(i) for i in (ids if limit is None else ids[:limit])]

    def apply_rules(self, *, dry_run: bool = False) -> list[tuple[str, int, int]]:
        """Every rule over the whole library: (name, articles matched, rows changed) each.

        `notify` raises no notification here; a dry run changes nothing."""
        from newstui.storage.rule_actions import apply_actions

        report: list[tuple[str, int, int]] = []
        try:
            with self._db.tx() as conn:
                for rule in self.rules():
                    ids = self._db.query_ids(rule.compiled())
                    changed = apply_actions(conn, rule.actions, ids) if ids else 0
                    report.append((rule.name, len(ids), changed))
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return report


class _DryRun(Exception):
    """Rolls back a dry run's transaction."""


def search_marks(view: View | None, fields: tuple[str, ...]) -> list[tuple[tuple[str, ...], bool]]:
    """What to highlight in text of `fields` ("title", "content") when `view` is a search or a
    saved view: its words, as `spans` takes them."""
    if view is None or view.kind not in ("search", "query") or not view.query:
        return []
    from newstui.query import highlights, parse

    try:
        query = parse(view.query)
    except QueryError:
        return []
    wanted = ("text", *fields)
    return highlights(query, wanted)


def _parsed(views: Sequence[SavedView]) -> dict[str, Query]:
    """The saved views' queries that parse (one that no longer does counts 0)."""
    from newstui.query import parse

    out: dict[str, Query] = {}
    for view in views:
        with suppress(QueryError):
            out[view.query] = parse(view.query)
    return out
