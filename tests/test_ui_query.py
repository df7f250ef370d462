"""The query language in the reader: `/` with phrases, prefixes and errors, highlights, saved
views in the feeds pane, and an article pane that never shows a stale result."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment

from newstui.config import Config, DisplayConfig, RefreshConfig
from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui.app import make_app
from newstui.ui.screens.prompt import PromptScreen
from newstui.ui.widgets.article_view import mark_markdown
from newstui.ui.widgets.headline_list import HeadlineList
from tests.test_ui_keys import parts
from tests.ui_support import make_library, screen_text, settle, ui_config

SIZE = (160, 45)
pytestmark = pytest.mark.anyio


async def search(pilot: Any, text: str) -> None:
    await pilot.press("slash")
    await settle(pilot)
    await pilot.press(*text, "enter")
    await settle(pilot)


def titles(headlines: HeadlineList) -> list[str]:
    return [h.title for h in (headlines.headline_at(i) for i in range(headlines.count)) if h]


async def test_phrases_and_prefixes_find_what_they_say(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, _, headlines, _ = parts(app)
        await search(pilot, '"brown fox"')
        assert headlines.count == 4
        await search(pilot, '"fox brown"')  # words in another order are not the phrase
        assert headlines.count == 0
        await search(pilot, "zeb*")
        assert titles(headlines) == ["Beta post 0", "Beta post 1", "Beta post 2"]
        await search(pilot, "zeb* -#news title:/1$/")
        assert titles(headlines) == ["Beta post 1"]
        assert screen.view == View("search", query="zeb* -#news title:/1$/")


async def test_a_malformed_search_is_an_inline_error(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, _, headlines, _ = parts(app)
        await pilot.press("slash")
        await pilot.press(*"fox (zebras", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)  # still open, nothing searched
        text = screen_text(app)
        assert "this '(' is never closed (at character 5)" in text
        prompt_input = app.screen.query_one("Input")
        assert prompt_input.cursor_position == 4  # at the '('
        await pilot.press("end", ")", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, PromptScreen)
        assert screen.view == View("search", query="fox (zebras)")
        assert headlines.count == 0


async def test_matches_are_highlighted_in_the_list_and_the_article(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, _, headlines, article_view = parts(app)
        await search(pilot, "alpha stor*")
        strip = headlines._draw_headline(headlines.headline_at(0), False, 120, headlines.rich_style)
        marked = [s.text for s in strip if isinstance(s, Segment) and s.style and s.style.underline]
        assert marked == ["Alpha", "story"]
        await pilot.press("enter")
        await settle(pilot)
        assert article_view.article is not None
        assert article_view.marks == [(("alpha",), False), (("stor",), True)]
        markdown = article_view.query_one("#article-body").source
        assert "**Alpha** **story** 0 body" in markdown
        header = article_view.query_one("#article-meta").render()
        assert any("reverse" in str(span.style) for span in header.spans)


def test_highlights_never_touch_code_or_link_targets() -> None:
    marks = [(("fox",), False)]
    text = "A fox [the fox](https://fox.example/) `fox` <https://fox.example>\n```\nfox\n```"
    assert mark_markdown(text, marks) == (
        "A **fox** [the **fox**](https://fox.example/) `fox` <https://fox.example>\n```\nfox\n```"
    )
    assert mark_markdown("**bold** fox", marks) == "**bold** fox"  # left as it is


async def test_the_article_pane_shows_nothing_stale_when_results_change(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, _, _, article_view = parts(app)
        await search(pilot, "zebras")
        await pilot.press("enter")
        await settle(pilot)
        assert article_view.article is not None and article_view.article.title == "Beta post 0"
        await search(pilot, "fox")  # the open article is not among the new results
        assert article_view.article is None and screen.open_article is None
        assert "Beta post 0" not in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert article_view.article is not None and article_view.article.title == "Alpha story 0"
        await search(pilot, "alpha OR quick")  # still there: kept, with the new highlights
        assert article_view.article is not None and article_view.article.title == "Alpha story 0"
        assert article_view.marks == [(("alpha",), False), (("quick",), False)]


async def test_saved_views_in_the_feeds_pane_with_live_counts(tmp_path: Path) -> None:
    config = Config(
        refresh=RefreshConfig(refresh_on_start=False, deadline=5.0),
        display=DisplayConfig(),
        views=(("Zebras", "zebras is:unread"),),
    )
    library = await make_library(tmp_path, config=config)
    try:
        app = make_app(library, config, tz=UTC)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen, tree, headlines, _ = parts(app)
            lines = screen_text(app).splitlines()
            assert any("Zebras 3" in line for line in lines)
            rows = [line for line in lines if "Bookmarks" in line or "Zebras" in line]
            assert "Bookmarks" in rows[0] and "Zebras" in rows[1]  # under the built-in views
            assert tree.select_view(View("query", query="zebras is:unread", name="Zebras"))
            await settle(pilot)
            await pilot.press("h", "enter")
            await settle(pilot)
            assert screen.view.kind == "query" and headlines.count == 3
            await pilot.press("enter")  # reading one makes the count drop
            await settle(pilot)
            assert any("Zebras 2" in line for line in screen_text(app).splitlines())
            await search(pilot, "fox")
            await pilot.press("V")
            await settle(pilot)
            await pilot.press(*"Foxes", "enter")
            await settle(pilot)
            assert any("Foxes 4" in line for line in screen_text(app).splitlines())
            assert [v.name for v in library.saved_views(counts=False)] == ["Zebras", "Foxes"]
    finally:
        library.close()


async def test_A_on_a_search_marks_its_results_only(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search(pilot, '"quick brown" -title:/3$/')
        await pilot.press("A")
        await settle(pilot)
        unread = {a.title for a in library.articles(View("unread"))}
        assert {"Alpha story 0", "Alpha story 1", "Alpha story 2"}.isdisjoint(unread)
        assert "Alpha story 3" in unread and "Beta post 0" in unread
        assert len(unread) == 9 - 3
