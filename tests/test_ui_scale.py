"""The headline list with 100,000 articles: only visible pages are read, jumps stay instant."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from newstui.domain.models import Headline, View
from newstui.library.facade import Library
from newstui.ui.app import make_app
from newstui.ui.screens.main import MainScreen
from newstui.ui.widgets.headline_list import PAGE_SIZE
from tests.sql_support import sql_transaction
from tests.ui_support import screen_text, settle, ui_config

pytestmark = pytest.mark.anyio
ROWS = 100_000


def big_library(path: Path) -> Library:
    library = Library.open(ui_config(), path)
    feed_id = library.subscribe("/nowhere/big.xml", title="Big", tags=[]).id
    now = 1_790_000_000.0
    rows = [
        (feed_id, f"k{i}", f"Headline {i}", now - i * 60, now - i * 60, "", "text", f"h{i}", now)
        for i in range(ROWS)
    ]
    # straight in: building 100k rows through a parser is not the point
    with sql_transaction(path) as conn:
        conn.executemany(
            "INSERT INTO articles(feed_id, key, title, published, sort_date, content, "
            "content_type, hash, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # as the refresh's storing does: new articles are counted by the code that inserts them
        conn.execute("UPDATE feeds SET total = ?, unread = ? WHERE id = ?", (ROWS, ROWS, feed_id))
    return library


async def test_100k_headlines_render_on_demand(tmp_path: Path) -> None:
    library = big_library(tmp_path / "big.db")
    fetched: list[int] = []
    told: dict[int, int | None] = {}
    """The count the list told the library with each page (by offset)."""
    original = library.headlines

    def counting(
        view: View, offset: int = 0, limit: int = 100, *, total: int | None = None
    ) -> list[Headline]:
        rows = original(view, offset, limit, total=total)
        fetched.append(len(rows))
        told[offset] = total
        return rows

    library.headlines = counting  # type: ignore[method-assign]
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.headlines.count == ROWS
        assert "100000 articles" in screen_text(app)
        # Every row of the list is a headline: no horizontal scrollbar takes the last one.
        lines = screen_text(app).splitlines()
        list_left = screen.headlines.region.x
        last = screen.headlines.region.bottom - 1
        assert "Headline" in lines[last][list_left:], lines[last]
        await pilot.press("G")
        await settle(pilot)
        assert "Headline 99999" in screen_text(app)
        # The last page went with the view's count: the library reads it from the end (as
        # cheap as the first; tests/test_storage_pages.py), not past 99,800 rows.
        assert told[(ROWS - 1) // PAGE_SIZE * PAGE_SIZE] == ROWS
        await pilot.press("g", "space", "space")
        await settle(pilot)
        assert "Headline 80" in screen_text(app)
        # A few pages were read, never the whole view.
        assert sum(fetched) < 2_000
    library.close()


def _many_feeds(tmp_path: Path, count: int = 2000) -> Library:
    """A library of `count` feeds never refreshed (local paths that do not exist), every other
    one tagged "t"."""
    library = Library.open(ui_config(), tmp_path / "feeds.db")
    for i in range(count):
        library.subscribe(f"/nowhere/{i:04}.xml", title=f"Feed {i:04}", tags=["t"] if i % 2 else [])
    return library


def _feed_lines(tree: Any) -> list[Any]:
    """The feeds pane's feed rows, in the order drawn (folders open)."""
    lines = [tree.line(y) for y in range(tree.last_line + 1)]
    return [line for line in lines if line.row is not None]


async def test_many_feeds_all_listed_and_counts_update_in_place(tmp_path: Path) -> None:
    """2,000 feeds: every row is there to move to, and a count update shows in the row drawn."""
    from newstui.ui.widgets.feed_tree import FeedTree

    library = _many_feeds(tmp_path)
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(FeedTree)
        rows = _feed_lines(tree)
        assert len(rows) == 2000
        feed_id = rows[0].row.id
        article = (feed_id, "k", "New story", 1.0, 1.0, "", "text", "h", 1.0)
        with sql_transaction(library.path) as conn:
            conn.execute(
                "INSERT INTO articles(feed_id, key, title, published, sort_date, content, "
                "content_type, hash, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                article,
            )
            conn.execute("UPDATE feeds SET total = 1, unread = 1 WHERE id = ?", (feed_id,))
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await screen.views.reload_feeds()
        await settle(pilot)
        again = _feed_lines(tree)
        assert again[0].row.id == feed_id and again[0].row.unread == 1
        assert f"{rows[0].row.title} 1" in screen_text(app)
    library.close()


