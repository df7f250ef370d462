"""The Library's articles: views' counts and pages, one article, marks (read, bookmarked,
hidden), and the next unread article."""

from __future__ import annotations

from collections.abc import Sequence

from newstui.domain.errors import NotFoundError
from newstui.domain.models import Article, Headline, View
from newstui.library.base import LibraryBase


class Articles(LibraryBase):
    """Reading views and changing marks; each view is asked of the source that holds it."""

    def count(self, view: View) -> int:
        return self._source(view).count(view)

    def headlines(
        self, view: View, offset: int = 0, limit: int = 100, *, total: int | None = None
    ) -> list[Headline]:
        """One page of the view; `total` (its count, when known) lets a page near the end be
        read from the end."""
        return self._source(view).headlines(view, offset, limit, total=total)

    def position(self, view: View, article_id: int) -> int | None:
        return self._source(view).position(view, article_id)

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
        return self._db.articles(view, limit, unread=unread, bookmarked=bookmarked, feed_id=feed_id)

    def set_read(self, article_ids: Sequence[int], read: bool = True) -> int:
        """Mark articles read (or unread); how many changed."""
        return sum(s.set_flag("read", ids, read) for s, ids in self._by_owner(article_ids))

    def set_bookmarked(self, article_ids: Sequence[int], bookmarked: bool = True) -> int:
        return sum(
            s.set_flag("bookmarked", ids, bookmarked) for s, ids in self._by_owner(article_ids)
        )

    def set_hidden(self, article_ids: Sequence[int] | None, hidden: bool = True) -> int:
        """Hide articles from every view but `is:hidden` (never deleted), or show them again;
        `None` with `hidden=False` shows every hidden article again."""
        if article_ids is None:
            if hidden:
                raise ValueError("hide which articles?")
            return self._db.unhide_all()
        return self._db.set_flag("hidden", [i for i in article_ids if i >= 0], hidden)

    def check_articles(self, article_ids: Sequence[int]) -> None:
        """Raise NotFoundError naming the first id that is not in the library."""
        found = set(self._db.existing_articles(article_ids))
        for article_id in article_ids:
            if article_id not in found:
                raise NotFoundError(f"no article with id {article_id}")

    def mark_view_read(self, view: View) -> int:
        return self._source(view).mark_view_read(view)

    def mark_view_read_ids(self, view: View) -> list[int]:
        """Mark the view read; the ids of the articles that were unread (to undo it)."""
        return self._source(view).mark_view_read_ids(view)

    def unread_count(self, view: View) -> int:
        """How many of the view's articles are unread."""
        return self._source(view).unread_count(view)

    def unread_total(self) -> int:
        return self._source(View("all")).unread_total()

    def bookmark_count(self) -> int:
        return self._db.bookmark_count()

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
        source = self._source(view)
        if view.kind != "feed":
            ids = source.view_ids(view)
            unread = set(source.view_ids(View("unread"))) if view.kind != "unread" else set(ids)
            return _next_in(ids, after, backwards, unread=unread)
        # Across feeds: this feed's unread after `after`, then the following feeds', wrapping.
        order = list(dict.fromkeys(order)) if order is not None else [f.id for f in source.feeds()]
        if view.feed_id not in order:
            order.insert(0, view.feed_id or 0)
        start = order.index(view.feed_id or 0)
        sequence = order[start:] + order[:start]
        if backwards:
            sequence = [sequence[0], *reversed(sequence[1:])]
        first_ids = source.view_ids(View("feed", feed_id=sequence[0]))
        unread_first = set(source.view_ids(View("unread"))) & set(first_ids)
        found = _next_in(first_ids, after, backwards, unread=unread_first, wrap=False)
        if found is not None:
            return found
        for feed_id in sequence[1:]:
            feed = self.feed(feed_id)
            if feed.unread == 0:
                continue
            feed_view = View("feed", feed_id=feed_id)
            feed_source = self._source(feed_view)
            ids = feed_source.view_ids(feed_view)
            unread = set(feed_source.view_ids(View("unread"))) & set(ids)
            picked = [i for i in ids if i in unread]
            if picked:
                return picked[-1] if backwards else picked[0]
        # Wrap to the start of the first feed.
        return _next_in(first_ids, None, backwards, unread=unread_first - {after}, wrap=False)


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
