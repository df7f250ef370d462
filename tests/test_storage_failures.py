"""A full disk, a file-size limit or a crash in a checkpoint: the refresh stops, the library opens."""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from newstui.config import Config
from newstui.domain.errors import StorageError
from newstui.library.facade import Library
from tests.feedgen import Item, rss

BIN = Path(sys.executable).parent / "newstui"
FEEDS = 16
ITEMS = 30


def story_text(feed: int, i: int) -> str:
    """~2.7 KB of HTML that compresses about as feed text does (the library stores it
    compressed: a body that repeats one phrase would take next to no room)."""
    pick = random.Random(feed * 1000 + i).randrange
    return "<p>" + " ".join(f"w{pick(3000)}" for _ in range(450)) + "</p>"


def feed_items(feed: int) -> list[Item]:
    return [
        Item(
            f"feed {feed} story {i}",
            guid=f"f{feed}-{i}",
            link=f"https://example.org/{feed}/{i}",
            body=story_text(feed, i),
        )
        for i in range(ITEMS)
    ]


def env_for(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path))
    env.pop("NEWSTUI_DB", None)
    return env


def newstui(
    tmp_path: Path, db: Path, *args: str, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), "--db", str(db), *args],
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=90,
        preexec_fn=preexec,
    )


def file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return apply


def header_short_of(db: Path) -> int:
    """How many bytes the main file lacks of the size its header claims (0: none)."""
    header = db.read_bytes()[:100]
    page_size = struct.unpack(">H", header[16:18])[0]
    pages = struct.unpack(">I", header[28:32])[0]
    return max(0, pages * (65536 if page_size == 1 else page_size) - db.stat().st_size)


def checkpoint_first_page(db: Path) -> None:
    """Copy the newest page 1 in `db`'s WAL into the main file, as a checkpoint's first write."""
    wal = Path(f"{db}-wal").read_bytes()
    page_size = struct.unpack(">I", wal[8:12])[0]
    newest = None
    for frame in range(32, len(wal) - 24 - page_size + 1, 24 + page_size):
        if struct.unpack(">I", wal[frame : frame + 4])[0] == 1:
            newest = wal[frame + 24 : frame + 24 + page_size]
    assert newest is not None, "the WAL holds no page 1"
    with db.open("r+b") as main:
        main.write(newest)


