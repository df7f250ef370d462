"""The reader's toggles: `H` hides read articles in the list, `U` hides feeds with nothing unread."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui.app import make_app
from tests.ui_support import make_library, pane_text, screen_text, settle, ui_config

pytestmark = pytest.mark.anyio
SIZE = (140, 30)


@pytest.fixture
async def library(tmp_path: Path) -> Any:
    lib = await make_library(tmp_path)
    feeds = {f.display_title: f.id for f in lib.feeds()}
    lib.mark_view_read(View("feed", feed_id=feeds["Beta Blog"]))
    alpha = lib.headlines(View("feed", feed_id=feeds["Alpha News"]), 0, 10)
    lib.set_read([alpha[0].id])
    yield lib
    lib.close()


async def test_u_hides_and_shows_read_articles(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "9 articles" in text and "Beta post 0" in text and "Alpha story 0" in text
        await pilot.press("H")
        await settle(pilot)
        text = screen_text(app)
        assert "unread only" in text and "5 articles" in text
        assert "Beta post" not in text and "Alpha story 0" not in text
        assert "Alpha story 1" in text
        await pilot.press("H")
        await settle(pilot)
        text = screen_text(app)
        assert "9 articles" in text and "Beta post 0" in text and "unread only" not in text


async def test_u_applies_to_a_feed_view_too(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        main = app.screen
        feeds = {f.display_title: f.id for f in library.feeds()}
        main.views.show_view(View("feed", feed_id=feeds["Alpha News"]))  # type: ignore[attr-defined]
        await settle(pilot)
        text = screen_text(app)
        assert "3 articles" in text and "Alpha story 0" not in text


async def test_U_hides_feeds_with_nothing_unread(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Beta Blog" in pane_text(app, "#feeds")
        await pilot.press("U")
        await settle(pilot)
        feeds = pane_text(app, "#feeds")
        assert "Beta Blog" not in feeds and "Alpha News" in feeds
        assert "Beta post 0" in pane_text(app, "#headlines")  # All still lists its articles
        await pilot.press("U")
        await settle(pilot)
        assert "Beta Blog" in pane_text(app, "#feeds")


async def test_u_on_a_view_with_nothing_unread_says_so(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        library.mark_view_read(View("all"))
        await pilot.press("H")
        await settle(pilot)
        text = screen_text(app)
        assert (
            "0 articles" in text and "Nothing unread here. H shows the read articles too." in text
        )
