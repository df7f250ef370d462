"""The Welcome guide as a new user first sees it: readable at once, whole, true in every layout."""

from __future__ import annotations

import re
from datetime import UTC
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from newstui.config import Config
from newstui.domain.errors import NotFoundError
from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui.app import make_app
from newstui.ui.widgets.article_view import ArticleView
from tests.feedgen import items, rss
from tests.sql_support import sql_one
from tests.ui_support import screen_text, settle, ui_config

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def library(tmp_path: Path) -> Any:
    lib = Library.open(Config(), tmp_path / "db.sqlite")
    lib.welcome = True
    yield lib
    lib.close()


def guide() -> str:
    return (resources.files("newstui") / "welcome" / "01-guide.md").read_text(encoding="utf-8")


async def shown(pilot: Any, app: Any, needle: str) -> str:
    """The screen once `needle` is on it (bodies render in a worker), else as it is after 10 s."""
    text = ""
    for _ in range(100):
        await settle(pilot)
        text = screen_text(app)
        if needle in text:
            break
        await pilot.pause(0.1)
    return text


def code_lines() -> list[str]:
    blocks = re.findall(r"```[a-z]*\n(.*?)```", guide(), flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


async def test_the_first_screen_at_80x24_shows_the_guide(library: Library) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await shown(pilot, app, "bundled")
        # No key pressed: the guide itself, not a list of two headlines.
        assert "This guide is bundled with newstui" in " ".join(text.split())
        assert "newstui · Welcome guide" in text
        for where in ("file://", "site-packages", "welcome/01-guide.md", "01-guide"):
            assert where not in text


@pytest.mark.parametrize("size", [(80, 150), (160, 150)])
async def test_the_guide_shows_its_code_whole_and_no_path(
    library: Library, size: tuple[int, int]
) -> None:
    app = make_app(library, ui_config(), tz=UTC)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        view = app.screen.query_one(ArticleView)
        view.focus()
        text = await shown(pilot, app, code_lines()[-1])
        assert "newstui · Welcome guide" in text
        assert "file://" not in text and "site-packages" not in text
        assert code_lines(), "the guide has a code block"
        for line in code_lines():
            assert line in text, f"{line!r} is cut"


def test_the_guide_says_nothing_only_one_layout_makes_true() -> None:
    text = guide().lower()
    for phrase in ("on the right", "on the left", "in the middle"):
        assert phrase not in text


def test_the_guide_is_a_read_only_source_beside_the_database(tmp_path: Path) -> None:
    """The guide answers as the database does (feeds, counts, pages, marks), keeps its marks in
    memory, writes nothing to the file, and steps aside once there is a subscription."""
    lib = Library.open(Config(), tmp_path / "db.sqlite")
    try:
        assert lib.feeds() == [] and lib.count(View("all")) == 0  # only the reader shows it
        lib.welcome = True
        [guide] = lib.feeds()
        pages = lib.headlines(View("all"))
        assert len(pages) >= 2 and all(p.id < 0 and p.feed_id == guide.id for p in pages)
        assert lib.headlines(View("feed", feed_id=guide.id)) == pages
        assert lib.count(View("unread")) == lib.unread_total() == len(pages)
        assert "bundled with newstui" in lib.article(pages[0].id).content
        assert lib.position(View("all"), pages[1].id) == 1

        assert lib.set_read([pages[0].id]) == 1
        assert lib.set_read([pages[0].id]) == 0  # already read: nothing changed
        assert lib.set_bookmarked([pages[1].id]) == 1
        assert lib.unread_count(View("all")) == len(pages) - 1
        assert lib.feeds()[0].unread == len(pages) - 1
        assert [p.id for p in lib.headlines(View("unread"))] == [p.id for p in pages[1:]]
        assert lib.next_unread(View("all"), pages[0].id) == pages[1].id
        assert lib.next_unread(View("feed", feed_id=guide.id), pages[0].id) == pages[1].id
        assert lib.mark_view_read_ids(View("all")) == [p.id for p in pages[1:]]
        assert lib.unread_total() == 0
        with pytest.raises(NotFoundError):
            lib.article(-1000)
        # Nothing of it is in the file.
        assert sql_one(lib.path, "SELECT count(*) FROM articles")[0] == 0
        assert sql_one(lib.path, "SELECT count(*) FROM feeds")[0] == 0

        feed = tmp_path / "feed.xml"
        feed.write_bytes(rss(items(2), title="Real"))
        import asyncio

        asyncio.run(lib.add_feed(str(feed)))
        assert [f.display_title for f in lib.feeds()] == ["Real"]
        assert [h.feed_id >= 0 for h in lib.headlines(View("all"))] == [True, True]
        assert lib.unread_total() == 2
    finally:
        lib.close()
