"""Pilot tests: a big mark asks first (confirm_mark_over), and `u` undoes the last marks, in turn."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest

from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui.app import make_app
from newstui.ui.screens.confirm import ConfirmScreen
from newstui.ui.screens.main import MainScreen
from tests.feedgen import items
from tests.ui_support import (
    FeedSpec,
    make_library,
    pane_text,
    screen_text,
    settle,
    standard_feeds,
    ui_config,
)

SIZE = (160, 45)
pytestmark = pytest.mark.anyio


async def big_library(tmp_path: Path) -> Library:
    """The standard nine articles and a feed of 25: 34 unread in All."""
    return await make_library(
        tmp_path, [*standard_feeds(), FeedSpec("many.xml", "Many", items(25))]
    )


def unread_marks(app: object) -> int:
    """Unread dots on screen in the headline list."""
    return pane_text(app, "#headlines").count("●")


async def test_marking_more_than_confirm_mark_over_asks_and_n_changes_nothing(
    tmp_path: Path,
) -> None:
    library = await big_library(tmp_path)
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert library.unread_total() == 34
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Mark 34 articles in All read?" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert library.unread_total() == 34
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert library.unread_total() == 0
        assert unread_marks(app) == 0
        assert "All 0" in screen_text(app)
        await pilot.press("u")  # all 34 unread again
        await settle(pilot)
        assert library.unread_total() == 34
        assert "All 34" in screen_text(app)
        assert unread_marks(app) > 20
        assert any("Undone: 34 articles marked read" in str(n.message) for n in app._notifications)
    library.close()


async def test_a_small_mark_does_not_ask_and_the_limit_comes_from_the_config(
    tmp_path: Path,
) -> None:
    library = await big_library(tmp_path)
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h", "j", "j", "j", "j", "l")  # Alpha News: 4 unread
        await settle(pilot)
        assert parts_view(app) == "feed"
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert library.unread_total() == 30
    library.close()
    strict = await make_library(tmp_path / "strict", config=ui_config(confirm_mark_over=0))
    app = make_app(strict, ui_config(confirm_mark_over=0), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h", "j", "j", "j", "j", "l", "A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Mark 4 articles in Alpha News read?" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert strict.unread_total() == 9
    strict.close()


def parts_view(app: object) -> str:
    screen = app.screen_stack[0]  # type: ignore[attr-defined]
    assert isinstance(screen, MainScreen)
    return screen.view.kind


async def test_u_undoes_marks_one_at_a_time_newest_first(tmp_path: Path) -> None:
    library = await make_library(tmp_path)
    app = make_app(library, ui_config(), tz=UTC)

    def flags(title: str) -> tuple[bool, bool]:
        h = next(h for h in library.headlines(View("all"), 0, 100) if h.title == title)
        return h.read, h.bookmarked

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")  # Alpha story 0 read
        await settle(pilot)
        await pilot.press("j", "b")  # Beta post 0 bookmarked
        await settle(pilot)
        await pilot.press("j", "m")  # Alpha story 1 read
        await settle(pilot)
        await pilot.press("m")  # and unread again: a mark of its own
        await settle(pilot)
        await pilot.press("h", "j", "j", "j", "j", "l", "A")  # Alpha News read (4, no question)
        await settle(pilot)
        assert [flags(f"Alpha story {i}")[0] for i in range(4)] == [True] * 4
        assert flags("Beta post 0") == (False, True)
        await pilot.press("u")  # the view mark: the three that were unread are again
        await settle(pilot)
        assert [flags(f"Alpha story {i}")[0] for i in range(4)] == [True, False, False, False]
        assert "Alpha News 3" in screen_text(app)
        await pilot.press("u")  # Alpha story 1's unread: read again
        await settle(pilot)
        assert flags("Alpha story 1") == (True, False)
        await pilot.press("u")  # its read: unread
        await settle(pilot)
        assert flags("Alpha story 1") == (False, False)
        await pilot.press("u")  # the bookmark
        await settle(pilot)
        assert flags("Beta post 0") == (False, False)
        await pilot.press("u")  # the first read
        await settle(pilot)
        assert flags("Alpha story 0") == (False, False)
        await pilot.press("u")
        await settle(pilot)
        assert any("Nothing to undo" in str(n.message) for n in app._notifications)
        assert library.unread_total() == 9
        assert "Unread 9" in screen_text(app)
    library.close()
