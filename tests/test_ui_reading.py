"""Pilot tests of reading: `f` full text from a real local web server, links by `L` and by number,
pictures under their paragraphs or their placeholders."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from textual.widgets import OptionList

from newstui.config import Config, DisplayConfig, LimitsConfig, RefreshConfig
from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui import graphics as terminal_graphics
from newstui.ui.app import NewstuiApp, make_app
from newstui.ui.screens.edit_feed import EditFeedScreen
from newstui.ui.screens.help import HelpScreen
from newstui.ui.screens.links import LinksScreen
from newstui.ui.screens.main import MainScreen
from newstui.ui.widgets import article_image
from newstui.ui.widgets.article_image import ArticleImage
from newstui.ui.widgets.article_view import ArticleView
from tests.feedgen import BASE, Item
from tests.ui_support import (
    FeedSpec,
    ids_by_title,
    make_library,
    pane_text,
    screen_text,
    settle,
)

SIZE = (160, 45)
pytestmark = [
    pytest.mark.anyio,
    # textual-image on Pillow 12: a deprecation inside the library, not ours.
    pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning"),
]

PAGE_WORDS = (
    "The harbour master counted forty boats before the storm and thirty after it. "
    "Nobody in the village could say where the other ten had gone, though the old ferryman "
    "swore he had seen lanterns moving north along the cliffs long after midnight."
)
PAGE = f"""<!doctype html>
<html><head><title>The lost boats</title>
<meta name="author" content="Pat Page"></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>The lost boats</h1>
<p>{PAGE_WORDS}</p>
<p>Second paragraph: the coastguard report is <a href="https://example.org/report">online</a>
and the tide tables are <a href="javascript:alert(1)">here</a>.</p>
<p>{PAGE_WORDS} Again, with feeling, for the extractor's word count.</p>
</article><footer>Copyright nobody</footer></body></html>"""
NO_TEXT_PAGE = "<!doctype html><html><body><div id='app'></div><script>x()</script></body></html>"


def png(width: int = 64, height: int = 32) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/nothing").respond_with_data(NO_TEXT_PAGE, content_type="text/html")
    httpserver.expect_request("/missing").respond_with_data("gone", status=404)
    httpserver.expect_request("/red.png").respond_with_data(png(), content_type="image/png")
    httpserver.expect_request("/blue.png").respond_with_data(png(48, 48), content_type="image/png")
    return httpserver


def feed_spec(server: HTTPServer) -> FeedSpec:
    many = "".join(f'<a href="https://example.org/n{i}">n{i}</a> ' for i in range(1, 13))
    entries = [
        Item(
            title="Web story",
            guid="web",
            link=server.url_for("/story"),
            body=(
                "<p>Feed summary of the boats, with <a href='https://example.org/one'>one</a>, "
                "<a href='https://example.org/two'>two</a> and "
                "<a href='javascript:alert(1)'>evil</a> links.</p>"
                f"<p>A picture: <img src='{server.url_for('/red.png')}' alt='A red square'></p>"
                f"<p>Another: <img src='{server.url_for('/blue.png')}' alt='A blue square'></p>"
            ),
            when=BASE,
            author="Fred Feed",
        ),
        Item(
            title="Broken story",
            guid="broken",
            link=server.url_for("/missing"),
            body="<p>Broken summary.</p>",
            when=BASE - timedelta(hours=1),
        ),
        Item(
            title="Empty page story",
            guid="empty",
            link=server.url_for("/nothing"),
            body="<p>Empty summary.</p>",
            when=BASE - timedelta(hours=2),
        ),
        Item(
            title="Linkless story",
            guid="linkless",
            link=None,
            body="<p>Linkless summary.</p>",
            when=BASE - timedelta(hours=3),
        ),
        Item(
            title="Many links",
            guid="many",
            link="https://example.org/many",
            body=f"<p>Links: {many}</p>",
            when=BASE - timedelta(hours=4),
        ),
    ]
    return FeedSpec("site.xml", "Site Feed", entries)


def config(**display: Any) -> Config:
    limits = display.pop("limits", LimitsConfig())
    return Config(
        refresh=RefreshConfig(refresh_on_start=False, deadline=5.0, read_timeout=5.0),
        limits=limits,
        display=DisplayConfig(**display),
    )


@pytest.fixture
async def library(tmp_path: Path, site: HTTPServer) -> Any:
    lib = await make_library(tmp_path, [feed_spec(site)], config())
    yield lib
    lib.close()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """URLs handed to the browser (recorded only: no browser starts)."""
    calls: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: calls.append(url) or True)
    yield calls


@pytest.fixture
def graphics() -> Iterator[Any]:
    """Choose how pictures are drawn for one test ("halfcell" draws without a terminal)."""
    saved = terminal_graphics.settle(), article_image._image_class
    yield article_image.use_graphics
    terminal_graphics.GRAPHICS, article_image._image_class = saved


def main_screen(app: NewstuiApp) -> MainScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


async def open_article(pilot: Any, library: Library, title: str) -> MainScreen:
    """Select `title` in the list and press enter, as a reader would."""
    screen = main_screen(pilot.app)
    row = screen.headlines.row_of(ids_by_title(library)[title])
    assert row is not None
    screen.headlines.focus()
    screen.headlines.cursor = row
    await pilot.press("enter")
    await settle(pilot)
    assert screen.open_article is not None and screen.open_article.title == title
    return screen


def requests_to(server: HTTPServer, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


def messages(app: NewstuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_f_shows_the_extracted_page_and_toggles_back(
    library: Library, site: HTTPServer
) -> None:
    app = make_app(library, config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_article(pilot, library, "Web story")
        text = screen_text(app)
        assert "Feed summary of the boats" in text and "harbour master" not in text
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert "harbour master counted forty boats" in text
        assert "Feed summary of the boats" not in text
        # The header keeps the feed's title and byline, and says which text this is.
        assert "Web story" in text and "by Fred Feed" in text
        assert "Full article from its web page" in text
        # The page's links are numbered; none of them is the javascript: one.
        assert "online [1]" in text
        assert screen.article_view.links[0] == ("online", "https://example.org/report")
        assert not any("javascript" in url for _, url in screen.article_view.links)
        assert requests_to(site, "/story") == 1
        stored = library.article(ids_by_title(library)["Web story"]).full_text
        assert stored is not None and "harbour master" in stored
        # f again: the feed's text, no network.
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert "Feed summary of the boats" in text and "harbour master" not in text
        assert "Full article from its web page" not in text
        # And back to the full text from what is cached.
        await pilot.press("f")
        await settle(pilot)
        assert "harbour master" in screen_text(app)
        assert requests_to(site, "/story") == 1


async def test_progress_shows_while_the_page_loads_and_the_reader_stays_usable(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    def slow(request: Any) -> Any:
        from werkzeug import Response

        time.sleep(1.5)
        return Response(PAGE, content_type="text/html")

    httpserver.expect_request("/story").respond_with_handler(slow)
    library = await make_library(tmp_path, [feed_spec(httpserver)], config())
    try:
        app = make_app(library, config(), tz=UTC)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = await open_article(pilot, library, "Web story")
            await pilot.press("f")
            await pilot.pause(0.3)
            text = screen_text(app)
            assert "Fetching the full article…" in text
            assert screen.status.progress == "Fetching the full article…"
            # The reader answers meanwhile: bookmark the article, move in the list.
            await pilot.press("b")
            await pilot.pause(0.2)
            assert "★ bookmarked" in screen_text(app)
            assert "harbour master" not in screen_text(app)
            await settle(pilot)
            text = screen_text(app)
            assert "harbour master" in text and "★ bookmarked" in text
            assert "Fetching the full article" not in text
            assert screen.status.progress == ""
    finally:
        library.close()


async def test_f_on_a_headline_opens_the_article_with_its_full_text(library: Library) -> None:
    app = make_app(library, config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.headlines.cursor = screen.headlines.row_of(ids_by_title(library)["Web story"]) or 0
        await pilot.press("f")
        await settle(pilot)
        assert screen.open_article is not None and screen.open_article.title == "Web story"
        assert "harbour master" in screen_text(app)


async def test_the_full_text_is_cached_across_sessions(
    library: Library, site: HTTPServer, tmp_path: Path
) -> None:
    app = make_app(library, config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_article(pilot, library, "Web story")
        await pilot.press("f")
        await settle(pilot)
        assert "harbour master" in screen_text(app)
    library.close()
    site.clear()  # from now on the server answers nothing but errors
    reopened = Library.open(config(), tmp_path / "lib.db")
    try:
        app = make_app(reopened, config(), tz=UTC)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await open_article(pilot, reopened, "Web story")
            # A new session starts on the feed's text...
            assert "Feed summary of the boats" in screen_text(app)
            await pilot.press("f")
            await settle(pilot)
            # ...and `f` shows the kept page without asking the server.
            assert "harbour master" in screen_text(app)
            assert site.log == []
            assert not any("Could not" in m for m in messages(app))
    finally:
        reopened.close()


async def test_a_full_text_feed_opens_on_the_full_text(library: Library, site: HTTPServer) -> None:
    """The edit dialog's switch, end to end: saved, and articles with a page open on it."""
    app = make_app(library, config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_article(pilot, library, "Web story")
        await pilot.press("f")  # fetch once, then back to the feed's text
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert "harbour master" not in screen_text(app)
        screen.feed_tree.focus()
        await settle(pilot)
        screen.feed_tree.select_view(View("feed", feed_id=library.feeds()[0].id))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EditFeedScreen)
        app.screen.query_one("#edit-full-text").value = True  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert library.feeds()[0].full_text is True
    # A new session: the feed now prefers the page it has.
    app = make_app(library, config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_article(pilot, library, "Web story")
        assert "harbour master" in screen_text(app)
        await open_article(pilot, library, "Broken story")  # no page fetched: the feed's text
        assert "Broken summary" in screen_text(app)
        assert requests_to(site, "/missing") == 0


@pytest.mark.parametrize(
    ("title", "summary", "reason"),
    [
        ("Broken story", "Broken summary", "404"),
        ("Empty page story", "Empty summary", "no article text"),
        ("Linkless story", "Linkless summary", "no web page"),
    ],
)
async def test_a_failed_fetch_says_why_and_keeps_the_feed_text(
    library: Library, title: str, summary: str, reason: str
) -> None:
    app = make_app(library, config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_article(pilot, library, title)
        await pilot.press("f")
        await settle(pilot)
        failures = [m for m in messages(app) if m.startswith("Could not fetch the full article")]
        assert len(failures) == 1 and reason in failures[0]
        text = screen_text(app)
        assert summary in text
        assert "Fetching the full article" not in text
        assert screen.status.progress == ""
        assert library.article(ids_by_title(library)[title]).full_text is None


async def test_L_lists_the_links_and_opens_the_chosen_one(
    library: Library, opened: list[str]
) -> None:
    app = make_app(library, config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_article(pilot, library, "Web story")
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, LinksScreen)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 4  # one, two and the two pictures; not the javascript one
        text = screen_text(app)
        assert "1  one" in text and "https://example.org/one" in text
        assert "2  two" in text and "image: A red square" in text
        assert "javascript" not in text
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert opened == ["https://example.org/two"]
        await pilot.press("L")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert opened == ["https://example.org/two"]


async def test_link_text_in_the_picker_is_never_markup(
    tmp_path: Path, site: HTTPServer, opened: list[str]
) -> None:
    spec = FeedSpec(
        "odd.xml",
        "Odd",
        [
            Item(
                title="[bold]Odd[/]",
                guid="odd",
                link="https://example.org/odd",
                body="<p><a href='https://example.org/m'>[red]x[/red] [link=file:///etc]y[/link]</a></p>",
                when=BASE,
            )
        ],
    )
    library = await make_library(tmp_path, [spec], config())
    try:
        app = make_app(library, config(), tz=UTC)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await open_article(pilot, library, "[bold]Odd[/]")
            await pilot.press("L")
            await settle(pilot)
            text = screen_text(app)
            assert "Links in [bold]Odd[/]" in text
            assert "[red]x[/red] [link=file:///etc]y[/link]" in text
            await pilot.press("enter")
            await settle(pilot)
            assert opened == ["https://example.org/m"]
    finally:
        library.close()


async def test_digits_open_link_n_from_the_article_pane(
    library: Library, opened: list[str]
) -> None:
    app = make_app(library, config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_article(pilot, library, "Web story")
        assert screen.focused is screen.article_view
        await pilot.press("2")
        await settle(pilot)
        assert opened == ["https://example.org/two"]
        await pilot.press("9")
        await settle(pilot)
        assert opened == ["https://example.org/two"]
        assert "No link 9: this article has 4 links." in messages(app)
        # Twelve links: 1 then 2 is link 12; 1 alone, after a moment, is link 1.
        await open_article(pilot, library, "Many links")
        await pilot.press("1", "2")
        await settle(pilot)
        assert opened[-1] == "https://example.org/n12"
        await pilot.press("1")
        await pilot.pause(1.2)
        await settle(pilot)
        assert opened[-1] == "https://example.org/n1"


async def test_a_javascript_link_is_never_opened(library: Library, opened: list[str]) -> None:
    app = make_app(library, config(), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_article(pilot, library, "Web story")
        # The body shows the link's text without a number...
        body = " ".join(pane_text(app, "#article").split())  # its words, wherever lines wrap
        assert "two [2] and evil links." in body
        assert all("javascript" not in url for _, url in screen.article_view.links)
        # ...and a number that somehow led to one would still be refused by the opener.
        screen.article_view.post_message(
            ArticleView.LinkChosen(screen.article_view, 1, "javascript:alert(1)")
        )
        await settle(pilot)
        assert opened == []
        assert any(m.startswith("Refused to open") for m in messages(app))


async def test_pictures_off_keep_their_placeholders(
    tmp_path: Path, site: HTTPServer, opened: list[str], graphics: Any
) -> None:
    graphics("halfcell")  # the terminal could draw them, but the config says no
    library = await make_library(tmp_path, [feed_spec(site)], config(images="off"))
    try:
        app = make_app(library, config(images="off"), tz=UTC)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = await open_article(pilot, library, "Web story")
            text = screen_text(app)
            assert "[image: A red square] [3]" in text
            assert not screen.query(ArticleImage)
            assert requests_to(site, "/red.png") == 0
            await pilot.press("3")  # the placeholder's link still opens the picture
            await settle(pilot)
            assert opened == [site.url_for("/red.png")]
    finally:
        library.close()


async def test_no_graphics_protocol_keeps_placeholders(
    library: Library, site: HTTPServer, graphics: Any
) -> None:
    graphics(None)  # what a run without a terminal finds anyway
    app = make_app(library, config(images="auto"), tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_article(pilot, library, "Web story")
        assert "[image: A red square] [3]" in screen_text(app)
        assert not screen.query(ArticleImage)
        assert requests_to(site, "/red.png") == 0


async def test_pictures_load_under_their_paragraphs_within_the_limits(
    tmp_path: Path, site: HTTPServer, graphics: Any
) -> None:
    graphics("halfcell")
    library = await make_library(tmp_path, [feed_spec(site)], config())
    try:
        app = make_app(library, config(limits=LimitsConfig(max_images=1)), tz=UTC)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = await open_article(pilot, library, "Web story")
            pictures = list(screen.query(ArticleImage))
            assert [p.number for p in pictures] == [3]  # max_images = 1: the first only
            assert requests_to(site, "/red.png") == 1 and requests_to(site, "/blue.png") == 0
            # Under the paragraph with the placeholder, which stays.
            blocks = list(pictures[0].parent.children)  # type: ignore[union-attr]
            before = blocks[blocks.index(pictures[0]) - 1]
            assert "[image: A red square]" in str(before.render())  # type: ignore[attr-defined]
            assert "[image: A red square] [3]" in screen_text(app)
            assert pictures[0].region.height > 0
            # Opened again: from the session's memory, not the network.
            await open_article(pilot, library, "Broken story")
            assert not screen.query(ArticleImage)
            await open_article(pilot, library, "Web story")
            assert len(screen.query(ArticleImage)) == 1
            assert requests_to(site, "/red.png") == 1
        # Larger than max_image_bytes, or not a picture: the placeholder only.
        big = png(400, 400)
        assert len(big) > 1024
        site.clear()
        site.expect_request("/red.png").respond_with_data(big, content_type="image/png")
        site.expect_request("/blue.png").respond_with_data(b"not a picture")
        app = make_app(library, config(limits=LimitsConfig(max_image_bytes=1024)), tz=UTC)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = await open_article(pilot, library, "Web story")
            assert requests_to(site, "/red.png") == 1 and requests_to(site, "/blue.png") == 1
            assert not screen.query(ArticleImage)
            assert "[image: A red square] [3]" in screen_text(app)
    finally:
        library.close()


async def test_reading_keys_are_in_help_and_the_palette_and_remappable(library: Library) -> None:
    remapped = Config(
        refresh=RefreshConfig(refresh_on_start=False),
        keys={"full_text": "F", "show_links": "ctrl+l"},
    )
    app = make_app(library, remapped, tz=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = {k.id: k for k in app.key_help()}
        assert ids["full_text"].keys == "F" and ids["show_links"].keys == "ctrl+l"
        assert ids["link_number"].keys == "1, 2, 3, 4, 5, 6, 7, 8, 9, 0"
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "full_text" in text and "show_links" in text and "Full text" in text
        await pilot.press("escape")
        await settle(pilot)
        screen = await open_article(pilot, library, "Web story")
        commands = [c.title for c in app.get_system_commands(screen)]
        assert "Full text" in commands and "Links" in commands
        await pilot.press("F")
        await settle(pilot)
        assert "harbour master" in screen_text(app)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LinksScreen)
