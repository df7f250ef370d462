"""`read_feeds`: the feeds pane's data in one read (feeds, counts, saved views)."""

from __future__ import annotations

from dataclasses import dataclass

from newstui.domain.models import FeedOutline, FeedRow, SavedView
from newstui.library.facade import Library


@dataclass(frozen=True, slots=True)
class FeedsRead:
    """What the feeds pane shows: the feeds' rows with their counts, the views' totals."""

    feeds: list[FeedRow]
    """Every feed, or with an outline the rows of its first screen."""
    unread: int
    bookmarks: int | None
    """None when not read (the first read: it counts articles, so it comes after the paint)."""
    views: list[SavedView]
    """Saved views, their counts not read yet (each is a query of its own)."""
    outline: FeedOutline | None = None
    """The first read's: the first screen, not every feed (see `Library.feed_outline`)."""


def read_feeds(library: Library, *, first_screen: int | None = None) -> FeedsRead:
    """Blocking (indexed queries): call it through `off_loop`, or before the first paint. With
    `first_screen` (lines), the first read: the outline of that many lines and no bookmark
    count, whatever the number of feeds; the rest is read after the first paint."""
    if first_screen is None:
        feeds, outline, bookmarks = library.feed_rows(), None, library.bookmark_count()
    else:
        outline, bookmarks = library.feed_outline(first_screen), None
        feeds = [*(r for _tag, _size, rows in outline.folders for r in rows), *outline.loose_rows]
    unread, views = library.unread_total(), library.saved_views(counts=False)
    return FeedsRead(feeds, unread, bookmarks, views, outline)
