"""The refresh's writer: feeds that come a few at a time still share commits (storage.writer)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from newstui.domain.update import StoredEntry
from newstui.storage.db import Database
from newstui.storage.writer import FeedUpdate, UpdateWriter


def _commits(db: Database, feeds: list[int], run: str, **options: float) -> int:
    """Transactions that stored new articles while one feed's update came every 60 ms (the
    pace of a parse worker's results), counted by the hook each such transaction calls."""
    commits: list[tuple[int, int]] = []

    def after_store(_conn: sqlite3.Connection, first: int, last: int) -> None:
        commits.append((first, last))

    writer = UpdateWriter(db, after_store=after_store, **options)  # type: ignore[arg-type]
    futures = []
    for n, feed_id in enumerate(feeds):
        row = StoredEntry(f"{run}-{n}", f"Story {n}", None, None, None, 1.0e9, None, "text",
                          "text", f"{run}-{n}")  # fmt: skip
        futures.append(writer.submit(FeedUpdate(feed_id, "ok", None, 200, [row])))
        time.sleep(0.06)
    writer.close()
    assert [f.result() for f in futures] == [(1, 0)] * len(feeds)
    return len(commits)


def test_feeds_coming_a_few_at_a_time_share_commits(tmp_path: Path) -> None:
    # Each commit writes a search-index segment that later merges cost again: committing a
    # cold refresh's feeds as the workers send them (~4 a commit) cost the command ~0.6 CPU s
    # of ~4.5 for 500 feeds. The default gathering window holds several 60 ms apart.
    db = Database(tmp_path / "lib.db")
    feeds = [
        db.insert_feed(f"https://example.test/{n}.xml", title=None, tags=()) for n in range(10)
    ]
    shared = _commits(db, feeds, "default")
    alone = _commits(db, feeds, "control", gather=0.0)  # positive control: no window
    assert shared <= 5, shared
    assert alone > shared
    assert db.one("SELECT count(*) FROM articles")[0] == 20
    db.close()


def test_feeds_without_articles_do_not_wait_for_company(tmp_path: Path) -> None:
    # "Not modified" answers write no search-index segment: waiting GATHER (0.3 s) to share
    # their commits only made a warm refresh of 500 feeds slower (0.8 -> 1.25 s). They wait
    # QUICK; feeds with articles still gather (the test above).
    db = Database(tmp_path / "lib.db")
    feeds = [db.insert_feed(f"https://example.test/{n}.xml", title=None, tags=()) for n in range(8)]
    batches: list[int] = []

    class Counted(UpdateWriter):
        def _write(self, batch):  # type: ignore[no-untyped-def]
            batches.append(len(batch))
            super()._write(batch)

    writer = Counted(db)
    futures = []
    for feed_id in feeds:
        futures.append(writer.submit(FeedUpdate(feed_id, "not_modified", None, 304)))
        time.sleep(0.12)
    writer.close()
    assert [f.result() for f in futures] == [(0, 0)] * len(feeds)
    assert len(batches) >= 6, batches  # about one commit each (GATHER would make 2-3)
    db.close()
