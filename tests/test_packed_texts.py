"""Articles' text is stored compressed (schema 16) and everything that reads it sees the text."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from newstui.config import Config, RefreshConfig
from newstui.domain.models import View
from newstui.domain.update import DAMAGED_TEXT
from newstui.library.facade import Library
from newstui.storage import search, upgrades
from newstui.storage.database import split_sql
from newstui.storage.db import Database
from newstui.storage.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from tests.feedgen import Item, rss
from tests.sql_support import sql_all, sql_one

WORDS = [
    "harbour",
    "tide",
    "gull",
    "rope",
    "anchor",
    "lantern",
    "keel",
    "mast",
    "sail",
    "pier",
    "buoy",
    "dune",
    "reef",
    "cove",
]


def story(n: int, *, image: bool = False) -> str:
    """About 1.5 KB of HTML, different for each `n`, with the word `storyN` in the middle."""
    paragraphs = [
        "<p>" + " ".join(WORDS[(n * 7 + i * 3 + j) % len(WORDS)] for j in range(25)) + "</p>"
        for i in range(8)
    ]
    paragraphs.insert(4, f"<p>The <b>lighthouse keeper</b> wrote story{n} &amp; more.</p>")
    if image:
        paragraphs.insert(2, f'<p><IMG src="https://example.org/{n}.png" alt="pic"></p>')
    return "\n".join(paragraphs)


def test_a_refreshed_feed_is_stored_compressed_and_reads_as_its_text(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    bodies = {n: story(n, image=n in (2, 5)) for n in range(8)}
    feed = [Item(f"Story {n}", guid=f"s{n}", body=bodies[n]) for n in range(8)]
    feed.append(Item("Brief", guid="brief", body="<p>one line</p>"))
    httpserver.expect_request("/f").respond_with_data(rss(feed), content_type="application/rss+xml")
    path = tmp_path / "lib.db"
    config = Config(refresh=RefreshConfig(deadline=5.0, connect_timeout=2.0, read_timeout=3.0))
    library = Library.open(config, path)
    try:
        asyncio.run(library.add_feed(httpserver.url_for("/f")))
        stored = dict(sql_all(path, "SELECT key, content FROM articles"))
        assert all(isinstance(stored[f"s{n}"], bytes) for n in range(8))
        assert isinstance(stored["brief"], str)  # too short to gain: kept as text
        assert sum(len(stored[f"s{n}"]) for n in range(8)) < sum(map(len, bodies.values())) / 2

        def titles(query: str) -> list[str]:
            return sorted(h.title for h in library.headlines(View("search", query=query)))

        ids = {h.title: h.id for h in library.headlines(View("all"))}
        for n in range(8):  # what a reader is shown is the text itself
            article = library.article(ids[f"Story {n}"])
            assert "<b>lighthouse keeper</b> wrote story" in article.content
            assert article.content.count("<p>") == bodies[n].count("<p>")
        assert titles("story3") == ["Story 3"]
        assert titles('"lighthouse keeper" story6') == ["Story 6"]
        assert titles("content:/wrote story[45] &/") == ["Story 4", "Story 5"]
        assert titles("has:image") == ["Story 2", "Story 5"]
        assert titles("-has:image story*")[:2] == ["Story 0", "Story 1"]
        assert titles("line") == ["Brief"]
        # A changed story replaces its words in the index; its row stays compressed.
        feed[0] = Item("Story 0", guid="s0", body=story(0).replace("story0", "changed0"))
        httpserver.clear()
        httpserver.expect_request("/f").respond_with_data(
            rss(feed), content_type="application/rss+xml"
        )
        asyncio.run(library.refresh())
        assert titles("story0") == [] and titles("changed0") == ["Story 0"]
        assert isinstance(sql_one(path, "SELECT content FROM articles WHERE key = 's0'")[0], bytes)
    finally:
        library.close()


def unpacked_library(path: Path, count: int) -> dict[int, tuple[str, str, bool]]:
    """A library as schema 15 stored it (every text as text, indexed); id -> (text, type, image)."""
    conn = sqlite3.connect(path, isolation_level=None)
    search.register(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for version in range(1, 16):
        for statement in split_sql(MIGRATIONS[version]):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 15")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO feeds(id, url, added) VALUES (1, 'https://example.test/f', 0)")
    articles: dict[int, tuple[str, str, bool]] = {}
    for n in range(1, count + 1):
        if n % 10 == 3:
            articles[n] = (f"A note in *Markdown* ![map](m{n}.png) " + story(n), "markdown", True)
        elif n % 10 == 7:
            articles[n] = ("plain text, not a picture: <img> " + story(n), "text", False)
        elif n % 10 == 9:
            articles[n] = (f"<p>short {n}</p>", "html", False)
        else:
            articles[n] = (story(n, image=n % 10 == 1), "html", n % 10 == 1)
    conn.executemany(
        "INSERT INTO articles(id, feed_id, key, title, sort_date, content, content_type, hash,"
        " first_seen) VALUES (?, 1, ?, ?, ?, ?, ?, '', 0)",
        [(n, f"k{n}", f"Story {n}", n, text, kind) for n, (text, kind, _i) in articles.items()],
    )
    conn.execute(
        "INSERT INTO articles_fts(rowid, title, body, author, url) "
        "SELECT id, title, body, author, url FROM articles_search"
    )
    conn.execute("COMMIT")
    conn.close()
    return articles


def index_pages(path: Path) -> list[tuple[int, bytes]]:
    return sql_all(path, "SELECT id, block FROM articles_fts_data ORDER BY id")


def test_a_library_of_schema_15_is_compressed_in_batches_and_a_stop_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.db"
    articles = unpacked_library(path, 5200)
    text_bytes = sum(length for (length,) in sql_all(path, "SELECT length(content) FROM articles"))
    index_before = index_pages(path)
    monkeypatch.setattr(upgrades, "PACK_BATCH", 2000)
    monkeypatch.setattr(upgrades, "LOUD_FROM", 3000)

    # Stopped in its second batch (Ctrl-C, a crash): the first batch stays done, the second is
    # rolled back, and the library is whole (a row reads the same, packed or not).
    calls = 0
    real_pack = upgrades.pack_text

    def stopping(text: str) -> str | bytes:
        nonlocal calls
        calls += 1
        if calls == 2500:
            raise KeyboardInterrupt
        return real_pack(text)

    monkeypatch.setattr(upgrades, "pack_text", stopping)
    with pytest.raises(KeyboardInterrupt):
        Database(path)
    assert (
        sql_one(path, "PRAGMA user_version")[0] == SCHEMA_VERSION
    )  # the packing runs after every migration
    assert sql_one(path, "SELECT value FROM settings WHERE key = ?", (upgrades.PACK_SETTING,)) == (
        "2000",
    )
    kinds = dict(sql_all(path, "SELECT id, typeof(content) FROM articles"))
    assert {kinds[n] for n in range(1, 2001) if n % 10 != 9} == {"blob"}
    assert {kinds[n] for n in range(2001, 5201)} == {"text"}

    monkeypatch.setattr(upgrades, "pack_text", real_pack)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="newstui.storage.upgrades"):
        db = Database(path)
    try:
        assert [r.getMessage() for r in caplog.records if "compress" in r.getMessage()] == [
            "newstui: upgrading the library: compressing 3200 articles' text (once)",
            "newstui: compressed 2000 of 3200 articles (62%)",
            "newstui: compressed 3200 of 3200 articles (100%)",
        ]
        assert db.get_setting(upgrades.PACK_SETTING) is None
        kinds = dict(db.query("SELECT id, typeof(content) FROM articles"))
        assert {n for n, kind in kinds.items() if kind == "text"} == {
            n for n in articles if n % 10 == 9
        }
        for n, (text, kind, _image) in articles.items():
            assert db.article(n).content == text and db.article(n).content_type == kind
        images = {r[0] for r in db.query("SELECT id FROM articles WHERE has_image = 1")}
        assert images == {n for n, (_t, _k, image) in articles.items() if image}
        packed = sum(length for (length,) in db.query("SELECT length(content) FROM articles"))
        assert packed < text_bytes / 2
        # Re-encoding left the search index as it was, and it still finds what it found.
        assert index_pages(path) == index_before
        hits = db.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'story4321'")
        assert hits == [(4321,)]
        assert len(db.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
                            ('"lighthouse keeper"',))) == 5200 - 520  # fmt: skip
    finally:
        db.close()
    Database(path).close()  # nothing left to resume: the next start only reads the setting


def test_a_damaged_compressed_text_reads_as_a_message_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "lib.db"
    unpacked_library(path, 10)
    db = Database(path)
    try:
        packed = db.one("SELECT content FROM articles WHERE id = 1")[0]
        assert isinstance(packed, bytes)
        with db.tx() as conn:  # a scribbled value: the index takes the message's words
            conn.execute("UPDATE articles SET content = ? WHERE id = 1", (packed[:-9],))
        assert db.article(1).content == DAMAGED_TEXT
        hits = db.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'damaged'")
        assert hits == [(1,)]
    finally:
        db.close()


def test_a_new_library_gives_its_free_pages_back_when_a_refresh_ends(tmp_path: Path) -> None:
    from newstui.domain.update import StoredEntry, pack_text
    from newstui.storage.writer import FeedUpdate, UpdateWriter
    from tests.storage_support import apply_refresh

    def entries(prefix: str, count: int) -> list[StoredEntry]:
        return [
            StoredEntry(
                f"{prefix}{n}",
                f"Story {n}",
                None,
                None,
                None,
                1.0e9 + n,
                None,
                pack_text(story(n)),
                "html",
                f"{prefix}{n}",
            )
            for n in range(count)
        ]

    path = tmp_path / "lib.db"
    db = Database(path)
    try:
        assert db.one("PRAGMA auto_vacuum")[0] == 2  # incremental: made so, never changed
        gone = db.insert_feed("https://example.test/gone", title="Gone", tags=())
        kept = db.insert_feed("https://example.test/kept", title="Kept", tags=())
        apply_refresh(db, gone, status="ok", error=None, http_status=200,
                      entries=entries("g", 400))  # fmt: skip
        db.remove_feed(gone)  # its articles go: their pages are free
        free, pages = db.one("PRAGMA freelist_count")[0], db.one("PRAGMA page_count")[0]
        assert free > 20
        writer = UpdateWriter(db)
        writer.submit(FeedUpdate(kept, "ok", None, 200, entries("k", 5)), last=True).result(10)
        writer.close()
        assert db.one("PRAGMA freelist_count")[0] == 0
        assert db.one("PRAGMA page_count")[0] <= pages - free + 5
        assert db.one("PRAGMA integrity_check")[0] == "ok"
        assert db.count(View("all")) == 5
    finally:
        db.close()
