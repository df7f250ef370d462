"""The parse workers' results: typed, and read by their fields (refresh.workers)."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

from newstui.config import LimitsConfig
from newstui.domain.update import unpack_entries
from newstui.refresh.workers import (
    ArticleRead,
    Failed,
    Parsed,
    parse_body,
    read_local_article,
    read_local_file,
)

RSS = (
    b'<rss version="2.0"><channel><title>Harbour</title><link>https://example.test/</link>'
    b"<item><title>Lighthouse</title><guid>a</guid><description>keeper</description></item>"
    b"</channel></rss>"
)
PAGE = (
    b"<html><head><title>Blog</title>"
    b'<link rel="alternate" type="application/rss+xml" title="Posts" href="/feed.xml">'
    b"</head><body><p>Hello</p></body></html>"
)


def parse(data: bytes, encoding: str = "") -> Parsed | Failed:
    return parse_body(data, encoding, 1 << 20, "https://example.test/f", {}, LimitsConfig())


def test_a_feed_comes_back_as_its_feed_and_packed_rows() -> None:
    result = parse(gzip.compress(RSS), "gzip")
    assert isinstance(result, Parsed)
    assert result.feed.title == "Harbour" and result.feed.entries == ()
    assert isinstance(result.entries, bytes)  # one pickle for the writer to keep
    [row] = unpack_entries(result.entries)
    assert (row.key, row.title, row.content) == ("a", "Lighthouse", "keeper")
    assert result.entries.count(b"keeper") == 1  # the text crosses the pipe once
    assert pickle.loads(pickle.dumps(result)) == result  # what a process pool does with it


def test_a_page_is_not_a_feed_and_names_the_feeds_it_links_to() -> None:
    result = parse(PAGE)
    assert isinstance(result, Failed) and result.status == "notafeed"
    assert result.candidates == (("https://example.test/feed.xml", "Posts"),)
    broken = parse(b"\x00\x01 not xml, not html")
    assert isinstance(broken, Failed) and broken.message
    garbage = parse(b"garbage", "gzip")  # a body that says gzip and is not
    assert isinstance(garbage, Failed) and garbage.status == "error" and garbage.message


def test_local_files_and_articles(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(RSS)
    result = read_local_file(str(feed), LimitsConfig())
    assert isinstance(result, Parsed) and [e.key for e in result.entries] == ["a"]
    missing = read_local_file(str(tmp_path / "nope.xml"), LimitsConfig())
    assert isinstance(missing, Failed) and missing.status == "error"

    article = tmp_path / "note.md"
    article.write_text("# A note\n\nAbout the harbour.\n")
    first = read_local_article(str(article), LimitsConfig(), None)
    assert isinstance(first, ArticleRead) and first.entry is not None
    again = read_local_article(str(article), LimitsConfig(), first.entry.digest)
    assert again == ArticleRead("ok", None)  # read as it was: nothing extracted again
