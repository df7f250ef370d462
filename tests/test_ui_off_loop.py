"""The UI's one way to blocking work (ui/off_loop.py) and its one way to a worker's failure."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC

import pytest

from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui.app import NewstuiApp, make_app
from newstui.ui.off_loop import off_loop
from newstui.ui.widgets.feed_tree import FeedTree
from newstui.ui.widgets.headline_list import HeadlineList
from tests.ui_support import screen_text, settle, ui_config

pytestmark = pytest.mark.anyio


async def test_a_plain_function_runs_in_another_thread_and_its_error_comes_back() -> None:
    loop_thread = threading.get_ident()
    assert await off_loop(threading.get_ident) != loop_thread

    def fails(text: str) -> None:
        raise ValueError(text)

    with pytest.raises(ValueError, match="nope"):
        await off_loop(fails, "nope")


async def test_a_coroutine_function_runs_on_a_loop_of_its_own() -> None:
    ui_loop = asyncio.get_running_loop()

    async def where(tag: str) -> tuple[str, int, asyncio.AbstractEventLoop]:
        await asyncio.sleep(0)
        return tag, threading.get_ident(), asyncio.get_running_loop()

    tag, thread, loop = await off_loop(where, "x")
    assert tag == "x" and thread != threading.get_ident() and loop is not ui_loop

    async def fails() -> None:
        raise KeyError("gone")

    with pytest.raises(KeyError, match="gone"):
        await off_loop(fails)


async def test_a_known_failure_in_a_worker_is_a_notification_that_names_it(
    library: Library,
) -> None:
    """`V` under a name the config file holds: the library says why, the worker's phrase leads."""
    config = replace(ui_config(), views=(("mine", "beta"),))
    library.config = config
    app = make_app(library, config, tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.screen_stack[0].views.show_view(View("search", query="alpha"))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("V", *"mine", "enter")
        await settle(pilot)
        assert app.is_running
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert errors == [
            "Could not save the view: the view 'mine' is defined in the config file; change it there"
        ]


async def test_a_bug_in_a_worker_is_a_notification_and_the_reader_stays(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure no input explains: named as a bug, logged, and the session goes on (the
    conftest fails any other test where this happens; here it is the point)."""
    bugs: list[BaseException] = []
    monkeypatch.setattr(NewstuiApp, "_report_bug", lambda self, error: bugs.append(error))

    def broken(view: View) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(library, "unread_count", broken)  # what `A` reads first
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        headlines = app.screen_stack[0].query_one(HeadlineList)
        await pilot.press("A")
        await settle(pilot)
        assert app.is_running and app.return_code is None
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "RuntimeError('boom')" in errors[0] and "a bug" in errors[0]
        await pilot.press("j", "enter")  # still reading
        await settle(pilot)
        assert headlines.cursor == 1 and "Beta post 0 talks about zebras" in screen_text(app)
    assert [str(e) for e in bugs] == ["boom"]


async def test_messages_name_their_sender_so_selectors_match(library: Library) -> None:
    """`@on(HeadlineList.Opened, "#headlines")`: enter opens; a list elsewhere would not."""
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = app.screen_stack[0]
        headlines, tree = screen.query_one(HeadlineList), screen.query_one(FeedTree)
        first = headlines.selected
        assert first is not None
        assert HeadlineList.Opened(headlines, first).control is headlines
        assert FeedTree.Chosen(tree, View("all")).control is tree
        # A message from another list (no id #headlines) is not the main list's: nothing opens.
        other = HeadlineList(library)
        screen.post_message(HeadlineList.Opened(other, first))
        await settle(pilot)
        assert screen.open_article is None  # type: ignore[attr-defined]
        headlines.post_message(HeadlineList.Opened(headlines, first))
        await settle(pilot)
        assert screen.open_article is not None and screen.open_article.id == first.id  # type: ignore[attr-defined]
