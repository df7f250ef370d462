"""Pilot tests: every reader key on a library filled from small feed files, asserting what changes."""

from __future__ import annotations

import itertools
import time
from contextlib import closing
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from textual.color import Color
from textual.filter import Monochrome

from newstui.config import Config, DisplayConfig, RefreshConfig
from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui.app import NewstuiApp, make_app
from newstui.ui.screens.help import HelpScreen
from newstui.ui.screens.main import MainScreen
from newstui.ui.widgets.article_view import ArticleView
from newstui.ui.widgets.feed_tree import FeedTree
from newstui.ui.widgets.headline_list import HeadlineList
from tests.sql_support import sql_one
from tests.ui_support import (
    ids_by_title,
    make_library,
    screen_text,
    settle,
    ui_config,
)

SIZE = (160, 45)
pytestmark = pytest.mark.anyio


def parts(app: NewstuiApp) -> tuple[MainScreen, FeedTree, HeadlineList, ArticleView]:
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen, screen.feed_tree, screen.headlines, screen.article_view


def article(library: Library, title: str) -> Any:
    return library.article(ids_by_title(library)[title])


async def test_start_shows_views_feeds_and_newest_first(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        _, _tree, headlines, _ = parts(app)
        lines = text.splitlines()
        # Virtual views first, then the tag folder with its feeds, then the untagged feed.
        assert lines[1].startswith("All 9")
        assert lines[2].startswith("Unread 9")
        assert lines[3].startswith("Bookmarks 0")
        assert "▼ news 6" in lines[4]
        assert "Beta Blog 3" in text
        assert headlines.count == 9
        assert headlines.selected is not None and headlines.selected.title == "Alpha story 0"
        assert text.index("Alpha story 0") < text.index("Beta post 0") < text.index("Alpha story 1")
        # Feed names show in virtual views.
        assert "Alpha News" in lines[1]


async def test_movement_keys_move_the_cursor(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, _, headlines, _ = parts(app)
        await pilot.press("j", "down")
        assert headlines.cursor == 2
        await pilot.press("k")
        assert headlines.cursor == 1
        await pilot.press("up")
        assert headlines.cursor == 0
        await pilot.press("G")
        assert headlines.cursor == 8
        await pilot.press("g")
        assert headlines.cursor == 0
        await pilot.press("end")
        assert headlines.cursor == 8
        await pilot.press("home")
        assert headlines.cursor == 0


async def test_panes_step_with_tab_h_l_and_arrows_and_stop_at_the_ends(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, tree, headlines, article_view = parts(app)
        assert app.focused is headlines
        await pilot.press("tab")  # nothing open yet: moving right opens the selected headline
        await settle(pilot)
        assert app.focused is article_view
        assert screen.open_article is not None and screen.open_article.title == "Alpha story 0"
        await pilot.press("tab")  # right of the article there is nothing: no wrap to the feeds
        assert app.focused is article_view
        await pilot.press("l", "right")
        assert app.focused is article_view
        await pilot.press("shift+tab")
        assert app.focused is headlines
        await pilot.press("left")
        assert app.focused is tree
        await pilot.press("h", "shift+tab")  # nothing left of the feeds either
        assert app.focused is tree
        await pilot.press("l")
        assert app.focused is headlines
        await pilot.press("right")
        assert app.focused is article_view


async def test_escape_and_q_step_back_one_level_and_q_quits_only_from_the_feeds(
    library: Library,
) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _, tree, headlines, article_view = parts(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is article_view
        assert "Alpha story 0 body" in screen_text(app)  # full screen at 80 columns
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is headlines
        assert "Alpha story 0 body" not in screen_text(app)
        assert "Beta post 0" in screen_text(app)  # the list is back
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("q")  # q from the article: back to the list, the app stays
        await settle(pilot)
        assert app.is_running and app.focused is headlines
        await pilot.press("q")
        assert app.is_running and app.focused is tree
        await pilot.press("escape")  # nothing above the feeds: escape stays
        assert app.is_running and app.focused is tree
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_a_search_is_one_level_escape_leaves_it_first(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, tree, headlines, _ = parts(app)
        await pilot.press("slash", *"zebras", "enter")
        await settle(pilot)
        assert screen.view.kind == "search" and headlines.count == 3
        await pilot.press("escape")
        await settle(pilot)
        assert screen.view.kind == "all" and headlines.count == 9
        assert app.focused is headlines
        await pilot.press("escape")
        assert app.focused is tree


async def test_shift_q_quits_from_the_article(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is parts(app)[3]
        await pilot.press("Q")
        await pilot.pause()
        assert not app.is_running


async def test_the_header_lights_the_title_of_the_focused_pane(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def lit() -> str:
            """The header's text drawn on the cursor's colour (the lit title)."""
            cursor = Color.parse(app.theme_variables["block-cursor-background"]).hex.lower()
            strip = app.screen._compositor.render_strips()[0]
            return "".join(
                seg.text
                for seg in strip
                if seg.style
                and seg.style.bgcolor
                and seg.style.bgcolor.triplet
                and seg.style.bgcolor.triplet.hex.lower() == cursor
            ).strip()

        assert lit().startswith("All")
        await pilot.press("h")
        await settle(pilot)
        assert lit() == "Feeds"
        await pilot.press("l", "enter")
        await settle(pilot)
        assert lit() == "Alpha News"  # the article pane: its feed's title


async def test_the_feeds_cursor_sits_on_the_open_view(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, tree, headlines, _ = parts(app)
        await pilot.press("h", "j", "j", "j", "j")  # All, Unread, Bookmarks, news, Alpha News
        await settle(pilot)
        assert screen.view == View("feed", feed_id=tree.highlighted_feed.id)  # type: ignore[union-attr]
        assert headlines.count == 4 and "Alpha News" in screen.header.view_name
        await pilot.press("l", "B")  # Bookmarks from the headlines: the cursor follows
        await settle(pilot)
        assert tree.highlighted_view == View("bookmarks")
        await pilot.press("h", "k")  # up to Unread
        await settle(pilot)
        assert screen.view == View("unread") and tree.highlighted_view == View("unread")


async def test_enter_in_feeds_opens_the_feed_and_enter_opens_an_article(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, tree, headlines, article_view = parts(app)
        await pilot.press("h")  # feeds pane
        assert app.focused is tree
        # All, Unread, Bookmarks, news, Alpha News
        await pilot.press("j", "j", "j", "j", "enter")
        await settle(pilot)
        assert screen.view.kind == "feed"
        assert headlines.count == 4
        assert "Alpha News" in screen.header.view_name
        assert app.focused is headlines
        await pilot.press("j", "enter")
        await settle(pilot)
        assert article_view.article is not None
        assert article_view.article.title == "Alpha story 1"
        assert "the quick brown fox number 1" in screen_text(app)
        assert article(library, "Alpha story 1").read is True
        assert article(library, "Alpha story 0").read is False
        assert app.focused is article_view


async def test_opening_leaves_unread_when_configured(tmp_path: Path) -> None:
    config = Config(
        refresh=RefreshConfig(refresh_on_start=False),
        display=DisplayConfig(mark_read_on_open=False),
    )
    library = await make_library(tmp_path, config=config)
    app = make_app(library, config, tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert parts(app)[3].article is not None
        assert article(library, "Alpha story 0").read is False
    library.close()


async def test_article_pane_scrolls_and_pages(tmp_path: Path) -> None:
    from tests.feedgen import Item
    from tests.ui_support import BASE, FeedSpec

    long_body = "".join(
        f"<p>Paragraph {i} of a long article, with enough words to wrap.</p>" for i in range(200)
    )
    library = await make_library(
        tmp_path,
        [
            FeedSpec(
                "long.xml", "Long", [Item("Long read", "l1", "https://x.org/l", long_body, BASE)]
            )
        ],
    )
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        _, _, _, view = parts(app)
        assert app.focused is view
        await pilot.press("j", "j")
        await pilot.pause()
        assert view.scroll_y == 2
        await pilot.press("space")
        await pilot.pause()
        assert view.scroll_y > 20
        await pilot.press("pageup")
        await pilot.pause()
        assert view.scroll_y < 20
        await pilot.press("G")
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y > 100
        await pilot.press("g")
        await pilot.pause()
        assert view.scroll_y == 0
    library.close()


async def test_n_and_p_walk_unread_articles_like_newsboat(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, _, headlines, view = parts(app)
        # Read the second one first: n with no article open starts at the newest unread.
        library.set_read([ids_by_title(library)["Alpha story 0"]], True)
        await pilot.press("n")
        await settle(pilot)
        assert view.article is not None and view.article.title == "Beta post 0"
        await pilot.press("n")
        await settle(pilot)
        assert view.article.title == "Alpha story 1"
        assert headlines.selected is not None and headlines.selected.title == "Alpha story 1"
        await pilot.press("h", "j", "j", "enter")  # open Alpha story 2 from the list
        await settle(pilot)
        assert view.article.title == "Alpha story 2"
        await pilot.press("p")
        await settle(pilot)
        assert view.article.title == "Beta post 1"
        # Nothing unread above: p wraps around to the oldest unread article.
        await pilot.press("p")
        await settle(pilot)
        assert view.article.title == "[/]"
        assert article(library, "Alpha story 1").read is True


async def test_n_in_a_feed_continues_into_the_next_feed(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, _tree, headlines, view = parts(app)
        alpha = next(f for f in library.feeds() if f.display_title == "Alpha News")
        library.mark_view_read(View("feed", feed_id=alpha.id))
        last = ids_by_title(library)["Alpha story 3"]
        library.set_read([last], False)
        await pilot.press("h", "j", "j", "j", "j", "enter")  # Alpha News
        await settle(pilot)
        await pilot.press("G", "enter")
        await settle(pilot)
        assert view.article is not None and view.article.title == "Alpha story 3"
        await pilot.press("n")
        await settle(pilot)
        # Nothing unread left in Alpha News: n goes on to the following feed and shows its list.
        assert view.article.feed_id != alpha.id
        assert screen.view == View("feed", feed_id=view.article.feed_id)
        assert headlines.selected is not None and headlines.selected.id == view.article.id


async def test_n_and_p_across_feeds_follow_the_feeds_pane_order(library: Library) -> None:
    """The pane shows the folder "news" (Alpha News, Odd Feed), then Beta Blog: by name Beta
    Blog would come second, on screen it comes last."""
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, _tree, _headlines, view = parts(app)
        feeds = {f.display_title: f.id for f in library.feeds()}
        alpha, beta, odd = feeds["Alpha News"], feeds["Beta Blog"], feeds["Odd [red]Feed[/]"]
        ids = ids_by_title(library)
        library.mark_view_read(View("feed", feed_id=alpha))
        library.set_read([ids["Alpha story 3"]], False)
        library.set_read([ids["[bold]x[/]"]], True)
        await pilot.press("h", "j", "j", "j", "j", "enter")  # Alpha News, in the folder
        await settle(pilot)
        await pilot.press("G", "enter")
        await settle(pilot)
        assert view.article is not None and view.article.title == "Alpha story 3"
        await pilot.press("n")
        await settle(pilot)
        # The next feed of the folder as drawn, not the next by name.
        assert view.article.feed_id == odd, view.article.title
        assert view.article.title == "[/]"
        assert screen.view == View("feed", feed_id=odd)
        await pilot.press("n")
        await settle(pilot)
        # Then the feeds outside a folder, drawn below it.
        assert view.article.feed_id == beta
        assert view.article.title == "Beta post 0"
        # Backwards from the top of Beta Blog, with unread news in both feeds of the folder: the
        # feed drawn just above it (Odd Feed), not the one before it by name (Alpha News).
        library.set_read([ids["Alpha story 0"], ids["[bold]x[/]"]], False)
        await pilot.press("p")
        await settle(pilot)
        assert view.article.feed_id == odd
        assert view.article.title == "[bold]x[/]"


async def test_J_and_K_step_through_articles_while_reading(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, _, headlines, view = parts(app)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)
        assert view.article is not None and view.article.title == "Beta post 0"
        await pilot.press("J")
        await settle(pilot)
        assert view.article.title == "Alpha story 1"
        await pilot.press("K")
        await settle(pilot)
        assert view.article.title == "Beta post 0"
        assert headlines.cursor == 1


async def test_b_bookmarks_and_B_shows_bookmarks_whatever_the_read_state(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, _, headlines, view = parts(app)
        await pilot.press("j", "b")
        await settle(pilot)
        assert article(library, "Beta post 0").bookmarked is True
        assert "★" in screen_text(app).splitlines()[2]
        await pilot.press("enter")  # read it: still a bookmark
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        assert screen.view == View("bookmarks")
        assert headlines.count == 1
        assert headlines.selected is not None and headlines.selected.title == "Beta post 0"
        assert "Bookmarks 1" in screen_text(app)
        # b on the open article (article pane focused) removes the bookmark.
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is view
        await pilot.press("b")
        await settle(pilot)
        assert article(library, "Beta post 0").bookmarked is False
        assert article(library, "Beta post 0").read is True


async def test_m_toggles_read_and_A_marks_the_view_read(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, _, headlines, _ = parts(app)
        await pilot.press("m")
        await settle(pilot)
        assert article(library, "Alpha story 0").read is True
        assert "Unread 8" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
        assert article(library, "Alpha story 0").read is False
        await pilot.press("h", "j", "j", "j", "j", "j", "enter")  # Odd feed inside "news"
        await settle(pilot)
        assert headlines.count == 2
        await pilot.press("A")
        await settle(pilot)
        assert library.unread_total() == 7
        assert all(h.read for h in library.headlines(screen.view, 0, 10))


async def test_o_opens_safe_links_only_and_y_copies(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://alpha.example.org/0"]
        await pilot.press("y")
        assert app.clipboard == "https://alpha.example.org/0"
        await pilot.press("G", "o")  # the "[/]" article links to javascript:
        await settle(pilot)
        assert opened == ["https://alpha.example.org/0"]
        assert any("Refused" in str(n.message) for n in app._notifications)


async def test_search_shows_results_as_a_view_and_escape_leaves(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, _, headlines, _ = parts(app)
        await pilot.press("slash")
        await pilot.press(*"zebras", "enter")
        await settle(pilot)
        assert screen.view == View("search", query="zebras")
        assert headlines.count == 3
        assert "Search: zebras" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert screen.view == View("all")
        assert headlines.count == 9


async def test_d_deletes_the_selected_feed_after_confirmation(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h", "G")  # Beta Blog: the last row
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert "Delete Beta Blog?" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert any(f.display_title == "Beta Blog" for f in library.feeds())
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not any(f.display_title == "Beta Blog" for f in library.feeds())
        assert "Beta Blog" not in screen_text(app)


async def test_e_edits_title_tags_and_full_text(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h", "G", "e")
        await settle(pilot)
        title = app.screen.query_one("#edit-title")
        title.value = "Beta Renamed"  # type: ignore[attr-defined]
        app.screen.query_one("#edit-tags").value = "animals, zoo"  # type: ignore[attr-defined]
        app.screen.query_one("#edit-full-text").value = True  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        feed = next(f for f in library.feeds() if f.display_title == "Beta Renamed")
        assert feed.tags == ("animals", "zoo") and feed.full_text is True
        text = screen_text(app)
        assert "▼ animals" in text and "▼ zoo" in text


async def test_escape_closes_dialogs_and_help_lists_every_action(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for _ in range(60):  # the list is longer than the dialog: down to its last rows too
            await pilot.press("down")
        await settle(pilot)
        text += screen_text(app)
        for action_id in (
            "next_unread",
            "toggle_bookmark",
            "refresh_all",
            "search",
            "back",
            "cursor_down",
        ):
            assert action_id in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("a")
        await settle(pilot)
        assert "Add a feed" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_command_palette_offers_reader_actions(library: Library) -> None:
    from textual.command import CommandPalette

    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Bookmarks")
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert parts(app)[0].view == View("bookmarks")


async def test_q_quits_with_status_zero(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q", "q")  # the headlines, back to the feeds, then quit
        await pilot.pause()
    assert app.return_code == 0


async def test_keys_are_remappable_from_config(tmp_path: Path) -> None:
    config = Config(
        refresh=RefreshConfig(refresh_on_start=False),
        keys={"toggle_bookmark": "x", "cursor_down": "ctrl+n"},
    )
    library = await make_library(tmp_path, config=config)
    app = make_app(library, config, tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, _, headlines, _ = parts(app)
        await pilot.press("ctrl+n")
        assert headlines.cursor == 1
        await pilot.press("b")
        await settle(pilot)
        assert article(library, "Beta post 0").bookmarked is False
        await pilot.press("x")
        await settle(pilot)
        assert article(library, "Beta post 0").bookmarked is True
        await pilot.press("question_mark")
        await settle(pilot)
        assert "x" in next(
            line.split("│")[0].strip()
            for line in screen_text(app).splitlines()
            if "toggle_bookmark" in line
        )
    library.close()


async def test_mouse_click_opens_and_wheel_scrolls(tmp_path: Path) -> None:
    from tests.feedgen import items
    from tests.ui_support import FeedSpec

    library = await make_library(tmp_path, [FeedSpec("many.xml", "Many", items(120))])
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, _, headlines, view = parts(app)
        await pilot.click(HeadlineList, offset=(30, 3))
        await settle(pilot)
        assert headlines.cursor == 3
        assert view.article is not None and view.article.title == "Item 3"
        await pilot.mouse_down(HeadlineList, offset=(30, 5))  # focus stays reachable by mouse
        await pilot.mouse_up(HeadlineList, offset=(30, 5))
        headlines.focus()
        before = headlines.scroll_y
        await pilot.scroll_down(HeadlineList, offset=(30, 10)) if hasattr(
            pilot, "scroll_down"
        ) else None
        if not hasattr(pilot, "scroll_down"):
            from textual.events import MouseScrollDown

            headlines.post_message(MouseScrollDown(headlines, 30, 10, 0, 0, 0, False, False, False))
        await settle(pilot)
        assert headlines.scroll_y > before
    library.close()


async def test_mouse_in_the_feeds_pane_opens_rows_and_folds_folders(library: Library) -> None:
    """A click on a row opens its view; a click on a folder's icon opens or closes it; the row
    under the pointer is marked (hover)."""
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, tree, _, _ = parts(app)
        rows = [tree.line(y) for y in range(tree.last_line + 1)]
        beta = next(
            y for y, line in enumerate(rows) if line and line.row and "Beta" in line.row.title
        )
        folder = next(y for y, line in enumerate(rows) if line and line.view.kind == "tag")
        await pilot.click(FeedTree, offset=(5, beta))
        await settle(pilot)
        assert screen.view == rows[beta].view and "Beta Blog" in screen_text(app)
        await pilot.hover(FeedTree, offset=(5, folder + 1))
        await settle(pilot)
        assert tree.hover_line == folder + 1
        lines = tree.last_line
        await pilot.click(FeedTree, offset=(0, folder))  # the icon: ▼ closes, the view stays
        await settle(pilot)
        assert tree.last_line == lines - 2 and screen.view == rows[beta].view
        assert "▶ news" in screen_text(app)
        await pilot.click(FeedTree, offset=(0, folder))
        await settle(pilot)
        assert tree.last_line == lines and "▼ news" in screen_text(app)
        await pilot.click(FeedTree, offset=(5, folder))  # the name: the folder's view
        await settle(pilot)
        assert screen.view == View("tag", tag="news")
    library.close()


async def test_a_adds_a_feed_from_a_path(library: Library, tmp_path: Path) -> None:
    from tests.feedgen import items, rss

    path = tmp_path / "new.xml"
    path.write_bytes(rss(items(2, prefix="Gamma"), title="Gamma Feed"))
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.press(*str(path), "enter")
        await settle(pilot)
        assert any(f.display_title == "Gamma Feed" for f in library.feeds())
        screen, _, headlines, _ = parts(app)
        assert screen.view.kind == "feed" and headlines.count == 2
        assert "Gamma Feed" in screen_text(app)


async def test_a_that_cannot_add_says_why_and_the_reader_stays(
    library: Library, tmp_path: Path
) -> None:
    """A path that is not there: the library's reason, led by what failed; nothing added."""
    before = {f.id for f in library.feeds()}
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.press(*str(tmp_path / "nowhere.xml"), "enter")
        await settle(pilot)
        assert app.is_running
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and errors[0].startswith("Could not add the feed: "), errors
        assert "nowhere.xml" in errors[0]
        assert {f.id for f in library.feeds()} == before
        assert parts(app)[0].status.progress == ""  # "Adding …" is gone


async def test_refresh_shows_progress_and_the_ui_stays_responsive(
    library: Library, httpserver: HTTPServer
) -> None:
    """R refreshes every feed (in a child process) against a server that answers slowly."""
    import threading

    from werkzeug import Request, Response

    from tests.feedgen import items, rss

    release = threading.Event()

    def slow(_request: Request) -> Response:
        release.wait(20)  # a slow server: the refresh waits, the UI does not
        return Response(rss(items(2, prefix="Slow"), title="Slow Feed"), content_type="text/xml")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    library.subscribe(httpserver.url_for("/slow"))
    app = make_app(library, ui_config(), tz=UTC)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            _, _, headlines, _ = parts(app)
            await pilot.press("R")
            deadline = time.monotonic() + 20
            while "Refreshing 3/4" not in screen_text(app) and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert "Refreshing 3/4" in screen_text(app)  # the three local feeds are done
            await pilot.press("j", "j")  # keys still work while the refresh runs
            assert headlines.cursor == 2
            release.set()
            deadline = time.monotonic() + 20
            while "Refreshing" in screen_text(app) and time.monotonic() < deadline:
                await pilot.pause(0.05)
            await settle(pilot)
            text = screen_text(app)
            assert "Refreshing" not in text
            assert "Slow Feed 2" in text and "Slow 1" in text  # its articles are in the panes
            # r refreshes only the feed selected in the feeds pane.
            before = {f.id: f.last_checked for f in library.feeds()}
            await pilot.press("h", "G")
            await settle(pilot)
            selected = app.screen.query_one(FeedTree).highlighted_feed
            assert selected is not None
            await pilot.press("r")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                await pilot.pause(0.05)
                after = {f.id: f.last_checked for f in library.feeds()}
                if after[selected.id] != before[selected.id]:
                    break
            changed = [i for i in after if after[i] != before[i]]
            assert changed == [selected.id]
            deadline = time.monotonic() + 20
            while app.screen.refreshing and time.monotonic() < deadline:  # type: ignore[attr-defined]
                await pilot.pause(0.05)
    finally:
        release.set()


async def test_quitting_during_a_refresh_is_clean(library: Library, httpserver: HTTPServer) -> None:
    """q while the refresh process waits on a server: the app exits without an error, the
    refresh process ends, and what was stored is whole."""
    import threading

    from werkzeug import Request, Response

    from tests.feedgen import items, rss

    release = threading.Event()

    def stuck(_request: Request) -> Response:
        release.wait(30)
        return Response(rss(items(2)), content_type="text/xml")

    httpserver.expect_request("/stuck").respond_with_handler(stuck)
    library.subscribe(httpserver.url_for("/stuck"))
    app = make_app(library, ui_config(), tz=UTC)
    try:
        async with app.run_test(size=SIZE) as pilot:  # a failed worker fails the test (conftest)
            await settle(pilot)
            await pilot.press("R")
            deadline = time.monotonic() + 20
            while "Refreshing 3/4" not in screen_text(app) and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert "Refreshing 3/4" in screen_text(app)
            await pilot.press("q")
        assert app.return_code in (0, None)
    finally:
        release.set()
    import multiprocessing

    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert multiprocessing.active_children() == []
    assert sql_one(library.path, "PRAGMA integrity_check")[0] == "ok"
    assert {f.display_title for f in library.feeds() if f.total} >= {"Alpha News", "Beta Blog"}


async def test_refresh_brings_new_articles_live(library: Library, tmp_path: Path) -> None:
    from tests.feedgen import Item, rss
    from tests.ui_support import BASE, standard_feeds

    alpha = standard_feeds()[0]
    alpha.entries.insert(
        0,
        Item(
            "Alpha fresh",
            "alpha-new",
            "https://alpha.example.org/new",
            "<p>New!</p>",
            BASE.replace(hour=13),
        ),
    )
    (tmp_path / "alpha.xml").write_bytes(rss(alpha.entries, title=alpha.title))
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        for _ in range(50):
            await settle(pilot)
            if "Alpha fresh" in screen_text(app):
                break
        text = screen_text(app)
        assert "Alpha fresh" in text
        assert "Unread 10" in text


async def test_a_failed_feed_is_marked_and_its_error_readable(library: Library) -> None:
    from newstui.storage.db import Database
    from tests.storage_support import apply_refresh

    beta = next(f for f in library.feeds() if f.display_title == "Beta Blog")
    with closing(Database(library.path)) as db:  # the test's own connection to the file
        apply_refresh(db, beta.id, status="error", error="HTTP 404: Not Found", http_status=404)
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "! Beta Blog" in screen_text(app)
        await pilot.press("h", "G")
        await settle(pilot)
        assert "last refresh failed: HTTP 404: Not Found" in screen_text(app)


async def test_an_empty_library_says_what_to_do(tmp_path: Path) -> None:
    library = Library.open(ui_config(), tmp_path / "empty.db")
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No feeds yet: press a to add one" in screen_text(app)
    library.close()


async def test_theme_choice_is_remembered(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        for _ in range(20):
            await pilot.pause(0.05)
            if library.get_setting("theme") == "nord":
                break
        assert library.get_setting("theme") == "nord"
    again = make_app(library, ui_config(), tz=UTC)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_the_footer_shows_the_keys_of_the_pane_and_a_click_presses_one(
    library: Library,
) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, tree, _, view = parts(app)
        footer = screen_text(app).splitlines()[-1]
        assert footer.startswith(" ⏎ Open  n Next unread  b Bookmark")
        assert footer.rstrip().endswith("▏^p Commands")
        await pilot.press("enter")  # the article pane: nothing to open there
        await settle(pilot)
        assert view.has_focus
        footer = screen_text(app).splitlines()[-1]
        assert "Open " not in footer.split("Next unread")[0]
        assert "Open link" in footer
        # A click on "? Help" presses ?, a click on "^p Commands" opens the palette.
        await pilot.click("Footer", offset=(footer.index("? Help") + 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click("Footer", offset=(footer.index("^p") + 1, 0))
        await settle(pilot)
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press("escape")
        await settle(pilot)
        tree.focus()
        await settle(pilot)
        assert screen_text(app).splitlines()[-1].startswith(" ⏎ Open  n Next unread")


async def test_a_change_of_focus_repaints_the_cursor_rows_only(library: Library) -> None:
    """Moving between the feeds and the headlines repaints the row of each cursor (the panes
    show focus there alone), not the two panes; test_the_panes_draw_the_same_from_their_caches
    checks that what stays on screen is still right."""
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, tree, headlines, _ = parts(app)
        repainted: dict[str, list[int]] = {"tree": [], "headlines": []}
        for name, pane in (("tree", tree), ("headlines", headlines)):

            def spy(
                pane: Any = pane, name: str = name, original: Any = pane._exchange_repaint_regions
            ) -> Any:
                regions = original()
                repainted[name].extend(region.height for region in regions)
                return regions

            pane._exchange_repaint_regions = spy  # type: ignore[method-assign]
        for step in ("tree", "headlines", "tree"):
            for rows in repainted.values():
                rows.clear()
            (tree if step == "tree" else headlines).focus()
            await settle(pilot)
            assert app.focused is (tree if step == "tree" else headlines)
            assert repainted == {"tree": [1], "headlines": [1]}, step


async def test_the_headline_rows_are_framed_as_textual_frames_them(library: Library) -> None:
    """The headline list frames its rows itself when it has no border, padding or tint (Textual's
    styles cache would only pad them and apply the line filters): at each step what it draws
    must be what Textual's own drawing of the widget gives."""
    from textual.widget import Widget

    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, tree, headlines, _ = parts(app)

        def compare() -> list[list[tuple[str, object]]]:
            assert headlines._plain()
            region = headlines.size.region
            ours = [[(s.text, s.style) for s in line] for line in headlines.render_lines(region)]
            headlines._styles_cache.clear()
            textual = [
                [(s.text, s.style) for s in line] for line in Widget.render_lines(headlines, region)
            ]
            assert ours == textual
            return ours

        seen = [compare()]
        for step in ("down", "blur", "theme", "monochrome", "narrow", "empty"):
            if step == "down":
                await pilot.press("j")
            elif step == "blur":
                tree.focus()
            elif step == "theme":
                app.theme = "ansi-dark"
            elif step == "monochrome":  # the line filter that NO_COLOR adds
                app._filters.append(Monochrome())
                headlines.refresh()
            elif step == "narrow":
                await pilot.resize_terminal(90, 30)
            else:
                headlines.show(View("search", query="nothing-matches-this"))
            await settle(pilot)
            seen.append(compare())
        assert all(a != b for a, b in itertools.pairwise(seen))


async def test_the_panes_draw_the_same_from_their_caches_as_afresh(library: Library) -> None:
    """The feeds pane keeps drawn lines across focus changes and the headlines keep drawn rows;
    after each change (focus, blur, cursor, read and bookmark flags, a theme) what the screen
    shows of them must be what it would show drawn from nothing."""
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, tree, headlines, _ = parts(app)

        def shown() -> list[list[tuple[str, object]]]:
            region = tree.region.union(headlines.region)
            strips = app.screen._compositor.render_strips()[region.y : region.bottom]
            return [
                [(s.text, s.style) for s in strip.crop(region.x, region.right)] for strip in strips
            ]

        async def afresh() -> list[list[tuple[str, object]]]:
            caches = (tree._strips, headlines._lines)
            kept = [{key: cache[key] for key in list(cache.keys())} for cache in caches]
            for cache in caches:
                cache.clear()
            tree.refresh()
            headlines.refresh()
            await settle(pilot)
            lines = shown()
            for cache, entries in zip(caches, kept, strict=True):
                cache.clear()
                for key, strip in entries.items():  # as it was: stale lines show at a later step
                    cache[key] = strip
            tree.refresh()
            headlines.refresh()
            await settle(pilot)
            return lines

        seen = []
        steps = ("focus", "down", "blur", "down", "read", "mark", "focus", "theme", "blur")
        # and with the cursor on an open tag folder (Tree styles its children's guides by it)
        steps += ("folder", "focus", "blur")
        for step in steps:
            if step == "folder":
                lines = [tree.line(y) for y in range(tree.last_line + 1)]
                folder = next(y for y, line in enumerate(lines) if line and line.is_open)
                tree.cursor_line = folder
            elif step == "focus":
                tree.focus()
            elif step == "blur":
                headlines.focus()
            elif step == "down":  # in the feeds: to Unread, which opens (not Bookmarks: empty)
                await pilot.press("j")
            elif step == "read":
                await pilot.press("m")
            elif step == "mark":
                await pilot.press("b")
            else:
                app.theme = "textual-light"
            await settle(pilot)
            now = shown()
            assert now == await afresh(), f"stale lines after {step}"
            seen.append(now)
        assert seen[0] != seen[2]  # focus shows: the cursor's row differs
        assert seen[3] != seen[4] != seen[5]  # so do the flags
        assert seen[6] != seen[7]  # and a theme
        assert seen[9] != seen[10] != seen[11]


async def test_the_footer_at_80_columns_always_shows_help_and_the_way_back(
    library: Library,
) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def footer() -> str:
            return screen_text(app).splitlines()[-1]

        for keys, back in (((), "q Back"), (("h",), "q Quit"), (("l", "enter"), "q Back")):
            await pilot.press(*keys)
            await settle(pilot)
            line = footer()
            assert "? Help" in line and back in line, line
            assert "^p Commands" in line
            # Whole hints only: a hint that does not fit is dropped, never cut ("o Ope").
            hints = line.split("▏")[0].split("  ")
            for hint in filter(None, (h.strip() for h in hints)):
                _key, _, name = hint.partition(" ")
                assert name and name[-1].isalpha(), line
        assert footer().index("n Next unread") < footer().index("? Help")


async def test_help_scrolls_fits_80_columns_and_lists_every_key_once(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSTUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        first = screen_text(app)
        assert "Next unread" in first
        box = app.screen.query_one("#help-scroll").scrollable_content_region
        seen: list[str] = []
        for _ in range(80):  # j scrolls: collect every row of the table that passes by
            lines = screen_text(app).splitlines()[box.y : box.bottom]
            for line in (ln[box.x : box.right].rstrip() for ln in lines):
                if line not in seen:
                    seen.append(line)
            await pilot.press("j")
            await pilot.pause()
        assert screen_text(app) != first
        text = "\n".join(seen)
        ids = [k.id for k in app.key_help()]
        for action_id in [*ids, "command_palette", "quit_anywhere", "back"]:
            rows = [line for line in seen if line.endswith(f" {action_id}")]  # the Id column
            assert len(rows) == 1, (action_id, rows)
        assert "ctrl+p" in text
        where = app.screen.query_one("#help-files").content_region
        files = "".join(  # the paths as shown, wrapped lines joined
            line[where.x : where.right].strip()
            for line in screen_text(app).splitlines()[where.y : where.bottom]
        )
        assert str(tmp_path / "elsewhere" / "newstui" / "config.toml") in files
        assert library.path in files
        assert "~/.config" not in files
        # The Id column is whole at 80 columns: the longest id is not cut.
        assert "toggle_bookmark" in text and "…" not in "".join(
            line for line in seen if "toggle_bookmark" in line
        )
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("q")
        assert isinstance(app.screen, MainScreen)


async def test_the_feeds_pane_at_80_columns_cuts_names_keeps_counts_and_never_scrolls_sideways(
    tmp_path: Path,
) -> None:
    from tests.feedgen import items
    from tests.ui_support import FeedSpec

    long_name = "A Very Long Feed Title That Cannot Fit In The Narrow Pane"
    specs = [
        FeedSpec("long.xml", long_name, items(7)),
        FeedSpec("tagged.xml", "Another Quite Long Tagged Feed Name", items(12, "T"), ["news"]),
    ]
    library = await make_library(tmp_path, specs)
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _, tree, _, _ = parts(app)
        region = tree.region
        rows = [
            line[region.x : region.right - 1].rstrip()
            for line in screen_text(app).splitlines()[region.y : region.bottom]
        ]
        assert any(r.startswith("A Very Long Feed") and r.endswith("… 7") for r in rows), rows
        assert any("Another Quite" in r and r.endswith("… 12") for r in rows), rows
        assert not tree.show_horizontal_scrollbar
        await pilot.press("h", "G")  # to the long one at the bottom: still nothing to scroll to
        await settle(pilot)
        assert tree.scroll_offset.x == 0 and tree.max_scroll_x == 0
    library.close()


async def test_headlines_cut_titles_with_an_ellipsis_and_show_today_by_its_time(
    tmp_path: Path,
) -> None:
    from datetime import datetime, timedelta

    from tests.feedgen import Item
    from tests.ui_support import FeedSpec

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    long_title = "A headline long enough that eighty columns cannot hold it whole " * 2
    entries = [
        Item(title=long_title.strip(), guid="long", when=now - timedelta(days=3)),
        Item(title="Fresh today", guid="fresh", when=now),
    ]
    library = await make_library(tmp_path, [FeedSpec("t.xml", "Times", entries)])
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        fresh = next(line for line in lines if "Fresh today" in line)
        assert now.strftime("%H:%M") in fresh and now.strftime("%Y-%m-%d") not in fresh
        cut = next(line for line in lines if "A headline long enough" in line)
        assert (now - timedelta(days=3)).strftime("%Y-%m-%d") in cut
        assert cut.rstrip().endswith("…")
    library.close()
