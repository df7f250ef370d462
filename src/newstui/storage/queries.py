"""Read queries over the articles: views and their pages, counts, positions, one article, compiled queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from newstui.domain.errors import NotFoundError
from newstui.domain.models import Article, ContentType, Headline, View
from newstui.domain.update import decode_enclosures, to_datetime, unpack_text
from newstui.query.runtime import FROM
from newstui.storage.copies import group_sql, hide_copies, not_hidden, only_unread
from newstui.storage.database import chunks
from newstui.storage.feed_walk import FEED_ORDER, feed_order_page
from newstui.storage.feeds import Feeds
from newstui.storage.query_views import view_limit, view_query

if TYPE_CHECKING:
    from newstui.query import Compiled

_QUERY_VIEWS = frozenset({"search", "query"})
_VIEWS_WITH_COPIES = frozenset({"feed", "bookmarks"})
"""A feed shows its own articles, copies or not; a bookmark is a choice of one copy."""
_HEADLINE_COLUMNS = (
    "a.id, a.feed_id, coalesce(f.title, f.feed_title, f.url), a.title, a.url, a.published, "
    "a.read, a.bookmarked"
)


class StoredFile(NamedTuple):
    """What a local source's refresh needs to know of an article it stored from a file."""

    key: str
    digest: str
    updated: float | None
    """The file's time when it was stored."""
    extracted: bool
    """Its reader text was made (or it is Markdown); else an older newstui stored it, and the
    file is read again once."""


