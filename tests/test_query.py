"""The query language: the parser's tree and errors, and the SQL compiler held against a plain
Python evaluator of the same tree (tests/query_oracle.py), on fixed and on random libraries."""

from __future__ import annotations

import os
import sqlite3
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstui.domain.dedupe import text_key, url_key
from newstui.domain.models import View
from newstui.domain.update import StoredEntry, search_text, unpack_text
from newstui.query import (
    And,
    Date,
    Flag,
    Match,
    Not,
    Or,
    QueryError,
    Regex,
    Text,
    compile_query,
    highlights,
    parse,
    spans,
    words,
)
from newstui.storage.db import Database
from newstui.storage.schema import MIGRATIONS
from tests.query_oracle import evaluate, load
from tests.storage_support import apply_refresh

NOW = 1_750_000_000.0
DAY = 86400.0


def word(w: str, field: str = "text", prefix: bool = False) -> Match:
    return Match(field, Text((w,), prefix))


# ---- the parser ---------------------------------------------------------------------------


def test_precedence_is_not_then_and_then_or() -> None:
    assert parse("a b OR c").expr == Or((And((word("a"), word("b"))), word("c")))
    assert parse("a OR b c").expr == Or((word("a"), And((word("b"), word("c")))))
    assert parse("a AND b OR NOT c").expr == Or((And((word("a"), word("b"))), Not(word("c"))))
    assert parse("-a b").expr == And((Not(word("a")), word("b")))
    assert parse("-(a OR b) c").expr == And((Not(Or((word("a"), word("b")))), word("c")))
    assert parse("(a OR b) (c OR d)").expr == And(
        (Or((word("a"), word("b"))), Or((word("c"), word("d"))))
    )
    # lower-case keywords are words to search for
    assert parse("cats or dogs").expr == And((word("cats"), word("or"), word("dogs")))


def test_values_and_fields() -> None:
    assert parse('"A Phrase"').expr == Match("text", Text(("a", "phrase"), quoted=True))
    assert parse("Pyth*").expr == word("pyth", prefix=True)
    assert parse("e-mail").expr == Match("text", Text(("e", "mail")))
    assert parse("Café").expr == word("cafe")
    assert parse("title:/^app+le$/").expr == Match("title", Regex("^app+le$"))
    assert parse(r"url:/a\/b/").expr == Match("url", Regex("a/b"))
    assert parse('author:"Jane Doe"').expr == Match("author", Text(("jane", "doe"), quoted=True))
    assert parse("feed:12").expr == Match("feed", Text(("12",)), feed_id=12)
    assert parse("#Sports").expr == Match("tag", Text(("sports",)))
    assert parse("tag:tech*").expr == Match("tag", Text(("tech",), prefix=True))
    assert parse("is:unread has:image").expr == And((Flag("unread"), Flag("image")))
    assert parse("after:2024-01-02").expr == Date(">=", at=1704153600.0)
    assert parse("before:2024-01-02T12:00").expr == Date("<", at=1704196800.0)
    assert parse("newer:7d").expr == Date(">=", age=7 * DAY)
    assert parse("older:2w").expr == Date("<", age=14 * DAY)
    q = parse("rust sort:oldest limit:5")
    assert (q.expr, q.sort, q.limit) == (word("rust"), "oldest", 5)
    assert parse("sort:title").expr is None
    q = parse("rust OR go sort:oldest")
    assert (q.expr, q.sort) == (Or((word("rust"), word("go"))), "oldest")
    assert parse("").expr is None
    assert parse("is:hidden").hidden and not parse("is:unread").hidden


