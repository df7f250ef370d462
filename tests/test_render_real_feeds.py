"""Rendering faults seen in real feeds: breaks that show as `\\`, escapes in addresses, quoted
paragraphs run together, long addresses broken mid-word; and podcast enclosures."""

from __future__ import annotations

import asyncio
import html
import json
import re
import stat
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from newstui.cli import main
from newstui.config import Config, OpenConfig
from newstui.configfile import parse_config
from newstui.domain.display import shorten_url
from newstui.domain.errors import ConfigError
from newstui.domain.models import ParsedEntry
from newstui.library.facade import Library
from newstui.library.show import markdown_to_text
from newstui.sources.content import render_body
from newstui.sources.parse import parse_document
from newstui.ui.app import make_app
from newstui.ui.screens.links import LinksScreen
from tests.ui_support import open_title, screen_text, settle, ui_config

REAL = Path("feeds") / "real"


def feed_entries(corpus: Path, name: str) -> list[ParsedEntry]:
    path = corpus / REAL / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the corpus")
    return list(parse_document(path.read_bytes()).entries)


def as_shown(markdown: str) -> str:
    """The text a CommonMark renderer (Textual's parser) shows for `markdown`."""
    rendered = MarkdownIt("gfm-like").render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def source_text(entry: ParsedEntry) -> str:
    return html.unescape(re.sub(r"<[^>]*>", " ", entry.content))


@pytest.mark.parametrize(
    "name",
    [
        "rss-parser/guardian.rss",
        "netnewswire/DaringFireball.rss",
        "netnewswire/DaringFireball.atom",
    ],
)
def test_no_stray_backslash_is_shown(corpus: Path, name: str) -> None:
    if not (corpus / REAL / name).is_file():
        pytest.skip(f"{name} is not in the corpus")
    for entry in feed_entries(corpus, name):
        if "\\" in source_text(entry):
            continue
        markdown = render_body(entry.content, entry.content_type, base_url=entry.url).markdown
        shown = as_shown(markdown)
        assert "\\" not in shown, (entry.title, shown[max(0, shown.find("\\") - 80) :][:160])
        assert "\\" not in markdown_to_text(markdown), entry.title


def test_guardian_list_items_end_without_a_backslash(corpus: Path) -> None:
    (entry,) = [
        e
        for e in feed_entries(corpus, "rss-parser/guardian.rss")
        if "Latest transfer deals" in e.content
    ]
    markdown = render_body(entry.content, entry.content_type, base_url=entry.url).markdown
    items = [line for line in markdown.split("\n") if line.startswith("* ")]
    assert len(items) >= 3
    assert not any(line.rstrip().endswith("\\") for line in items), items
    assert "Latest transfer deals in Europe’s top five leagues [1]\n" in as_shown(markdown)


def test_addresses_written_as_text_show_without_escapes() -> None:
    body = "<p>See https://example.org/logged_in?a=1&amp;b=x_y and <b>this</b>.</p>"
    shown = as_shown(render_body(body, "html").markdown)
    assert "https://example.org/logged_in?a=1&b=x_y" in shown and "\\" not in shown
    plain = as_shown(
        render_body("Watch https://v.example/watch?v=zn&ab_channel=P_T now", "text").markdown
    )
    assert "https://v.example/watch?v=zn&ab_channel=P_T" in plain and "\\" not in plain


def test_a_break_in_preformatted_text_is_a_newline() -> None:
    markdown = render_body("<pre>user  real<br>sax c 0.06<br></pre>", "html").markdown
    assert as_shown(markdown).strip() == "user  real\nsax c 0.06"


def test_long_addresses_are_shortened_with_an_ellipsis() -> None:
    url = "https://www.example.org/" + "/".join(f"section-{i}" for i in range(20)) + "?q=1&x=2"
    short = shorten_url(url, 60)
    assert len(short) <= 60 and "…" in short
    assert short.startswith("https://www.example.org") and short.endswith("&x=2")
    assert shorten_url("https://a.example/b", 60) == "https://a.example/b"
    listing = render_body(f'<p><a href="{url}">x</a></p>', "html").markdown.split("**Links**")[1]
    assert "…" in listing and f"(<{url}>)" in listing  # the link itself stays whole


