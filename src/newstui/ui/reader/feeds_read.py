"""`read_feeds`: the feeds pane's data in one read (feeds, counts, saved views)."""

from __future__ import annotations

from dataclasses import dataclass

from newstui.domain.models import FeedRow, SavedView
from newstui.library.facade import Library


@dataclass(frozen=True, slots=True)
class FeedsRead:
    """What the feeds pane shows: the feeds' rows with their counts, the views' totals."""

    feeds: list[FeedRow]
    unread: int
    bookmarks: int | None
    """None when not read (the first read: it counts articles, so it comes after the paint)."""
    views: list[SavedView]
    """Saved views, their counts not read yet (each is a query of its own)."""


def read_feeds(library: Library, *, bookmarks: bool = True) -> FeedsRead:
    """Blocking (indexed queries): call it through `off_loop`, or before the first paint."""
    return FeedsRead(
        library.feed_rows(),
        library.unread_total(),
        library.bookmark_count() if bookmarks else None,
        library.saved_views(counts=False),
    )