@pytest.mark.parametrize(
    ("text", "position", "says"),
    [
        ("title:", 0, "needs a value"),
        ("rust (go", 5, "never closed"),
        ("rust)", 4, "without a '('"),
        ("tilte:rust", 0, "unknown field 'tilte:'"),
        ("rust -", 5, "must be followed"),
        ("rust OR", 5, "OR must be between"),
        ("OR rust", 0, "OR must be between"),
        ("a AND", 2, "AND must be between"),
        ("after:2024-13-01", 6, "not a date"),
        ("newer:7x", 6, "not an age"),
        ("title:/a(b/", 8, "bad regular expression"),
        ('say "hello', 4, "no closing"),
        ("url:/abc", 4, "no closing '/'"),
        ("sort:random", 5, "unknown sort"),
        ("(rust sort:oldest)", 6, "whole query"),
        ("rust OR limit:5", 8, "a term on each side of OR"),
        ("-sort:oldest", 1, "cannot be negated"),
        ("is:new", 3, "unknown is:new"),
        ("has:video", 4, "unknown has:video"),
        ("limit:0", 6, "limit: takes a number"),
        ("limit:5 limit:6", 8, "given twice"),
        ("rust ???", 5, "no letters or digits"),
        ("# rust", 0, "tag name"),
        ("()", 0, "empty parentheses"),
    ],
)
def test_a_malformed_query_says_where(text: str, position: int, says: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(text)
    assert info.value.position == position, info.value
    assert says in info.value.message
    assert info.value.pointer().splitlines()[1] == " " * position + "^"


def test_spans_mark_the_matched_words() -> None:
    text = "Apple's pineapple: the APPLE pie, apples"
    assert spans(text, [(("apple",), False)]) == [(0, 5), (23, 28)]
    assert spans(text, [(("apple",), True)]) == [(0, 5), (23, 28), (34, 40)]
    assert spans(text, [(("apple", "pie"), False)]) == [(23, 32)]


# ---- a fixed library ------------------------------------------------------------------------


def _keyed(entry: StoredEntry) -> StoredEntry:
    """`entry` with the keys a refresh gives it, so the same story in two feeds is linked."""
    return entry._replace(
        url_key=url_key(entry.url),
        text_key=text_key(
            entry.title, search_text(unpack_text(entry.content), str(entry.content_type))
        ),
    )


def _entry(key: str, title: str, body: str, **kw: object) -> StoredEntry:
    values: dict[str, object] = {
        "key": key,
        "title": title,
        "url": None,
        "author": None,
        "site": None,
        "published": NOW - DAY,
        "updated": None,
        "content": body,
        "content_type": "html",
        "digest": key,
    }
    values.update(kw)
    if sum(map(ord, key)) % 2:  # half the rows compressed whatever their size (pack_text's
        # form for a long text), so every query runs over both forms of `articles.content`
        values["content"] = zlib.compress(str(values["content"]).encode())
    return StoredEntry(**values)  # type: ignore[arg-type]


@pytest.fixture
def library() -> Database:
    db = Database(":memory:")
    tech = db.insert_feed("https://tech.example/feed", title="Tech Daily", tags=("Tech",))
    sport = db.insert_feed("https://sport.example/feed", title="Sports Page", tags=("sports",))
    apply_refresh(
        db,
        tech,
        status="ok",
        error=None,
        http_status=200,
        entries=[
            _entry(
                "t1",
                "Apple's new phone",
                "Python programming is fun",
                author="Bob Smith",
                url="https://tech.example/apple",
                published=NOW - 3 * DAY,
            ),
            _entry("t2", "The pineapple", "fun is programming python", published=None),
            _entry(
                "t3",
                "E-mail tips",
                "<p>Mail with <img src='x.png'></p>",
                author="Ann",
                published=NOW - 30 * DAY,
            ),
        ],
    )
    apply_refresh(
        db,
        sport,
        status="ok",
        error=None,
        http_status=200,
        entries=[
            _entry("s1", "Match report", "the apple of their eye", published=NOW - 2 * DAY),
            _entry("s2", "Python wins", "a snake in the stadium", published=NOW - 400 * DAY),
        ],
    )
    with db.tx() as conn:
        conn.execute("UPDATE articles SET read = 1 WHERE key IN ('t3', 's2')")
        conn.execute("UPDATE articles SET bookmarked = 1 WHERE key = 's1'")
        conn.execute("UPDATE articles SET hidden = 1 WHERE key = 't2'")
        conn.execute(
            "INSERT INTO article_tags(article_id, tag) SELECT id, 'Later' FROM articles "
            "WHERE key = 's2'"
        )
    return db


def _titles(db: Database, ids: Sequence[int]) -> list[str]:
    return [db.article(i).title for i in ids]


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("python", ["Apple's new phone", "Python wins"]),
        ('"python programming"', ["Apple's new phone"]),
        ('"programming python" is:hidden', ["The pineapple"]),
        ("pyth*", ["Apple's new phone", "Python wins"]),
        ("title:apple", ["Apple's new phone"]),
        ("apple", ["Match report", "Apple's new phone"]),
        ("author:smith", ["Apple's new phone"]),
        ("url:apple", ["Apple's new phone"]),
        ("feed:sports", ["Match report", "Python wins"]),
        ("-#TECH", ["Match report", "Python wins"]),
        ("#later OR #tech", ["Apple's new phone", "E-mail tips", "Python wins"]),
        ("tag:spo*", ["Match report", "Python wins"]),
        ("e-mail", ["E-mail tips"]),
        ("title:/^the pine/ is:hidden", ["The pineapple"]),
        ("content:/snake.*stadium/", ["Python wins"]),
        ("newer:7d", ["Match report", "Apple's new phone"]),
        ("older:7d", ["E-mail tips", "Python wins"]),
        ("-newer:7d", ["E-mail tips", "Python wins"]),
        ("is:unread", ["Match report", "Apple's new phone"]),
        ("is:read sort:oldest", ["Python wins", "E-mail tips"]),
        ("is:bookmarked", ["Match report"]),
        ("has:image", ["E-mail tips"]),
        ("sort:title limit:2", ["Apple's new phone", "E-mail tips"]),
        ("python OR mail -is:read", ["Apple's new phone", "Python wins"]),
        ("(python OR mail) -is:read", ["Apple's new phone"]),
        ("NOT apple NOT python", ["E-mail tips"]),
    ],
)
def test_queries_on_a_small_library(library: Database, text: str, titles: list[str]) -> None:
    query = parse(text)
    compiled = compile_query(query, now=NOW)
    got = library.query_ids(compiled)
    assert _titles(library, got) == titles
    assert got == evaluate(query, load(library), NOW)
    assert library.query_count(compiled) == len(titles)