# --- in the reader ------------------------------------------------------------------------------

pytestmark = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")
SIZE = (120, 45)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _library(tmp_path: Path, corpus: Path, name: str, config: Config) -> Library:
    source = corpus / REAL / name
    if not source.is_file():
        pytest.skip(f"{name} is not in the corpus")
    feed = tmp_path / source.name
    feed.write_bytes(source.read_bytes())
    library = Library.open(config, tmp_path / "lib.db")
    await library.add_feed(str(feed))
    return library


@pytest.mark.anyio
async def test_quoted_paragraphs_stay_apart_in_the_reader(tmp_path: Path, corpus: Path) -> None:
    library = await _library(tmp_path, corpus, "netnewswire/DaringFireball.rss", ui_config())
    try:
        (title,) = [
            e.title
            for e in feed_entries(corpus, "netnewswire/DaringFireball.rss")
            if "Or to put it another way" in e.content
        ]
        app = make_app(library, ui_config(), tz=UTC)
        async with app.run_test(size=SIZE) as pilot:
            await open_title(pilot, library, title)
            lines = screen_text(app).split("\n")
            first = next(i for i, line in enumerate(lines) if "week of March 21" in line)
            second = next(i for i, line in enumerate(lines) if "Or to put it another way" in line)
            between = lines[first + 1 : second]
            assert between and any(not re.search(r"\w", line.split("▏")[-1]) for line in between)
    finally:
        library.close()


@pytest.mark.anyio
async def test_long_links_are_shortened_in_the_header_and_lists(
    tmp_path: Path, corpus: Path
) -> None:
    library = await _library(tmp_path, corpus, "rss-parser/guardian.rss", ui_config())
    try:
        entry = next(
            e
            for e in feed_entries(corpus, "rss-parser/guardian.rss")
            if e.url and len(e.url) > 90 and "Latest transfer deals" in e.content
        )
        app = make_app(library, ui_config(), tz=UTC)
        async with app.run_test(size=(80, 40)) as pilot:
            screen = await open_title(pilot, library, entry.title)
            screen.article_view.focus()
            urls = [entry.url or ""] + [url for _, url in screen.article_view.links]
            long_urls = [u for u in urls if len(u) > 70]
            assert long_urls
            for _ in range(3):  # the header, then the body's Links list further down
                text = screen_text(app)
                _assert_unbroken(text, long_urls)
                await pilot.press("pagedown")
                await settle(pilot)
            await pilot.press("L")
            await settle(pilot)
            assert isinstance(app.screen, LinksScreen)
            _assert_unbroken(screen_text(app), long_urls)
            assert "…" in screen_text(app)
    finally:
        library.close()


def _assert_unbroken(text: str, urls: list[str]) -> None:
    """No line of the screen starts inside one of `urls` (a line broken mid-address)."""
    for line in text.split("\n"):
        cell = line.split("▏")[-1].strip().lstrip("▌ ").strip()
        for url in urls:
            for start in range(12, len(url) - 12):
                piece = url[start : start + 12]
                if cell.startswith(piece) and url[start - 1] not in "/?&":
                    raise AssertionError(f"an address is broken mid-word: {line!r}")


# --- enclosures ---------------------------------------------------------------------------------


def test_podcast_enclosures_are_read_from_every_podcast_feed(corpus: Path) -> None:
    for name in (
        "rss-parser/giantbomb-podcast.rss",
        "feedjira/CRE.xml",
        "netnewswire/atp.rss",
        "node-feedparser/itunes_podcast_ios11.xml",
    ):
        entries = feed_entries(corpus, name)
        with_files = [e for e in entries if e.enclosures]
        assert len(with_files) == len(entries), name
        # Every one is audio, those whose feed gives no type too (named .mp3: atp.rss's 308).
        assert all(e.enclosures[0].kind == "audio" for e in with_files), name
        first = with_files[0].enclosures[0]
        assert first.kind == "audio" and first.url.startswith(("http://", "https://"))
        assert first.length and first.length > 1_000_000, name
        assert first.duration and first.duration > 60, name


