"""Local sources: article files, folders and feed files, read from a real file system."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from newstui.config import LimitsConfig
from newstui.domain.errors import ParseError, SourceError
from newstui.domain.models import ContentType
from newstui.sources.local import local_validator, read_local
from newstui.sources.paths import local_path
from tests.feedgen import items, rss


def test_source_paths_and_urls() -> None:
    assert local_path("file:///tmp/a%20b.xml") == Path("/tmp/a b.xml")
    assert local_path("~/feeds/x.xml") == Path.home() / "feeds" / "x.xml"
    assert local_path("relative/x.xml") == Path("relative/x.xml")
    for url in ("https://example.org/feed", "http://x/", "exec:ls", "file://otherhost/x"):
        assert local_path(url) is None


def test_plain_text_article_title_site_paragraphs_and_date(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(
        "\n\nA Headline: with colon | The Daily Site\n\nFirst paragraph,\nsame paragraph.\n\n"
        "Second paragraph.\n",
        encoding="utf-8",
    )
    os.utime(path, (1_700_000_000, 1_700_000_000))
    feed = read_local(path)
    (entry,) = feed.entries
    assert entry.title == "A Headline: with colon"
    assert entry.site == "The Daily Site"
    # Read as a scraped page: Markdown paragraphs, a paragraph's lines joined.
    assert entry.content_type == ContentType.MARKDOWN
    assert entry.content.split("\n\n") == ["First paragraph, same paragraph.", "Second paragraph."]
    # No date line: undated, and sorted by the file's time.
    assert entry.published is None
    assert entry.updated is not None and entry.updated.timestamp() == 1_700_000_000
    assert entry.url == path.as_uri()


def test_markdown_and_html_articles(tmp_path: Path) -> None:
    md = tmp_path / "note.md"
    md.write_text("# The Title\n\nBody with *emphasis*.\n", encoding="utf-8")
    entry = read_local(md).entries[0]
    assert (entry.title, entry.content, entry.content_type) == (
        "The Title",
        "Body with *emphasis*.",
        ContentType.MARKDOWN,
    )
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><title>Page &amp; Title</title><meta name="author" content="Ann">'
        "</head><body><p>Hello</p></body></html>",
        encoding="utf-8",
    )
    entry = read_local(page).entries[0]
    assert (entry.title, entry.author, entry.content_type) == (
        "Page & Title",
        "Ann",
        ContentType.HTML,
    )
    assert "<p>Hello</p>" in entry.content


def test_folder_lists_article_files_newest_first_and_skips_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for i, name in enumerate(["old.txt", "mid.md", "new.html"]):
        (folder / name).write_text(f"Title {name}\n\nbody\n", encoding="utf-8")
        os.utime(folder / name, (1_700_000_000 + i * 100, 1_700_000_000 + i * 100))
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (folder / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(32)) * 50)
    feed = read_local(folder)
    assert feed.title == "notes"
    assert [e.url.rsplit("/", 1)[1] for e in feed.entries if e.url] == [
        "new.html",
        "mid.md",
        "old.txt",
    ]
    assert feed.warning and "binary.txt" in feed.warning


def test_folder_limit_keeps_the_newest(tmp_path: Path) -> None:
    for i in range(5):
        path = tmp_path / f"{i}.txt"
        path.write_text(f"T{i}\n", encoding="utf-8")
        os.utime(path, (1_700_000_000 + i, 1_700_000_000 + i))
    feed = read_local(tmp_path, limits=LimitsConfig(max_folder_files=2))
    assert [e.title for e in feed.entries] == ["T4", "T3"]
    assert feed.warning and "3 older files" in feed.warning


def test_validator_changes_with_content_only(tmp_path: Path) -> None:
    path = tmp_path / "f.xml"
    path.write_bytes(rss(items(1)))
    first = local_validator(path)
    assert local_validator(path) == first
    path.write_bytes(rss(items(2)))
    assert local_validator(path) != first
    folder = tmp_path / "dir"
    folder.mkdir()
    before = local_validator(folder)
    (folder / "a.txt").write_text("A\n", encoding="utf-8")
    assert local_validator(folder) != before


def test_feed_files_plain_and_gzipped(tmp_path: Path) -> None:
    plain = tmp_path / "feed.xml"
    plain.write_bytes(rss(items(3), title="Local"))
    assert [e.title for e in read_local(plain).entries] == ["Item 0", "Item 1", "Item 2"]
    packed = tmp_path / "feed.xml.gz"
    packed.write_bytes(gzip.compress(rss(items(2))))
    assert len(read_local(packed).entries) == 2
    bomb = tmp_path / "bomb.xml.gz"
    bomb.write_bytes(gzip.compress(b" " * 3_000_000))
    with pytest.raises(SourceError, match="decompressed"):
        read_local(bomb, limits=LimitsConfig(max_file_bytes=1_000_000))


def test_bad_local_sources_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"missing\.xml: no such file"):
        read_local(tmp_path / "missing.xml")
    huge = tmp_path / "huge.xml"
    with open(huge, "wb") as handle:
        handle.truncate(50_000_000)  # sparse: the size is checked before anything is read
    with pytest.raises(SourceError, match=r"huge\.xml: too large"):
        read_local(huge, limits=LimitsConfig(max_file_bytes=1_000_000))
    png = tmp_path / "picture.xml"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    with pytest.raises(SourceError, match="binary"):
        read_local(png)
    loop = tmp_path / "loop.xml"
    loop.symlink_to(loop)
    with pytest.raises(SourceError, match="loop"):
        read_local(loop)
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file"):
        read_local(fifo)
    not_feed = tmp_path / "words.xml"
    not_feed.write_text("hello there", encoding="utf-8")
    with pytest.raises(ParseError, match=r"words\.xml"):
        read_local(not_feed)


def test_file_names_that_are_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9 \xff.txt")
    (folder / name).write_text("Odd name\n\nbody\n", encoding="utf-8")
    feed = read_local(folder)
    assert [e.title for e in feed.entries] == ["Odd name"]
    assert feed.entries[0].url is not None
    feed.entries[0].url.encode("utf-8")  # storable: no lone surrogates


def test_seed_article_reads_like_an_article(corpus: Path) -> None:
    entry = read_local(corpus / "articles" / "text" / "000_8c6f306b990f33ba.txt").entries[0]
    assert (
        entry.title == "Ukraine war: White House accuses North Korea of sending artillery to Russia"
    )
    assert entry.site == "DayDayNews World News"
    assert not entry.content.startswith(("Ukraine war", "\n"))  # the title line is not body text
    assert entry.content.count("\n\n") >= 3
