"""`read_feeds`: the feeds pane's data in one read (feeds, counts, saved views)."""

from __future__ import annotations

from dataclasses import dataclass

from newstui.domain.models import Feed, SavedView, View
from newstui.library.facade import Library


@dataclass(frozen=True, slots=True)
class FeedsRead:
    """What the feeds pane shows: the feeds with their counts, the views' totals."""

    feeds: list[Feed]
    unread: int
    bookmarks: int
    total: int
    views: list[SavedView]
    """Saved views, their counts not read yet (each is a query of its own)."""


def read_feeds(library: Library) -> FeedsRead:
    """Blocking (indexed queries): call it through `off_loop`, or before the first paint."""
    return FeedsRead(
        library.feeds(),
        library.unread_total(),
        library.bookmark_count(),
        library.count(View("all")),
        library.saved_views(counts=False),
    )
