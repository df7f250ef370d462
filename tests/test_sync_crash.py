"""kill -9 during `newstui sync` against a real tt-rss: no local change lost, no article twice."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from newstui.configfile import parse_config
from newstui.domain.models import View
from newstui.library.facade import Library
from tests import feedgen
from tests.ttrss.fixtures import loopback_feeds, ttrss  # noqa: F401 (fixtures)
from tests.ttrss.harness import LoopbackFeeds, TtrssServer

ITEMS = 450  # three getHeadlines pages


def count_articles(db: Path) -> int:
    if not db.exists():
        return 0
    probe = sqlite3.connect(db, timeout=10)
    try:
        return int(probe.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not made yet
        return 0
    finally:
        probe.close()


def test_kill_9_at_any_moment_of_a_sync_loses_nothing_and_duplicates_nothing(
    ttrss: TtrssServer,  # noqa: F811
    loopback_feeds: LoopbackFeeds,  # noqa: F811
    tmp_path: Path,
) -> None:
    loopback_feeds.docs["/crash.xml"] = feedgen.rss(feedgen.items(ITEMS, "Crash"), title="Crash")
    ttrss.subscribe(loopback_feeds.url("/crash.xml"), 0)
    ttrss.update_feeds()
    secret = tmp_path / "pw"
    secret.write_text(ttrss.password)
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        f'[[accounts]]\nname = "home"\ntype = "ttrss"\nurl = "{ttrss.url}"\n'
        f'username = "{ttrss.user}"\npassword_command = ["cat", "{secret}"]\n'
    )
    db = tmp_path / "lib.db"
    cmd = [sys.executable, "-m", "newstui.cli", "--config", str(config_path), "--db", str(db),
           "sync"]  # fmt: skip
    config = parse_config(config_path.read_text())
    rng = random.Random(19)
    # How long a whole sync takes here (start-up included): the kills land anywhere inside it.
    scratch = [*cmd[:-3], "--db", str(tmp_path / "scratch.db"), "sync"]
    t0 = time.monotonic()
    subprocess.run(scratch, capture_output=True, timeout=300, check=True)
    whole = time.monotonic() - t0
    marked: dict[str, bool] = {}  # article link -> read, as changed locally between kills
    kills = 0
    stored: list[int] = []  # articles stored when each run ended
    for attempt in range(6):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt == 0:
            # The first kill lands mid-pull for sure: as soon as a first page is stored.
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                if count_articles(db) > 0:
                    break
                time.sleep(0.01)
        else:  # the others anywhere in a whole sync's time
            time.sleep(rng.uniform(0.3, whole))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
        stored.append(count_articles(db))
        # A local change between the kills (the reader marking what it shows).
        if db.exists():
            library = Library.open(config, db)
            try:
                articles = library.articles(View("all"), limit=300)
                if articles:
                    pick = rng.choice(articles)
                    library.set_read([pick.id], not pick.read)
                    marked[pick.url or ""] = not pick.read
            finally:
                library.close()
    assert kills >= 3, "the syncs finished before any kill: nothing was tested"
    assert any(0 < n < ITEMS for n in stored), f"no kill landed mid-pull: {stored}"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        keys = [r[0] for r in conn.execute("SELECT key FROM articles")]
        server_total = int(ttrss.psql("SELECT count(*) FROM ttrss_user_entries;").strip())
        assert len(keys) == len(set(keys)) == server_total
        # The feed's maintained counters match its articles.
        for total, unread, real_total, real_unread in conn.execute(
            "SELECT f.total, f.unread, (SELECT count(*) FROM articles a WHERE a.feed_id = f.id), "
            "(SELECT count(*) FROM articles a WHERE a.feed_id = f.id AND a.read = 0) "
            "FROM feeds f"
        ):
            assert (total, unread) == (real_total, real_unread)
        assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    finally:
        conn.close()
    # Every local change reached the server.
    for link, read in marked.items():
        unread = ttrss.psql(
            "SELECT ue.unread FROM ttrss_user_entries ue JOIN ttrss_entries e ON e.id = ue.ref_id "
            f"WHERE e.link = '{link}';"
        ).strip()
        assert unread == ("f" if read else "t"), (link, read)
