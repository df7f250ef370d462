"""Addresses fit the pane at every terminal size, in the article's header, in the Links list at
the end of its text and in `L`: a long link is shortened with "…" to the columns the pane has
(its padding, border and scrollbar taken off), never wrapped so that its last letters fall
onto a line of their own."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from urllib.parse import unquote

import pytest

from newstui.library.facade import Library
from newstui.sources.parse import parse_document
from newstui.ui.app import make_app
from newstui.ui.screens.links import LinksScreen
from tests.ui_support import open_title, screen_text, settle, ui_config

REAL = Path("feeds") / "real"
pytestmark = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _row_with(text: str, head: str, tail: str) -> str | None:
    """The screen row that shows `head` and, after it, `tail` (the address's two ends)."""
    for row in text.split("\n"):
        at = row.find(head)
        if at >= 0 and tail in row[at:]:
            return row
    return None


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(80, 24), (71, 24), (100, 30), (160, 45)])
@pytest.mark.parametrize("name", ["rss-parser/guardian.rss", "rss-parser/giantbomb-podcast.rss"])
async def test_a_long_address_in_the_header_stays_on_its_line(
    tmp_path: Path, corpus: Path, name: str, size: tuple[int, int]
) -> None:
    source = corpus / REAL / name
    if not source.is_file():
        pytest.skip(f"{name} is not in the corpus")
    entries = parse_document(source.read_bytes()).entries
    # The longest address of the feed's first articles: the one most likely to be broken.
    entry = max(entries[:10], key=lambda e: len(e.url or ""))
    assert entry.url and len(entry.url) > size[0] // 2
    feed = tmp_path / source.name
    feed.write_bytes(source.read_bytes())
    library = Library.open(ui_config(), tmp_path / "lib.db")
    try:
        await library.add_feed(str(feed))
        app = make_app(library, ui_config(), tz=UTC)
        async with app.run_test(size=size) as pilot:
            await open_title(pilot, library, entry.title)
            await settle(pilot)
            text = screen_text(app)
            host = entry.url.split("/")[2]
            assert _row_with(text, host, entry.url[-6:]) is not None, (
                f"{entry.url} is not shown whole or shortened on one row:\n{text}"
            )
            for enclosure in entry.enclosures[:1]:
                assert _row_with(text, "://", enclosure.url[-6:]) is not None, (
                    f"the enclosure's address is broken:\n{text}"
                )
    finally:
        library.close()


GUARDIAN = "rss-parser/guardian.rss"


def _head(url: str) -> str:
    """How an address starts on screen, shortened or not: its host, else its first letters."""
    return url.split("/")[2] if "://" in url else url[:8]


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(160, 45), (60, 24), (80, 24)])
async def test_the_links_listed_under_the_text_and_in_L_stay_on_their_lines(
    tmp_path: Path, corpus: Path, size: tuple[int, int]
) -> None:
    source = corpus / REAL / GUARDIAN
    if not source.is_file():
        pytest.skip(f"{GUARDIAN} is not in the corpus")
    feed = tmp_path / source.name
    feed.write_bytes(source.read_bytes())
    library = Library.open(ui_config(), tmp_path / "lib.db")
    try:
        await library.add_feed(str(feed))
        # The article whose links are the longest: the list most likely to break.
        title = max(
            parse_document(source.read_bytes()).entries,
            key=lambda e: sum(len(u) > 60 for u in e.content.split('"')),
        ).title
        app = make_app(library, ui_config(), tz=UTC)
        async with app.run_test(size=size) as pilot:
            screen = await open_title(pilot, library, title)
            links = [url for _, url in screen.article_view.links]
            assert sum(len(u) > 60 for u in links) >= 3
            screen.article_view.focus()
            await pilot.press("end")
            await settle(pilot)
            text = screen_text(app)
            for number, url in enumerate(links, 1):
                if f"[{number}]:" not in text:
                    continue  # above the screen's last page
                # an address shown whole is shown percent-decoded, as markdown-it shows it
                assert _row_with(text, _head(url), url[-6:]) or _row_with(
                    text, _head(url), unquote(url)[-6:]
                ), f"[{number}] {url} broken:\n{text}"
            await pilot.press("L")
            await settle(pilot)
            assert isinstance(app.screen, LinksScreen)
            text = screen_text(app)
            cells = [row.split("█")[1].strip() for row in text.split("\n") if row.count("█") >= 2]
            addresses = [c for c in cells if c.startswith(("http://", "https://", "mailto:"))]
            assert addresses
            for cell in addresses:  # each address whole, or its start, "…" and its end: on one line
                start, _, end = cell.partition("…")
                assert any(u.startswith(start) and u.endswith(end) for u in links), cell
    finally:
        library.close()
