"""The reader and sync accounts: S syncs, start-up syncs, a failing account shows like a feed's error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from newstui.configfile import parse_config
from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui.app import make_app
from tests.greader_server import GReaderServer
from tests.sql_support import sql_one
from tests.ui_support import screen_text, settle

SIZE = (160, 45)
pytestmark = pytest.mark.anyio


@pytest.fixture
def server() -> Iterator[GReaderServer]:
    s = GReaderServer()
    feed = s.add_feed("https://example.org/tech.xml", "Server Tech", category="Gadgets")
    s.add_items(feed, 3, "Synced story")
    yield s
    s.close()


def library_for(server: GReaderServer, tmp_path: Path, *, on_start: bool) -> Library:
    text = f"""
[[accounts]]
name = "fresh"
type = "greader"
url = "{server.url}"
username = "{server.state.user}"
password = "{server.state.password}"

[refresh]
refresh_on_start = {"true" if on_start else "false"}
read_timeout = 2.0
"""
    return Library.open(parse_config(text, owner_only=True), tmp_path / "lib.db")


async def test_s_syncs_and_the_account_feeds_show_under_their_folder(
    server: GReaderServer, tmp_path: Path
) -> None:
    library = library_for(server, tmp_path, on_start=False)
    try:
        app = make_app(library, library.config, tz=UTC)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "Server Tech" not in screen_text(app)
            await pilot.press("S")
            await settle(pilot)
            text = screen_text(app)
            assert "Server Tech" in text and "Gadgets" in text
            assert "Synced story 0" in text
            # Marking here queues the change for the server.
            await pilot.press("m")
            await settle(pilot)
        assert sql_one(library.path, "SELECT count(*) FROM outbox")[0] == 1
    finally:
        library.close()


async def test_start_up_syncs_and_a_failing_account_is_shown(
    server: GReaderServer, tmp_path: Path
) -> None:
    library = library_for(server, tmp_path, on_start=True)
    try:
        app = make_app(library, library.config, tz=UTC)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await settle(pilot)
            assert "Server Tech" in screen_text(app)
            server.fault = "500"
            await pilot.press("S")
            await settle(pilot)
            assert "! Server Tech" in screen_text(app)  # marked like a failing feed
            notes = [n.message for n in app._notifications]
            assert any("fresh" in n and "HTTP 500" in n for n in notes), notes
        # The articles stay readable offline.
        assert len(library.articles(View("all"))) == 3
    finally:
        library.close()
