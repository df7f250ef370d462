"""Tags compare without case: `tech` joins the `Tech` folder, and the first spelling stays."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from newstui.config import Config
from newstui.library.facade import Library
from newstui.storage.db import Database
from newstui.ui.app import make_app
from newstui.ui.screens.edit_feed import EditFeedScreen
from tests.feedgen import items, rss
from tests.ui_support import screen_text, settle, ui_config

BIN = Path(sys.executable).parent / "newstui"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def newstui(tmp_path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTUI_")}
    env.update(NEWSTUI_DB=str(tmp_path / "db.sqlite"), XDG_CONFIG_HOME=str(tmp_path / "xdg-config"))
    proc = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def feed_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.xml"
    path.write_bytes(rss(items(2, prefix=name), title=name))
    return path


def tags_by_feed(tmp_path: Path) -> dict[str, tuple[str, ...]]:
    db = Database(tmp_path / "db.sqlite")
    try:
        return {f.display_title: f.tags for f in db.feeds()}
    finally:
        db.close()


def test_cli_add_and_import_join_the_first_spelling(tmp_path: Path) -> None:
    newstui(tmp_path, "add", str(feed_file(tmp_path, "One")), "--tag", "Tech")
    newstui(tmp_path, "add", str(feed_file(tmp_path, "Two")), "--tag", "tech", "--tag", "TECH")
    opml = tmp_path / "subs.opml"
    three = feed_file(tmp_path, "Three")
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        f'<outline text="TeCh"><outline text="Three" type="rss" xmlUrl="{three}"/></outline>'
        "</body></opml>",
        encoding="utf-8",
    )
    newstui(tmp_path, "import", str(opml))
    assert tags_by_feed(tmp_path) == {"One": ("Tech",), "Two": ("Tech",), "Three": ("Tech",)}
    listing = newstui(tmp_path, "feeds")
    assert "tech]" not in listing and "TECH" not in listing and "TeCh" not in listing


def test_migration_merges_spellings_of_an_existing_library(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite")
    one = db.insert_feed("file:///one.xml", title="One", tags=["Tech"])
    two = db.insert_feed("file:///two.xml", title="Two", tags=["News"])
    db.close()
    # A library written before tags compared without case: both spellings, one feed with both.
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    with conn:
        conn.executemany(
            "INSERT INTO feed_tags(feed_id, tag) VALUES (?, ?)",
            [(two, "tech"), (two, "TECH"), (one, "news")],
        )
        conn.execute("PRAGMA user_version = 10")  # before migration 11, which merges them
    conn.close()
    # One spelling per tag: the earliest feed's (feed One's `news`, though `News` came first).
    assert tags_by_feed(tmp_path) == {"One": ("Tech", "news"), "Two": ("Tech", "news")}


@pytest.mark.anyio
async def test_edit_dialog_joins_the_folder_and_leaves_the_title_empty(tmp_path: Path) -> None:
    alpha, beta = feed_file(tmp_path, "Alpha"), feed_file(tmp_path, "Beta")
    newstui(tmp_path, "add", str(alpha), "--tag", "Tech", "--title", "My Alpha")
    # An OPML list names its feeds by their own titles.
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        f'<outline text="Beta" type="rss" xmlUrl="{beta}"/></body></opml>',
        encoding="utf-8",
    )
    newstui(tmp_path, "import", str(opml))
    newstui(tmp_path, "refresh")
    library = Library(Database(tmp_path / "db.sqlite"), Config())
    try:
        app = make_app(library, ui_config(), tz=UTC)
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(pilot)
            await pilot.press("h", "G", "e")
            await settle(pilot)
            assert isinstance(app.screen, EditFeedScreen)
            title: Any = app.screen.query_one("#edit-title")
            # Empty means the feed's own title: the feed's own title is not pre-filled.
            assert title.value == ""
            app.screen.query_one("#edit-tags").value = "tech, TECH"  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert {f.display_title: f.tags for f in library.feeds()} == {
                "My Alpha": ("Tech",),
                "Beta": ("Tech",),
            }
            text = screen_text(app)
            assert "▼ Tech" in text and "tech" not in text
            # A title the user set is shown.
            mine = next(f for f in library.feeds() if f.display_title == "My Alpha")
            app.push_screen(EditFeedScreen(mine))
            await settle(pilot)
            assert app.screen.query_one("#edit-title").value == "My Alpha"  # type: ignore[attr-defined]
    finally:
        library.close()