def test_query_ids_within_tests_given_articles(library: Database) -> None:
    compiled = compile_query(parse("python"), now=NOW)
    every = [r[0] for r in library.query("SELECT id FROM articles ORDER BY id")]
    assert _titles(library, library.query_ids(compiled, within=every[:2])) == ["Apple's new phone"]
    assert library.query_ids(compiled, within=[]) == []


def test_user_text_never_becomes_sql(library: Database) -> None:
    nasty = "\"x'); DROP TABLE articles; --c\" title:/'; DROP/ OR feed:\"a' OR '1\" #'x"
    compiled = compile_query(parse(nasty), now=NOW)
    assert "DROP" not in compiled.where and "'" not in compiled.where
    assert library.query_ids(compiled) == []
    assert library.one("SELECT count(*) FROM articles")[0] == 5


def test_a_query_view_pages_counts_and_marks(library: Database) -> None:
    view = View("query", query="is:unread -is:bookmarked")
    assert library.count(view) == 1
    assert [h.title for h in library.headlines(view, 0, 10)] == ["Apple's new phone"]
    assert library.mark_view_read(view) == 1
    assert library.count(view) == 0
    capped = View("query", query="sort:oldest limit:2")
    assert library.count(capped) == 2
    assert [h.title for h in library.headlines(capped, 1, 10)] == ["E-mail tips"]
    assert library.position(capped, library.view_ids(capped)[1]) == 1


# ---- random libraries and random queries ----------------------------------------------------