def integrity(db: Path) -> str:
    """SQLite's own verdict, read-only: closing a writable connection would end the checkpoint."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def subscribed_library(tmp_path: Path) -> tuple[Path, int]:
    """A library of FEEDS local feeds, the first one stored and one of its articles bookmarked."""
    db = tmp_path / "data" / "newstui.db"
    lib = Library.open(Config(), db)
    for feed in range(FEEDS):
        path = tmp_path / f"feed{feed}.xml"
        path.write_bytes(rss(feed_items(feed), title=f"Feed {feed}"))
        if feed == 0:
            import asyncio

            asyncio.run(lib.add_feed(str(path)))
        else:
            lib.subscribe(str(path))
    with closing(sqlite3.connect(db)) as own:
        bookmarked = own.execute("SELECT min(id) FROM articles").fetchone()[0]
    lib.set_bookmarked([bookmarked])
    lib.close()
    return db, int(bookmarked)


def test_a_file_size_limit_stops_the_refresh_and_locks_nobody_out(tmp_path: Path) -> None:
    db, bookmarked = subscribed_library(tmp_path)
    before = json.loads(newstui(tmp_path, db, "articles", "--json").stdout)
    assert len(before) == ITEMS
    used = db.stat().st_size + sum(p.stat().st_size for p in db.parent.glob("*-wal"))
    limit = used + 600_000  # room for a few feeds, not for sixteen

    run = newstui(tmp_path, db, "refresh", preexec=file_size_limit(limit))
    assert run.returncode == 1, (run.stdout, run.stderr)
    errors = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, run.stderr  # one message, not one per feed that followed
    assert str(db) in errors[0]
    assert "disk full while writing" in errors[0]
    assert "nothing was lost" in errors[0]
    assert "checked" not in run.stdout  # no summary as if the refresh had done its work

    # Still under the limit, the library opens and reads: nothing refuses it.
    reading = newstui(tmp_path, db, "articles", "--json", preexec=file_size_limit(limit))
    assert reading.returncode == 0, reading.stderr
    # Without the limit: everything committed before is there, intact.
    after = newstui(tmp_path, db, "articles", "--json")
    assert after.returncode == 0, after.stderr
    articles = json.loads(after.stdout)
    assert {a["id"] for a in before} <= {a["id"] for a in articles}
    assert len(articles) < FEEDS * ITEMS  # the refresh did stop
    assert [a["bookmarked"] for a in articles if a["id"] == bookmarked] == [True]
    assert integrity(db) == "ok"
    # And a refresh with room completes the library.
    done = newstui(tmp_path, db, "refresh")
    assert done.returncode == 0, done.stderr
    assert "16 feeds checked" in done.stdout
    assert len(json.loads(newstui(tmp_path, db, "articles", "--json").stdout)) == FEEDS * ITEMS


def test_the_stop_message_counts_the_feeds_stored_apart_from_the_unchanged(
    tmp_path: Path,
) -> None:
    """ "Stopped after N of M" read as N feeds stored while it counted unchanged feeds too: the
    message now says how many were stored, unchanged and not refreshed, as the library has it."""
    db = tmp_path / "data" / "newstui.db"
    lib = Library.open(Config(), db)
    paths = [tmp_path / f"feed{feed}.xml" for feed in range(FEEDS)]
    for feed, path in enumerate(paths):
        path.write_bytes(rss([Item(f"first {feed}", guid=f"f{feed}")], title=f"Feed {feed}"))
        lib.subscribe(str(path))
    lib.close()
    first = newstui(tmp_path, db, "refresh")
    assert first.returncode == 0 and "16 feeds checked" in first.stdout, first
    changed = paths[::2]  # half the feeds get new stories; the files of the rest stay as they are
    for path in changed:
        feed = paths.index(path)
        items = [
            Item(  # words of their own: neither the file nor the search index packs them small
                f"second {feed} {i}",
                guid=f"s{feed}-{i}",
                body="<p>" + " ".join(f"w{feed}x{i}y{k}" for k in range(400)) + "</p>",
            )
            for i in range(ITEMS)
        ]
        path.write_bytes(rss(items, title=f"Feed {feed}"))
    started = time.time()
    # Each file of the library (the main one, its WAL) may grow to this: room for a feed or two.
    limit = max(p.stat().st_size for p in db.parent.glob("newstui.db*")) + 400_000

    run = newstui(tmp_path, db, "refresh", preexec=file_size_limit(limit))
    assert run.returncode == 1, (run.stdout, run.stderr)
    [line] = [line for line in run.stderr.splitlines() if line.strip()]
    assert "disk full while writing" in line

    feeds = json.loads(newstui(tmp_path, db, "feeds", "--json").stdout)
    checked = [
        f
        for f in feeds
        if datetime.fromisoformat(f["last_checked"].replace("Z", "+00:00")).timestamp() >= started
    ]
    stored = sum(1 for f in checked if f["status"] == "ok")
    unchanged = sum(1 for f in checked if f["status"] == "not_modified")
    assert unchanged, "the unchanged feeds were checked before the disk filled up"
    assert stored < len(changed), "the refresh did stop"
    titles = {a["title"] for a in json.loads(newstui(tmp_path, db, "articles", "--json").stdout)}
    with_news = sum(1 for path in changed if f"second {paths.index(path)} 0" in titles)
    assert with_news == stored  # a feed counted as stored has its new stories in the library
    expected = f"the refresh stopped: {stored} of 16 feeds stored, {unchanged} unchanged, "
    expected += f"{FEEDS - stored - unchanged} not refreshed"
    assert line.endswith(expected), line


WAL_WRITER = """
import os, signal, sqlite3, sys
from newstui.storage.search import register  # the search index's triggers call search_body
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
register(conn)
conn.execute("PRAGMA wal_autocheckpoint = 0")  # the WAL keeps everything until a checkpoint
conn.execute("BEGIN IMMEDIATE")
conn.execute(  # new text on every try: SQLite skips writing a value that is unchanged
    "UPDATE articles SET full_text = 'kept ' || id || ' ' || ?", (sys.argv[2] * 12000,)
)
conn.execute("COMMIT")
os.kill(os.getpid(), signal.SIGKILL)  # dies with the WAL in place, as after a crash
"""


@pytest.mark.slow
def test_kill_9_during_the_checkpoint_of_a_large_wal_loses_nothing(tmp_path: Path) -> None:
    db, bookmarked = subscribed_library(tmp_path)
    assert newstui(tmp_path, db, "refresh").returncode == 0
    with closing(sqlite3.connect(db)) as own:
        own.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = FEEDS * ITEMS
    caught = 0
    for attempt in "abcdefghijkl":
        # A WAL of ~6 MB whose pages lie past the end of the main file.
        subprocess.run([sys.executable, "-c", WAL_WRITER, str(db), attempt], timeout=60)
        wal = Path(f"{db}-wal")
        assert wal.stat().st_size > 4_000_000
        start = db.stat().st_size
        # Reading opens the library; closing it checkpoints the WAL into the main file.
        proc = subprocess.Popen(
            [str(BIN), "--db", str(db), "articles", "--limit", "1"],
            env=env_for(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if db.stat().st_size != start:  # the checkpoint is copying pages
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=10)
        if header_short_of(db) > 0 and wal.exists():
            caught += 1
            break
    if not caught:
        # On a loaded machine the checkpoint can end before this loop sees it start: leave the
        # state its first write leaves (a checkpoint copies pages in order, page 1 first, and
        # page 1's header says how many pages the database has), as a kill there would.
        attempt = "m"
        subprocess.run([sys.executable, "-c", WAL_WRITER, str(db), attempt], timeout=60)
        checkpoint_first_page(db)
    # The state the check used to refuse: a main file shorter than its header says, whole
    # with its WAL.
    assert integrity(db) == "ok"
    assert header_short_of(db) > 0
    seen = newstui(tmp_path, db, "articles", "--json")
    assert seen.returncode == 0, seen.stderr
    articles = json.loads(seen.stdout)
    assert len(articles) == total
    assert [a["bookmarked"] for a in articles if a["id"] == bookmarked] == [True]
    with closing(sqlite3.connect(db)) as own:
        kept = own.execute(  # the text of the WAL's transaction, not an earlier one
            "SELECT count(*) FROM articles WHERE full_text LIKE ?", (f"kept % {attempt * 50}%",)
        ).fetchall()
        assert kept[0][0] == total


def test_a_truncated_file_beside_a_wal_that_cannot_complete_it_is_still_refused(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good.db"
    lib = Library.open(Config(), good)
    for i in range(200):
        lib.subscribe(f"https://example.org/{i}", title="x" * 500, tags=("t",))
    lib.close()
    # The library's own WAL, holding one later change only: not the pages cut off below.
    conn = sqlite3.connect(good, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE feeds SET title = 'renamed' WHERE id = 1")
    own_wal = Path(f"{good}-wal").read_bytes()
    conn.close()
    # The WAL of a database that is not a library at all.
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (randomblob(100000))")
    foreign_wal = Path(f"{other}-wal").read_bytes()
    conn.close()
    data = good.read_bytes()
    for n, (wal, words) in enumerate(
        [(own_wal, "truncated"), (foreign_wal, "not a newstui database")]
    ):
        cut = tmp_path / f"cut{n}" / "lib.db"
        cut.parent.mkdir()
        cut.write_bytes(data[: len(data) // 2])
        Path(f"{cut}-wal").write_bytes(wal)
        with pytest.raises(StorageError) as info:
            Library.open(Config(), cut)
        assert "truncated" in str(info.value) and words in str(info.value)
        assert cut.read_bytes() == data[: len(data) // 2], "the file must never be written"
        assert Path(f"{cut}-wal").read_bytes() == wal


CHILD_REFRESH = """
import asyncio, sys
from newstui.config import Config
from newstui.library.facade import Library
from newstui.domain.errors import StorageFailure