async def test_a_refresh_redraws_the_rows_on_screen_only(tmp_path: Path) -> None:
    """Every feed's count changes at once (a big refresh's reload of the counts): the rows
    on screen show the new counts, and only they are labelled again; a reload that changed
    nothing a row shows labels nothing."""
    from newstui.ui.widgets.feed_tree import FeedTree

    library = _many_feeds(tmp_path)
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(FeedTree)
        feeds = [f._replace(unread=7) for f in library.feed_rows()]
        made = tree._labels_made
        tree.set_feeds(feeds, unread_total=14_000, bookmarks=0)
        await settle(pilot)
        assert all(line.row.unread == 7 for line in _feed_lines(tree))
        assert "Feed 0001 7" in screen_text(app)  # the first row in the folder "t"
        assert "All 14000" in screen_text(app)
        assert 0 < tree._labels_made - made <= tree.size.height
        made = tree._labels_made
        tree.set_feeds(list(feeds), unread_total=14_000, bookmarks=0)
        await settle(pilot)
        assert tree._labels_made == made
    library.close()


def _library_of(path: Path, feeds: int, tags: int) -> Library:
    """A library of `feeds` feeds (never refreshed) in `tags` folders (every seventh in none),
    written in one transaction: subscribing them one by one would take most of a minute."""
    library = Library.open(ui_config(), path)
    with sql_transaction(library.path) as conn:
        conn.executemany(
            "INSERT INTO feeds(id, url, title, added, unread, total) VALUES (?, ?, ?, 1.0, ?, ?)",
            [(i, f"/nowhere/{i:05}.xml", f"Feed {i:05}", i % 3, 3) for i in range(1, feeds + 1)],
        )
        conn.executemany(
            "INSERT INTO feed_tags(feed_id, tag) VALUES (?, ?)",
            [(i, f"topic{i % tags:02}") for i in range(1, feeds + 1) if i % 7],
        )
    return library


async def test_twenty_thousand_feeds_start_with_the_rows_on_screen_only(tmp_path: Path) -> None:
    """The first screen of 20,000 feeds reads the rows it shows (an outline: the folders'
    sizes and their first rows), not every feed, and labels only those; every feed's row is
    read after the first paint (no `Feed`: a dataclass per feed, ~0.5 s at this size), and
    every row is there to move to."""
    from newstui.ui.widgets.feed_tree import FeedTree

    library = _library_of(tmp_path / "feeds.db", 20_000, 20)
    read: list[str] = []
    for name in ("feeds", "feed_rows", "feed_outline"):
        method = getattr(library, name)
        setattr(library, name, lambda *a, _m=method, _n=name: read.append(_n) or _m(*a))
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        tree = app.screen.query_one(FeedTree)
        # The first screen from its outline; every feed's row after the first paint.
        assert read == ["feed_outline", "feed_rows"] and tree.lines.complete
        assert 0 < tree._labels_made <= tree.size.height
        assert tree.last_line == 3 + 20 + 20_000 - 1  # the views, the folders, every feed
        tree.focus()
        await pilot.press("G")
        await settle(pilot)
        last = tree.highlighted_feed
        assert last is not None and last.title == "Feed 19999"  # untagged, after the folders
        assert "Feed 19999" in screen_text(app)
        await pilot.press("g", "j", "j", "j", "j")  # All, Unread, Bookmarks, topic00, its first
        await settle(pilot)
        assert tree.highlighted_view == View("feed", feed_id=20)  # 20, 40... sit in topic00
        await pilot.press("k", "space")  # close topic00: its 858 rows go (1,000 less 142 in none)
        await settle(pilot)
        assert tree.last_line == 3 + 20 + 20_000 - 1 - 858
        await pilot.press("pagedown")
        await settle(pilot)
        assert tree.cursor_line == 3 + tree.size.height - 1
        assert tree._labels_made < 200  # still only rows that were drawn
    library.close()


async def test_an_outline_holds_every_line_until_the_rows_come(tmp_path: Path) -> None:
    """Between the first paint and the read of every feed the pane has its full length: the
    rows not read yet are blank lines the cursor can cross, folders show no count yet; the
    read fills them in where they stand."""
    from newstui.ui.widgets.feed_tree import FeedTree

    library = _library_of(tmp_path / "feeds.db", 2_000, 4)
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(FeedTree)
        whole = [tree.line(y) for y in range(tree.last_line + 1)]
        tree.set_outline(library.feed_outline(10), unread_total=0)
        await settle(pilot)
        assert not tree.lines.complete and tree.last_line == len(whole) - 1
        known = [tree.line(y) for y in range(13)]  # 3 views, then the outline's 10 lines
        assert known[3] is not None and known[3].view.kind == "tag" and known[3].badge is None
        assert [line.row for line in known[4:] if line] == [line.row for line in whole[4:13]]
        assert tree.line(13) is None and tree.line(len(whole) - 1) is None
        tree.focus()
        await pilot.press("G")
        await settle(pilot)
        assert tree.cursor_line == len(whole) - 1 and tree.highlighted_feed is None
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await screen.views.reload_feeds()
        await settle(pilot)
        assert tree.lines.complete and tree.highlighted_feed == whole[-1].row
    library.close()


