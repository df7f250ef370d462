"""The same story from several feeds: shown once outside its feeds, read once for all copies."""

from __future__ import annotations

import asyncio
import hashlib
import re
import sqlite3
import unicodedata
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstui.config import Config, DisplayConfig, RefreshConfig
from newstui.domain.dedupe import normalise_url, text_key, url_key
from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui.app import make_app
from tests.feedgen import BASE, Item, rss
from tests.ui_support import FeedSpec, make_library, screen_text, settle, ui_config


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


# ---- keys ------------------------------------------------------------------------------------


def _reference_words(text: str) -> str:
    """What text keys compare, as the key was first defined (every stored key was made so)."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _reference_key(title: str, text: str) -> int | None:
    words_title, words_text = _reference_words(title), _reference_words(text[:12000])[:4000]
    if not words_title or not words_text:
        return None
    digest = hashlib.blake2b(f"t\x00{words_title}\x00{words_text}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def test_text_keys_stay_as_stored() -> None:
    """Keys stored by earlier versions still match: a changed key would miss every copy."""
    assert text_key("Markets Rally!", "Stocks rose on Monday, the third day running.") == (
        8588498515371823515
    )
    assert text_key("A_b\tC", "x\x1fy__z 42 <p>&amp;") == -6590178216320519346
    assert text_key("Café ﬁnance", "Straße ＡＢＣ – “quoted”") == -4670284261443093768


_ASCII_TEXT = st.text(st.characters(max_codepoint=127), max_size=300)


@given(
    st.one_of(_ASCII_TEXT, st.text(max_size=60)),
    st.one_of(
        _ASCII_TEXT,
        st.text(max_size=300),
        st.text(st.sampled_from("aZ9_ -\t\n.é"), min_size=4000, max_size=13000),
    ),
)
def test_text_key_equals_its_definition(title: str, text: str) -> None:
    """ASCII text takes a faster path than the regular expression; both give the same key."""
    assert text_key(title, text) == _reference_key(title, text)


def test_url_key_ignores_tracking_scheme_www_fragment_and_slash() -> None:
    base = url_key("https://example.com/news/story?id=7&page=2")
    assert base is not None
    for variant in (
        "http://www.example.com/news/story/?page=2&id=7",
        "https://EXAMPLE.com:443/news/story?utm_source=rss&id=7&utm_medium=feed&page=2",
        "https://example.com/news/story?id=7&fbclid=IwAR0abc&page=2#comments",
        "https://example.com/news/story?gclid=1&id=7&page=2&mc_cid=x&mc_eid=y",
    ):
        assert url_key(variant) == base, variant
    for other in (
        "https://example.com/news/story?id=8&page=2",
        "https://example.com/news/other?id=7&page=2",
        "https://example.org/news/story?id=7&page=2",
    ):
        assert url_key(other) != base, other
    assert url_key(None) is None and url_key("mailto:a@b") is None
    assert normalise_url("https://x.example/a?utm_campaign=z") == "x.example/a"


def test_text_key_is_words_only_and_needs_both_parts() -> None:
    key = text_key("Markets Rally!", "Stocks rose on Monday, the third day running.")
    assert key == text_key("markets rally", "stocks rose on monday -- the THIRD day running")
    assert key != text_key("Markets Rally", "Stocks fell on Monday.")
    assert key != text_key("Markets fall", "Stocks rose on Monday, the third day running.")
    assert text_key("Title", "") is None and text_key("", "text") is None


# ---- a library with copies -------------------------------------------------------------------


def _specs() -> list[FeedSpec]:
    when = BASE - timedelta(hours=1)
    story = Item(
        title="Bridge reopens after repairs",
        guid="a-bridge",
        link="https://news.example.com/bridge?id=1",
        body="<p>The old bridge reopened today.</p>",
        when=when,
    )
    copy_by_url = Item(
        title="Bridge reopens (updated)",
        guid="b-bridge",
        link="http://www.news.example.com/bridge/?utm_source=rss&id=1&fbclid=zz",
        body="<p>A longer piece on the bridge.</p>",
        when=when + timedelta(minutes=5),
    )
    copy_by_text = Item(
        title="Rain expected tonight",
        guid="c-rain",
        link="https://weather.example.org/rain",
        body="<p>Heavy rain is expected tonight across the region.</p>",
        when=when - timedelta(hours=1),
    )
    copy_by_text_elsewhere = Item(
        title="RAIN EXPECTED TONIGHT",
        guid="d-rain",
        link="https://mirror.example.net/1234",
        body="<div>heavy rain is expected tonight, across the region!</div>",
        when=when - timedelta(hours=1),
    )
    older = when - timedelta(hours=3)
    only_a = Item(title="Only in A", guid="a-only", link="https://a.example/1", when=older)
    only_b = Item(title="Only in B", guid="b-only", link="https://b.example/1", when=older)
    return [
        FeedSpec("a.xml", "Feed A", [story, copy_by_text, only_a]),
        FeedSpec("b.xml", "Feed B", [copy_by_url, copy_by_text_elsewhere, only_b], ["world"]),
    ]


def _config(dedupe: bool = True) -> Config:
    return Config(
        refresh=RefreshConfig(refresh_on_start=False, deadline=5.0),
        display=DisplayConfig(dedupe=dedupe),
    )


@pytest.fixture
def library(tmp_path: Path):  # type: ignore[no-untyped-def]
    lib = run(make_library(tmp_path, _specs(), _config()))
    yield lib
    lib.close()


def titles(library: Library, view: View) -> list[str]:
    return [h.title for h in library.headlines(view, 0, 100)]


def test_copies_show_once_in_all_unread_tags_and_search(library: Library) -> None:
    everything = titles(library, View("all"))
    assert sorted(everything) == sorted(
        ["Bridge reopens after repairs", "Rain expected tonight", "Only in A", "Only in B"]
    )
    assert library.count(View("all")) == 4
    assert sorted(titles(library, View("unread"))) == sorted(everything)
    assert library.count(View("unread")) == library.unread_total() == 4
    # Feed B's tag: its own copies show, as no earlier copy is in that view.
    assert sorted(titles(library, View("tag", tag="world"))) == sorted(
        ["Bridge reopens (updated)", "RAIN EXPECTED TONIGHT", "Only in B"]
    )
    assert titles(library, View("search", query="bridge")) == ["Bridge reopens after repairs"]
    # Each feed still lists all of its own articles.
    feeds = {f.display_title: f for f in library.feeds()}
    assert len(titles(library, View("feed", feed_id=feeds["Feed B"].id))) == 3
    assert feeds["Feed B"].unread == 3


def test_also_in_and_reading_one_copy_reads_all(library: Library) -> None:
    ids = {h.title: h.id for h in library.headlines(View("all"), 0, 100)}
    feeds = {f.display_title: f.id for f in library.feeds()}
    b_ids = {h.title: h.id for h in library.headlines(View("feed", feed_id=feeds["Feed B"]), 0, 9)}
    article = library.article(ids["Bridge reopens after repairs"])
    assert article.also_in == ("Feed B",)
    assert library.article(b_ids["Bridge reopens (updated)"]).also_in == ("Feed A",)
    assert library.article(ids["Only in A"]).also_in == ()

    library.set_read([ids["Bridge reopens after repairs"]])
    assert library.article(b_ids["Bridge reopens (updated)"]).read
    assert {f.display_title: f.unread for f in library.feeds()} == {"Feed A": 2, "Feed B": 2}
    assert "Bridge reopens after repairs" not in titles(library, View("unread"))
    assert library.unread_total() == 3
    library.set_read([b_ids["Bridge reopens (updated)"]], False)  # unread again, both
    assert not library.article(ids["Bridge reopens after repairs"]).read

    library.mark_view_read(View("feed", feed_id=feeds["Feed A"]))
    assert library.article(b_ids["RAIN EXPECTED TONIGHT"]).read
    assert not library.article(b_ids["Only in B"]).read
    assert titles(library, View("unread")) == ["Only in B"]


def test_a_copy_arriving_after_the_story_was_read_arrives_read(tmp_path: Path) -> None:
    specs = _specs()
    library = run(make_library(tmp_path, specs[:1], _config()))
    try:
        library.mark_view_read(View("all"))
        path = tmp_path / "b.xml"
        path.write_bytes(rss(specs[1].entries, title="Feed B"))
        feed = run(library.add_feed(str(path))).feed
        assert feed.total == 3 and feed.unread == 1  # only "Only in B" is news
        assert titles(library, View("unread")) == ["Only in B"]
    finally:
        library.close()


def test_dedupe_off_shows_every_copy(tmp_path: Path) -> None:
    library = run(make_library(tmp_path, _specs(), _config(dedupe=False)))
    try:
        assert len(titles(library, View("all"))) == library.count(View("all")) == 6
        ids = {h.title: h.id for h in library.headlines(View("all"), 0, 100)}
        assert library.article(ids["Bridge reopens after repairs"]).also_in == ()
        library.set_read([ids["Bridge reopens after repairs"]])
        assert not library.article(ids["Bridge reopens (updated)"]).read
    finally:
        library.close()


def test_upgrade_finds_copies_among_stored_articles(tmp_path: Path) -> None:
    from newstui.storage.schema import MIGRATIONS
    from newstui.storage.upgrades import AFTER_MIGRATION, find_copies

    library = run(make_library(tmp_path, _specs(), _config()))
    library.close()
    # As a library stored before dedupe: no keys, no links; then what its upgrade runs.
    number = next(n for n, sql in MIGRATIONS.items() if "ADD COLUMN dup_of" in sql)
    assert AFTER_MIGRATION[number] is find_copies
    conn = sqlite3.connect(tmp_path / "lib.db")
    conn.execute("UPDATE articles SET url_key = NULL, text_key = NULL, dup_of = NULL")
    conn.commit()
    assert conn.execute("SELECT count(*) FROM articles WHERE dup_of IS NOT NULL").fetchone() == (0,)
    find_copies(conn)
    conn.commit()
    conn.close()
    library = Library.open(_config(), tmp_path / "lib.db")
    try:
        assert library.count(View("all")) == 4
        assert len(titles(library, View("all"))) == 4
    finally:
        library.close()


def test_config_dedupe_key(tmp_path: Path) -> None:
    from newstui.configfile import parse_config

    assert parse_config("[display]\ndedupe = false\n").display.dedupe is False
    assert parse_config("").display.dedupe is True


# ---- the reader ----------------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_reader_header_says_also_in(tmp_path: Path) -> None:
    library = await make_library(tmp_path, _specs(), _config())
    app = make_app(library, ui_config(), tz=UTC)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot)
            text = screen_text(app)
            assert text.count("Bridge reopens") == 1
            await pilot.press("enter")  # the newest: the bridge story
            await settle(pilot)
            assert "also in: Feed B" in screen_text(app)
    finally:
        library.close()


def _consistent(library: Library) -> None:
    for view in (View("all"), View("unread")):
        assert library.count(view) == len(titles(library, view)), view
    assert library.unread_total() == len(titles(library, View("unread")))


def test_counts_match_the_lists_through_reads_hides_and_removals(library: Library) -> None:
    _consistent(library)
    feeds = {f.display_title: f.id for f in library.feeds()}
    ids = {h.title: h.id for h in library.headlines(View("all"), 0, 100)}
    library.set_read([ids["Rain expected tonight"]])
    _consistent(library)
    library.set_hidden([ids["Only in A"]])
    _consistent(library)
    # The first copies go with their feed: Feed B's copies take their place, once each.
    library.remove_feed(feeds["Feed A"])
    assert sorted(titles(library, View("all"))) == sorted(
        ["Bridge reopens (updated)", "RAIN EXPECTED TONIGHT", "Only in B"]
    )
    _consistent(library)
    assert library.count(View("all")) == 3 and library.unread_total() == 2


def test_three_copies_the_next_becomes_first_when_the_first_goes(tmp_path: Path) -> None:
    when = BASE - timedelta(hours=1)
    specs = [
        FeedSpec(
            name,
            title,
            [Item(title="Same story", guid=f"{name}-1", link="https://s.example/1", when=when)],
        )
        for name, title in (("a.xml", "A"), ("b.xml", "B"), ("c.xml", "C"))
    ]
    library = run(make_library(tmp_path, specs, _config()))
    try:
        assert titles(library, View("all")) == ["Same story"]
        feeds = {f.display_title: f.id for f in library.feeds()}
        library.remove_feed(feeds["A"])
        assert titles(library, View("all")) == ["Same story"]
        _consistent(library)
        (shown,) = library.headlines(View("all"), 0, 10)
        assert library.article(shown.id).also_in == ("C",)
        library.remove_feed(feeds["B"])
        assert titles(library, View("all")) == ["Same story"]
        _consistent(library)
    finally:
        library.close()
