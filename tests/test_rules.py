"""Rules: `[[rules]]` applied to new articles as a refresh stores them, `rules test`/`apply`,
and `hide`, which never deletes (un-hiding restores)."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from newstui.config import Config, RefreshConfig
from newstui.configfile import parse_config
from newstui.domain.errors import ConfigError
from newstui.domain.models import View
from newstui.library.facade import Library
from tests.feedgen import BASE, Item, rss
from tests.test_cli import newstui


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


RULES = """
[[rules]]
name = "no sponsored posts"
query = 'title:sponsored OR title:"paid post"'
actions = ["hide"]

[[rules]]
name = "sports read"
query = "#sports"
actions = ["read"]

[[rules]]
name = "rust"
query = "rust -title:game"
actions = ["tag:rustlang", "bookmark"]

[[rules]]
name = "alerts"
query = "title:/outage|breach/"
actions = ["notify"]
"""


def _items() -> list[Item]:
    def item(n: int, title: str, body: str = "<p>Plain news.</p>") -> Item:
        return Item(
            title=title,
            guid=f"g{n}",
            link=f"https://news.example/{n}",
            body=body,
            when=BASE - timedelta(hours=n),
        )

    return [
        item(0, "Sponsored: buy our widgets"),
        item(1, "A paid post about shoes"),
        item(2, "Rust 2.0 released", "<p>The rust compiler got faster.</p>"),
        item(3, "Rust the game, reviewed", "<p>A rust game review.</p>"),
        item(4, "Data breach at a shop"),
        item(5, "Weather"),
    ]


def _library(tmp_path: Path, rules: str = RULES) -> Library:
    config = parse_config(rules)
    config = Config(refresh=RefreshConfig(deadline=5.0, refresh_on_start=False), rules=config.rules)
    return Library.open(config, tmp_path / "lib.db")


def _notify_recorder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "notify.log"
    script = bin_dir / "notify-send"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


def test_rules_apply_to_new_articles_at_refresh(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    notices = _notify_recorder(tmp_path, monkeypatch)
    sports = [Item(title="Cup final tonight", guid="s1", link="https://sport.example/1", when=BASE)]
    httpserver.expect_request("/news").respond_with_handler(lambda r: Response(rss(_items())))
    httpserver.expect_request("/sport").respond_with_handler(lambda r: Response(rss(sports)))
    library = _library(tmp_path)
    try:
        news = run(library.add_feed(httpserver.url_for("/news"), title="News")).feed
        sport = run(library.add_feed(httpserver.url_for("/sport"), tags=["sports"])).feed
        titles = {h.title for h in library.headlines(View("all"), 0, 100)}
        assert "Sponsored: buy our widgets" not in titles
        assert "A paid post about shoes" not in titles
        assert {"Rust 2.0 released", "Weather", "Cup final tonight"} <= titles
        hidden = {h.title for h in library.headlines(View("query", query="is:hidden"), 0, 100)}
        assert hidden == {"Sponsored: buy our widgets", "A paid post about shoes"}
        # Hidden articles leave the counts too; the sports article came in read.
        feeds = {f.id: f for f in library.feeds()}
        assert (feeds[news.id].total, feeds[news.id].unread) == (4, 4)
        assert (feeds[sport.id].total, feeds[sport.id].unread) == (1, 0)
        assert library.count(View("all")) == 5 and library.unread_total() == 4
        in_feed = {h.title for h in library.headlines(View("feed", feed_id=news.id), 0, 100)}
        assert "Sponsored: buy our widgets" not in in_feed and "Weather" in in_feed
        assert library.count(View("feed", feed_id=news.id)) == len(in_feed) == 4
        tagged = {h.title for h in library.headlines(View("query", query="#rustlang"), 0, 100)}
        assert tagged == {"Rust 2.0 released"}
        assert [h.title for h in library.headlines(View("bookmarks"), 0, 10)] == [
            "Rust 2.0 released"
        ]
        calls = [json.loads(line) for line in notices.read_text().splitlines()]
        assert len(calls) == 1 and "alerts" in " ".join(calls[0])
        assert "Data breach at a shop" in calls[0][-1]

        # Un-hiding restores them, counts and all.
        ids = [h.id for h in library.headlines(View("query", query="is:hidden"), 0, 100)]
        library.set_hidden(ids, False)
        assert library.count(View("all")) == 7
        assert library.feed(news.id).unread == 6
    finally:
        library.close()


def test_a_bad_rule_is_named_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'broken'.*character"):
        _library(
            tmp_path, '[[rules]]\nname = "broken"\nquery = "title:(oops"\nactions = ["read"]\n'
        )
    with pytest.raises(ConfigError, match="unknown action 'delete'"):
        parse_config('[[rules]]\nname = "x"\nquery = "a"\nactions = ["delete"]\n')


def test_rules_test_and_apply_over_the_library(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(_items(), title="News"))
    newstui(tmp_path, "add", str(feed))  # no rules yet: nothing hidden
    out = newstui(tmp_path, "rules", "test", "title:rust -title:game", "--json", config=RULES)
    assert [a["title"] for a in json.loads(out.stdout)] == ["Rust 2.0 released"]
    bad = newstui(tmp_path, "rules", "test", "title:(rust", config=RULES, check=False)
    assert bad.returncode == 2 and "character" in bad.stderr and "Traceback" not in bad.stderr

    dry = newstui(tmp_path, "rules", "apply", "--dry-run", "--json", config=RULES)
    report = {r["rule"]: r for r in json.loads(dry.stdout)}
    assert report["no sponsored posts"]["matched"] == 2
    assert report["no sponsored posts"]["changed"] == 2
    listed = json.loads(newstui(tmp_path, "articles", "--json").stdout)
    assert len(listed) == 6  # a dry run changes nothing

    newstui(tmp_path, "rules", "apply", config=RULES)
    listed = json.loads(newstui(tmp_path, "articles", "--json").stdout)
    assert {a["title"] for a in listed} == {
        "Rust 2.0 released",
        "Rust the game, reviewed",
        "Data breach at a shop",
        "Weather",
    }
    again = newstui(tmp_path, "rules", "apply", "--json", config=RULES)
    assert json.loads(again.stdout)[0]["changed"] == 0  # hidden ones match no more

    newstui(tmp_path, "unhide", "--all")
    assert len(json.loads(newstui(tmp_path, "articles", "--json").stdout)) == 6


def test_hook_sees_new_articles_but_not_the_hidden_ones(tmp_path: Path) -> None:
    from tests.test_hooks import recorder, runs

    script, log = recorder(tmp_path)
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(_items(), title="News"))
    quiet = RULES.replace('actions = ["notify"]', 'actions = ["bookmark"]')  # no pop-ups
    config = quiet + f'\n[hooks]\non_new = ["{script}"]\n'
    newstui(tmp_path, "add", str(feed), config=config)
    (call,) = runs(log)
    titles = {json.loads(line)["title"] for line in str(call["stdin"]).splitlines()}
    assert titles == {
        "Rust 2.0 released",
        "Rust the game, reviewed",
        "Data breach at a shop",
        "Weather",
    }


def test_hundreds_of_rules_apply_at_refresh(tmp_path: Path, httpserver: HTTPServer) -> None:
    """More rules than SQLite allows SELECTs in one statement (500) still all run: the last of
    550 (a regex, with a word rule beside it) acts on the articles it matches."""
    many = "".join(
        f'[[rules]]\nname = "r{n}"\nquery = "title:nothing{n} OR title:/^zz{n}$/"\n'
        'actions = ["read"]\n\n'
        for n in range(548)
    )
    many += '[[rules]]\nname = "last but one"\nquery = "title:weather"\nactions = ["hide"]\n\n'
    many += '[[rules]]\nname = "last"\nquery = "title:/rust (2|the)/"\nactions = ["bookmark"]\n'
    httpserver.expect_request("/news").respond_with_handler(lambda r: Response(rss(_items())))
    library = _library(tmp_path, many)
    try:
        run(library.add_feed(httpserver.url_for("/news"), title="News"))
        titles = {h.title for h in library.headlines(View("all"), 0, 100)}
        assert "Weather" not in titles and len(titles) == 5
        marked = {h.title for h in library.headlines(View("bookmarks"), 0, 100)}
        assert marked == {"Rust 2.0 released", "Rust the game, reviewed"}
        assert library.unread_total() == 5  # no other rule matched
    finally:
        library.close()
