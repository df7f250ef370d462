"""`Library.feed_rows()`: the feeds pane's narrow read says of each feed what `feeds()` says;
`feed_outline()`: its first screen, read without every feed, is the start of the same rows."""

from __future__ import annotations

from pathlib import Path

from newstui.domain.models import Feed, FeedOutline, FeedRow, FeedStatus
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
    library.subscribe("/nowhere/o1.xml", title="Ölig", tags=["news"])
    library.subscribe("/nowhere/o2.xml", title="öde", tags=["news"])
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


def _nocase(title: str) -> str:
    """SQLite's NOCASE: ASCII letters' case aside, then the characters' order."""
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in title)


def test_feed_rows_say_what_feeds_says_in_sqlites_order(tmp_path: Path) -> None:
    library = _library(tmp_path / "lib.db")
    rows = library.feed_rows()
    assert sorted(rows) == sorted(_as_row(f) for f in library.feeds())
    assert rows == sorted(rows, key=lambda r: (_nocase(r.title), r.id))
    titles = [r.title for r in rows]
    assert titles[:3] == ["/nowhere/b.xml", "Alpha", "alpha"]  # case aside, then by id
    assert titles.index("Ölig") < titles.index("öde")  # beyond ASCII, case counts
    assert "Named by its feed" in titles  # the fallbacks
    by_title = {r.title: r for r in rows}
    assert by_title["zeta"].failed and by_title["zeta"].error == "HTTP 500"
    assert by_title["zeta"].tags == ("Art", "news") and by_title["zeta"].unread == 4
    assert by_title["Alpha"].failed and not by_title["Äpfel"].failed
    library.close()


def _pane(rows: list[FeedRow]) -> list[tuple[str | None, FeedRow | None]]:
    """The pane's lines as every row makes them: each folder (case aside) and its feeds,
    then the feeds in no folder."""
    tags = sorted({t for r in rows for t in r.tags}, key=str.casefold)
    lines: list[tuple[str | None, FeedRow | None]] = []
    for tag in tags:
        lines += [(tag, None)] + [(tag, r) for r in rows if tag in r.tags]
    return lines + [(None, r) for r in rows if not r.tags]


def _outline_lines(outline: FeedOutline) -> list[tuple[str | None, FeedRow | None]]:
    lines: list[tuple[str | None, FeedRow | None]] = []
    for tag, _size, first in outline.folders:
        lines += [(tag, None)] + [(tag, r) for r in first]
    return lines + [(None, r) for r in outline.loose_rows]


def test_the_outline_is_the_first_screen_of_the_rows(tmp_path: Path) -> None:
    library = _library(tmp_path / "lib.db")
    whole = _pane(library.feed_rows())
    for lines in (1, 2, 3, 5, 6, 8, 10, 40):
        outline = library.feed_outline(lines)
        sizes = {tag: size for tag, size, _ in outline.folders}
        assert sizes == {"Art": 2, "news": 4}
        assert outline.loose == 3  # Named by its feed, Äpfel, alpha
        shown = _outline_lines(outline)
        # the feeds of the whole read's first lines, each in its folder, and no more
        first = [line for line in whole[:lines] if line[1] is not None]
        assert [line for line in shown if line[1] is not None] == first, lines
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
    assert library.feed_outline(40) == FeedOutline((), 0, ())
    library.welcome = True
    assert library.feed_outline(40) == FeedOutline((), 1, tuple(library.feed_rows()))
    (guide,) = library.feed_rows()
    assert guide.id == WELCOME_FEED_ID and guide.title == library.feeds()[0].display_title
    assert guide.unread == library.feeds()[0].unread > 0
    library.close()