VOCAB = [
    "apple", "Apple's", "pineapple", "APPLES", "café", "cafe", "CAFÉ", "e-mail", "mail", "naïve",
    "naive", "x1", "2024", "über", "uber", "rust", "Rust", "rusty", "go", "gopher", "the", "a",
]  # fmt: skip
QUERY_WORDS = ["apple", "cafe", "café", "mail", "e-mail", "naive", "x1", "2024", "uber", "rust",
               "go", "the", "pine", "App", "RUST"]  # fmt: skip
TAGS = ["Tech", "tech", "Sports", "news", "Later"]

sentences = st.lists(st.sampled_from(VOCAB), min_size=0, max_size=8).map(" ".join)


@st.composite
def libraries(draw: st.DrawFn) -> list[tuple[str, list[str], list[dict[str, object]]]]:
    feeds = []
    for f in range(draw(st.integers(1, 3))):
        title = draw(st.sampled_from(["Apple News", "Rust Weekly", "café crème", f"Feed {f}"]))
        tags = draw(st.lists(st.sampled_from(TAGS), max_size=2, unique_by=str.casefold))
        articles = []
        for _ in range(draw(st.integers(0, 6))):
            articles.append(
                {
                    "title": draw(sentences),
                    "body": draw(sentences),
                    "author": draw(st.none() | sentences),
                    "url": draw(st.none() | st.sampled_from(
                        ["https://apple.example/a", "http://x1.example/rust-go", "https://b/e-mail"]
                    )),
                    "published": draw(st.none() | st.sampled_from(
                        [NOW - 3600, NOW - 3 * DAY, NOW - 20 * DAY, NOW - 400 * DAY, 1704153600.0]
                    )),
                    "html": draw(st.booleans()),
                    "image": draw(st.booleans()),
                    "read": draw(st.booleans()),
                    "bookmarked": draw(st.booleans()),
                    "hidden": draw(st.integers(0, 4)) == 0,
                    "full_text": draw(st.none() | sentences),
                    "tags": draw(st.lists(st.sampled_from(TAGS), max_size=2, unique_by=str.casefold)),
                }
            )  # fmt: skip
        feeds.append((title, tags, articles))
    return feeds


def _build(feeds: list[tuple[str, list[str], list[dict[str, object]]]]) -> Database:
    db = Database(":memory:")
    for index, (title, tags, articles) in enumerate(feeds):
        feed_id = db.insert_feed(f"https://f{index}.example/", title=title, tags=tuple(tags))
        entries = []
        for n, a in enumerate(articles):
            body = str(a["body"])
            if a["image"]:
                body += " <img src='i.png'>" if a["html"] else " ![i](i.png)"
            entries.append(_keyed(
                _entry(f"{n}", str(a["title"]), body, author=a["author"], url=a["url"],
                       published=a["published"], content_type="html" if a["html"] else "markdown")
            ))  # fmt: skip
        apply_refresh(db, feed_id, status="ok", error=None, http_status=200, entries=entries)
        ids = [r[0] for r in db.query("SELECT id FROM articles WHERE feed_id = ? ORDER BY id",
                                      (feed_id,))]  # fmt: skip
        for article_id, a in zip(ids, articles, strict=True):
            if a["full_text"] is not None:
                db.set_full_text(article_id, str(a["full_text"]))
            with db.tx() as conn:
                conn.execute(
                    "UPDATE articles SET read = ?, bookmarked = ?, hidden = ? WHERE id = ?",
                    (a["read"], a["bookmarked"], a["hidden"], article_id),
                )
                conn.executemany(
                    "INSERT INTO article_tags(article_id, tag) VALUES (?, ?)",
                    [(article_id, t) for t in a["tags"]],  # type: ignore[attr-defined]
                )
    return db


