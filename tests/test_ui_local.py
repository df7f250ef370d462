"""Local articles in the reader: reader mode by default, `f` for the whole page, a tidy header."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path

import pytest

from newstui.library.facade import Library
from newstui.ui.app import make_app
from tests.test_local_articles import PROSE, article_body, page
from tests.ui_support import open_title, screen_text, settle, ui_config

SIZE = (160, 45)
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning"),
]


@pytest.fixture
async def library(tmp_path: Path, _home: None) -> AsyncIterator[Library]:
    home = tmp_path / "home"
    folder = home / "saved pages"
    folder.mkdir(parents=True)
    (folder / "harbour.html").write_text(
        page(
            "<title>Harbour plans approved - The Harbour Gazette</title>"
            "<meta property='og:site_name' content='The Harbour Gazette'>",
            article_body("harbour"),
        ),
        "utf-8",
    )
    (folder / "note.txt").write_text(
        f"A plain note | Notebook\n\n{PROSE}\n\nSource link\n", "utf-8"
    )
    library = Library.open(ui_config(), tmp_path / "lib.db")
    await library.add_feed(str(folder))
    yield library
    library.close()


@pytest.fixture
def _home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


async def test_a_local_page_opens_in_reader_mode_and_f_shows_the_whole_page(
    library: Library,
) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await open_title(pilot, library, "Harbour plans approved")
        text = screen_text(app)
        assert "This is part 0" in text and "This is part 5" in text
        assert "Skip to content" not in text and "Log in" not in text
        assert "Reader view of the page" in text
        # The header: the site, the date it lacks, the file as a ~/ path.
        assert "The Harbour Gazette" in text and "—" in text
        assert "~/saved pages/harbour.html" in text and "file://" not in text
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert "Skip to content" in text and "The whole page" in text
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert "Skip to content" not in text and "Reader view of the page" in text


async def test_o_opens_the_local_file_with_the_system_opener(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "opened.txt"
    opener = bin_dir / "xdg-open"
    opener.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    opener.chmod(opener.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_title(pilot, library, "A plain note")
        text = screen_text(app)
        assert "Source link" not in text and "Notebook" in text
        screen.article_view.focus()
        await pilot.press("o")
        await settle(pilot)
        for _ in range(50):  # the opener runs as its own process
            if record.exists() and record.read_text():
                break
            time.sleep(0.05)
    assert record.read_text().strip() == str(tmp_path / "home" / "saved pages" / "note.txt")
