"""Headline rows under Pilot at 160 and 80 columns, and `[display] headline_format`."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from newstui.configfile import parse_config
from newstui.domain.errors import ConfigError
from newstui.domain.models import View
from newstui.ui.app import make_app
from newstui.ui.screens.main import MainScreen
from tests.feedgen import Item
from tests.ui_support import BASE, FeedSpec, make_library, screen_text, settle, ui_config

pytestmark = pytest.mark.anyio

LONG = (
    "A very long headline that goes on and on about the state of terminal news readers "
    "in the year 2026 and well beyond it, with more words still"
)


@pytest.fixture
async def library(tmp_path: Path) -> Any:
    item = Item(title=LONG, guid="l1", link="https://l.example.org/1", body="<p>x</p>", when=BASE)
    short = Item(title="Short one", guid="s1", link="https://l.example.org/2", body="<p>y</p>")
    lib = await make_library(
        tmp_path, [FeedSpec("long.xml", "Long Feed Name Here", [item, short], ["news"])]
    )
    yield lib
    lib.close()


def row_of(app: Any, text: str) -> str:
    """The headline pane's part of the screen line that holds `text`."""
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    region = screen.headlines.region
    for line in screen_text(app).splitlines():
        if text in line:
            return line[region.x : region.x + region.width]
    raise AssertionError(f"{text!r} is not on screen")


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_the_title_takes_the_room_left_and_ends_in_an_ellipsis(
    library: Any, size: tuple[int, int]
) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        row = row_of(app, "A very long")
        width = app.screen_stack[0].headlines.region.width
        shown = row[row.index("A very long") :].rstrip(" ▏")
        assert shown.endswith("…")
        # The title runs to the row's end: the date, the flags and (where it shows) the feed
        # column are the only other things on the row.
        assert row.index("A very long") + len(shown) >= width - 3
        assert "2026-11-01" in row
        if size[0] >= 160:
            assert "Long Feed Name H" in row
        assert row_of(app, "Short one").rstrip(" ▏").endswith("Short one")


async def test_at_160_columns_titles_get_room_beside_the_feed_and_the_article(
    library: Any,
) -> None:
    """The three panes at 160x45 leave a title in All (feed column shown) 40 characters or more,
    while the article keeps a readable column (issue 14 point 8: it was 29)."""
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the article open beside the list: all three panes show
        await settle(pilot)
        screen = app.screen_stack[0]
        assert isinstance(screen, MainScreen)
        assert screen.article_view.display and screen.feed_tree.display
        row = row_of(app, "A very long")
        assert "Long Feed Name H" in row  # All shows each row's feed
        shown = row[row.index("A very long") :].rstrip(" ▏")
        assert shown.endswith("…")
        assert len(shown) - 1 >= 40, f"{len(shown) - 1} characters of the title: {shown!r}"
        assert LONG.startswith(shown[:-1])
        article = screen.article_view.content_region.width
        assert article >= 50, f"the article pane's text is {article} columns wide"


async def test_headline_format_orders_the_columns_as_written(library: Any) -> None:
    config = ui_config(headline_format="%F|%t|%-8T|%D")
    app = make_app(library, config, tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        row = row_of(app, "A very long")
        # The title takes what the fixed columns after it leave, and they still show.
        assert "…|Long Fee|2026-11-01" in row, row
        assert row.startswith("● |A very long")
        # The columns after the title line up whatever the title's length.
        assert row_of(app, "Short one").index("|Long Fee|") == row.index("|Long Fee|")
        screen = app.screen_stack[0]
        assert isinstance(screen, MainScreen)
        feed = library.feeds()[0]
        screen.views.show_view(View("feed", feed_id=feed.id))
        await settle(pilot)
        # A feed's own list leaves its name out.
        assert "Long Fee" not in row_of(app, "Short one")


async def test_headline_format_without_the_feed_gives_the_title_its_room(library: Any) -> None:
    app = make_app(library, ui_config(headline_format=" %F %D %t"), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        row = row_of(app, "A very long")
        assert "Long Feed" not in row
        shown = row[row.index("A very long") :].rstrip(" ▏")
        assert len(shown) >= app.screen_stack[0].headlines.region.width - 20


@pytest.mark.parametrize(
    ("fmt", "says"),
    [
        ("%F %D %x %t", "'%x'"),
        ("%F %D", "%t"),
        ("%t %t", "exactly once"),
        ("%20t", "no width"),
        ("%t %", "at the end"),
    ],
)
def test_a_bad_headline_format_is_a_config_error_naming_the_key(fmt: str, says: str) -> None:
    text = f"[display]\nheadline_format = {fmt!r}\n".replace("'", '"')
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    message = str(caught.value)
    assert "headline_format" in message and says in message, message


def test_percent_and_text_pass_through() -> None:
    config = parse_config('[display]\nheadline_format = "%F 100%% %t"\n')
    assert config.display.headline_format == "%F 100%% %t"