def _value(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["word", "prefix", "phrase", "regex"]))
    w = draw(st.sampled_from(QUERY_WORDS))
    if kind == "prefix":
        return w[: draw(st.integers(1, len(w)))] + "*"
    if kind == "phrase":
        return '"' + w + " " + draw(st.sampled_from(QUERY_WORDS)) + '"'
    if kind == "regex":
        return (
            "/" + draw(st.sampled_from(["^a", "pp", "e$", "r.st", "é", "x1|go", "\\bgo\\b"])) + "/"
        )
    return w


@st.composite
def terms(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["bare", "field", "tag", "flag", "date"]))
    if kind == "bare":
        value = _value(draw)
        return value if not value.startswith("/") else "title:" + value
    if kind == "field":
        field = draw(st.sampled_from(["title", "author", "feed", "url", "content"]))
        return f"{field}:{_value(draw)}"
    if kind == "tag":
        name = draw(st.sampled_from([*TAGS, "TECH", "te*", "spo*", "nothing"]))
        return draw(st.sampled_from(["#", "tag:"])) + name
    if kind == "flag":
        return draw(st.sampled_from(["is:unread", "is:read", "is:bookmarked", "is:hidden",
                                     "has:enclosure", "has:image", "has:fulltext"]))  # fmt: skip
    return draw(st.sampled_from(["after:2024-01-02", "before:2024-01-02", "after:2024-01-01",
                                 "newer:2d", "older:1w", "newer:1y", "older:12h"]))  # fmt: skip


queries = st.recursive(
    terms(),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(" ".join),
        st.tuples(inner, inner).map(" OR ".join),
        st.tuples(inner, inner).map(" AND ".join),
        inner.map(lambda q: f"-{q}" if not q.startswith("-") else f"NOT {q}"),
        inner.map(lambda q: f"({q})"),
    ),
    max_leaves=6,
)
options = st.tuples(
    st.sampled_from(["", " sort:newest", " sort:oldest", " sort:title", " sort:feed"]),
    st.sampled_from(["", " limit:1", " limit:3"]),
).map("".join)


