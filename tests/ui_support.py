"""Fixture libraries for the UI tests: small feeds written here, a real SQLite file in tmp_path."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newstui.config import Config, DisplayConfig, RefreshConfig
from newstui.domain.models import FeedStatus, View
from newstui.library.facade import Library
from tests.feedgen import Item, rss

if TYPE_CHECKING:
    from newstui.ui.screens.main import MainScreen

BASE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

MALICIOUS_BODY = (
    "<p>Links to try: <a href='javascript:alert(1)'>a script</a>, "
    "<a href='file:///etc/passwd'>a file</a>, <a href='-oProxyCommand=touch%20x'>a dash</a> "
    "and <a href='https://example.org/safe'>a safe one</a>.</p>"
)


@dataclass
class FeedSpec:
    name: str
    title: str
    entries: list[Item]
    tags: list[str] = field(default_factory=list)


def standard_feeds() -> list[FeedSpec]:
    """Three feeds: one tagged, one untagged, one with hostile titles and links."""
    alpha = [
        Item(
            title=f"Alpha story {i}",
            guid=f"alpha-{i}",
            link=f"https://alpha.example.org/{i}",
            body=f"<p>Alpha story {i} body: the quick brown fox number {i}.</p>",
            when=BASE - timedelta(hours=2 * i),
            author="Ann Alpha",
        )
        for i in range(4)
    ]
    beta = [
        Item(
            title=f"Beta post {i}",
            guid=f"beta-{i}",
            link=f"https://beta.example.org/{i}",
            body=f"<p>Beta post {i} talks about zebras and <b>stripes</b>.</p>",
            when=BASE - timedelta(hours=2 * i + 1),
        )
        for i in range(3)
    ]
    odd = [
        Item(
            title="[bold]x[/]",
            guid="odd-1",
            link="https://odd.example.org/1",
            body="<p>Markup title.</p>",
            when=BASE - timedelta(days=1),
        ),
        Item(
            title="[/]",
            guid="odd-2",
            link="javascript:alert(1)",
            body=MALICIOUS_BODY,
            when=BASE - timedelta(days=1, hours=1),
        ),
    ]
    return [
        FeedSpec("alpha.xml", "Alpha News", alpha, ["news"]),
        FeedSpec("beta.xml", "Beta Blog", beta),
        FeedSpec("odd.xml", "Odd [red]Feed[/]", odd, ["news"]),
    ]


def ui_config(**display: object) -> Config:
    return Config(
        refresh=RefreshConfig(refresh_on_start=False, deadline=5.0),
        display=DisplayConfig(**display),  # type: ignore[arg-type]
    )


async def make_library(
    tmp_path: Path, specs: list[FeedSpec] | None = None, config: Config | None = None
) -> Library:
    """A library on a real SQLite file, filled by subscribing to feed files written into tmp_path."""
    config = config or ui_config()
    library = Library.open(config, tmp_path / "lib.db")
    for spec in specs if specs is not None else standard_feeds():
        path = tmp_path / spec.name
        path.write_bytes(rss(spec.entries, title=spec.title))
        # Through the real parsers: a broken parser fails every test built on this library.
        result = await library.add_feed(str(path), tags=spec.tags)
        assert result.outcome is not None and result.outcome.status == FeedStatus.OK, (
            f"{spec.name}: {result.outcome}"
        )
        assert result.feed.total == len(spec.entries), f"{spec.name}: {result.feed}"
    return library


def ids_by_title(library: Library) -> dict[str, int]:
    return {h.title: h.id for h in library.headlines(View("all"), 0, 1000)}


async def settle(pilot: object) -> None:
    """Let workers finish and the screen repaint (workers may start more workers).

    A worker that fails has told the App (a notification, see NewstuiApp._handle_exception):
    the wait goes on for the others; a failure no input explains fails the test (conftest)."""
    app = pilot.app  # type: ignore[attr-defined]
    for _ in range(4):
        await pilot.pause()  # type: ignore[attr-defined]
        await asyncio.gather(*(w.wait() for w in list(app.workers)), return_exceptions=True)
    await pilot.pause()  # type: ignore[attr-defined]


def screen_text(app: object) -> str:
    """What the terminal shows right now, as plain text lines."""
    strips = app.screen._compositor.render_strips()  # type: ignore[attr-defined]
    return "\n".join(strip.text for strip in strips)


def pane_text(app: Any, selector: str) -> str:
    """What the terminal shows right now inside one widget (`#feeds`, `#headlines`...), without
    its borders, padding and scrollbars."""
    region = app.screen.query_one(selector).content_region
    strips = app.screen._compositor.render_strips()
    return "\n".join(s.crop(region.x, region.right).text for s in strips[region.y : region.bottom])


async def open_title(pilot: Any, library: Library, title: str) -> MainScreen:
    """Open the headline with this title from the main screen, as enter on its row does."""
    from newstui.ui.screens.main import MainScreen

    screen = pilot.app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    await settle(pilot)
    row = screen.headlines.row_of(ids_by_title(library)[title])
    assert row is not None
    screen.headlines.focus()
    screen.headlines.cursor = row
    await pilot.press("enter")
    await settle(pilot)
    return screen
