"""`Library.feed_rows()`: the feeds pane's narrow read says of each feed what `feeds()` says."""

from __future__ import annotations

from pathlib import Path

from newstui.domain.models import Feed, FeedRow, FeedStatus
from newstui.library.facade import WELCOME_FEED_ID, Library
from tests.sql_support import sql_transaction
from tests.ui_support import ui_config


def _library(path: Path) -> Library:
    """Feeds titled by the user, by their feed, by nothing (the URL shows), in folders or
    none, failing or gone, with titles that sort apart from their ids and by case."""
    library = Library.open(ui_config(), path)
    zeta = library.subscribe("/nowhere/z.xml", title="zeta", tags=["news", "Art"]).id
    alpha = library.subscribe("/nowhere/a.xml", title="Alpha", tags=["news"]).id
    named = library.subscribe("/nowhere/n.xml", tags=[]).id
    bare = library.subscribe("/nowhere/b.xml", tags=["Art"]).id
    library.subscribe("/nowhere/ä.xml", title="Äpfel", tags=[])
    library.subscribe("/nowhere/same.xml", title="alpha", tags=[])
    with sql_transaction(library.path) as conn:
        conn.execute("UPDATE feeds SET feed_title = 'Named by its feed' WHERE id = ?", (named,))
        conn.execute("UPDATE feeds SET title = '', feed_title = '' WHERE id = ?", (bare,))
        conn.execute(
            "UPDATE feeds SET status = 'error', error = 'HTTP 500', unread = 4 WHERE id = ?",
            (zeta,),
        )
        conn.execute("UPDATE feeds SET status = 'gone', unread = 2 WHERE id = ?", (alpha,))
    return library


def _as_row(f: Feed) -> FeedRow:
    failed = f.status in (FeedStatus.ERROR, FeedStatus.GONE)
    return FeedRow(f.id, f.display_title, failed, f.unread, f.tags, f.error)


def test_feed_rows_say_what_feeds_says_in_the_same_order(tmp_path: Path) -> None:
    library = _library(tmp_path / "lib.db")
    rows = library.feed_rows()
    assert rows == [_as_row(f) for f in library.feeds()]
    titles = [r.title for r in rows]
    assert titles[:3] == ["/nowhere/b.xml", "Alpha", "alpha"]  # case aside, then by id
    assert "/nowhere/b.xml" in titles and "Named by its feed" in titles  # the fallbacks
    by_title = {r.title: r for r in rows}
    assert by_title["zeta"].failed and by_title["zeta"].error == "HTTP 500"
    assert by_title["zeta"].tags == ("Art", "news") and by_title["zeta"].unread == 4
    assert by_title["Alpha"].failed and not by_title["Äpfel"].failed
    library.close()


def test_one_feed_read_has_its_own_tags_only(tmp_path: Path) -> None:
    library = _library(tmp_path / "lib.db")
    for row in library.feed_rows():
        feed = library.feed(row.id)
        assert feed.tags == row.tags and feed.display_title == row.title
    library.close()


def test_an_empty_library_lists_the_welcome_guide_while_it_shows(tmp_path: Path) -> None:
    library = Library.open(ui_config(), tmp_path / "lib.db")
    assert library.feed_rows() == []
    library.welcome = True
    (guide,) = library.feed_rows()
    assert guide.id == WELCOME_FEED_ID and guide.title == library.feeds()[0].display_title
    assert guide.unread == library.feeds()[0].unread > 0
    library.close()
