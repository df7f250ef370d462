"""The CLI as a new user meets it: filters, one fetch per add, plurals, exports, `open FILE`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newstui.config import Config
from newstui.library.facade import Library
from tests.feedgen import Item, items, rss

BIN = Path(sys.executable).parent / "newstui"


def newstui(tmp_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTUI_")}
    env.update(NEWSTUI_DB=str(tmp_path / "db.sqlite"), XDG_CONFIG_HOME=str(tmp_path / "xdg-config"))
    proc = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc


def articles(tmp_path: Path, *args: str) -> list[dict[str, object]]:
    found = json.loads(newstui(tmp_path, "articles", "--json", *args).stdout)
    assert isinstance(found, list)
    return found


def test_articles_filters_are_part_of_the_query_and_the_limit_comes_last(
    tmp_path: Path,
) -> None:
    one, two = tmp_path / "one.xml", tmp_path / "two.xml"
    one.write_bytes(rss(items(6, prefix="One"), title="One"))
    two.write_bytes(rss(items(6, prefix="Two"), title="Two"))
    newstui(tmp_path, "add", str(one))
    newstui(tmp_path, "add", str(two))
    ones = articles(tmp_path, "--feed", str(one))
    assert [a["title"] for a in ones] == [f"One {i}" for i in range(6)]
    # The three newest of feed One are read: three unread are left, the oldest ones.
    newstui(tmp_path, "mark-read", *(str(a["id"]) for a in ones[:3]))
    newstui(tmp_path, "bookmark", str(ones[4]["id"]), str(ones[5]["id"]))

    got = articles(tmp_path, "--feed", str(one), "--unread", "--limit", "2")
    assert [a["title"] for a in got] == ["One 3", "One 4"]
    got = articles(tmp_path, "--feed", str(one), "--bookmarked", "--limit", "1")
    assert [a["title"] for a in got] == ["One 4"]
    got = articles(tmp_path, "--unread", "--bookmarked", "--limit", "5")
    assert [a["title"] for a in got] == ["One 4", "One 5"]
    # A search keeps to the feed and the flags it is given.
    got = articles(tmp_path, "--search", "hello", "--feed", str(two), "--limit", "3")
    assert [a["title"] for a in got] == ["Two 0", "Two 1", "Two 2"]
    got = articles(tmp_path, "--search", "hello", "--feed", str(one), "--unread", "--limit", "1")
    assert [a["title"] for a in got] == ["One 3"]
    assert articles(tmp_path, "--feed", str(one), "--unread", "--limit", "0") == []
    # Text output, the same rows.
    text = newstui(tmp_path, "articles", "--feed", str(one), "--unread", "--limit", "2").stdout
    assert [line.split("  ")[-2].strip() for line in text.splitlines()] == ["One 3", "One 4"]


@pytest.fixture
def counted(httpserver: HTTPServer) -> tuple[HTTPServer, list[Request]]:
    """A feed with an ETag, and an HTML page that links to it; every request is recorded."""
    seen: list[Request] = []
    body = rss(items(4, prefix="Served"), title="Served Feed")

    def feed(request: Request) -> Response:
        seen.append(request)
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(body, content_type="application/rss+xml", headers={"ETag": '"v1"'})

    def page(request: Request) -> Response:
        seen.append(request)
        link = httpserver.url_for("/feed.xml")
        html = (
            "<html><head><title>A site</title>"
            f'<link rel="alternate" type="application/rss+xml" href="{link}"></head>'
            "<body><p>Hello</p></body></html>"
        )
        return Response(html, content_type="text/html")

    httpserver.expect_request("/feed.xml").respond_with_handler(feed)
    httpserver.expect_request("/site").respond_with_handler(page)
    return httpserver, seen


def test_add_stores_the_document_it_fetched_to_discover(
    tmp_path: Path, counted: tuple[HTTPServer, list[Request]]
) -> None:
    server, seen = counted
    out = newstui(tmp_path, "add", server.url_for("/feed.xml")).stdout
    assert out.split("\t")[1].strip() == "Served Feed"
    assert [r.path for r in seen] == ["/feed.xml"]  # one fetch, not one to discover and one more
    assert [a["title"] for a in articles(tmp_path)] == [f"Served {i}" for i in range(4)]
    # Its validators were stored with it: the next refresh asks whether anything changed.
    refreshed = json.loads(newstui(tmp_path, "refresh", "--json").stdout)
    assert [r["status"] for r in refreshed] == ["not_modified"]
    assert seen[-1].headers.get("If-None-Match") == '"v1"'


def test_add_of_a_page_fetches_the_page_once_and_its_feed_once(
    tmp_path: Path, counted: tuple[HTTPServer, list[Request]]
) -> None:
    server, seen = counted
    newstui(tmp_path, "add", server.url_for("/site"))
    assert sorted(r.path for r in seen) == ["/feed.xml", "/site"]
    assert len(articles(tmp_path)) == 4


def test_the_parse_of_add_is_done_once(tmp_path: Path, httpserver: HTTPServer) -> None:
    """In the library: discovery parses the document, and the refresh stores that parse."""
    import asyncio

    import newstui.sources.parse as parse

    httpserver.expect_request("/f").respond_with_data(
        rss(items(3)), content_type="application/rss+xml"
    )
    calls: list[str] = []
    real = parse.parse_document

    def counting(data: bytes, **kwargs: object) -> object:
        calls.append(str(kwargs.get("url")))
        return real(data, **kwargs)  # type: ignore[arg-type]

    lib = Library.open(Config(), tmp_path / "lib.db")
    parse.parse_document = counting  # type: ignore[assignment]
    try:
        result = asyncio.run(lib.add_feed(httpserver.url_for("/f")))
    finally:
        parse.parse_document = real
        lib.close()
    assert result.feed.total == 3
    assert calls == [httpserver.url_for("/f")]


def test_counts_are_singular_for_one(tmp_path: Path) -> None:
    one = tmp_path / "one.xml"
    one.write_bytes(rss(items(1), title="One"))
    newstui(tmp_path, "add", str(one))
    assert newstui(tmp_path, "refresh").stdout.startswith("1 feed checked: 0 new, 0 updated")
    one.write_bytes(rss(items(2), title="One"))
    assert newstui(tmp_path, "refresh").stdout.startswith("1 feed checked: 1 new, 0 updated")
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline type="rss" text="x" '
        'xmlUrl="https://example.org/x.xml"/></body></opml>'
    )
    assert newstui(tmp_path, "import", str(opml)).stdout.startswith("1 feed imported, 0 already")
    other = tmp_path / "other"
    other.mkdir()
    opml.write_text(
        '<opml version="2.0"><body><outline type="rss" text="x" '
        'xmlUrl="https://example.org/x.xml"/><outline type="rss" text="y" '
        'xmlUrl="https://example.org/y.xml"/></body></opml>'
    )
    assert newstui(other, "import", str(opml)).stdout.startswith("2 feeds imported")


TRICKY_TITLES = [
    "The 4-Inch Phone is back. Really!",
    "C# 12.0 (preview) + F# = 2 langs; 100% #1",
    "[Review] *new* <b>bold</b> & `code` ~~gone~~ snake_case_name",
    "1. Not a list item",
    "# Not a heading",
    "> not a quote",
    "- not a bullet",
    "Back\\slash and ![not an image](x)",
    "AT&amp;T stays as typed",
]


def test_markdown_bookmarks_escape_only_what_markdown_would_read(tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    feed = tmp_path / "f.xml"
    titled = [
        Item(t, guid=f"g{i}", link=f"https://example.org/a/{i}?x=1&y=(2)")
        for i, t in enumerate(TRICKY_TITLES)
    ]
    linkless = [
        Item("No link: 2. not a list", guid="nolink"),
        Item("3) starts like a list", guid="nolink3"),
        Item("# starts like a heading", guid="nolink4"),
        Item("- starts like a bullet", guid="nolink5"),
    ]
    feed.write_bytes(rss([*titled, *linkless], title="Feed * with _marks_"))
    newstui(tmp_path, "add", str(feed))
    stored = articles(tmp_path)
    ids = [str(a["id"]) for a in stored]
    newstui(tmp_path, "bookmark", *ids)
    md = newstui(tmp_path, "bookmarks").stdout
    assert "4-Inch" in md and "4\\-Inch" not in md
    assert "12.0 (preview)" in md and "100% #1" in md and "Really!" in md
    # Rendered as CommonMark (with strikethrough), each line is one plain item: the title as
    # typed, linked to its URL, nothing made bold, code, HTML, a heading or a nested list.
    parser = MarkdownIt("commonmark").enable("strikethrough")
    tokens = parser.parse(md)
    items_ = [t for t in tokens if t.type == "inline" and t.level > 1]
    assert len(items_) == len(TRICKY_TITLES) + len(linkless)
    html = parser.render(md)
    assert html.startswith("<h1>Bookmarks</h1>\n<ul>\n")
    html = html.split("<ul>", 1)[1]
    assert "<ul>" not in html and "<h2>" not in html
    for tag in ("<strong>", "<em>", "<code>", "<b>", "<s>", "<h1>", "<blockquote>", "<ol", "<img"):
        assert tag not in html, tag
    texts = []
    for inline in items_:
        children = inline.children or []
        link_text = []
        inside = False
        for child in children:
            if child.type == "link_open":
                inside = True
                assert child.attrs["href"].startswith("https://example.org/a/")
            elif child.type == "link_close":
                inside = False
            elif inside:
                assert child.type == "text", child
                link_text.append(child.content)
        texts.append("".join(link_text) or "".join(c.content for c in children).split(" · ")[0])
    assert sorted(texts) == sorted(str(a["title"]) for a in stored)
    assert "AT&amp;T stays as typed" in md or "AT&T stays as typed" in md


def test_export_writes_local_sources_as_file_urls_and_import_reads_them_back(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "my notes"
    folder.mkdir()
    (folder / "a.md").write_text("# A note\n\nText.\n", encoding="utf-8")
    feed = tmp_path / "feed é.xml"
    feed.write_bytes(rss(items(2), title="Local"))
    newstui(tmp_path, "add", str(folder))
    newstui(tmp_path, "add", str(feed))
    newstui(tmp_path, "add", "https://example.org/remote.xml", check=False)
    exported = newstui(tmp_path, "export").stdout
    urls = re.findall(r'xmlUrl="([^"]+)"', exported)
    assert folder.as_uri() in urls and feed.as_uri() in urls
    assert all(u.startswith(("file://", "https://")) for u in urls), urls
    # Read back elsewhere: the same sources, stored as `add` stores a path, and readable.
    other = tmp_path / "other"
    other.mkdir()
    (other / "subs.opml").write_text(exported, encoding="utf-8")
    newstui(other, "import", str(other / "subs.opml"))
    feeds = json.loads(newstui(other, "feeds", "--json").stdout)
    local = sorted(f["url"] for f in feeds if not str(f["url"]).startswith("https://"))
    assert local == sorted([str(folder), str(feed)])
    newstui(other, "refresh")
    assert len(articles(other)) == 3
    # Importing the same list again, or adding the path itself, subscribes nothing twice.
    again = newstui(other, "import", str(other / "subs.opml")).stdout
    assert again.startswith("0 feeds imported")
    newstui(other, "add", str(feed))
    assert len(json.loads(newstui(other, "feeds", "--json").stdout)) == len(feeds)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_open_of_a_single_article_file_shows_that_article(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    article = tmp_path / "note.md"
    article.write_text(
        "# A single note\n\nThe first paragraph of the note says plainly what it is about.\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSTUI_", "TMUX"))}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        HOME=str(tmp_path),
        TERM="xterm-256color",
    )
    socket = f"newstui-open-{uuid.uuid4().hex[:8]}"
    base = ["tmux", "-L", socket, "-f", os.devnull]
    width, height = size
    command = f"{BIN} open '{article}'; sleep 30"
    subprocess.run(
        [*base, "new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), command],
        env=env,
        check=True,
        timeout=10,
    )
    try:
        shown = ""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            shown = subprocess.run(
                [*base, "capture-pane", "-p", "-t", "t"], capture_output=True, text=True
            ).stdout
            # The body's first line (the reading column wraps the sentence at 160 columns).
            if "The first paragraph of the note says plainly" in shown:
                break
            time.sleep(0.2)
        assert "The first paragraph of the note says plainly" in shown, shown
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, timeout=10)


def test_a_folder_says_how_many_files_it_skipped_in_good_english(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "picture.html").write_bytes(bytes(range(256)) * 20)
    (folder / "note.txt").write_text("A note\n\nIts one paragraph of text.\n", encoding="utf-8")
    added = newstui(tmp_path, "add", str(folder))
    assert "1 file skipped (" in added.stderr and "a binary file" in added.stderr
    listed = newstui(tmp_path, "feeds").stdout
    assert "saved" in listed and "1/1" in listed


def test_a_malformed_feed_file_says_how_many_entries_were_recovered_in_good_english(
    tmp_path: Path,
) -> None:
    cut = tmp_path / "cut.xml"
    cut.write_text("<rss><channel><item><title>Kept</title></item>", encoding="utf-8")
    added = newstui(tmp_path, "add", str(cut))
    got = articles(tmp_path)
    assert len(got) == 1 and got[0]["title"] == "Kept"
    assert "1 entry was recovered" in added.stderr
