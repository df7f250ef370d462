"""The query language from the installed command: articles --query, mark-read --query, views."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.feedgen import BASE, Item, rss
from tests.test_cli import newstui


@pytest.fixture
def two_feeds(tmp_path: Path) -> Path:
    tech = tmp_path / "tech.xml"
    tech.write_bytes(
        rss(
            [
                Item(
                    "Python 3.14 released",
                    guid="t1",
                    body="<p>The snake language.</p>",
                    when=BASE - timedelta(hours=1),
                ),
                Item(
                    "Rust and memory safety",
                    guid="t2",
                    body="<p>Safety of memory.</p>",
                    when=BASE - timedelta(hours=2),
                ),
                Item(
                    "Pythonic idioms",
                    guid="t3",
                    body="<p>Write idiomatic code.</p>",
                    when=BASE - timedelta(hours=3),
                ),
            ],
            title="Tech",
        )
    )
    sport = tmp_path / "sport.xml"
    sport.write_bytes(
        rss(
            [
                Item(
                    "Python wrestles a crocodile",
                    guid="s1",
                    body="<p>At the zoo.</p>",
                    when=BASE - timedelta(hours=4),
                ),
                Item(
                    "Cup final",
                    guid="s2",
                    body="<p>Memory safety of the goalkeeper.</p>",
                    when=BASE - timedelta(hours=5),
                ),
            ],
            title="Sport",
        )
    )
    newstui(tmp_path, "add", str(tech), "--tag", "tech")
    newstui(tmp_path, "add", str(sport), "--tag", "Sports")
    return tmp_path


def titles(tmp_path: Path, *args: str) -> list[str]:
    out = newstui(tmp_path, "articles", "--json", *args).stdout
    return [a["title"] for a in json.loads(out)]


def test_articles_query(two_feeds: Path) -> None:
    t = two_feeds
    assert titles(t, "--query", "python -#sports") == ["Python 3.14 released"]
    assert titles(t, "--query", "pyth*") == [
        "Python 3.14 released",
        "Pythonic idioms",
        "Python wrestles a crocodile",
    ]
    assert titles(t, "--query", '"memory safety"') == ["Rust and memory safety", "Cup final"]
    assert titles(t, "--query", '"safety memory"') == []
    assert titles(t, "--query", "title:/^py/ sort:title") == [
        "Python 3.14 released",
        "Python wrestles a crocodile",
        "Pythonic idioms",
    ]
    assert titles(t, "--query", "#sports OR rust", "--limit", "2") == [
        "Rust and memory safety",
        "Python wrestles a crocodile",
    ]


def test_shorthands_add_terms_and_the_limit_comes_last(two_feeds: Path) -> None:
    t = two_feeds
    first = json.loads(newstui(t, "articles", "--json", "--query", "python").stdout)[0]
    newstui(t, "mark-read", str(first["id"]))
    assert titles(t, "--query", "pyth*", "--unread", "--limit", "1") == ["Pythonic idioms"]
    assert titles(t, "--query", "", "--feed", "2", "--unread") == [
        "Python wrestles a crocodile",
        "Cup final",
    ]
    assert titles(t, "--query", "pyth*", "--search", "crocodile") == ["Python wrestles a crocodile"]
    newstui(t, "bookmark", str(first["id"]))
    assert titles(t, "--query", "python", "--bookmarked") == ["Python 3.14 released"]


def test_a_malformed_query_exits_2_and_points_at_the_place(two_feeds: Path) -> None:
    proc = newstui(two_feeds, "articles", "--query", "python (rust", check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "at character 8" in proc.stderr and "never closed" in proc.stderr
    assert "  python (rust\n         ^" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = newstui(two_feeds, "mark-read", "--query", "tilte:x", check=False)
    assert proc.returncode == 2 and "unknown field 'tilte:'" in proc.stderr
    assert len(titles(two_feeds, "--unread")) == 5


def test_mark_read_query_and_dry_run(two_feeds: Path) -> None:
    t = two_feeds
    dry = newstui(t, "mark-read", "--query", "pyth*", "--dry-run").stdout
    assert dry.strip().endswith("3 would be marked read") and "Pythonic idioms" in dry
    assert len(titles(t, "--unread")) == 5  # a dry run marks nothing
    assert newstui(t, "mark-read", "--query", "pyth*").stdout.strip() == "3 marked read"
    assert titles(t, "--unread") == ["Rust and memory safety", "Cup final"]
    assert (
        "0 would be marked read" in newstui(t, "mark-read", "--query", "pyth*", "--dry-run").stdout
    )


def test_saved_views_from_the_config_and_the_command(two_feeds: Path) -> None:
    t = two_feeds
    config = '[views]\nSnakes = "python OR pyth*"\n"No sports" = "-#sports is:unread"\n'
    newstui(t, "view", "add", "Safety", '"memory safety"', config=config)
    newstui(t, "mark-read", "--query", "rust", config=config)
    views = json.loads(newstui(t, "views", "--json", config=config).stdout)
    assert views == [
        {"name": "Snakes", "query": "python OR pyth*", "unread": 3, "total": 3},
        {"name": "No sports", "query": "-#sports is:unread", "unread": 2, "total": 2},
        {"name": "Safety", "query": '"memory safety"', "unread": 1, "total": 2},
    ]
    proc = newstui(t, "view", "remove", "Snakes", check=False, config=config)
    assert proc.returncode == 1 and "config file" in proc.stderr
    proc = newstui(t, "view", "add", "Broken", "is:nothing", check=False, config=config)
    assert proc.returncode == 2 and "unknown is:nothing" in proc.stderr
    newstui(t, "view", "remove", "Safety", config=config)
    assert [v["name"] for v in json.loads(newstui(t, "views", "--json", config=config).stdout)] == [
        "Snakes",
        "No sports",
    ]


def test_a_malformed_view_in_the_config_is_named(two_feeds: Path) -> None:
    proc = newstui(two_feeds, "views", check=False, config='[views]\nBad = "a OR"\n')
    assert proc.returncode != 0
    assert "[views]: `Bad`: OR must be between two terms at character 3" in proc.stderr


@pytest.fixture
def a_story_in_two_feeds(tmp_path: Path) -> Path:
    """The same story (the same link, tracking aside) in two feeds, and one other article."""
    one = tmp_path / "one.xml"
    one.write_bytes(
        rss(
            [
                Item("Bridge reopens", guid="a1", link="https://news.example/bridge",
                     when=BASE - timedelta(hours=1)),
                Item("Harbour news", guid="a2", link="https://news.example/harbour",
                     when=BASE - timedelta(hours=2)),
            ],
            title="One",
        )
    )  # fmt: skip
    two = tmp_path / "two.xml"
    two.write_bytes(
        rss(
            [
                Item("Bridge reopens at last", guid="b1",
                     link="https://news.example/bridge?utm_source=two",
                     when=BASE - timedelta(hours=3)),
            ],
            title="Two",
        )
    )  # fmt: skip
    newstui(tmp_path, "add", str(one), "--tag", "Local")
    newstui(tmp_path, "add", str(two), "--tag", "local")
    return tmp_path


def test_a_story_in_two_feeds_is_listed_and_counted_once(a_story_in_two_feeds: Path) -> None:
    t = a_story_in_two_feeds
    config = '[views]\nBridges = "bridge"\nLocal = "#LOCAL"\n'
    assert titles(t, "--query", "bridge") == ["Bridge reopens"]
    assert titles(t, "--search", "bridge") == ["Bridge reopens"]  # the shorthand agrees
    assert titles(t, "--query", "#LOCAL") == ["Bridge reopens", "Harbour news"]
    views = json.loads(newstui(t, "views", "--json", config=config).stdout)
    assert [(v["unread"], v["total"]) for v in views] == [(1, 1), (2, 2)]
    # kept counts move with the list: reading the story reads both copies
    newstui(t, "mark-read", "--query", "bridge", config=config)
    views = json.loads(newstui(t, "views", "--json", config=config).stdout)
    assert [(v["unread"], v["total"]) for v in views] == [(0, 1), (1, 2)]
    # a query that is not a saved view is counted as its list too
    newstui(t, "view", "add", "Both", "bridge OR harbour", config=config)
    views = json.loads(newstui(t, "views", "--json", config=config).stdout)
    assert [(v["name"], v["unread"], v["total"]) for v in views][-1] == ("Both", 1, 2)


def test_without_dedupe_every_copy_is_listed_and_counted(a_story_in_two_feeds: Path) -> None:
    t = a_story_in_two_feeds
    config = '[display]\ndedupe = false\n[views]\nBridges = "bridge"\n'
    out = newstui(t, "articles", "--json", "--query", "bridge", config=config).stdout
    assert [a["title"] for a in json.loads(out)] == ["Bridge reopens", "Bridge reopens at last"]
    views = json.loads(newstui(t, "views", "--json", config=config).stdout)
    assert [(v["unread"], v["total"]) for v in views] == [(2, 2)]
    views = json.loads(newstui(t, "views", "--json", config='[views]\nBridges = "bridge"\n').stdout)
    assert [(v["unread"], v["total"]) for v in views] == [(1, 1)]  # counted again its way
