"""Sync through the Google Reader API, against tests/greader_server.py (a local stand-in)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newstui.cli.formats import feed_json
from newstui.config import Config
from newstui.configfile import parse_config
from newstui.domain.models import View
from newstui.library.facade import Library
from tests.greader_server import GReaderServer
from tests.sql_support import sql_one


@pytest.fixture
def server() -> Iterator[GReaderServer]:
    s = GReaderServer()
    yield s
    s.close()


def config_for(server: GReaderServer, tmp_path: Path, read_timeout: float = 10.0) -> Config:
    text = f"""
[[accounts]]
name = "fresh"
type = "greader"
url = "{server.url}"
username = "{server.state.user}"
password = "{server.state.password}"

[refresh]
read_timeout = {read_timeout}
max_bytes = 1048576

[limits]
max_body_chars = 200000
"""
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return parse_config(text, path, owner_only=True)


def titles(library: Library, view: View | None = None) -> dict[str, object]:
    return {a.title: a for a in library.articles(view or View("all"))}


def test_first_sync_pages_with_continuation_then_pulls_only_what_is_new(
    server: GReaderServer, tmp_path: Path
) -> None:
    tech = server.add_feed("https://example.org/tech.xml", "Tech", category="Tech")
    misc = server.add_feed("https://example.org/misc.xml", "Misc")
    server.add_items(tech, 1100, "Tech")
    server.add_items(misc, 3, "Misc")
    server.item("Tech 5").read = True
    server.item("Misc 1").starred = True
    library = Library.open(config_for(server, tmp_path), tmp_path / "lib.db")
    try:
        [outcome] = library.sync()
        assert outcome.status == "ok", outcome
        assert outcome.new == 1103
        feeds = {f.display_title: f for f in library.feeds()}
        assert feeds["Tech"].tags == ("Tech",) and feeds["Misc"].tags == ()
        assert feeds["Tech"].total == 1100 and feeds["Tech"].unread == 1099
        assert any(r.startswith("/reader/api/0/stream/items/ids") for r in server.state.requests)
        got = titles(library)
        assert got["Tech 5"].read and got["Misc 1"].bookmarked
        assert got["Misc 0"].url == "https://example.org/misc/0"

        server.state.requests.clear()
        [again] = library.sync()
        assert again.status == "ok" and again.new == 0
        assert "/reader/api/0/stream/items/contents" not in server.state.requests
        server.add_items(misc, 4, "Misc")  # Misc 0..3 again under new ids: 4 new items
        [third] = library.sync()
        assert third.new == 4
        assert library.feed(feeds["Misc"].id).total == 7
    finally:
        library.close()


def test_marks_go_up_and_come_down_and_an_unpushed_change_wins(
    server: GReaderServer, tmp_path: Path
) -> None:
    feed = server.add_feed("https://example.org/a.xml", "A")
    server.add_items(feed, 5, "A")
    library = Library.open(config_for(server, tmp_path), tmp_path / "lib.db")
    try:
        assert library.sync()[0].status == "ok"
        got = titles(library)
        library.set_read([got["A 0"].id])
        library.set_bookmarked([got["A 1"].id])
        # Meanwhile another client changes A 0 the other way and reads A 2.
        server.item("A 2").read = True
        [outcome] = library.sync()
        assert outcome.pushed == 2
        assert server.item("A 0").read and server.item("A 1").starred
        got = titles(library)
        assert got["A 0"].read and got["A 1"].bookmarked and got["A 2"].read
        server.item("A 1").starred = False
        server.item("A 0").read = False
        library.sync()
        got = titles(library)
        assert not got["A 1"].bookmarked and not got["A 0"].read
    finally:
        library.close()


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        ("500", "unavailable", "HTTP 500"),
        ("429", "rate_limited", "429"),
        ("html", "bad_response", "HTML"),
        ("badjson", "bad_response", "not valid JSON"),
        ("slow", "unavailable", "timed out"),
        ("huge", "bad_response", "too large"),  # over twice [refresh] max_bytes
    ],
)
def test_a_failing_server_is_an_account_status_and_the_next_sync_resumes(
    server: GReaderServer, tmp_path: Path, fault: str, status: str, words: str
) -> None:
    feed = server.add_feed("https://example.org/a.xml", "A")
    server.add_items(feed, 3, "A")
    config = config_for(server, tmp_path, read_timeout=1.0 if fault == "slow" else 10.0)
    library = Library.open(config, tmp_path / "lib.db")
    try:
        assert library.sync()[0].status == "ok"
        a0 = titles(library)["A 0"]
        server.fault = fault
        library.set_read([a0.id])  # offline: kept in the outbox
        [outcome] = library.sync()
        assert outcome.status == status, outcome
        assert words in (outcome.error or "")
        [account_feed] = library.feeds()
        shown = feed_json(account_feed)
        assert shown["status"] == "error" and shown["account"] == "fresh"
        assert words in shown["error"]
        assert [a["status"] for a in library.accounts()] == [status]
        # Still readable offline.
        assert titles(library)["A 0"].read
        server.fault = None
        [outcome] = library.sync()
        assert outcome.status == "ok"
        assert server.item("A 0").read
        assert sql_one(library.path, "SELECT count(*) FROM outbox")[0] == 0
        assert library.feeds()[0].status == "ok"
    finally:
        library.close()


def test_an_expired_session_logs_in_again(server: GReaderServer, tmp_path: Path) -> None:
    feed = server.add_feed("https://example.org/a.xml", "A")
    server.add_items(feed, 2, "A")
    library = Library.open(config_for(server, tmp_path), tmp_path / "lib.db")
    try:
        from newstui.sync.run import make_backend

        backend = make_backend(library.config.accounts[0], library.config)
        backend.login()
        server.expire_sessions()
        assert [f.title for f in backend.feeds()] == ["A"]  # logged in again by itself
        backend.close()
        server.state.password = "changed"
        [outcome] = library.sync()
        assert outcome.status == "auth" and "refused" in (outcome.error or "")
    finally:
        library.close()


def test_subscribing_and_unsubscribing_here_changes_the_server(
    server: GReaderServer, tmp_path: Path
) -> None:
    old = server.add_feed("https://example.org/old.xml", "Old")
    server.add_items(old, 2, "Old")
    library = Library.open(config_for(server, tmp_path), tmp_path / "lib.db")
    try:
        library.sync()
        new = library.add_account_feed("fresh", "https://example.org/new.xml", "Later")
        assert new.account == "fresh"
        [old_feed] = [f for f in library.feeds() if f.display_title == "Old"]
        library.remove_feed(old_feed.id)
        [outcome] = library.sync()
        assert outcome.status == "ok", outcome
        urls = {s.url: s for s in server.state.subs.values()}
        assert set(urls) == {"https://example.org/new.xml"}
        assert urls["https://example.org/new.xml"].category == "user/-/label/Later"
        assert [f.display_title for f in library.feeds()] == ["https://example.org/new.xml"]
        assert sql_one(library.path, "SELECT count(*) FROM outbox")[0] == 0
    finally:
        library.close()


def test_hostile_server_text_is_cleaned_and_capped(server: GReaderServer, tmp_path: Path) -> None:
    feed = server.add_feed("https://example.org/a.xml", "A\x1b]0;pwned\x07 feed")
    [iid] = server.add_items(feed, 1, "A")
    item = server.state.items[iid]
    item.title = "Evil \x1b[31mred\x1b[0m \u202etitle"
    item.content = "<p>" + "x" * 1_500_000 + "</p>"  # under the answer's cap, over a body's
    item.link = "javascript:alert(1)"
    library = Library.open(config_for(server, tmp_path), tmp_path / "lib.db")
    try:
        assert library.sync()[0].status == "ok"
        [article] = library.articles(View("all"))
        assert article.title == "Evil red title"
        assert article.url is None
        assert len(article.content) <= 200_000
        assert "\x1b" not in library.feeds()[0].display_title
    finally:
        library.close()


def test_sync_command_json_and_exit_status(server: GReaderServer, tmp_path: Path) -> None:
    feed = server.add_feed("https://example.org/a.xml", "A")
    server.add_items(feed, 2, "A")
    config = config_for(server, tmp_path)
    cmd = [sys.executable, "-m", "newstui.cli", "--config", str(config.path), "--db",
           str(tmp_path / "lib.db")]  # fmt: skip
    done = subprocess.run([*cmd, "sync", "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [outcome] = json.loads(done.stdout)
    assert outcome["account"] == "fresh" and outcome["new"] == 2
    server.fault = "500"
    done = subprocess.run([*cmd, "sync", "fresh"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "HTTP 500" in done.stdout
    missing = subprocess.run([*cmd, "sync", "nope"], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "no account 'nope'" in missing.stderr
    states = subprocess.run(
        [*cmd, "accounts", "--json"], capture_output=True, text=True, timeout=60
    )
    [state] = json.loads(states.stdout)
    assert state["name"] == "fresh" and state["status"] == "unavailable"
    assert "HTTP 500" in state["error"] and state["last_ok"] is not None
    assert server.state.password not in states.stdout


def test_a_removed_feeds_kept_bookmark_stays_whatever_the_server_says(
    server: GReaderServer, tmp_path: Path
) -> None:
    feed = server.add_feed("https://example.org/a.xml", "A")
    server.add_items(feed, 2, "A")
    library = Library.open(config_for(server, tmp_path), tmp_path / "lib.db")
    try:
        library.sync()
        kept = titles(library)["A 0"]
        library.set_bookmarked([kept.id])
        library.remove_feed(kept.feed_id)
        assert library.sync()[0].status == "ok"
        assert server.state.subs == {}
        server.item("A 0").starred = False  # the server forgets it
        assert library.sync()[0].status == "ok"
        assert [a.title for a in library.articles(View("bookmarks"))] == ["A 0"]
    finally:
        library.close()


def test_server_categories_join_a_folder_of_the_same_name_in_another_case(
    server: GReaderServer, tmp_path: Path
) -> None:
    """Tags compare without case (schema 11, add, import, the e dialog): sync's folders too."""
    from tests.feedgen import items, rss

    local = tmp_path / "local.xml"
    local.write_bytes(rss(items(2, "Local"), title="Local"))
    a = server.add_feed("https://example.org/a.xml", "A", category="tech")
    b = server.add_feed("https://example.org/b.xml", "B", category="TECH")
    server.add_feed("https://example.org/c.xml", "C", category="Science")
    server.add_items(a, 2, "A")
    server.add_items(b, 2, "B")
    library = Library.open(config_for(server, tmp_path), tmp_path / "lib.db")
    try:
        asyncio.run(library.add_feed(str(local), tags=["Tech"]))  # the library's first spelling
        for _ in range(2):  # the second sync changes nothing
            assert library.sync()[0].status == "ok"
            assert library.tags() == ["Science", "Tech"]
            tags = {f.display_title: f.tags for f in library.feeds()}
            assert tags == {"Local": ("Tech",), "A": ("Tech",), "B": ("Tech",), "C": ("Science",)}
            assert library.count(View("tag", tag="Tech")) == 6
        # Subscribing here under another spelling: the folder and the server's label are the
        # library's spelling.
        new = library.add_account_feed("fresh", "https://example.org/new.xml", "tECH")
        assert new.tags == ("Tech",)
        assert library.sync()[0].status == "ok"
        [sub] = [s for s in server.state.subs.values() if s.url.endswith("/new.xml")]
        assert sub.category == "user/-/label/Tech"
        assert library.tags() == ["Science", "Tech"]
    finally:
        library.close()
