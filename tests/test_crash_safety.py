"""Crashes, full disks and concurrent writers: nothing committed is lost, nothing is half-stored."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newstui.config import Config
from newstui.domain.errors import StorageFailure
from newstui.domain.models import View
from newstui.library.facade import Library
from tests.feedgen import Item, rss

FEEDS = 24
ITEMS = 6
BIN = Path(sys.executable).parent / "newstui"


def round_items(feed: int, rnd: int) -> list[Item]:
    return [
        Item(
            f"f{feed} r{rnd} #{i}", guid=f"f{feed}-r{rnd}-{i}", body="<p>" + "text " * 200 + "</p>"
        )
        for i in range(ITEMS)
    ]


@pytest.fixture
def rounds_server(httpserver: HTTPServer) -> tuple[HTTPServer, dict[str, int]]:
    state = {"round": 0}

    def handler(request: Request) -> Response:
        feed = int(request.args["f"])
        return Response(rss(round_items(feed, state["round"]), title=f"Feed {feed}"))

    httpserver.expect_request("/feed").respond_with_handler(handler)
    return httpserver, state


def check_database(path: Path, flags: dict[int, tuple[int, int]]) -> int:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # No half-stored feed: for every feed and round, all of its items or none.
        rows = conn.execute("SELECT feed_id, key FROM articles").fetchall()
        groups: dict[tuple[int, str], int] = {}
        for feed_id, key in rows:
            prefix = key.rsplit("-", 1)[0]
            groups[(feed_id, prefix)] = groups.get((feed_id, prefix), 0) + 1
        assert all(n == ITEMS for n in groups.values()), groups
        # The counters kept by triggers agree with the rows.
        for feed_id, total, unread in conn.execute("SELECT id, total, unread FROM feeds"):
            real = conn.execute(
                "SELECT count(*), coalesce(sum(read = 0), 0) FROM articles WHERE feed_id = ?",
                (feed_id,),
            ).fetchone()
            assert (total, unread) == tuple(real)
        for article_id, (read, bookmarked) in flags.items():
            row = conn.execute(
                "SELECT read, bookmarked FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            assert row == (read, bookmarked), f"article {article_id} lost its flags"
        return len(rows)
    finally:
        conn.close()


@pytest.mark.slow
def test_kill_9_during_refresh_loses_nothing(
    tmp_path: Path, rounds_server: tuple[HTTPServer, dict[str, int]]
) -> None:
    server, state = rounds_server
    db = tmp_path / "crash.db"
    lib = Library.open(Config(), db)
    for f in range(FEEDS):
        lib.subscribe(server.url_for("/feed") + f"?f={f}")
    lib.close()
    tag = f"kill9-{os.getpid()}-{time.time_ns()}"  # inherited by every process a run starts
    env = dict(os.environ, NEWSTUI_DB=str(db), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    env["NEWSTUI_TEST_TAG"] = tag
    seed = int(time.time())
    rng = random.Random(seed)
    flags: dict[int, tuple[int, int]] = {}
    stored = 0
    for rnd in range(20):
        state["round"] = rnd
        proc = subprocess.Popen(
            [str(BIN), "refresh", "--quiet"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        count = check_database(db, flags)
        assert count >= stored, f"seed {seed}: committed articles disappeared"
        stored = count
        # Set flags on a few committed articles; they must survive every later kill.
        conn = sqlite3.connect(db)
        ids = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY random() LIMIT 3")]
        for i, article_id in enumerate(ids):
            value = (1, i % 2)
            conn.execute(
                "UPDATE articles SET read = ?, bookmarked = ? WHERE id = ?", (*value, article_id)
            )
            flags[article_id] = value
        conn.commit()
        conn.close()
    # And a refresh that is left to finish completes the picture.
    subprocess.run([str(BIN), "refresh", "--quiet"], env=env, check=True, timeout=60)
    check_database(db, flags)
    # Nothing the killed runs started (parse workers, their forkserver) is left behind.
    deadline = time.monotonic() + 15
    while (left := tagged_processes(tag)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == [], f"processes left by killed refreshes: {left}"


def tagged_processes(tag: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            if f"NEWSTUI_TEST_TAG={tag}".encode() in environ.split(b"\0"):
                status = (entry / "status").read_text()
                if "State:\tZ" not in status:  # a zombie is gone, only not yet reaped
                    found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


def test_two_processes_on_one_database_do_not_duplicate(
    tmp_path: Path, rounds_server: tuple[HTTPServer, dict[str, int]]
) -> None:
    server, _state = rounds_server
    db = tmp_path / "two.db"
    lib = Library.open(Config(), db)
    for f in range(FEEDS):
        lib.subscribe(server.url_for("/feed") + f"?f={f}")
    lib.close()
    env = dict(os.environ, NEWSTUI_DB=str(db), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    procs = [
        subprocess.Popen(
            [str(BIN), "refresh", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    assert check_database(db, {}) == FEEDS * ITEMS


def test_full_disk_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    lib = Library.open(Config(), tmp_path / "full.db")
    small = tmp_path / "small.xml"
    small.write_bytes(rss(round_items(0, 0)))
    asyncio.run(lib.add_feed(str(small)))
    before = lib.count(View("all"))
    big = tmp_path / "big.xml"
    big.write_bytes(
        rss([Item(f"big {i}", guid=f"b{i}", body="<p>" + "x" * 20000 + "</p>") for i in range(200)])
    )
    # Fault injection: the cap is a setting of the library's own connection, so it is set there.
    conn = lib._db.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 5}")  # the disk fills up now
    with pytest.raises(StorageFailure) as info:
        asyncio.run(lib.add_feed(str(big)))
    assert f"disk full while writing {tmp_path / 'full.db'}; nothing was lost" in str(info.value)
    assert lib.count(View("all")) == before
    lib.close()
    with closing(sqlite3.connect(tmp_path / "full.db")) as own:
        assert own.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_feed_that_cannot_be_stored_does_not_take_its_shared_commit_down(tmp_path: Path) -> None:
    """The refresh writer commits several feeds at once; one bad feed fails alone."""
    from newstui.domain.errors import StorageError
    from newstui.domain.update import StoredEntry
    from newstui.storage.db import Database
    from newstui.storage.writer import FeedUpdate, UpdateWriter

    db = Database(tmp_path / "lib.db")
    ids = [db.insert_feed(f"https://example.test/{n}.xml", title=None, tags=()) for n in range(3)]

    def entry(key: str, title: str | None) -> StoredEntry:
        return StoredEntry(key, title, None, None, None, 1.0e9, None, "body", "text", key)  # type: ignore[arg-type]

    writer = UpdateWriter(db, gather=1.0)  # the three arrive within one gathering window
    futures = [
        writer.submit(FeedUpdate(feed_id, "ok", None, 200, [entry(f"k{feed_id}", title)]))
        for feed_id, title in zip(ids, ["first", None, "third"], strict=True)
    ]
    writer.close()
    assert futures[0].result() == (1, 0)
    assert futures[2].result() == (1, 0)
    with pytest.raises(StorageError):
        futures[1].result()
    titles = {row[0] for row in db.query("SELECT title FROM articles")}
    assert titles == {"first", "third"}
    found = db.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'third'")
    assert len(found) == 1
    db.close()