class Queries(Feeds):
    """The articles as the views and the queries see them (reads only)."""

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

        A search or query view's limit:N is not in it: see `view_limit`.
        """
        order = "ORDER BY a.sort_date DESC, a.id DESC"
        if view.kind in ("search", "query"):
            compiled = view_query(view)
            return (
                f"{FROM} WHERE f.removed = 0 AND ({compiled.where})",
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
        if view.kind == "tag":  # tags compare without case, as `#tag` does
            spellings = self._tag_spellings(view.tag or "")
            marks = ",".join("?" * len(spellings)) or "NULL"
            return (
                f"{base} WHERE a.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag IN ({marks})) "
                "AND f.removed = 0",
                order,
                spellings,
            )
        raise ValueError(f"unknown view kind {view.kind!r}")

    def _tag_spellings(self, tag: str) -> list[str]:
        """The stored spellings of `tag`, case aside (one, as feeds.tag_spellings keeps them,
        but a library written by another client may hold several)."""
        want = " ".join(tag.split()).casefold()
        return [
            r[0]
            for r in self.query("SELECT DISTINCT tag FROM feed_tags")
            if " ".join(str(r[0]).split()).casefold() == want
        ]

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
        cap = view_limit(view)
        if cap is not None:
            return int(
                self.one(f"SELECT count(*) FROM (SELECT 1 {where} LIMIT ?)", [*params, cap])[0]
            )
        return int(self.one(f"SELECT count(*) {where}", params)[0])

    def headlines(
        self, view: View, offset: int, limit: int, *, total: int | None = None
    ) -> list[Headline]:
        """One page of the view. `total`, the view's count when the caller knows it: a page in
        the back half of a newest- or oldest-first view is then read from the view's end, so
        the last page (a list's `G`) costs what the first does, not a walk past every row
        before it (~25 ms of CPU at 110,000 articles)."""
        where, order, params = self._view_sql(view)
        cap = view_limit(view)
        if cap is not None:
            limit = max(0, min(limit, cap - offset))
        back = _from_end(order, offset, limit, total) if cap is None else None
        ids = self._query_page(view, where, params, offset, limit) if back is None else None
        if ids is not None:
            rows = self._headline_rows(ids)
        elif back is not None:
            flipped, end_offset, end_limit = back
            rows = self.query(
                f"SELECT {_HEADLINE_COLUMNS} {where} {flipped} LIMIT ? OFFSET ?",
                [*params, end_limit, end_offset],
            )[::-1]
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
        """The ids of one page of a search or saved view, found without reading the rows of the
        articles it passes over; None: use the plain query.

        SQLite's own plan reads every match's row, then sorts: a second for a word in 77,000 of
        1,000,000 articles. Instead, when every match is dated and the order is by date, the
        date index is walked in its order; else an index in the query's order (`_WALKED`; feed
        by feed for sort:feed) and its rows tested one by one, stopping at the page's last
        match: a broad query's page is near the start (the first WALK_COSTLY rows are tried
        first). A narrow one is cheap for SQLite's plan, so the walk goes on (up to WALK rows)
        only when each of the query's indexed terms has FEW articles or more. A query whose
        test is costly for each row (a regex: Python runs; a flag the index does not hold: the
        row is read) walks WALK_COSTLY rows at most, or reads those of its indexed term with
        fewer than FEW (SQLite's plan may not: an OR of two flags reads every row).
        """
        if view.kind not in _QUERY_VIEWS or not where.startswith(FROM + " WHERE "):
            return None
        compiled = view_query(view)
        index = _WALKED.get(compiled.order)
        cond = where[len(FROM + " WHERE ") :]
        if compiled.order == FEED_ORDER and limit > 0 and self._few(compiled) is None:
            walk = WALK_COSTLY if compiled.costly else WALK
            return feed_order_page(self, cond, params, offset, limit, walk)
        if index is None or limit <= 0:
            return None
        join = "JOIN feeds f ON f.id = a.feed_id"
        if compiled.dated and compiled.order in (_NEWEST, _OLDEST):
            direction = "DESC" if compiled.order == _NEWEST else "ASC"
            sql = (
                f"SELECT a.id FROM articles a INDEXED BY articles_published {join} "
                f"WHERE a.published IS NOT NULL AND {cond} "
                f"ORDER BY a.published {direction}, a.id {direction} LIMIT ? OFFSET ?"
            )
            return [r[0] for r in self.query(sql, [*params, limit, offset])]
        for walk in (WALK_COSTLY,) if compiled.costly else (WALK_COSTLY, WALK):
            if offset + limit > walk:
                continue
            few = self._few(compiled) if walk > WALK_COSTLY or compiled.costly else None
            if few is not None and compiled.costly:
                sql = f"SELECT a.id {FROM} WHERE a.id IN ({few[0]}) AND {cond}"
                sql += f" ORDER BY {compiled.order} LIMIT ? OFFSET ?"
                return [r[0] for r in self.query(sql, [*few[1], *params, limit, offset])]
            if few is not None:
                return None
            sql = (
                f"SELECT id FROM (SELECT a.id AS id, CASE WHEN {cond} THEN 1 ELSE 0 END AS ok "
                f"FROM articles a INDEXED BY {index} {join} ORDER BY {compiled.order} "
                f"LIMIT {walk}) WHERE ok LIMIT ? OFFSET ?"
            )
            ids = [r[0] for r in self.query(sql, [*params, limit, offset])]
            if len(ids) == limit:
                return ids
        return None

    def _few(self, compiled: Compiled) -> tuple[str, tuple[Any, ...]] | None:
        """One of the query's indexed terms (SELECT, params) with fewer than FEW articles, if
        any: its matches are fewer too, and reading them at once is the cheaper plan."""
        for sql, params in compiled.bounds:
            if self.one(f"SELECT count(*) FROM ({sql} LIMIT ?)", [*params, FEW])[0] < FEW:
                return sql, params
        return None

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
        cap = view_limit(view)
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
            content=unpack_text(row[10]),
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
        caps = [cap for cap in (view_limit(view), limit) if cap is not None]
        sql = f"SELECT a.id {where} {order}"
        if caps:
            sql += " LIMIT ?"
            params.append(min(caps))
        return [self.article(row[0]) for row in self.query(sql, params)]

    def stored_files(self, feed_id: int) -> list[StoredFile]:
        """The articles a local source (a folder or a file) stored, one per file."""
        return [
            StoredFile(key, digest, updated, bool(extracted))
            for key, digest, updated, extracted in self.query(
                "SELECT key, hash, updated, content_type = 'markdown' OR full_text IS NOT NULL "
                "FROM articles WHERE feed_id = ?",
                (feed_id,),
            )
        ]

    def without_full_text(self, feed_id: int, limit: int) -> list[tuple[int, str]]:
        """(id, link) of the feed's newest `limit` articles that have a link and no full text."""
        return [
            (int(article_id), str(url))
            for article_id, url in self.query(
                "SELECT id, url FROM articles WHERE feed_id = ? AND full_text IS NULL "
                "AND url IS NOT NULL ORDER BY sort_date DESC LIMIT ?",
                (feed_id, limit),
            )
        ]

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
        for chunk in chunks(list(article_ids), 500):
            marks = ",".join("?" * len(chunk))
            found += [
                r[0] for r in self.query(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            ]
        return found

    def unread_count(self, view: View) -> int:
        """How many of the view's articles are unread (what marking the view read would touch)."""
        if view.kind == "feed":
            row = self.one("SELECT unread FROM feeds WHERE id = ?", (view.feed_id,))
            return int(row[0]) if row else 0
        if view.kind in ("all", "unread"):
            return self.unread_total()
        where, order, params = self._view_sql(view)
        cap = view_limit(view)
        if cap is not None:
            return int(
                self.one(
                    f"SELECT count(*) FROM (SELECT a.read AS r {where} {order} LIMIT ?) WHERE r = 0",
                    [*params, cap],
                )[0]
            )
        return int(self.one(f"SELECT count(*) {where} AND a.read = 0", params)[0])

    # ---- queries (query) ----------------------------------------------------------------

    def query_ids(self, compiled: Compiled, within: Sequence[int] | None = None) -> list[int]:
        """The ids of the articles a compiled query selects, in its order and limit; with
        `within`, only those of the given ids that match (what a rule tests on new articles)."""
        if within is None:
            sql, params = compiled.select("a.id")
            return [r[0] for r in self.query(sql, params)]
        found: set[int] = set()
        for chunk in chunks(list(within), 500):
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.query(
                    f"SELECT a.id {FROM} WHERE a.id IN ({marks}) AND f.removed = 0 "
                    f"AND ({compiled.where})",
                    [*chunk, *compiled.params],
                )
            )
        return [i for i in within if i in found]

    def listed_ids(self, compiled: Compiled) -> list[int]:
        """The ids a compiled query lists, as a search or a saved view of it shows them: in its
        order and limit, each story once when the library dedupes (`query_ids` gives every
        copy that matches: what rules and marks act on)."""
        where = f"{FROM} WHERE f.removed = 0 AND ({compiled.where})"
        params = list(compiled.params)
        if self.dedupe:
            where, params = hide_copies(where, params)
        sql = f"SELECT a.id {where} ORDER BY {compiled.order}"
        if compiled.limit is not None:
            sql += " LIMIT ?"
            params.append(compiled.limit)
        return [r[0] for r in self.query(sql, params)]

    def query_count(self, compiled: Compiled, *, unread: bool = False) -> int:
        """How many articles a compiled query selects (only its unread ones with `unread`)."""
        extra = " AND a.read = 0" if unread else ""
        sql = f"SELECT 1 {FROM} WHERE f.removed = 0 AND ({compiled.where}){extra}"
        params = list(compiled.params)
        if compiled.limit is not None:
            if unread:  # the unread among the query's first N
                inner, params = compiled.select("a.read")
                return int(self.one(f"SELECT count(*) FROM ({inner}) WHERE read = 0", params)[0])
            sql += " LIMIT ?"
            params.append(compiled.limit)
        return int(self.one(f"SELECT count(*) FROM ({sql})", params)[0])


_NEWEST = "a.sort_date DESC, a.id DESC"
_OLDEST = "a.sort_date ASC, a.id ASC"
_FLIPPED = {
    f"ORDER BY {_NEWEST}": f"ORDER BY {_OLDEST}",
    f"ORDER BY {_OLDEST}": f"ORDER BY {_NEWEST}",
}


def _from_end(
    order: str, offset: int, limit: int, total: int | None
) -> tuple[str, int, int] | None:
    """(the reversed ORDER BY, OFFSET, LIMIT) reading rows `offset`..`offset + limit` of a
    view of `total` rows from its end, when they sit in its back half; else None. Exact because
    the order is total (the id breaks ties)."""
    flipped = _FLIPPED.get(order)
    if flipped is None or total is None or limit <= 0 or offset * 2 < total:
        return None
    end = min(total, offset + limit)
    if end <= offset:
        return None
    return flipped, total - end, end - offset


WALK = 100_000
"""Rows of an index in a search's order its page is looked for in (see `_query_page`): at most
~0.1 s of a slow machine's CPU before SQLite's plan is asked."""
WALK_COSTLY = 4000
"""Rows walked first, and all that a query whose test is costly for each row walks."""
FEW = 5000
"""An indexed term with fewer articles makes SQLite's plan the faster (see `_query_page`)."""
_WALKED = {
    _NEWEST: "articles_sort",
    _OLDEST: "articles_sort",
    "a.title COLLATE NOCASE ASC, a.sort_date DESC, a.id DESC": "articles_title",
}
"""The index walked for a search's page in each order (sort:feed: storage/feed_walk.py)."""