def test_show_lists_the_enclosures(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = corpus / REAL / "rss-parser/giantbomb-podcast.rss"
    if not source.is_file():
        pytest.skip("the podcast feed is not in the corpus")
    db = str(tmp_path / "lib.db")
    assert main(["--db", db, "add", str(source)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "articles", "--json", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    article_id = json.loads(out)[0]["id"]
    assert main(["--db", db, "show", str(article_id), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    (enclosure,) = shown["enclosures"]
    assert enclosure["type"] == "audio/mpeg" and enclosure["url"].endswith(".mp3")
    assert enclosure["length"] > 1_000_000 and enclosure["duration"] > 60
    assert main(["--db", db, "show", str(article_id)]) == 0
    markdown = capsys.readouterr().out
    assert "**Enclosures**" in markdown and "audio/mpeg · " in markdown and " MB · " in markdown


def test_open_config_takes_argument_lists_with_the_url() -> None:
    config = parse_config('[open]\naudio = ["mpv", "--no-video", "{url}"]\n')
    assert config.open == OpenConfig(audio=("mpv", "--no-video", "{url}"))
    with pytest.raises(ConfigError, match="list of strings"):
        parse_config('[open]\naudio = "mpv {url}"\n')
    with pytest.raises(ConfigError, match="url"):
        parse_config('[open]\nvideo = ["mpv"]\n')


@pytest.fixture
def player(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    script = tmp_path / "player"
    record = tmp_path / "played.txt"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    yield script, record


@pytest.fixture
async def podcast(
    tmp_path: Path, corpus: Path, player: tuple[Path, Path]
) -> AsyncIterator[tuple[Library, Config]]:
    config = Config(
        refresh=ui_config().refresh, open=OpenConfig(audio=(str(player[0]), "--flag", "{url}"))
    )
    library = await _library(tmp_path, corpus, "netnewswire/atp.rss", config)
    yield library, config
    library.close()


def _wait_for(path: Path) -> str:
    for _ in range(100):
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    return ""


@pytest.mark.anyio
async def test_an_episode_shows_in_the_header_and_plays_with_the_configured_player(
    podcast: tuple[Library, Config], player: tuple[Path, Path]
) -> None:
    library, config = podcast
    headline = library.headlines(library_view(), 0, 1)[0]
    enclosure = library.article(headline.id).enclosures[0]
    app = make_app(library, config, tz=UTC)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_title(pilot, library, headline.title)
        text = screen_text(app)
        assert "▶ audio/mpeg · " in text and " MB · " in text
        screen.article_view.focus()
        await pilot.press("E")
        await settle(pilot)
        played = await asyncio.to_thread(_wait_for, player[1])
    assert played.split("\n")[:2] == ["--flag", enclosure.url]


@pytest.mark.anyio
async def test_L_lists_the_episode_and_the_browser_opens_it_by_default(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    library = await _library(tmp_path, corpus, "netnewswire/atp.rss", ui_config())
    try:
        headline = library.headlines(library_view(), 0, 1)[0]
        enclosure = library.article(headline.id).enclosures[0]
        app = make_app(library, ui_config(), tz=UTC)
        async with app.run_test(size=(160, 45)) as pilot:
            screen = await open_title(pilot, library, headline.title)
            screen.article_view.focus()
            await pilot.press("L")
            await settle(pilot)
            assert isinstance(app.screen, LinksScreen)
            assert "▶1" in screen_text(app) and "audio/mpeg" in screen_text(app)
            await pilot.press("enter")  # the first option: the episode
            await settle(pilot)
        assert opened == [enclosure.url]
    finally:
        library.close()


def library_view() -> object:
    from newstui.domain.models import View

    return View("all")