@settings(
    max_examples=int(os.environ.get("QUERY_EXAMPLES", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(feeds=libraries(), text=queries, extra=options)
def test_sql_and_the_reference_evaluator_agree(
    feeds: list[tuple[str, list[str], list[dict[str, object]]]], text: str, extra: str
) -> None:
    db = _build(feeds)
    try:
        query = parse(text + extra)
        compiled = compile_query(query, now=NOW)
        assert db.query_ids(compiled) == evaluate(query, load(db), NOW), compiled
    finally:
        db.close()


@settings(
    max_examples=int(os.environ.get("QUERY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(feeds=libraries(), texts=st.lists(queries, min_size=1, max_size=3), cut=st.data())
def test_rules_on_new_articles_match_what_the_evaluator_matches(
    feeds: list[tuple[str, list[str], list[dict[str, object]]]], texts: list[str], cut: Any
) -> None:
    """What rules find among a range of new ids (one statement for several rules, the range
    bound as ?1 and ?2, regexes on titles, authors and links tested in Python) is what the
    query means: the evaluator's ids in that range."""
    from newstui.library.rules import Rule
    from newstui.storage.rule_actions import matching_ids, matching_statement

    db = _build(feeds)
    try:
        rows = load(db)
        ids = sorted(r.id for r in rows) or [1]
        first = cut.draw(st.sampled_from(ids))
        last = cut.draw(st.sampled_from([i for i in ids if i >= first]))
        rules = [Rule(f"r{n}", text, ("read",)) for n, text in enumerate(texts)]
        statement = matching_statement([rule.compiled_for_new(NOW) for rule in rules])
        with db.tx() as conn:
            found = matching_ids(conn, statement, first, last)
        for text, got in zip(texts, found, strict=True):
            want = [i for i in evaluate(parse(text), rows, NOW) if first <= i <= last]
            assert sorted(got) == sorted(want), text
    finally:
        db.close()


def test_the_evaluator_can_disagree() -> None:
    """Positive control: a wrong tree gives other ids, so agreement above means something."""
    feeds = [("Apple News", ["Tech"], [
        {"title": "apple rust", "body": "go", "author": None, "url": None, "published": None,
         "html": True, "image": False, "read": False, "bookmarked": False, "hidden": False,
         "full_text": None, "tags": []},
        {"title": "rust", "body": "", "author": None, "url": None, "published": NOW,
         "html": True, "image": False, "read": True, "bookmarked": False, "hidden": False,
         "full_text": None, "tags": []},
    ])]  # fmt: skip
    db = _build(feeds)
    sql = db.query_ids(compile_query(parse("rust -apple"), now=NOW))
    assert sql != evaluate(parse("rust apple"), load(db), NOW)
    assert sql == evaluate(parse("rust -apple"), load(db), NOW)


def test_compiling_takes_the_time_for_relative_dates() -> None:
    a = compile_query(parse("newer:1d"), now=NOW)
    b = compile_query(parse("newer:1d"))
    assert a.params[0] == NOW - DAY and abs(b.params[0] - (time.time() - DAY)) < 60


@settings(
    max_examples=int(os.environ.get("QUERY_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(feeds=libraries(), text=queries, extra=options)
def test_headline_pages_follow_the_reference_evaluator(
    feeds: list[tuple[str, list[str], list[dict[str, object]]]],
    text: str,
    extra: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reader's pages of a search (walked in index order, feed by feed for sort:feed, or by
    SQLite's plan when the walk finds too few) hold the evaluator's ids in its order."""
    import newstui.storage.feed_walk as feed_walk
    import newstui.storage.queries as storage

    monkeypatch.setattr(feed_walk, "FIRST_RUN", 1)  # sort:feed asks about one feed, then 4...
    db = _build(feeds)
    try:
        query = parse(text + extra)
        rows = load(db)
        for dedupe in (False, True):
            db.dedupe = dedupe
            want = evaluate(query, rows, time.time(), dedupe=dedupe)
            # walks that stop early, walks that find the whole page, SQLite's plan alone
            for walk, few in ((3, 0), (4000, 0), (4000, 10**9)):
                monkeypatch.setattr(storage, "WALK", walk)
                monkeypatch.setattr(storage, "WALK_COSTLY", walk)
                monkeypatch.setattr(storage, "FEW", few)
                got: list[int] = []
                for offset in range(0, 40, 2):
                    view = View("search", query=text + extra)
                    got += [h.id for h in db.headlines(view, offset, 2)]
                assert got == want, (walk, few, dedupe)
    finally:
        db.close()


# ---- the feeds' titles' index, and upgrades that read every article ------------------------


def test_feed_titles_follow_renames_new_feeds_and_removals(library: Database) -> None:
    def feeds_of(text: str) -> set[str]:
        ids = library.query_ids(compile_query(parse(text), now=NOW))
        return {library.article(i).feed_title for i in ids}

    assert feeds_of("feed:daily") == {"Tech Daily"}
    tech = library.one("SELECT id FROM feeds WHERE title = 'Tech Daily'")[0]
    library.edit_feed(tech, title="Café Weekly", tags=["Tech"], full_text=None)
    assert feeds_of("feed:daily") == set()
    assert feeds_of("feed:cafe") == feeds_of('feed:"CAFÉ weekly"') == {"Café Weekly"}
    assert feeds_of("feed:wee*") == {"Café Weekly"}
    # A title cleared: the feed's own title (here none, so its address) is what is searched.
    library.edit_feed(tech, title=None, tags=["Tech"], full_text=None)
    assert feeds_of("feed:cafe") == set() and feeds_of("feed:tech") == {"https://tech.example/feed"}
    new = library.insert_feed("https://new.example/rss", title="Daily Planet", tags=())
    apply_refresh(library, new, status="ok", error=None, http_status=200,
                  entries=[_entry("n1", "Hello", "world")])  # fmt: skip
    assert feeds_of("feed:daily") == {"Daily Planet"}
    with library.tx() as conn:
        conn.execute("DELETE FROM feeds WHERE id = ?", (new,))
    assert library.one("SELECT count(*) FROM feeds_fts WHERE feeds_fts MATCH 'planet'")[0] == 0


def test_upgrade_indexes_the_feeds_titles_already_stored(tmp_path: Path) -> None:
    db = Database(tmp_path / "lib.db")
    db.insert_feed("https://a.example/", title="Apple News", tags=())
    db.close()
    number = next(
        n for n, sql in MIGRATIONS.items() if "VIRTUAL TABLE IF NOT EXISTS feeds_fts" in sql
    )
    conn = sqlite3.connect(tmp_path / "lib.db")
    with conn:  # as a library from before: no index of the feeds' titles
        conn.execute("DROP TABLE feeds_fts")
        for name in ("feeds_fts_added", "feeds_fts_renamed", "feeds_fts_gone"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(f"PRAGMA user_version = {number - 1}")
    conn.close()
    db = Database(tmp_path / "lib.db")
    assert db.query("SELECT rowid, title FROM feeds_fts WHERE feeds_fts MATCH 'apple'") == [
        (1, "Apple News")
    ]
    db.close()


def test_finding_copies_on_upgrade_reads_a_batch_at_a_time_and_says_how_far(
    library: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import newstui.storage.upgrades as upgrades

    # The same story in another feed, stored last: its first copy is in the first batch.
    sport = library.one("SELECT id FROM feeds WHERE title = 'Sports Page'")[0]
    apply_refresh(library, sport, status="ok", error=None, http_status=200,
                  entries=[_entry("s3", "Apple phone", "x", url="https://tech.example/apple")])  # fmt: skip
    with library.tx() as conn:
        upgrades.find_copies(conn)  # all at once, as one batch
        before = conn.execute("SELECT id, url_key, text_key, dup_of FROM articles ORDER BY id")
        before = before.fetchall()
        conn.execute("UPDATE articles SET url_key = NULL, text_key = NULL, dup_of = NULL")
    monkeypatch.setattr(upgrades, "COPIES_BATCH", 2)
    sizes: list[int] = []

    class Counting:  # the connection, with the size of each batch of articles read noted
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def execute(self, sql: str, params: Any = ()) -> Any:
            cursor = self.conn.execute(sql, params)
            if "LIMIT" not in sql:
                return cursor
            rows = cursor.fetchall()
            sizes.append(len(rows))
            return _Rows(rows)

        def executemany(self, sql: str, rows: Any) -> Any:
            return self.conn.executemany(sql, rows)

    with library.tx() as conn:
        conn.execute("PRAGMA user_version")  # the same connection, inside a transaction
        upgrades.find_copies(Counting(conn))  # type: ignore[arg-type]
        after = conn.execute(
            "SELECT id, url_key, text_key, dup_of FROM articles ORDER BY id"
        ).fetchall()
    assert sizes == [2, 2, 2, 0]  # six articles, never more than two read at once
    assert after == before and before[-1][3] == before[0][0]  # the copy found its first


class _Rows:
    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def fetchall(self) -> list[Any]:
        return self.rows

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None


@pytest.mark.parametrize(
    "text",
    [
        "Ο λόγος της ΆΘΗΝΑΣ",  # Greek: accents kept by the index, a final sigma is σ there
        "Действие и объём",  # Russian: й and ё are letters of their own
        "Ein Café in der Straße",
        "İstanbul'da bir gün",
        "Naïve façade",
    ],
)
def test_a_word_as_written_finds_its_article_in_any_case(text: str) -> None:
    db = Database(":memory:")
    feed = db.insert_feed("https://f.example/", title="F", tags=())
    apply_refresh(db, feed, status="ok", error=None, http_status=200,
                  entries=[_entry("k", text, f"<p>{text}</p>")])  # fmt: skip
    for word in words(text):
        for written in (word, word.upper(), word.lower(), word.title()):
            if len(written) != len(word):  # "STRASSE", "i̇stanbul": other spellings, not cases
                continue
            for query in (written, f"title:{written}", f"content:{written}", f"{written[:-1]}*"):
                if not words(query):
                    continue
                assert db.query_ids(compile_query(parse(query))) == [1], query
    db.close()


def test_the_words_a_search_found_are_marked_in_any_script() -> None:
    text = "Ο λόγος της ΆΘΗΝΑΣ, Действие и café"
    for query, marked in (("ΛΌΓΟΣ", "λόγος"), ("αθηνας", None), ("άθηνας", "ΆΘΗΝΑΣ"),
                          ("дейст*", "Действие"), ("CAFE", "café")):  # fmt: skip
        found = [text[a:b] for a, b in spans(text, highlights(parse(query), ("text",)))]
        assert found == ([marked] if marked else []), query


def test_feed_order_pages_keep_feeds_whose_titles_tie_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """sort:feed's page is found feed by feed (storage/feed_walk.py); two feeds whose titles
    differ only in case sort as one, their articles interleaved by date, even when the walk
    asks about one feed at a time."""
    import newstui.storage.feed_walk as feed_walk
    import newstui.storage.queries as storage

    monkeypatch.setattr(feed_walk, "FIRST_RUN", 1)
    monkeypatch.setattr(storage, "FEW", 0)

    def article(title: str, hours: int) -> dict[str, object]:
        return {"title": title, "body": "rust news", "author": None, "url": None,
                "published": NOW - hours * 3600, "html": False, "image": False,
                "read": False, "bookmarked": False, "hidden": False, "full_text": None,
                "tags": []}  # fmt: skip

    feeds = [
        ("Zebra Daily", [], [article("z1", 1), article("z2", 2)]),
        ("apple news", [], [article("a1", 1), article("a3", 3), article("a5", 5)]),
        ("Apple News", [], [article("A2", 2), article("A4", 4)]),
        ("Mango", [], [article("m1", 7)]),
    ]
    db = _build(feeds)
    try:
        text = "rust sort:feed"
        want = evaluate(parse(text), load(db), NOW)
        got: list[int] = []
        for offset in range(0, 10, 3):
            got += [h.id for h in db.headlines(View("search", query=text), offset, 3)]
        assert got == want
        titles = [db.article(i).title for i in got]
        assert titles == ["a1", "A2", "a3", "A4", "a5", "m1", "z1", "z2"]
    finally:
        db.close()


def test_an_or_of_flags_without_an_index_reads_its_few_matches_not_every_row() -> None:
    """`has:enclosure OR has:fulltext` pages through the few articles that have either (each
    flag's partial index), where SQLite's own plan reads every row; the positive control: a
    flag ORed with a term that has no index still reads them all."""
    from tests.test_storage_pages import steps

    db = Database(":memory:")
    try:
        feed = db.insert_feed("https://f.example/", title="Feed", tags=())
        apply_refresh(db, feed, status="ok", error=None, http_status=200, entries=[
            _entry(f"k{n}", f"title {n}", "<p>body</p>", published=NOW - n * 60)
            for n in range(3000)
        ])  # fmt: skip
        with db.tx() as conn:
            conn.execute("UPDATE articles SET enclosure = 'x' WHERE id IN (5, 2500)")
            conn.execute("UPDATE articles SET full_text = 'page' WHERE id = 1200")
        view = View("search", query="has:enclosure OR has:fulltext")
        cheap = steps(db, lambda: db.headlines(view, 0, 50))
        assert [h.id for h in db.headlines(view, 0, 50)] == [5, 1200, 2500]
        broad = View("search", query="has:enclosure OR is:read")
        assert [h.id for h in db.headlines(broad, 0, 50)] == [5, 2500]
        costly = steps(db, lambda: db.headlines(broad, 0, 50))
        assert cheap * 20 < costly, (cheap, costly)
    finally:
        db.close()