async def test_during_a_refresh_rows_keep_their_places_until_it_is_over(tmp_path: Path) -> None:
    """New subscriptions' titles arrive during a refresh and would sort elsewhere: while it
    runs (`reorder=False`) each row shows its new title in place; the reload after it puts
    the rows in order."""
    from newstui.ui.widgets.feed_tree import FeedTree

    library = Library.open(ui_config(), tmp_path / "feeds.db")
    for name in ("a", "b", "c"):
        library.subscribe(f"/nowhere/{name}.xml", title=f"{name.upper()} feed", tags=[])
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(FeedTree)

        def titles() -> list[str]:
            return [line.row.title for line in _feed_lines(tree)]

        assert titles() == ["A feed", "B feed", "C feed"]
        renamed = {"A feed": "Zebra news", "B feed": "Beta news", "C feed": "Alpha news"}
        feeds = sorted(
            (f._replace(title=renamed[f.title]) for f in library.feed_rows()),
            key=lambda f: f.title,
        )
        tree.set_feeds(feeds, unread_total=0, bookmarks=0, reorder=False)
        await settle(pilot)
        assert titles() == ["Zebra news", "Beta news", "Alpha news"]
        assert "Zebra news" in screen_text(app)
        tree.set_feeds(feeds, unread_total=0, bookmarks=0)
        await settle(pilot)
        assert titles() == ["Alpha news", "Beta news", "Zebra news"]
    library.close()


async def test_a_burst_of_progress_is_one_update_of_the_status_line(tmp_path: Path) -> None:
    """A refresh that finishes hundreds of feeds at once says so hundreds of times in a row:
    the line shows the last, and the reader handles the lines still waiting as one."""
    from newstui.ui.reader.part import Part
    from newstui.ui.widgets.status_line import StatusLine

    library = Library.open(ui_config(), tmp_path / "lib.db")
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        handled: list[Part.Status] = []
        screen.views.message_signal.subscribe(
            screen, lambda m: handled.append(m) if isinstance(m, Part.Status) else None
        )
        runner = screen.views.runner
        for done in range(1, 501):
            runner.status(f"Refreshing {done}/500")
        await settle(pilot)
        assert screen.query_one(StatusLine).progress == "Refreshing 500/500"
        assert 1 <= len(handled) < 10
        # Changes: a waiting one supersedes another of the same part, but a `soon` one never
        # stands in for a reload wanted at once.
        other = screen.views.marks
        soon, now = Part.Changed(runner, soon=True), Part.Changed(runner)
        assert soon.can_replace(Part.Changed(runner, soon=True)) and soon.can_replace(now)
        assert now.can_replace(Part.Changed(runner)) and not now.can_replace(soon)
        assert not soon.can_replace(Part.Changed(other, soon=True))
    library.close()


async def test_scrollbars_draw_what_textuals_scrollbar_draws(tmp_path: Path) -> None:
    """The panes' scrollbars are drawn directly and kept per state (QuickScrollBar); at every
    step (scrolled, thumb moved, focus moved, hovered, another theme) their rows must be what
    Textual's own ScrollBar draws for the same state."""
    from textual.scrollbar import ScrollBar

    from newstui.ui.widgets.scrollbar import QuickScrollBar

    library = big_library(tmp_path / "big.db")
    for i in range(80):
        library.subscribe(f"/nowhere/{i:02}.xml", title=f"Feed {i:02}", tags=[])
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        bars = [screen.feed_tree.vertical_scrollbar, screen.headlines.vertical_scrollbar]
        assert all(isinstance(bar, QuickScrollBar) and bar.display for bar in bars)

        def drawn() -> list[list[list[tuple[str, object]]]]:
            quick, textual = [], []
            for bar in bars:
                region = bar.size.region
                quick.append(
                    [[(s.text, s.style) for s in line] for line in bar.render_lines(region)]
                )
                bar._styles_cache.clear()
                textual.append(
                    [
                        [(s.text, s.style) for s in line]
                        for line in ScrollBar.render_lines(bar, region)
                    ]
                )
            assert quick == textual
            return quick

        seen = [drawn()]
        for step in ("G", "tab-back", "hover", "theme", "j"):
            if step == "tab-back":
                screen.feed_tree.focus()
            elif step == "hover":
                bars[1].mouse_over = True
            elif step == "theme":
                app.theme = "textual-light"
            else:
                await pilot.press(step)
            await settle(pilot)
            seen.append(drawn())
        assert seen[0][1] != seen[1][1]  # the thumb moved
        assert seen[2][1] != seen[3][1] != seen[4][1]  # hover and theme show
    library.close()
