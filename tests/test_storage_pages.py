"""Pages of a view read from its end (`headlines(..., total=N)`, the list's `G`) are the same rows,
in the same order, as read from its start (storage.queries)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newstui.domain.models import View
from newstui.domain.update import StoredEntry
from newstui.storage.db import Database
from tests.storage_support import apply_refresh


def entry(key: str, when: float | None, url: str) -> StoredEntry:
    return StoredEntry(key, f"Title {key}", url, None, None, when, when, "text", "html",
                       f"digest-{key}")  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """Three feeds (one tagged), dates shared by several articles (ties broken by id), undated
    ones, copies of one story in two feeds (deduplicated in most views), read, bookmarked and
    hidden articles."""
    db = Database(tmp_path / "lib.db")
    feeds = [db.insert_feed(f"https://example.test/{n}", title=None, tags=()) for n in "abc"]
    db.edit_feed(feeds[1], title=None, tags=("news",), full_text=None)
    for number, feed in enumerate(feeds):
        rows = [
            entry(f"{number}-{i}", None if i % 11 == 0 else 1000.0 + i // 3, f"https://x.test/{i}")
            if i % 5 == 0  # the same story (URL) in every feed: copies
            else entry(f"{number}-{i}", 1000.0 + i // 3, f"https://{number}.test/{i}")
            for i in range(40)
        ]
        apply_refresh(db, feed, status="ok", error=None, http_status=200, entries=rows)
    ids = db.view_ids(View("all"))
    db.set_flag("read", ids[::3], True)
    db.set_flag("bookmarked", ids[1::4], True)
    db.set_flag("hidden", ids[2::9], True)
    yield db
    db.close()


VIEWS = [
    View("all"),
    View("unread"),
    View("all", unread_only=True),
    View("bookmarks"),
    View("feed", feed_id=2),
    View("tag", tag="news"),
    View("query", query="sort:oldest", name="Oldest"),
    View("query", query="is:unread", name="Unread"),
    View("query", query="limit:25", name="Capped"),
    View("search", query="title"),
]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.query or v.kind)
@pytest.mark.parametrize("size", [1, 7, 25])
def test_a_page_read_from_the_end_is_the_page_read_from_the_start(
    db: Database, view: View, size: int
) -> None:
    total = db.count(view)
    assert total > 10  # the library gives every view something to page through
    for offset in range(0, total + size, size):
        assert db.headlines(view, offset, size, total=total) == db.headlines(view, offset, size)
    every = [h.id for offset in range(0, total, size) for h in db.headlines(view, offset, size,
                                                                          total=total)]  # fmt: skip
    assert every == db.view_ids(view)


def steps(db: Database, read: Callable[[], object]) -> int:
    """SQLite's virtual-machine steps spent in `read()`: its work, counted, not timed."""
    count = [0]

    def step() -> int:
        count[0] += 1
        return 0

    db.conn.set_progress_handler(step, 1)
    try:
        read()
    finally:
        db.conn.set_progress_handler(None, 1)
    return count[0]


def test_the_last_page_costs_what_the_first_does(db: Database) -> None:
    # What makes `G` cheap on a big library: the last page is read from the end, not by
    # walking past every row before it (the positive control: without `total` it does).
    view = View("all")
    total = db.count(view)
    first = steps(db, lambda: db.headlines(view, 0, 5, total=total))
    last = steps(db, lambda: db.headlines(view, total - 5, 5, total=total))
    walked = steps(db, lambda: db.headlines(view, total - 5, 5))
    assert last < 2 * first
    assert walked > 5 * first
