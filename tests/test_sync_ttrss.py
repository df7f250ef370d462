"""Sync against a real Tiny Tiny RSS on loopback (tests/ttrss): pull, mark on both sides, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstui.cli.formats import feed_json
from newstui.config import Config
from newstui.configfile import parse_config
from newstui.domain.models import View
from newstui.library.facade import Library
from tests import feedgen
from tests.sql_support import sql_one
from tests.ttrss.fixtures import loopback_feeds, ttrss  # noqa: F401 (fixtures)
from tests.ttrss.harness import LoopbackFeeds, TtrssServer


def account_config(server: TtrssServer, tmp_path: Path, name: str = "home") -> Config:
    secret = tmp_path / f"{name}.secret"
    secret.write_text(server.password + "\n")
    secret.chmod(0o600)
    return parse_config(
        f"""
[[accounts]]
name = "{name}"
type = "ttrss"
url = "{server.url}"
username = "{server.user}"
password_command = ["cat", "{secret}"]
"""
    )


def by_title(library: Library) -> dict[str, object]:
    return {a.title: a for a in library.articles(View("all"))}


@pytest.fixture(scope="module")
def seeded(ttrss: TtrssServer, loopback_feeds: LoopbackFeeds) -> dict[str, int]:  # noqa: F811
    loopback_feeds.docs["/sync-a.xml"] = feedgen.rss(feedgen.items(5, "Apple"), title="Apples")
    loopback_feeds.docs["/sync-b.xml"] = feedgen.rss(feedgen.items(3, "Berry"), title="Berries")
    news = ttrss.add_category("Fruit news")
    a = ttrss.subscribe(loopback_feeds.url("/sync-a.xml"), news)
    b = ttrss.subscribe(loopback_feeds.url("/sync-b.xml"), 0)
    ttrss.update_feeds()
    return {"apples": a, "berries": b, "category": news}


def server_flags(server: TtrssServer, title: str) -> tuple[bool, bool]:
    """(read, starred) of the article with this title, as the server has it."""
    out = server.psql(
        "SELECT ue.unread, ue.marked FROM ttrss_user_entries ue JOIN ttrss_entries e "
        f"ON e.id = ue.ref_id WHERE e.title = '{title}'"
    ).strip()
    unread, marked = out.split("|")
    return unread == "f", marked == "t"


def test_first_sync_pulls_feeds_in_category_folders_and_their_articles(
    ttrss: TtrssServer,  # noqa: F811
    seeded: dict[str, int],
    loopback_feeds: LoopbackFeeds,  # noqa: F811
    tmp_path: Path,
) -> None:
    config = account_config(ttrss, tmp_path)
    library = Library.open(config, tmp_path / "lib.db")
    try:
        [outcome] = library.sync()
        assert outcome.status == "ok", outcome
        assert outcome.new == 8
        feeds = {f.display_title: f for f in library.feeds()}
        assert set(feeds) == {"Apples", "Berries"}
        assert feeds["Apples"].tags == ("Fruit news",)
        assert feeds["Berries"].tags == ()
        assert feeds["Apples"].total == 5 and feeds["Apples"].unread == 5
        articles = by_title(library)
        assert articles["Apple 0"].url == "https://example.org/apple/0"
        assert "hello" in articles["Apple 0"].content
        # newstui never fetched the feeds itself: only tt-rss did.
        hits_before = dict(loopback_feeds.hits)
        [again] = library.sync()
        assert again.status == "ok" and again.new == 0
        assert loopback_feeds.hits == hits_before
        assert len(library.articles(View("all"))) == 8
    finally:
        library.close()


def test_marks_travel_both_ways(
    ttrss: TtrssServer,  # noqa: F811
    seeded: dict[str, int],
    loopback_feeds: LoopbackFeeds,  # noqa: F811
    tmp_path: Path,
) -> None:
    config = account_config(ttrss, tmp_path)
    library = Library.open(config, tmp_path / "lib.db")
    try:
        assert library.sync()[0].status == "ok"
        articles = by_title(library)
        library.set_read([articles["Apple 1"].id], True)
        library.set_bookmarked([articles["Berry 2"].id], True)
        [outcome] = library.sync()
        assert outcome.status == "ok" and outcome.pushed == 2
        assert server_flags(ttrss, "Apple 1") == (True, False)
        assert server_flags(ttrss, "Berry 2") == (False, True)

        # Another client reads and stars on the server: the next sync brings it here.
        ttrss.set_article_flag("https://example.org/apple/3", unread=False, marked=True)
        ttrss.set_article_flag("https://example.org/apple/1", unread=True)
        [outcome] = library.sync()
        assert outcome.status == "ok"
        articles = by_title(library)
        assert articles["Apple 3"].read and articles["Apple 3"].bookmarked
        assert not articles["Apple 1"].read
        assert sql_one(library.path, "SELECT count(*) FROM outbox")[0] == 0

        # A new article on the feed arrives with the next incremental sync.
        loopback_feeds.docs["/sync-a.xml"] = feedgen.rss(feedgen.items(6, "Apple"), title="Apples")
        ttrss.update_feeds()
        [outcome] = library.sync()
        assert outcome.new == 1
        assert "Apple 5" in by_title(library)
    finally:
        library.close()


def test_an_expired_session_logs_in_again(
    ttrss: TtrssServer,  # noqa: F811
    seeded: dict[str, int],
    tmp_path: Path,
) -> None:
    from newstui.sync.run import make_backend

    config = account_config(ttrss, tmp_path)
    backend = make_backend(config.accounts[0], config)
    try:
        backend.login()
        ttrss.psql("DELETE FROM ttrss_sessions;")
        assert {f.title for f in backend.feeds()} >= {"Apples", "Berries"}
    finally:
        backend.close()


def test_a_server_stopped_mid_sync_fails_cleanly_and_the_next_sync_completes(
    ttrss: TtrssServer,  # noqa: F811
    seeded: dict[str, int],
    tmp_path: Path,
) -> None:
    config = account_config(ttrss, tmp_path)
    library = Library.open(config, tmp_path / "lib.db")
    try:

        def stop_at_articles(account: str, step: str) -> None:
            if step == "articles":
                ttrss.stop_web()

        try:
            [outcome] = library.sync(progress=stop_at_articles)
        finally:
            ttrss.start_web()
        assert outcome.status == "unavailable", outcome
        assert outcome.error and "api" in outcome.error  # refused or reset, as it went
        shown = [feed_json(f) for f in library.feeds()]
        assert shown and all(f["status"] == "error" and f["account"] == "home" for f in shown)
        # The library opens and reads offline meanwhile.
        again = Library.open(config, tmp_path / "lib.db")
        assert again.feeds()
        again.close()
        [outcome] = library.sync()
        assert outcome.status == "ok"
        server_count = int(ttrss.psql("SELECT count(*) FROM ttrss_user_entries;").strip())
        assert len(library.articles(View("all"))) == server_count
        assert all(f.status == "ok" for f in library.feeds())
    finally:
        library.close()
