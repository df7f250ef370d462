"""The trust boundary in the UI: hostile links are never opened, markup-looking text shows literally."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Markdown

from newstui.library.facade import Library
from newstui.ui.app import make_app
from newstui.ui.screens.main import MainScreen
from tests.ui_support import make_library, screen_text, settle, ui_config

pytestmark = pytest.mark.anyio

HOSTILE = [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "-oProxyCommand=touch /tmp/pwned",
    "--help",
    " https://example.org/leading-space",
    "data:text/html,<script>alert(1)</script>",
]


async def test_clicking_hostile_links_opens_nothing_and_says_so(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("G", "enter")  # the article whose body carries the hostile links
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        body = screen.article_view.query_one(Markdown)
        assert "a script" in screen_text(app)
        for href in HOSTILE:
            # What a click on a link in the body produces (Markdown's link action).
            body.post_message(Markdown.LinkClicked(body, href))
            await settle(pilot)
        assert opened == []
        refusals = [n for n in app._notifications if "Refused" in str(n.message)]
        assert len(refusals) == len(HOSTILE)
        # And a safe link does go through the same opener.
        body.post_message(Markdown.LinkClicked(body, "https://example.org/safe"))
        await settle(pilot)
        assert opened == ["https://example.org/safe"]


async def test_o_on_an_article_with_a_javascript_link_opens_nothing(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("G", "enter", "o")
        await settle(pilot)
        assert opened == []
        assert any("Refused" in str(n.message) for n in app._notifications)


async def test_markup_looking_titles_show_literally(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]x[/]" in text
        assert "  [/]  " in text or text.rstrip().count("[/]") >= 2
        assert "Odd [red]Feed[/]" in text  # a feed title in the tree and the list
        await pilot.press("G", "enter")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert any(line.rstrip().endswith("▏ [/]") for line in lines)  # the article's title
        # The header shows the feed title literally when the feed is opened.
        await pilot.press("h", "h", "j", "j", "j", "j", "j", "enter")
        await settle(pilot)
        assert "Odd [red]Feed[/]" in screen_text(app).splitlines()[0]
        # A notification and a dialog with the feed title: literal too, no crash.
        await pilot.press("d")
        await settle(pilot)
        assert "Delete Odd [red]Feed[/]?" in screen_text(app)


async def test_with_no_color_every_view_draws(library: Library, monkeypatch: Any) -> None:
    """NO_COLOR makes Textual pass every drawn line through a monochrome filter, which fails
    on a segment without a style: the empty list's indent had none, and opening Bookmarks
    with none in them crashed the reader. Every kind of view and the article must draw."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert app._filters and app._filters[-1].enabled  # the filter is on
        await pilot.press("B")  # Bookmarks: none yet
        await settle(pilot)
        assert "No bookmarks yet" in screen_text(app)
        await pilot.press("slash", *"nothing-matches-this", "enter")
        await settle(pilot)
        assert "0 articles" in screen_text(app)
        await pilot.press("escape", "h", "g", "enter", "enter")  # All, then the first article
        await settle(pilot)
        assert app._exception is None
        assert "Welcome" not in screen_text(app).splitlines()[0]
        await pilot.press("question_mark")
        await settle(pilot)
        assert app._exception is None


async def test_a_link_shown_as_its_own_text_has_no_escape_sequence(tmp_path: Path) -> None:
    """markdown-it percent-decodes a link's shown text: %1B in a URL became an ESC on screen."""
    from tests.feedgen import Item
    from tests.ui_support import FeedSpec

    body = '<p>See <a href="https://example.org/%1B[6nx%1B]0;T%07">the page</a>.</p>'
    spec = FeedSpec("esc.xml", "Esc", [Item(title="Encoded", guid="e", body=body)])
    library = await make_library(tmp_path, [spec])
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        # the Links list shows the URL (cut to the pane's width: "https://example.org…")
        assert "https://example.org" in text
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text.replace("\n", ""))
    library.close()


def _spoil(folder: Path) -> None:
    """The library's files overwritten under the running app (a disk gone bad, another program)."""
    for path in folder.glob("lib.db*"):
        size = path.stat().st_size
        with open(path, "r+b") as handle:
            handle.write(b"\xff" * size)


@pytest.mark.parametrize("keys", [("m",), ("b",), ("A",), ("d", "y"), ("r",), ("enter",)])
async def test_a_storage_failure_in_an_action_is_a_message_and_the_reader_stays(
    tmp_path: Path, keys: tuple[str, ...]
) -> None:
    library = await make_library(tmp_path)
    app = make_app(library, ui_config(mark_read_on_open=True), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        before = screen_text(app)
        if keys == ("d", "y"):
            await pilot.press("h", "j", "j", "j", "j")  # Alpha News in the feeds pane
            await settle(pilot)
            before = screen_text(app)
        _spoil(tmp_path)
        await pilot.press(*keys)
        await settle(pilot)
        assert app.is_running and app.return_code is None
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert any("lib.db" in e and "database" in e for e in errors), errors
        after = screen_text(app)
        # Nothing half-done: the lists show what they showed (no mark flipped, no feed gone).
        before_rows, after_rows = before.splitlines()[1:10], after.splitlines()[1:10]
        assert [r[:60] for r in after_rows] == [r[:60] for r in before_rows]
        await pilot.press("Q")
        await pilot.pause()
    library.close()