library = Library.open(Config(), sys.argv[1])
try:
    asyncio.run(library.refresh_in_child())
except StorageFailure as exc:
    print("StorageFailure:", exc)
else:
    print("no error")
"""


def test_the_tuis_refresh_process_reports_a_full_disk_as_a_storage_failure(
    tmp_path: Path,
) -> None:
    """The TUI refreshes in a child process; its full disk reaches the TUI as the same error."""
    db, _bookmarked = subscribed_library(tmp_path)
    limit = db.stat().st_size + 300_000
    run = subprocess.run(
        [sys.executable, "-c", CHILD_REFRESH, str(db)],
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=90,
        preexec_fn=file_size_limit(limit),
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("StorageFailure: disk full while writing"), run.stdout
    assert str(db) in run.stdout and "the refresh stopped" in run.stdout


def test_a_reader_action_on_a_failing_disk_is_a_storage_failure_with_its_path(
    tmp_path: Path,
) -> None:
    """What the TUI's actions call raises the project's own error, which the app can show."""
    from newstui.domain.errors import StorageFailure
    from newstui.domain.models import View

    db, bookmarked = subscribed_library(tmp_path)
    lib = Library.open(Config(), db)
    feed = lib.feeds()[0]
    # Fault injection on the library's own connection: every write now fails as on a
    # read-only file.
    lib._db.conn.execute("PRAGMA query_only = 1")
    actions: list[Callable[[], object]] = [
        lambda: lib.set_read([bookmarked], True),
        lambda: lib.set_bookmarked([bookmarked], False),
        lambda: lib.mark_view_read(View("all")),
        lambda: lib.edit_feed(feed.id, title="new", tags=["x"]),
        lambda: lib.remove_feed(feed.id),
        lambda: lib.set_setting("layout", "wide"),
    ]
    try:
        for action in actions:
            with pytest.raises(StorageFailure) as info:
                action()
            assert str(db) in str(info.value) and "read-only" in str(info.value)
            assert not isinstance(info.value, sqlite3.Error)
        assert lib.article(bookmarked).bookmarked  # and nothing changed
    finally:
        lib.close()


def test_a_full_disk_keeps_what_fits_and_then_writes_nothing_more(tmp_path: Path) -> None:
    """The writer's shared commit fails on a full disk: the feeds before the one that does not
    fit are stored one by one, and after it nothing is even tried."""
    from newstui.domain.errors import StorageFailure
    from newstui.domain.update import StoredEntry
    from newstui.storage.db import Database
    from newstui.storage.writer import FeedUpdate, UpdateWriter

    db = Database(tmp_path / "lib.db")
    ids = [db.insert_feed(f"https://example.test/{n}.xml", title=None, tags=()) for n in range(4)]

    def entry(key: str, size: int) -> StoredEntry:
        body = "word " * (size // 5)
        return StoredEntry(key, key, None, None, None, 1.0e9, None, body, "text", key)

    pages = db.one("PRAGMA page_count")[0]
    db.conn.execute(f"PRAGMA max_page_count = {pages + 40}")  # ~160 kB left on the "disk"
    writer = UpdateWriter(db, gather=1.0)  # all four arrive within one gathering window
    sizes = [20_000, 2_000_000, 1_000, 1_000]
    futures = [
        writer.submit(FeedUpdate(feed_id, "ok", None, 200, [entry(f"k{feed_id}", size)]))
        for feed_id, size in zip(ids, sizes, strict=True)
    ]
    writer.close()
    assert futures[0].result() == (1, 0)
    for future in futures[1:]:  # the third would fit, but the disk has failed: not tried
        with pytest.raises(StorageFailure, match="disk full while writing"):
            future.result()
    assert [row[0] for row in db.query("SELECT title FROM articles")] == [f"k{ids[0]}"]
    db.close()
