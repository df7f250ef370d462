"""Benchmark of the query language on a library of 1,000,000 articles (20,000 feeds x 50).

    .venv/bin/python benchmarks/query.py build     # once: kept in benchmarks/_work/query-20000x50/
    .venv/bin/python benchmarks/query.py run       # first pages of queries, saved views' counts

The library is built by direct stores (no feed server): the feeds' text comes from the same
`FeedSet` as the refresh benchmarks. Feeds carry tags (`topic0`..`topic19`), 70% of the articles
are read and 1% bookmarked, so flags, tags and words each narrow differently.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "_work"
sys.path.insert(0, str(BENCH))
from feedserver import FeedSet, feed_url  # noqa: E402

FEEDS, ITEMS = 20_000, 50
FOLDER = WORK / f"query-{FEEDS}x{ITEMS}"
DB = FOLDER / "newstui.db"
DONE = FOLDER / "built"
DEAD_PORT = 9


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def build(path: Path = DB, feeds: int = FEEDS, items: int = ITEMS) -> None:
    """The library, by the writer's own function (apply_updates), 200 feeds a transaction."""
    from newstui.storage.db import Database, FeedUpdate, StoredEntry, apply_updates, plain_text

    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    fs = FeedSet(feeds, items, seed=1)
    db = Database(path)
    started = time.perf_counter()
    try:
        updates: list[FeedUpdate] = []
        for index in range(fs.feeds):
            feed_id = db.insert_feed(
                feed_url(index, DEAD_PORT, 16), title=None, tags=(f"topic{index % 20}",)
            )
            entries = []
            head = fs.head[index]
            for number in range(head - 1, head - fs.count(index) - 1, -1):
                title, link, body, when = fs.item(index, number)
                entries.append(
                    StoredEntry(
                        key=f"bench-{index}-{number}",
                        title=title,
                        url=link,
                        author=f"Author {number % 17}",
                        site=None,
                        published=float(when) if number % 97 else None,
                        updated=None,
                        content=body,
                        content_type="html",
                        digest=hashlib.sha1(body.encode(), usedforsecurity=False).hexdigest(),
                        search_text=plain_text(body),
                    )
                )
            updates.append(
                FeedUpdate(
                    feed_id,
                    "ok",
                    None,
                    200,
                    entries,
                    feed_title=f"Bench feed {index:05d}",
                    site_url=f"https://site{index}.news.example/",
                )
            )
            if len(updates) == 200 or index == fs.feeds - 1:
                apply_updates(db, updates)
                updates = []
                if index % 2000 == 1999:
                    log(f"  {index + 1} feeds in {time.perf_counter() - started:.0f} s")
        with db.tx() as conn:
            conn.execute("UPDATE articles SET read = 1 WHERE (id * 2654435761) % 10 < 7")
            conn.execute("UPDATE articles SET bookmarked = 1 WHERE (id * 40503) % 100 = 0")
    finally:
        db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["build", "run"])
    args = parser.parse_args()
    if args.what == "build":
        log(f"building {DB}")
        build()
        DONE.write_text("ok\n")
        log("built")
        return 0
    return run()


def run() -> int:
    raise SystemExit("not yet")


if __name__ == "__main__":
    sys.exit(main())
