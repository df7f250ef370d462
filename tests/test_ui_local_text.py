"""`f` on a local text article: the file as written, and back to the article as read.

The rules that drop a scrape's leftovers (textscraps.py) decide what a reader sees; a rule that
took a real line would hide it with no way to see it. So, as `f` shows an HTML file's whole
page, it shows a text file as written: nothing the file says is out of reach.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path

import pytest

from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui.app import make_app
from tests.test_local_articles import PROSE
from tests.ui_support import open_title, screen_text, settle, ui_config

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning"),
]
SCRAPE = (
    "Library hours extended | Town Crier\n\n"
    f"{PROSE}\n\nShare on Facebook\nShare on Twitter\n\nAdvertisement\n\n"
    "The new hours start next month and cost about forty thousand a year.\n\n"
    "Photograph: Ann Other/Town Crier\n"
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[Library]:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "library.txt").write_text(SCRAPE, "utf-8")
    library = Library.open(ui_config(), tmp_path / "lib.db")
    await library.add_feed(str(folder))
    yield library
    library.close()


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_f_shows_a_text_file_as_written_and_back(
    library: Library, size: tuple[int, int]
) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=size) as pilot:
        await open_title(pilot, library, "Library hours extended")
        text = screen_text(app)
        assert "petition" in text and "Share on Facebook" not in text
        assert "f: the file as written" in text
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert "Share on Facebook" in text and "Advertisement" in text
        assert "The file as written" in text and "Could not" not in text
        # each line as the file has it, not run together
        assert "Share on Facebook Share on Twitter" not in text
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert "Share on Facebook" not in text and "petition" in text
    # The article as read stays what opens, and what `show` prints.
    (article,) = library.articles(View("all"))
    assert not article.full_text
