"""The Welcome guide as a new user first sees it: readable at once, whole, true in every layout."""

from __future__ import annotations

import re
from datetime import UTC
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from newstui.config import Config
from newstui.library.facade import Library
from newstui.storage.db import Database
from newstui.ui.app import make_app
from newstui.ui.widgets.article_view import ArticleView
from tests.ui_support import screen_text, settle, ui_config

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def library(tmp_path: Path) -> Any:
    lib = Library(Database(tmp_path / "db.sqlite"), Config())
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
