"""Feed documents to entries: RSS, Atom and JSON Feed, the corpus, and what untrusted text becomes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.config import LimitsConfig
from newstui.domain.errors import NotAFeedError, ParseError
from newstui.domain.models import ContentType
from newstui.sources.discover import find_feed_links, looks_like_html
from newstui.sources.parse import parse_document
from tests.feedgen import Item, atom, items, jsonfeed, rss


@pytest.mark.parametrize("make", [rss, atom, jsonfeed])
def test_each_format_gives_titles_links_dates_and_bodies(make: object) -> None:
    doc = make(items(3), title="Formats")  # type: ignore[operator]
    feed = parse_document(doc, url="https://example.org/feed")
    assert feed.title == "Formats"
    assert [e.title for e in feed.entries] == ["Item 0", "Item 1", "Item 2"]
    first = feed.entries[0]
    assert first.url == "https://example.org/item/0"
    assert first.published == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert "topic0" in first.content and first.content_type == ContentType.HTML
    assert feed.warning is None


def test_a_feed_served_with_any_content_type_still_parses() -> None:
    for kind in ("text/plain", "application/octet-stream", "text/html"):
        feed = parse_document(rss(items(2)), headers={"Content-Type": kind})
        assert len(feed.entries) == 2 and feed.warning is None


def test_identity_prefers_guid_then_link_then_content_hash() -> None:
    doc = rss(
        [
            Item("guid", guid="g-1", link="https://example.org/a"),
            Item("link only", link="https://example.org/b"),
            Item("neither", body="<p>text</p>"),
        ]
    )
    keys = [e.key for e in parse_document(doc).entries]
    assert keys[0] == "g-1" and keys[1] == "https://example.org/b"
    assert keys[2].startswith("sha1:")
    assert parse_document(doc).entries[2].key == keys[2]  # stable across parses


def test_untitled_items_get_a_title_from_their_text_and_titles_are_capped() -> None:
    doc = rss([Item("", guid="1", body="<p>The <b>first words</b> of the body.</p>")])
    assert parse_document(doc).entries[0].title == "The first words of the body."
    long = rss([Item("T" * 50_000, guid="1")])
    title = parse_document(long, limits=LimitsConfig(max_title_chars=300)).entries[0].title
    assert len(title) == 300 and title.endswith("…")


def test_html_page_is_not_a_feed_and_names_the_feeds_it_advertises() -> None:
    page = b"""<!DOCTYPE html><html><head><title>Blog</title>
    <link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml">
    <link rel="alternate" type="application/rss+xml" title="RSS" href="https://example.org/rss">
    <link rel="alternate" type="text/html" href="/other"></head><body>hi</body></html>"""
    assert looks_like_html(page)
    with pytest.raises(NotAFeedError) as caught:
        parse_document(page, url="https://example.org/blog/")
    assert caught.value.candidates == [
        ("https://example.org/atom.xml", "Atom"),
        ("https://example.org/rss", "RSS"),
    ]
    assert not looks_like_html(rss(items(1)))


def test_feed_links_ignore_non_http_schemes() -> None:
    page = b"""<html><head>
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">
    </head></html>"""
    assert find_feed_links(page, "https://example.org/") == []


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"just some words", b"<html><body>no feed</body></html>", b"{}", b"[1, 2]"],
)
def test_documents_that_are_not_feeds_raise_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_document(data)


def test_json_feed_details() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON",
        "home_page_url": "https://example.org/",
        "authors": [{"name": "Feed Author"}],
        "items": [
            {"id": 1, "content_text": "plain words", "date_published": "2026-01-02T03:04:05Z"},
            {
                "id": "b",
                "url": "/rel",
                "title": "B",
                "content_html": "<p>x</p>",
                "authors": [{"name": "Bo"}],
            },
            "not an object",
            {"id": "c", "title": "C", "date_published": "not a date"},
        ],
    }
    feed = parse_document(json.dumps(doc).encode())
    a, b, c = feed.entries
    assert (a.key, a.title, a.content_type, a.author) == (
        "1",
        "plain words",
        ContentType.TEXT,
        "Feed Author",
    )
    assert a.published == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (b.url, b.author, b.content_type) == ("https://example.org/rel", "Bo", ContentType.HTML)
    assert c.published is None
    assert feed.warning and "1 items" in feed.warning


def test_broken_xml_still_yields_entries_with_a_warning() -> None:
    doc = rss(items(3)).replace(b"<title>Item 1</title>", b"<title>Item 1 & friends <b></title>")
    feed = parse_document(doc)
    assert len(feed.entries) == 3
    assert feed.warning and "malformed" in feed.warning


def test_html_entities_without_a_dtd_are_understood() -> None:
    doc = rss([Item("Caf&eacute; &mdash; menu", guid="1")]).replace(b"&amp;eacute;", b"&eacute;")
    doc = doc.replace(b"&amp;mdash;", b"&mdash;")
    assert parse_document(doc).entries[0].title == "Café — menu"


def _feed_files(corpus: Path, kind: str) -> list[Path]:
    return sorted(p for p in (corpus / "feeds" / kind).rglob("*") if p.is_file())


@pytest.mark.parametrize("kind", ["broken", "synthetic"])
def test_broken_and_synthetic_feeds_never_raise_anything_but_parse_error(
    corpus: Path, kind: str
) -> None:
    for path in _feed_files(corpus, kind):
        try:
            feed = parse_document(path.read_bytes(), url="https://example.org/feed")
        except ParseError as exc:
            assert str(exc) and "\n" not in str(exc), path
            continue
        for entry in feed.entries:
            assert entry.key and entry.title, path


def test_titles_escaped_twice_at_the_source_read_naturally() -> None:
    doc = rss([Item("Tips &#8211; tricks &amp; more", guid="1")], title="Blog &#8211; News")
    feed = parse_document(doc)
    assert feed.title == "Blog – News"
    assert feed.entries[0].title == "Tips – tricks & more"


def test_whitespace_before_the_xml_declaration_is_not_a_malformed_feed() -> None:
    feed = parse_document(b"\n\n  " + rss(items(2)))
    assert len(feed.entries) == 2 and feed.warning is None


def test_the_lxml_fast_path_reads_the_corpus_as_feedparser_does(corpus: Path) -> None:
    """Every corpus feed the fast path accepts gives the same items, keys, dates, titles and
    enclosures."""
    from newstui.sources import parse

    limits = LimitsConfig()
    accepted = 0
    differences = []
    for kind in ("real", "synthetic", "broken"):
        for path in _feed_files(corpus, kind):
            data = path.read_bytes()
            fast = parse._parse_fast(data, "https://example.org/feed", {}, limits)
            if fast is None:
                continue
            accepted += 1
            slow = parse._parse_xml(data, "https://example.org/feed", {}, limits)
            assert [e.key for e in fast.entries] == [e.key for e in slow.entries], path
            for a, b in zip(fast.entries, slow.entries, strict=True):
                assert (a.published, a.updated) == (b.published, b.updated), (path, a.key)
                assert a.enclosures == b.enclosures, (path, a.key)
                assert bool(a.content.strip()) >= bool(b.content.strip()), (path, a.key)
                if a.title != b.title:
                    differences.append((path.name, a.title, b.title))
    assert accepted > 150
    # feedparser titles a titleless item from its first <content> element, even a script;
    # we title it from its description. Nothing else may differ.
    assert {name for name, _a, _b in differences} <= {"relative.rss", "relative.atom"}


def test_the_fast_path_leaves_odd_documents_to_feedparser() -> None:
    from newstui.sources.fastfeed import parse_fast

    assert parse_fast(b"<rss><channel><item><title>x</title></item></channel></rss>", {})
    assert parse_fast(b"<rss><channel><item><title>x</title></item></channel>", {}) is None
    assert (
        parse_fast(b'<feed xmlns="http://purl.org/atom/ns#"><title>0.3</title></feed>', {}) is None
    )
    assert parse_fast(b'<rss xml:base="http://x/"><channel></channel></rss>', {}) is None
    latin = b'<?xml version="1.0" encoding="iso-8859-1"?><rss><channel></channel></rss>'
    assert parse_fast(latin, {"content-type": "text/xml; charset=utf-8"}) is None
