"""Fixture libraries for the UI tests: small feeds written here, a real SQLite file in tmp_path."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newstui.config import Config, DisplayConfig, RefreshConfig
from newstui.core.library import Library
from newstui.core.models import View
from tests.feedgen import Item, rss

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
        if _parser_available():
            await library.add_feed(str(path), tags=spec.tags)
        else:
            _store_directly(library, path, spec)
    return library


def _parser_available() -> bool:
    try:
        import newstui.core.local
        import newstui.core.parse  # noqa: F401
    except ImportError:
        return False
    return True


def _store_directly(library: Library, path: Path, spec: FeedSpec) -> None:
    """Until the parsers land: the same entries stored through the storage layer."""
    from newstui.storage.db import StoredEntry, apply_refresh

    feed_id = library.db.insert_feed(str(path), title=None, tags=spec.tags)
    entries = [
        StoredEntry(
            key=it.guid or it.title,
            title=it.title,
            url=it.link,
            author=it.author,
            site=None,
            published=it.when.timestamp() if it.when else None,
            updated=None,
            content=it.body,
            content_type="html",
            digest=hashlib.sha256((it.title + it.body).encode()).hexdigest(),
            search_text=it.body,
        )
        for it in spec.entries
    ]
    apply_refresh(
        library.db,
        feed_id,
        status="ok",
        error=None,
        http_status=None,
        entries=entries,
        feed_title=spec.title,
    )


def ids_by_title(library: Library) -> dict[str, int]:
    return {h.title: h.id for h in library.headlines(View("all"), 0, 1000)}


def parser_available() -> bool:
    return _parser_available()


async def settle(pilot: object) -> None:
    """Let workers finish and the screen repaint (workers may start more workers)."""
    app = pilot.app  # type: ignore[attr-defined]
    for _ in range(4):
        await pilot.pause()  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


def screen_text(app: object) -> str:
    """What the terminal shows right now, as plain text lines."""
    strips = app.screen._compositor.render_strips()  # type: ignore[attr-defined]
    return "\n".join(strip.text for strip in strips)
