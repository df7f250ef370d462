"""Benchmark of the query language on a library of 1,000,000 articles (20,000 feeds x 50).

    .venv/bin/python benchmarks/query.py build     # once: kept in benchmarks/_work/query-20000x50/
    .venv/bin/python benchmarks/query.py run       # first pages of queries, saved views' counts
    .venv/bin/python benchmarks/query.py pages     # (or counts): one of the two
    .venv/bin/python benchmarks/query.py paint     # first paint: this library against an empty one

The library is built by direct stores (no feed server): the feeds' text comes from the same
`FeedSet` as the refresh benchmarks. Feeds carry tags (`topic0`..`topic19`), 70% of the articles
are read and 1% bookmarked, so flags, tags and words each narrow differently.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
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
    from newstui.domain.update import StoredEntry
    from newstui.storage.db import Database
    from newstui.storage.writer import FeedUpdate, apply_updates

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
    parser.add_argument("what", choices=["build", "run", "pages", "counts", "paint"])
    parser.add_argument("--runs", type=int, default=5, help="paint: runs of each")
    parser.add_argument("--only", default="", help="run/pages: only queries whose label has this")
    args = parser.parse_args()
    if args.what == "paint":
        return paint(args.runs)
    if args.what == "build":
        log(f"building {DB}")
        build()
        DONE.write_text("ok\n")
        log("built")
        return 0
    if args.what == "counts":
        return counts(_words(DB))
    return run(counts_too=args.what == "run", only=args.only)


QUERIES = [
    ("a common word", "{common}"),
    ("a rare word", "{rare}"),
    ("two words", "{common} {second}"),
    ("a phrase", '"{phrase}"'),
    ("a prefix", "{prefix}*"),
    (
        "a regex field and a date range",
        "title:/^.[0-9]+.4[0-9]./ after:2024-01-02 before:2024-01-03",
    ),
    ("a content regex, a word, dates", "{common} content:/{rare2}/ after:2024-01-01"),
    ("a tag and unread", "#topic3 is:unread"),
    ("a feed by title", 'feed:"Bench feed 01234"'),
    ("an author phrase, unread, oldest first", 'author:"Author 3" is:unread sort:oldest'),
    ("bookmarked, not a tag", "is:bookmarked -#topic1"),
    ("OR of words, NOT a tag", "({common} OR {rare}) -#topic2 is:unread"),
    ("url words", "url:site77"),
    ("has:image (none in this library)", "has:image"),
    ("sort:title", "{rare} sort:title"),
    ("a date range only", "after:2024-01-02T10:00 before:2024-01-02T11:00"),
    ("a regex field alone", "title:/^.[0-9]+.4[0-9]./"),
    ("a tag, sort:title", "#topic3 sort:title"),
    ("has:enclosure (none)", "has:enclosure"),
    ("a phrase, sort:feed", '"{phrase}" sort:feed'),
    ("unread, sort:feed", "is:unread sort:feed"),
    ("a common word, sort:feed", "{common} sort:feed"),
    ("a tag, sort:feed", "#topic3 sort:feed"),
    ("an OR of two flags without an index (none)", "has:enclosure OR has:fulltext"),
]

VIEWS = [
    "is:unread",
    "is:unread #topic0",
    "is:unread #topic1 OR #topic2",
    "is:bookmarked",
    "{common} is:unread",
    "{rare}",
    '"{phrase}"',
    "{prefix}* is:unread",
    "is:unread after:2024-01-03",
    "is:unread newer:1000d -#topic5",
    'feed:"Bench feed 00042"',
    'author:"Author 7" is:unread',
    "title:/^.1[0-9]{{3}}\\./ is:unread after:2024-01-03",
    "#topic7 -{common}",
    "is:read #topic9",
    "has:fulltext",
    "is:hidden",
    "{second} OR {rare}",
    "url:site1234",
    "is:unread before:2024-01-01T12:00",
]


def _words(db_path: Path) -> dict[str, str]:
    """Words of the library's vocabulary that are common and rare, and a phrase from a title."""
    fs = FeedSet(1, 1, seed=1)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        title = conn.execute("SELECT title FROM articles WHERE id = 123457").fetchone()[0]
    finally:
        conn.close()
    words = title.split("] ", 1)[1].lower().split()
    return {
        "common": fs.words[1500],
        "second": fs.words[2000],
        "rare": fs.words[2999],
        "rare2": fs.words[2998][:5],
        "phrase": " ".join(words[1:3]),
        "prefix": fs.words[1000][:4],
    }


