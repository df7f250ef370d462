"""What the reader's loop does while a refresh runs: no import on it at the first `R`, and each
reload of the counts and the list repaints only the rows whose look changed.

The stall itself is measured by benchmarks/frames.py --part stall (issue 17 row 6); these tests
pin the cuts by what is imported where and what is repainted, never by time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from newstui.library.facade import Library
from newstui.ui.app import make_app
from newstui.ui.reader.part import Part
from newstui.ui.screens.main import MainScreen
from tests.sql_support import sql_transaction
from tests.ui_support import pane_text, screen_text, settle, ui_config

REPO = Path(__file__).resolve().parent.parent


def test_the_first_refresh_imports_its_machinery_off_the_callers_loop(tmp_path: Path) -> None:
    """The reader's start imports no refresh machinery (test_ui_startup); the first refresh
    does, in a thread: on the loop it held the reader's frames ~10 ms at the first R."""
    code = textwrap.dedent(
        f"""
        import asyncio, sys, threading
        from importlib.abc import MetaPathFinder

        from newstui.library.facade import Library
        from tests.ui_support import ui_config

        where = {{}}

        class Watch(MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name.startswith(("newstui.refresh", "multiprocessing")):
                    where.setdefault(name, threading.current_thread().name)
                return None

        library = Library.open(ui_config(), {str(tmp_path / "lib.db")!r})
        assert "newstui.refresh.isolated" not in sys.modules
        sys.meta_path.insert(0, Watch())
        asyncio.run(library.refresh_in_child())
        library.close()
        assert "newstui.refresh.isolated" in where, where
        print(sorted(name for name, thread in where.items() if thread == "MainThread"))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", f"imported on the loop's thread: {proc.stdout}"


FEEDS = 60
PER_FEED = 3
NOW = 1_790_000_000.0


def _library(path: Path) -> Library:
    """60 feeds in no folder, three articles each, never refreshed: more rows than the screen
    holds in both panes."""
    library = Library.open(ui_config(), path)
    with sql_transaction(library.path) as conn:
        conn.executemany(
            "INSERT INTO feeds(id, url, title, added, unread, total) VALUES (?, ?, ?, 1.0, ?, ?)",
            [
                (i, f"/nowhere/{i:02}.xml", f"Feed {i:02}", PER_FEED, PER_FEED)
                for i in range(1, FEEDS + 1)
            ],
        )
        conn.executemany(
            "INSERT INTO articles(feed_id, key, title, published, sort_date, content, "
            "content_type, hash, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (f, f"k{f}-{n}", f"Story {f:02}-{n}", t, t, "", "text", f"h{f}-{n}", NOW)
                for f in range(1, FEEDS + 1)
                for n in range(PER_FEED)
                for t in [NOW - (n * FEEDS + f) * 60]
            ],
        )
    return library


def _watch_repaints(*panes: Any) -> list[list[int]]:
    """The heights of the regions each pane hands the screen to repaint, as they happen."""
    seen: list[list[int]] = []
    for pane in panes:
        heights: list[int] = []
        seen.append(heights)

        def spy(
            original: Any = pane._exchange_repaint_regions, heights: list[int] = heights
        ) -> Any:
            regions = original()
            heights.extend(region.height for region in regions)
            return regions

        pane._exchange_repaint_regions = spy
    return seen


async def _reload_as_a_refresh_does(
    pilot: Any, screen: MainScreen, shown: Callable[[], bool]
) -> None:
    """What a refresh's finished feeds make the reader do (`Changed(soon=True)`: the counts and
    the list read again, a few times a second), until `shown()`, and the frame after it."""
    runner = screen.views.runner
    runner.post_message(Part.Changed(runner, soon=True))
    await pilot.pause(0.35)
    for _ in range(100):  # a loaded machine runs the 0.3 s timer late
        await settle(pilot)
        if shown():
            break
        await pilot.pause(0.05)
    await settle(pilot)


@pytest.mark.anyio
async def test_a_reload_during_a_refresh_repaints_the_rows_that_changed(tmp_path: Path) -> None:
    """A feed off screen got an article older than every row shown: the feeds pane repaints
    its All and Unread rows (their counts), the list no row; then a feed on screen is renamed
    (a new subscription's title arriving): its row in the pane and its headlines' rows, only."""
    library = _library(tmp_path / "lib.db")
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        tree, headlines = screen.feed_tree, screen.headlines
        assert f"All {FEEDS * PER_FEED}" in screen_text(app)
        tree_rows, list_rows = _watch_repaints(tree, headlines)
        with sql_transaction(library.path) as conn:
            conn.execute(
                "INSERT INTO articles(feed_id, key, title, published, sort_date, content, "
                "content_type, hash, first_seen) VALUES (?, 'old', 'Old story', 1.0, 1.0, '', "
                "'text', 'old', ?)",
                (FEEDS, NOW),
            )
            conn.execute(
                "UPDATE feeds SET unread = unread + 1, total = total + 1 WHERE id = ?", (FEEDS,)
            )
        total = FEEDS * PER_FEED + 1
        await _reload_as_a_refresh_does(pilot, screen, lambda: f"All {total}" in screen_text(app))
        text = screen_text(app)
        assert f"All {FEEDS * PER_FEED + 1}" in text and f"Unread {FEEDS * PER_FEED + 1}" in text
        assert headlines.count == FEEDS * PER_FEED + 1
        assert tree_rows == [1, 1] and list_rows == []

        tree_rows.clear()
        with sql_transaction(library.path) as conn:
            conn.execute("UPDATE feeds SET title = 'Renamed' WHERE id = 2")
        await _reload_as_a_refresh_does(
            pilot, screen, lambda: "Renamed" in pane_text(app, "#headlines")
        )
        assert "Renamed" in pane_text(app, "#feeds")
        shown = pane_text(app, "#headlines")
        assert "Renamed" in shown and "Feed 02" not in shown
        # Feed 2's row, and its headlines on screen (one of each 60: the first rows' only).
        on_screen = sum(
            1
            for y in range(headlines.scrollable_content_region.height)
            if (h := headlines.headline_at(y)) is not None and h.feed_id == 2
        )
        assert tree_rows == [1] and sorted(list_rows) == [1] * on_screen and on_screen >= 1
    library.close()


@pytest.mark.anyio
async def test_a_frame_of_the_feeds_pane_draws_no_headline_row(tmp_path: Path) -> None:
    """The screen asks every pane beside a repainted one for its rows: the list hands back the
    rows it drew before (as Textual's styles cache does), drawing none again until one is
    marked for a repaint."""
    library = _library(tmp_path / "lib.db")
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        tree, headlines = screen.feed_tree, screen.headlines
        drawn: list[int] = []
        render_line = headlines.render_line

        def counting(y: int) -> Any:
            drawn.append(y)
            return render_line(y)

        headlines.render_line = counting  # type: ignore[method-assign]
        before = pane_text(app, "#headlines")
        tree.refresh()
        await settle(pilot)
        assert drawn == []
        assert pane_text(app, "#headlines") == before
        headlines.refresh_line(headlines.cursor + 1)
        await settle(pilot)
        assert drawn == [headlines.cursor + 1]
    library.close()


@pytest.mark.anyio
async def test_the_refresh_summary_comes_once_the_panes_show_its_result(tmp_path: Path) -> None:
    """R on two new subscriptions whose titles sort the other way round than their files:
    when the summary is said (its toast), the feeds pane already shows them in the titles'
    order and the list their articles; the toast is laid out in a frame of its own."""
    from tests.feedgen import items, rss

    library = Library.open(ui_config(), tmp_path / "lib.db")
    for name, title in (("a.xml", "Zebra"), ("b.xml", "Aardvark")):
        (tmp_path / name).write_bytes(rss(items(2, prefix=title), title=title))
        library.subscribe(str(tmp_path / name))
    app = make_app(library, ui_config(), tz=UTC)
    said: list[tuple[str, str, str]] = []
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        notify = app.notify

        def watching(message: str, **kwargs: Any) -> None:
            said.append((message, pane_text(app, "#feeds"), pane_text(app, "#headlines")))
            notify(message, **kwargs)

        app.notify = watching  # type: ignore[method-assign]
        await pilot.press("R")
        for _ in range(300):
            await pilot.pause(0.05)
            if any("checked" in message for message, _, _ in said):
                break
        await settle(pilot)
        summary = [(feeds, rows) for message, feeds, rows in said if "checked" in message]
        assert summary, said
        feeds, rows = summary[0]
        assert 0 <= feeds.index("Aardvark 2") < feeds.index("Zebra 2"), feeds
        assert "Aardvark 1" in rows and "Zebra 1" in rows
        assert "2 feeds checked: 4 new" in screen_text(app)
    library.close()


@pytest.mark.anyio
async def test_the_reload_at_a_refreshs_end_stands_for_the_one_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reload waiting its turn (counts a few times a second) when the refresh ends is the
    end's reload, not one more after it: that one, keeping rows in place, could cancel the
    end's reload that puts them in order."""
    from newstui.ui.reader import views

    library = _library(tmp_path / "lib.db")
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        reads: list[object] = []
        read = views.read_feeds
        monkeypatch.setattr(views, "read_feeds", lambda *a, **k: reads.append(a) or read(*a, **k))
        runner = screen.views.runner
        runner.post_message(Part.Changed(runner, soon=True))
        await pilot.pause(0.05)
        runner.post_message(Part.Changed(runner))
        await pilot.pause(0.6)
        await settle(pilot)
        assert len(reads) == 1
    library.close()
