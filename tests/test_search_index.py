"""The search index keeps no copy of the articles' text and stays true to them as they change."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.domain.dedupe import text_key, url_key
from newstui.domain.models import ContentType, ParsedEntry
from newstui.domain.update import StoredEntry, plain_text, shows_image, to_stored, unpack_text
from newstui.storage import search
from newstui.storage.database import split_sql
from newstui.storage.db import Database
from newstui.storage.schema import APPLICATION_ID, MIGRATIONS
from newstui.storage.writer import FeedUpdate, apply_updates
from tests.storage_support import apply_refresh

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"


def entry(key: str, title: str, html: str, **kw: object) -> StoredEntry:
    values: dict[str, object] = {
        "key": key,
        "title": title,
        "url": f"https://example.test/{key}",
        "author": None,
        "site": None,
        "published": time.time() - 3600,
        "updated": None,
        "content": html,
        "content_type": "html",
        "digest": f"{key}:{title}:{html}",
    }
    values.update(kw)
    values["url_key"] = url_key(str(values["url"]))
    values["text_key"] = text_key(title, plain_text(html))
    return StoredEntry(**values)  # type: ignore[arg-type]


def found(db: Database, query: str) -> list[int]:
    rows = db.query(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid", (query,)
    )
    return [r[0] for r in rows]


def index_mismatches(db: Database) -> set[int]:
    """Articles whose words in the index (with their columns and positions) are not those of
    their rows' text now: a second index with its own copy of that text is built and the two
    compared word by word (FTS5's integrity-check does not compare an external-content index
    with its content in SQLite 3.40)."""
    conn = db.conn
    conn.execute("DROP TABLE IF EXISTS temp.reference")
    conn.execute(
        f"CREATE VIRTUAL TABLE temp.reference USING fts5(title, body, author, url, {TOKENIZE})"
    )
    conn.execute(
        "INSERT INTO temp.reference(rowid, title, body, author, url) "
        "SELECT id, title, body, author, url FROM articles_search"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_index USING fts5vocab(main, articles_fts, instance)"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_ref USING fts5vocab(temp, reference, instance)"
    )
    extra = "SELECT term, doc, col, offset FROM temp.v_index EXCEPT SELECT term, doc, col, offset FROM temp.v_ref"
    missing = "SELECT term, doc, col, offset FROM temp.v_ref EXCEPT SELECT term, doc, col, offset FROM temp.v_index"
    return {row[1] for row in conn.execute(extra)} | {row[1] for row in conn.execute(missing)}


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "lib.db")
    yield database  # type: ignore[misc]
    database.close()


def test_the_index_holds_no_copy_of_the_text_yet_reads_it_back(db: Database) -> None:
    feed = db.insert_feed("https://example.test/feed", title="F", tags=())
    apply_refresh(db, feed, status="ok", error=None, http_status=200, entries=[
        entry("one", "Harbour news", "<p>The <b>lighthouse</b> keeper &amp; his cat</p>"),
        entry("two", "Other", "<p>quiet day</p>"),
    ])  # fmt: skip
    tables = {
        r[0] for r in db.query("SELECT name FROM sqlite_master WHERE name LIKE 'articles_fts%'")
    }
    assert "articles_fts_content" not in tables
    assert "articles_fts_data" in tables
    (a,) = found(db, "lighthouse")
    assert found(db, '"lighthouse keeper"') == [a]  # positions are kept: phrases work
    assert found(db, "harbour") == [a]
    assert found(db, "b") == []  # tags are not words
    body = db.one("SELECT body FROM articles_fts WHERE rowid = ?", (a,))[0]
    assert "lighthouse keeper & his cat" in " ".join(body.split())
    assert index_mismatches(db) == set()


def test_the_check_finds_an_index_that_is_not_its_rows(db: Database) -> None:
    """Positive control for `index_mismatches`."""
    feed = db.insert_feed("https://example.test/feed", title="F", tags=())
    apply_refresh(db, feed, status="ok", error=None, http_status=200,
                  entries=[entry("a", "Fine", "<p>all good</p>")])  # fmt: skip
    assert index_mismatches(db) == set()
    with db.tx() as conn:
        conn.execute(
            "INSERT INTO articles(id, feed_id, key, title, sort_date, content, content_type, hash,"
            " first_seen) VALUES (99, ?, 'odd', 'Odd', 0, '<p>real words</p>', 'html', '', 0)",
            (feed,),
        )
        conn.execute(
            "INSERT INTO articles_fts(rowid, title, body) VALUES (99, 'Odd', 'other words')"
        )
    assert index_mismatches(db) == {99}


def test_the_index_follows_updates_full_texts_copies_and_deletions(db: Database) -> None:
    feed = db.insert_feed("https://example.test/feed", title="F", tags=())
    other = db.insert_feed("https://example.test/other", title="O", tags=())
    first = [
        entry("a", "Alpha", "<p>walrus colony</p>"),
        entry("b", "Beta", "<p>penguin parade</p>"),
        entry("c", "Gamma", "<p>seal pups</p>", published=time.time() - 90 * 86400),
    ]
    apply_refresh(db, feed, status="ok", error=None, http_status=200, entries=first)
    ids = dict(db.query("SELECT key, id FROM articles"))
    # Changed text: the old words leave the index, the new ones come in.
    changed = [entry("a", "Alpha", "<p>albatross colony</p>"), *first[1:]]
    assert apply_refresh(db, feed, status="ok", error=None, http_status=200, entries=changed) == (
        0,
        1,
    )
    assert found(db, "walrus") == []
    assert found(db, "albatross") == [ids["a"]]
    # The web page's text (`f`) joins the feed's; fetched again, the new page replaces the old.
    db.set_full_text(ids["b"], "The **emperor** penguin")
    assert found(db, "emperor") == [ids["b"]] and found(db, "parade") == [ids["b"]]
    db.set_full_text(ids["b"], "A king penguin")
    assert found(db, "emperor") == [] and found(db, "king") == [ids["b"]]
    # In one batch: the same story in a second feed (stored as a copy, read as its first copy
    # is), and the first feed twice, its new article changed by the second update before the
    # batch's index insert.
    with db.tx() as conn:
        conn.execute("UPDATE articles SET read = 1 WHERE id = ?", (ids["c"],))
    apply_updates(db, [
        FeedUpdate(other, "ok", None, 200, [entry("c2", "Gamma", "<p>seal pups</p>",
                   url="https://example.test/c", published=time.time() - 90 * 86400)]),
        FeedUpdate(feed, "ok", None, 200, [entry("d", "Delta", "<p>orca pod</p>"), *changed]),
        FeedUpdate(feed, "ok", None, 200, [entry("d", "Delta", "<p>narwhal pod</p>"), *changed]),
    ])  # fmt: skip
    assert found(db, "orca") == []
    assert len(found(db, "narwhal")) == 1
    copy = db.one("SELECT id, read, dup_of FROM articles WHERE key = 'c2'")
    assert copy[1:] == (1, ids["c"])
    assert found(db, "seal") == [ids["c"], copy[0]]
    assert index_mismatches(db) == set()
    # Retention (c is read and old, and gone from the feed) and removing a feed delete
    # articles: their words go with them.
    apply_refresh(db, feed, status="ok", error=None, http_status=200, entries=changed[:2],
                  retention_days=30)  # fmt: skip
    assert found(db, "seal") == [copy[0]]
    db.remove_feed(feed)
    assert found(db, "albatross") == [] and found(db, "king") == [] and found(db, "narwhal") == []
    assert db.one("SELECT count(*) FROM articles")[0] == 1
    assert index_mismatches(db) == set()


def test_another_connection_cannot_change_an_article_behind_the_index(tmp_path: Path) -> None:
    """A program that opens the file without newstui's function cannot change an article's text
    (the triggers need `search_body`), so it cannot leave the index behind either."""
    db = Database(tmp_path / "lib.db")
    feed = db.insert_feed("https://example.test/feed", title="F", tags=())
    apply_refresh(db, feed, status="ok", error=None, http_status=200,
                  entries=[entry("a", "Alpha", "<p>walrus</p>")])  # fmt: skip
    db.close()
    conn = sqlite3.connect(tmp_path / "lib.db")
    with pytest.raises(sqlite3.OperationalError, match="search_body"):
        conn.execute("UPDATE articles SET content = '<p>other</p>'")
    conn.execute("UPDATE articles SET read = 1")  # flags need no text
    conn.commit()
    conn.close()
    db = Database(tmp_path / "lib.db")
    assert found(db, "walrus") != [] and index_mismatches(db) == set()
    db.close()


def test_a_library_of_schema_11_is_indexed_again_in_batches_with_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for version in range(1, 12):
        for statement in split_sql(MIGRATIONS[version]):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 11")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO feeds(id, url, added) VALUES (1, 'https://example.test/f', 0)")
    count = 5200
    rows = [
        (n, f"k{n}", f"Story {n}", f"<p>common word{n} <i>lighthouse</i> keeper</p>")
        for n in range(1, count + 1)
    ]
    conn.executemany(
        "INSERT INTO articles(id, feed_id, key, title, sort_date, content, content_type, hash,"
        " first_seen) VALUES (?, 1, ?, ?, 0, ?, 'html', '', 0)",
        rows,
    )
    # Schema 11's index: its own copy of each text, as the writer made it then.
    conn.executemany(
        "INSERT INTO articles_fts(rowid, title, body) VALUES (?, ?, ?)",
        [(n, title, plain_text(html)) for n, _key, title, html in rows],
    )
    conn.execute("COMMIT")
    conn.close()
    size_before = path.stat().st_size

    monkeypatch.setattr(search, "REBUILD_BATCH", 2000)
    with caplog.at_level(logging.WARNING, logger="newstui.storage.search"):
        db = Database(path)
    try:
        progress = [r.getMessage() for r in caplog.records if "indexed" in r.getMessage()]
        assert progress == [
            "newstui: indexed 2000 of 5200 articles (38%)",
            "newstui: indexed 4000 of 5200 articles (76%)",
            "newstui: indexed 5200 of 5200 articles (100%)",
        ]
        assert found(db, "common") == list(range(1, count + 1))
        assert found(db, "word77") == [77]
        assert len(found(db, '"lighthouse keeper"')) == count
        assert index_mismatches(db) == set()
        names = {r[0] for r in db.query("SELECT name FROM sqlite_master")}
        assert "articles_fts_content" not in names
        # The old copy's pages are free for the next articles: the file does not grow.
        assert db.one("PRAGMA freelist_count")[0] > 0
        apply_refresh(db, 1, status="ok", error=None, http_status=200,
                      entries=[entry(f"n{n}", f"New {n}", "<p>fresh text</p>") for n in range(200)])  # fmt: skip
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert path.stat().st_size <= size_before
    finally:
        db.close()


_HTML_BITS = st.sampled_from(
    ["<p>", "</p>", "<b>", "<img src='x.png'>", "&amp;", "&lt;", "&eacute;", "&#8211;", " ", "\n",
     "é", "灯台", "word", "Ünïcode", "a<b", "![a](b.png)", "x" * 300]
)  # fmt: skip


@given(
    st.lists(
        st.tuples(
            st.lists(_HTML_BITS, max_size=40).map("".join),
            st.sampled_from([ContentType.HTML, ContentType.TEXT, ContentType.MARKDOWN]),
        ),
        min_size=1,
        max_size=6,
    )
)
@settings(max_examples=30, deadline=None)
def test_what_a_worker_sends_for_the_index_is_what_the_rows_give(
    tmp_path_factory: pytest.TempPathFactory, bodies: list[tuple[str, ContentType]]
) -> None:
    """The writer indexes the parse worker's `index_text` instead of unpacking each new text:
    the index must hold, word for word, what `search_body` gives for the rows stored (the
    triggers take an article out by that), packed or short, HTML or plain text."""
    db = Database(tmp_path_factory.mktemp("lib") / "lib.db")
    try:
        feed = db.insert_feed("https://example.test/feed", title="F", tags=())
        rows = [
            to_stored(ParsedEntry(f"k{i}", f"Title {i}", content=body, content_type=kind))
            for i, (body, kind) in enumerate(bodies)
        ]
        assert all(row.index_text is not None for row in rows)
        apply_refresh(db, feed, status="ok", error=None, http_status=200, entries=rows)
        assert index_mismatches(db) == set()
        stored = db.query("SELECT content, content_type, has_image FROM articles ORDER BY id")
        assert [bool(r[2]) for r in stored] == [
            shows_image(unpack_text(r[0]), r[1]) for r in stored
        ]
    finally:
        db.close()


def test_the_writer_indexes_a_workers_rows_without_unpacking_their_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cold refresh's busiest process is the one that stores: unpacking every new article's
    # text there to index it cost ~25 us an article. The parse worker's rows carry the index's
    # text and `has_image`, so storing them new unpacks nothing.
    from newstui.storage import writer

    def refuse(value: str | bytes) -> str:
        raise AssertionError("the writer unpacked a text the worker had sent")

    db = Database(tmp_path / "lib.db")
    try:
        feed = db.insert_feed("https://example.test/feed", title="F", tags=())
        body = "<p>lighthouse <img src='a.png'> keeper &amp; " + "harbour " * 100 + "</p>"
        rows = [
            to_stored(
                ParsedEntry(f"k{i}", f"Title {i}", content=body, content_type=ContentType.HTML)
            )
            for i in range(3)
        ]
        assert all(isinstance(row.content, bytes) for row in rows)  # packed
        monkeypatch.setattr(writer, "unpack_text", refuse)
        apply_refresh(db, feed, status="ok", error=None, http_status=200, entries=rows)
        monkeypatch.undo()
        assert found(db, "lighthouse keeper") == [1, 2, 3]
        assert index_mismatches(db) == set()
        assert db.query("SELECT has_image FROM articles") == [(1,), (1,), (1,)]
    finally:
        db.close()