def _median_ms(action: Callable[[], object], runs: int = 5) -> float:
    return _medians_ms(action, runs)[0]


def _medians_ms(action: Callable[[], object], runs: int = 5) -> tuple[float, float]:
    """The median wall and CPU (this process's) milliseconds of `runs` calls."""
    times, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return statistics.median(times), statistics.median(cpu)


def run(*, counts_too: bool = True, only: str = "") -> int:
    from newstui.config import Config
    from newstui.domain.models import View
    from newstui.library.facade import Library

    if not DONE.exists():
        raise SystemExit(f"no library at {DB}: run `benchmarks/query.py build` first")
    library = Library.open(Config(), DB)
    try:
        fill = _words(DB)
        log(f"words: {fill}")
        print(f"load: {os.getloadavg()[0]:.1f}")
        print("| query | first page (50) ms | its CPU ms | count ms | rows |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for label, template in QUERIES:
            if only not in label:
                continue
            text = template.format(**fill)
            view = View("search", query=text)
            library.headlines(view, 0, 50)  # warm: the pages a second look reads
            page, cpu = _medians_ms(lambda v=view: library.headlines(v, 0, 50))
            count = _median_ms(lambda v=view: library.count(v), runs=3)
            rows = library.count(view)
            print(f"| {label}: `{text}` | {page:.1f} | {cpu:.1f} | {count:.1f} | {rows} |")
    finally:
        library.close()
    return counts(fill) if counts_too else 0


def paint(runs: int) -> int:
    """The reader's first paint on this library against an empty one (issue 16: at most 1.2x),
    without saved views and with the 20 of VIEWS (their unread counts are in the feeds pane at
    start-up), alternating, in frames.py's tmux harness (timed to the write that drew it)."""
    from frames import first_paint
    from run import NEWSTUI, WORK, compile_sources, newstui_config, newstui_env, tmux

    if not DONE.exists():
        raise SystemExit(f"no library at {DB}: run `benchmarks/query.py build` first")
    compile_sources()
    scratch = WORK / "query-paint"
    scratch.mkdir(parents=True, exist_ok=True)
    plain = newstui_config(scratch / "plain.toml")
    viewed = scratch / "views.toml"
    fill = _words(DB)
    viewed.write_text(
        plain.read_text(encoding="utf-8")
        + "\n[views]\n"
        + "".join(f'"view {i}" = {json.dumps(v.format(**fill))}\n' for i, v in enumerate(VIEWS)),
        encoding="utf-8",
    )
    empty = scratch / "empty.db"  # made by the untimed start: an every-day start, as frames.py
    for suffix in ("", "-wal", "-shm"):
        Path(f"{empty}{suffix}").unlink(missing_ok=True)
    readers = [
        ("empty", plain, empty, lambda s: "Welcome" in s and "Bookmarks" in s),
        ("1M", plain, DB, lambda s: "Bench feed 00000" in s),
        ("1M + 20 views", viewed, DB, lambda s: "Bench feed 00000" in s and "view 19" in s),
    ]
    samples: dict[str, list[float]] = {}
    tmux("new-session", "-d", "-s", f"keep{os.getpid()}", "sleep 14400", check=False)
    try:
        for _name, config, db, painted in readers:  # warm: the page cache, the views' counts
            env = newstui_env(scratch / "home", config)
            first_paint([NEWSTUI, "--db", str(db)], env, painted)
        for run in range(runs):
            for name, config, db, painted in readers if run % 2 == 0 else readers[::-1]:
                env = newstui_env(scratch / "home", config)
                seconds = first_paint([NEWSTUI, "--db", str(db)], env, painted)
                samples.setdefault(name, []).append(seconds)
                log(f"  run {run + 1}/{runs}: {name} {seconds * 1000:.0f} ms")
    finally:
        tmux("kill-session", "-t", f"keep{os.getpid()}", check=False)
    med = {k: statistics.median(v) * 1000 for k, v in samples.items()}
    print(f"load: {os.getloadavg()[0]:.1f}")
    for name, ms in med.items():
        print(f"first paint, {name}: median {ms:.0f} ms ({len(samples[name])} runs), "
              f"{ms / med['empty']:.2f}x the empty library's")  # fmt: skip
    return 0


def _store_new(path: Path, feeds: int, items: int, seed: int) -> int:
    """Store `items` new articles in each of the first `feeds` feeds, as a refresh does."""
    from newstui.domain.update import StoredEntry
    from newstui.storage.db import Database
    from newstui.storage.writer import FeedUpdate, apply_updates

    fs = FeedSet(feeds, items, seed=seed)
    db = Database(path)
    try:
        updates = []
        for index in range(feeds):
            feed_id = int(db.one("SELECT id FROM feeds ORDER BY id LIMIT 1 OFFSET ?", (index,))[0])
            entries = []
            for number in range(items):
                title, link, body, _when = fs.item(index, number)
                entries.append(
                    StoredEntry(
                        key=f"new-{seed}-{index}-{number}",
                        title=title,
                        url=link + f"?new={seed}",
                        author="Author 7",
                        site=None,
                        published=time.time() - 3600,
                        updated=None,
                        content=body,
                        content_type="html",
                        digest=f"new-{seed}-{index}-{number}",
                    )
                )
            updates.append(FeedUpdate(feed_id, "ok", None, 200, entries))
        apply_updates(db, updates)
    finally:
        db.close()
    return feeds * items


def counts(fill: dict[str, str]) -> int:
    """Saved views' counts as the reader asks them (each view's unread, one after another):
    the first time (counted whole, then kept), at start-up with nothing changed, after a
    refresh stored new articles, and after marks."""
    from newstui.config import Config
    from newstui.library.facade import Library

    views = tuple((f"view {i}", v.format(**fill)) for i, v in enumerate(VIEWS))
    texts = [q for _n, q in views]

    def ask(library: Library) -> list[int]:
        return [library.view_unread(q) for q in texts]

    library = Library.open(Config(views=views), DB)
    try:
        started = time.perf_counter()
        first = ask(library)
        log(
            f"first time (each view counted whole): {(time.perf_counter() - started) * 1000:.0f} ms"
        )
        again = _median_ms(lambda: ask(library))
        print(f"\n20 saved views' unread counts, nothing changed: {again:.1f} ms")
    finally:
        library.close()
    library = Library.open(Config(views=views), DB)  # a new start: nothing kept in memory
    try:
        started = time.perf_counter()
        ask(library)
        print(
            f"the same at start-up (the library just opened): {(time.perf_counter() - started) * 1000:.1f} ms"
        )
    finally:
        library.close()
    stored = _store_new(DB, 200, 5, seed=int(time.time()))
    library = Library.open(Config(views=views), DB)
    try:
        started = time.perf_counter()
        after = ask(library)
        print(
            f"after a refresh stored {stored} new articles: "
            f"{(time.perf_counter() - started) * 1000:.1f} ms"
        )
        ids = library.query_ids("is:unread limit:1000")
        library.set_read(ids, True)
        started = time.perf_counter()
        marked = ask(library)
        print(f"after marking {len(ids)} read: {(time.perf_counter() - started) * 1000:.1f} ms")
        library.set_read(ids, False)
        ask(library)
        print("  unread counts, first / after the refresh / after the marks:")
        for text, a, b, c in zip(texts, first, after, marked, strict=True):
            print(f"  {a:>7} {b:>7} {c:>7}  {text}")
    finally:
        library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
