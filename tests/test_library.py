"""The Library against a real HTTP server on 127.0.0.1 and a real SQLite file."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newstui.config import Config, RefreshConfig
from newstui.domain.models import FeedStatus, View
from newstui.library.facade import Library
from newstui.query import QueryError
from tests.feedgen import Item, atom, items, jsonfeed, rss
from tests.sql_support import sql_one


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


@pytest.fixture
def library(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = Config(refresh=RefreshConfig(deadline=5.0, connect_timeout=2.0, read_timeout=3.0))
    lib = Library.open(config, tmp_path / "lib.db")
    yield lib
    lib.close()


def serve(httpserver: HTTPServer, path: str, body: bytes, **headers: str) -> str:
    httpserver.expect_request(path).respond_with_data(
        body, content_type=headers.pop("content_type", "application/rss+xml"), headers=headers
    )
    return httpserver.url_for(path)


def test_conditional_get_second_refresh_sends_validators_and_stores_nothing(
    library: Library, httpserver: HTTPServer
) -> None:
    body = rss(items(3))
    seen: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(
            body, headers={"ETag": '"v1"', "Last-Modified": "Sun, 01 Nov 2026 12:00:00 GMT"}
        )

    httpserver.expect_request("/feed").respond_with_handler(handler)
    added = run(library.add_feed(httpserver.url_for("/feed")))
    assert added.feed.total == 3
    outcomes = run(library.refresh())
    assert outcomes[0].status == FeedStatus.NOT_MODIFIED
    assert outcomes[0].new == 0
    assert seen[-1]["If-None-Match"] == '"v1"'
    assert seen[-1]["If-Modified-Since"] == "Sun, 01 Nov 2026 12:00:00 GMT"
    assert library.count(View("all")) == 3
    assert "newstui/" in seen[0]["User-Agent"]


def test_changed_article_updates_in_place_and_keeps_state(
    library: Library, httpserver: HTTPServer
) -> None:
    state = {"body": rss(items(2))}
    httpserver.expect_request("/f").respond_with_handler(lambda r: Response(state["body"]))
    run(library.add_feed(httpserver.url_for("/f")))
    first = library.headlines(View("all"))
    target = first[0].id
    library.set_read([target])
    library.set_bookmarked([target])
    changed = items(2)
    changed[0].title = "Item 0 (corrected)"
    state["body"] = rss([*changed, *items(1, prefix="Fresh")])
    out = run(library.refresh())
    assert (out[0].new, out[0].updated) == (1, 1)
    article = library.article(target)
    assert article.title == "Item 0 (corrected)"
    assert article.read and article.bookmarked
    assert library.count(View("all")) == 3


def test_articles_leaving_the_feed_stay(library: Library, httpserver: HTTPServer) -> None:
    state = {"body": rss(items(3))}
    httpserver.expect_request("/f").respond_with_handler(lambda r: Response(state["body"]))
    run(library.add_feed(httpserver.url_for("/f")))
    state["body"] = rss(items(1, start=10))
    run(library.refresh())
    assert library.count(View("all")) == 4


def test_identity_guid_then_link_then_hash(library: Library, httpserver: HTTPServer) -> None:
    entries = [
        Item("A", guid="same"),
        Item("B", guid="same"),  # duplicate guid: one article
        Item("C", link="https://example.org/c"),
        Item("D", body="<p>no guid, no link</p>"),
        Item("D", body="<p>no guid, no link</p>"),  # identical: one article
    ]
    url = serve(httpserver, "/f", rss(entries))
    run(library.add_feed(url))
    titles = sorted(h.title for h in library.headlines(View("all")))
    assert titles == ["A", "C", "D"]
    run(library.refresh())
    assert library.count(View("all")) == 3


def test_permanent_redirect_updates_stored_url(library: Library, httpserver: HTTPServer) -> None:
    new = serve(httpserver, "/new", rss(items(1)))
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": new})
    added = run(library.add_feed(httpserver.url_for("/old")))
    run(library.refresh())
    assert library.feed(added.feed.id).url == new


def test_temporary_redirect_keeps_url(library: Library, httpserver: HTTPServer) -> None:
    new = serve(httpserver, "/new", rss(items(1)))
    httpserver.expect_request("/tmp").respond_with_data("", status=302, headers={"Location": new})
    added = run(library.add_feed(httpserver.url_for("/tmp")))
    run(library.refresh())
    feed = library.feed(added.feed.id)
    assert feed.url == httpserver.url_for("/tmp")
    assert feed.total == 1


@pytest.mark.parametrize(
    ("status", "expected", "words"),
    [
        (404, FeedStatus.ERROR, "404"),
        (500, FeedStatus.ERROR, "500"),
        (410, FeedStatus.GONE, "410"),
        (429, FeedStatus.ERROR, "retry"),
    ],
)
def test_http_errors_are_recorded_and_keep_articles(
    library: Library, httpserver: HTTPServer, status: int, expected: FeedStatus, words: str
) -> None:
    state = {"status": 200}

    def handler(request: Request) -> Response:
        if state["status"] != 200:
            return Response("nope", status=state["status"], headers={"Retry-After": "120"})
        return Response(rss(items(2)))

    httpserver.expect_request("/f").respond_with_handler(handler)
    added = run(library.add_feed(httpserver.url_for("/f")))
    state["status"] = status
    out = run(library.refresh())
    assert out[0].status == expected
    assert words in (out[0].error or "").lower()
    feed = library.feed(added.feed.id)
    assert feed.status == expected
    assert feed.total == 2  # articles kept
    # A feed that is gone, or waiting out a Retry-After, is not fetched again.
    if status in (410, 429):
        before = len(httpserver.log)
        again = run(library.refresh())
        assert len(httpserver.log) == before
        assert again[0].status == expected


def test_gzip_response(library: Library, httpserver: HTTPServer) -> None:
    body = gzip.compress(rss(items(4)))
    httpserver.expect_request("/gz").respond_with_data(
        body, headers={"Content-Encoding": "gzip"}, content_type="application/xml"
    )
    added = run(library.add_feed(httpserver.url_for("/gz")))
    assert added.feed.total == 4


def test_one_failure_never_stops_the_others(library: Library, httpserver: HTTPServer) -> None:
    good = serve(httpserver, "/good", rss(items(2)))
    bad_state = {"ok": True}

    def bad(request: Request) -> Response:
        return Response(rss(items(1)) if bad_state["ok"] else b"<html>not a feed</html>")

    httpserver.expect_request("/bad").respond_with_handler(bad)
    run(library.add_feed(good))
    run(library.add_feed(httpserver.url_for("/bad")))
    bad_state["ok"] = False
    out = run(library.refresh())
    statuses = sorted(str(o.status) for o in out)
    assert statuses == ["error", "not_modified"] or statuses == ["error", "ok"]


def test_atom_and_json_feed(library: Library, httpserver: HTTPServer) -> None:
    a = run(library.add_feed(serve(httpserver, "/atom", atom(items(2)), content_type="text/plain")))
    j = run(
        library.add_feed(
            serve(httpserver, "/json", jsonfeed(items(3)), content_type="application/json")
        )
    )
    assert (a.feed.total, j.feed.total) == (2, 3)
    assert j.feed.display_title == "JSON Test"


def test_autodiscovery_subscribes_to_the_advertised_feed(
    library: Library, httpserver: HTTPServer
) -> None:
    feed_url = serve(httpserver, "/feed.xml", rss(items(1)))
    page = (
        '<html><head><link rel="alternate" type="application/rss+xml" title="Main" href="/feed.xml">'
        '<link rel="alternate" type="application/atom+xml" title="Comments" href="/c.xml">'
        "</head><body>hi</body></html>"
    )
    httpserver.expect_request("/").respond_with_data(page, content_type="text/html")
    added = run(library.add_feed(httpserver.url_for("/")))
    assert added.feed.url == feed_url
    assert len(added.candidates) == 2


def test_per_host_limit_is_honoured(tmp_path: Path, httpserver: HTTPServer) -> None:
    lock = threading.Lock()
    state = {"now": 0, "max": 0}
    body = rss(items(1))

    def handler(request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.15)
        with lock:
            state["now"] -= 1
        return Response(body)

    httpserver.expect_request("/slow").respond_with_handler(handler)
    config = Config(refresh=RefreshConfig(per_host=2, concurrency=16, deadline=10))
    lib = Library.open(config, tmp_path / "x.db")
    try:
        for i in range(8):
            lib.subscribe(httpserver.url_for("/slow") + f"?n={i}")
        out = run(lib.refresh())
    finally:
        lib.close()
    assert all(o.status == FeedStatus.OK for o in out)
    assert state["max"] == 2


def test_retention_prunes_only_old_read_unbookmarked_articles(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    old = [Item(f"Old {i}", guid=f"old{i}", when=datetime_days_ago(400 + i)) for i in range(3)]
    state = {"body": rss(old)}
    httpserver.expect_request("/f").respond_with_handler(lambda r: Response(state["body"]))
    config = Config(refresh=RefreshConfig(retention_days=30))
    lib = Library.open(config, tmp_path / "r.db")
    try:
        run(lib.add_feed(httpserver.url_for("/f")))
        ids = [h.id for h in lib.headlines(View("all"))]
        lib.set_read(ids[:2])
        lib.set_bookmarked([ids[1]])
        state["body"] = rss(items(1))  # the old ones have left the feed
        run(lib.refresh())
        titles = sorted(h.title for h in lib.headlines(View("all")))
    finally:
        lib.close()
    # ids[0]: read, old, gone from the feed -> pruned; ids[1] bookmarked; ids[2] unread.
    assert titles == ["Item 0", "Old 1", "Old 2"]


def datetime_days_ago(days: int):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) - timedelta(days=days)


def test_removing_a_feed_keeps_its_bookmarks(library: Library, httpserver: HTTPServer) -> None:
    added = run(library.add_feed(serve(httpserver, "/f", rss(items(3)))))
    keep = library.headlines(View("all"))[1]
    library.set_bookmarked([keep.id])
    library.remove_feed(added.feed.id)
    assert library.feeds() == []
    marks = library.headlines(View("bookmarks"))
    assert [h.title for h in marks] == [keep.title]
    assert library.count(View("all")) == 0


def test_search_and_views(library: Library, httpserver: HTTPServer) -> None:
    run(library.add_feed(serve(httpserver, "/f", rss(items(5))), tags=["news"]))
    assert [h.title for h in library.headlines(View("search", query="topic3"))] == ["Item 3"]
    with pytest.raises(QueryError, match="at character 1"):  # a pointed message, no SQL error
        library.count(View("search", query='"(" OR AND'))
    assert library.count(View("tag", tag="news")) == 5
    first = library.headlines(View("all"))
    assert [h.title for h in first] == [f"Item {i}" for i in range(5)]  # newest first
    library.set_read([first[0].id])
    assert library.count(View("unread")) == 4
    assert library.feeds()[0].unread == 4
    assert library.position(View("all"), first[2].id) == 2


def test_search_splits_words_as_the_index_does(library: Library, httpserver: HTTPServer) -> None:
    body = "<p>Send an e-mail, don't wait; the caf\u00e9 serves cr\u00e8me br\u00fbl\u00e9e.</p>"
    feed = rss([Item("Tips", guid="a", body=body), Item("Other", guid="b", body="<p>Quiet.</p>")])
    run(library.add_feed(serve(httpserver, "/f", feed)))

    def found(query: str) -> list[str]:
        return [h.title for h in library.headlines(View("search", query=query))]

    assert found("e-mail") == ["Tips"]
    assert found("don't wait") == ["Tips"]
    assert found("cafe CREME") == ["Tips"]  # accents and case do not matter
    assert found("quiet") == ["Other"]
    assert found("e-mail quiet") == []  # every word must match
    assert found('"cafe serves"') == ["Tips"]
    assert found('"serves cafe"') == []  # a phrase keeps its order
    assert found("caf*") == ["Tips"]
    with pytest.raises(QueryError):
        found("-- ' \"")


def test_a_library_of_schema_1_is_migrated_and_searchable(tmp_path: Path) -> None:
    """Schema 2 recreated the search index; an older library's articles are indexed again."""
    import sqlite3

    from newstui.storage.database import split_sql
    from newstui.storage.schema import APPLICATION_ID, MIGRATIONS

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in split_sql(MIGRATIONS[1]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO feeds(id, url, added) VALUES (1, 'https://example.test/f', 0)")
    articles = [
        (1, "k1", "Harbour news", "<p>The <b>lighthouse</b> keeper</p>", "html", None),
        (2, "k2", "Plain", "a walrus appeared", "text", "Full page about penguins"),
    ]
    for article_id, key, title, content, kind, full_text in articles:
        conn.execute(
            "INSERT INTO articles(id, feed_id, key, title, sort_date, content, content_type, hash,"
            " full_text, first_seen) VALUES (?, 1, ?, ?, 0, ?, ?, '', ?, 0)",
            (article_id, key, title, content, kind, full_text),
        )
    conn.close()

    library = Library.open(Config(), path)
    try:
        for query, title in [
            ("lighthouse", "Harbour news"),
            ("harbour", "Harbour news"),
            ("walrus", "Plain"),
            ("penguins", "Plain"),
        ]:
            assert [h.title for h in library.headlines(View("search", query=query))] == [title]
        assert library.count(View("search", query="keeper b")) == 0  # tags are not words
        assert library.feeds()[0].total == 2
    finally:
        library.close()


def test_a_refresh_in_a_child_process_is_seen_by_the_library_that_asked(
    library: Library, httpserver: HTTPServer
) -> None:
    """The TUI's way to refresh: the child writes, this process's connection reads every time.

    (A stray open/close of the database file by a second connection once dropped the child's
    POSIX locks and left this side reading an old snapshot after the second refresh.)
    """
    from newstui.domain.models import RefreshProgress

    httpserver.expect_request("/c").respond_with_data(rss(items(2)), content_type="text/xml")
    run(library.add_feed(httpserver.url_for("/c")))
    feed = library.feeds()[0]
    for round_, count in [(1, 3), (2, 5)]:
        httpserver.clear()
        httpserver.expect_request("/c").respond_with_data(
            rss(items(count)), content_type="text/xml"
        )
        events: list[RefreshProgress] = []
        outcomes = run(library.refresh_in_child(progress=events.append))
        assert [o.new for o in outcomes] == [1 if round_ == 1 else 2]
        assert [(e.done, e.total) for e in events] == [(1, 1)]
        assert library.count(View("feed", feed_id=feed.id)) == count
        assert library.feeds()[0].total == count


def test_a_refresh_process_that_dies_is_one_clear_error(
    library: Library, httpserver: HTTPServer
) -> None:
    import multiprocessing
    import os
    import signal

    from newstui.refresh.isolated import RefreshProcessError

    release, arrived = threading.Event(), threading.Event()

    def stuck(_request: Request) -> Response:
        arrived.set()
        release.wait(20)
        return Response(rss(items(1)), content_type="text/xml")

    httpserver.expect_request("/stuck").respond_with_handler(stuck)
    library.subscribe(httpserver.url_for("/stuck"))

    async def scenario() -> str:
        task = asyncio.ensure_future(library.refresh_in_child())
        for _ in range(200):  # the child is up and waiting on the server
            await asyncio.sleep(0.05)
            if arrived.is_set():
                break
        assert arrived.is_set()
        for child in multiprocessing.active_children():
            assert child.pid is not None
            os.kill(child.pid, signal.SIGKILL)
        with pytest.raises(RefreshProcessError) as caught:
            await asyncio.wait_for(task, 20)
        return str(caught.value)

    try:
        message = run(scenario())
    finally:
        release.set()
    assert "ended without a result" in message and "-9" in message


def test_next_unread_wraps_across_feeds(library: Library, httpserver: HTTPServer) -> None:
    a = run(library.add_feed(serve(httpserver, "/a", rss(items(2, prefix="A"), title="A feed"))))
    b = run(library.add_feed(serve(httpserver, "/b", rss(items(2, prefix="B"), title="B feed"))))
    a_ids = [h.id for h in library.headlines(View("feed", feed_id=a.feed.id))]
    b_ids = [h.id for h in library.headlines(View("feed", feed_id=b.feed.id))]
    view_a = View("feed", feed_id=a.feed.id)
    assert library.next_unread(view_a, None) == a_ids[0]
    assert library.next_unread(view_a, a_ids[0]) == a_ids[1]
    assert library.next_unread(view_a, a_ids[1]) == b_ids[0]  # into the following feed
    library.set_read(b_ids)
    library.set_read([a_ids[1]])
    assert library.next_unread(view_a, a_ids[1]) == a_ids[0]  # wraps around


def _distinct_ids(path: Path) -> int | None:
    """How many distinct items a real feed has, by feedparser's reading (or JSON Feed's ids)."""
    import json

    import feedparser

    data = path.read_bytes()
    if data.lstrip()[:1] == b"{":
        try:
            doc = json.loads(data)
        except ValueError:
            return None
        if not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
            return None
        return len({str(i.get("id") or i.get("url")) for i in doc.get("items", [])})
    entries = feedparser.parse(data).entries
    if not entries:
        return None
    return len(
        {e.get("id") or e.get("link") or (e.get("title"), e.get("summary")) for e in entries}
    )


def test_every_real_corpus_feed_stores_one_article_per_distinct_id(
    tmp_path: Path, corpus: Path
) -> None:
    files = sorted(p for p in (corpus / "feeds" / "real").rglob("*") if p.is_file())
    expected = {str(p): n for p in files if (n := _distinct_ids(p)) is not None}
    assert len(expected) > 100
    lib = Library.open(Config(), tmp_path / "corpus.db")
    try:
        for path in expected:
            lib.subscribe(path)
        outcomes = run(lib.refresh())
        assert len(outcomes) == len(expected)
        stored = {f.url: f.total for f in lib.feeds()}
    finally:
        lib.close()
    wrong = {p: (n, stored.get(p)) for p, n in expected.items() if stored.get(p) != n}
    assert wrong == {}


def test_broken_corpus_feeds_give_an_error_or_a_partial_result(
    tmp_path: Path, corpus: Path
) -> None:
    files = sorted(p for p in (corpus / "feeds" / "broken").rglob("*") if p.is_file())
    lib = Library.open(Config(), tmp_path / "broken.db")
    try:
        for path in files:
            lib.subscribe(str(path))
        outcomes = run(lib.refresh())
        feeds = lib.feeds()
    finally:
        lib.close()
    assert len(outcomes) == len(files)
    for feed in feeds:
        assert feed.status in (FeedStatus.OK, FeedStatus.ERROR), feed
        if feed.status == FeedStatus.ERROR:
            assert feed.error and "internal error" not in feed.error, feed


def test_render_numbers_links_and_drops_unsafe_ones(
    library: Library, httpserver: HTTPServer
) -> None:
    body = (
        '<p>See <a href="/docs">the docs</a> and <a href="javascript:alert(1)">this</a>.</p>'
        '<p><img src="/pic.png" alt="A picture"></p>'
    )
    url = serve(
        httpserver, "/r", rss([Item("Linked", guid="l", link=httpserver.url_for("/a"), body=body)])
    )
    run(library.add_feed(url))
    article = library.articles(View("all"))[0]
    rendered = library.render(article)
    assert rendered.links[0] == ("the docs", httpserver.url_for("/docs"))
    assert all(not link.startswith("javascript:") for _text, link in rendered.links)
    assert rendered.images == (("A picture", httpserver.url_for("/pic.png")),)
    assert r"\[image: A picture\]" in rendered.markdown and "javascript" not in rendered.markdown


def test_fetch_image_honours_the_image_size_limit(tmp_path: Path, httpserver: HTTPServer) -> None:
    from newstui.config import LimitsConfig
    from newstui.domain.errors import SourceError

    httpserver.expect_request("/small.png").respond_with_data(b"\x89PNG" + bytes(100))
    httpserver.expect_request("/big.png").respond_with_data(b"\x89PNG" + bytes(50_000))
    config = Config(limits=LimitsConfig(max_image_bytes=10_000))
    lib = Library.open(config, tmp_path / "img.db")
    try:
        assert run(lib.fetch_image(httpserver.url_for("/small.png"))).startswith(b"\x89PNG")
        with pytest.raises(SourceError, match="larger"):
            run(lib.fetch_image(httpserver.url_for("/big.png")))
        with pytest.raises(SourceError, match="only http"):
            run(lib.fetch_image("file:///etc/passwd"))
    finally:
        lib.close()


def test_max_html_depth_setting_flattens_deep_bodies(tmp_path: Path) -> None:
    from newstui.config import LimitsConfig
    from newstui.domain.models import Article, ContentType

    body = "<blockquote>" * 30 + "<p>deep words</p>" + "</blockquote>" * 30
    article = Article(
        id=1, feed_id=1, feed_title="f", key="k", title="t", url=None, author=None, site=None,
        published=None, updated=None, content=body, content_type=ContentType.HTML,
        read=False, bookmarked=False,
    )  # fmt: skip

    def quote_depth(limit: int) -> int:
        lib = Library.open(
            Config(limits=LimitsConfig(max_html_depth=limit)), tmp_path / f"{limit}.db"
        )
        try:
            markdown = lib.render(article).markdown
        finally:
            lib.close()
        line = next(x for x in markdown.splitlines() if "deep words" in x)
        assert "deep words" in line
        return line.split("deep")[0].count(">")

    assert quote_depth(100) == 30
    assert quote_depth(10) <= 10


def test_feed_counters_match_the_articles_through_every_kind_of_change(tmp_path: Path) -> None:
    """The feeds pane shows maintained counters, never a count of the table: after new, changed,
    duplicated, read, pruned and removed articles they must still equal what is stored."""
    from newstui.domain.update import StoredEntry
    from newstui.storage.db import Database
    from tests.storage_support import apply_refresh

    lib = Library.open(Config(), tmp_path / "counts.db")

    def entry(key: str, body: str, when: float) -> StoredEntry:
        return StoredEntry(key, f"Title {key}", None, None, None, when, when, body, "text",
                           f"{key}:{body}")  # fmt: skip

    own = Database(tmp_path / "counts.db")  # the test's own connection to the library's file

    def store(feed_id: int, entries: list[StoredEntry], retention: int = 0) -> tuple[int, int]:
        return apply_refresh(own, feed_id, status="ok", error=None, http_status=200,
                             entries=entries, retention_days=retention)  # fmt: skip

    def check() -> None:
        for feed in lib.feeds():
            total, unread = sql_one(
                tmp_path / "counts.db",
                "SELECT count(*), coalesce(sum(read = 0), 0) FROM articles WHERE feed_id = ?",
                (feed.id,),
            )
            assert (feed.total, feed.unread) == (total, unread), feed.url

    try:
        a = lib.subscribe("/nowhere/a.xml", title="A", tags=()).id
        b = lib.subscribe("/nowhere/b.xml", title="B", tags=()).id
        old = time.time() - 90 * 86400
        assert store(a, [entry("1", "walrus", old), entry("2", "otter", old)]) == (2, 0)
        assert store(b, [entry("x", "heron", old)]) == (1, 0)
        check()
        # one changed, one new, the same key twice in one document (the later one is kept)
        got = store(a, [entry("1", "seal", old), entry("3", "puffin", old), entry("3", "auk", old)])
        assert got == (1, 1)
        check()
        assert [h.title for h in lib.headlines(View("search", query="auk"))] == ["Title 3"]
        assert lib.headlines(View("search", query="puffin")) == []
        # a stored article changed twice in one document: one update, the later text indexed
        assert store(a, [entry("2", "stoat", old), entry("2", "weasel", old)]) == (0, 1)
        assert [h.title for h in lib.headlines(View("search", query="weasel"))] == ["Title 2"]
        assert lib.headlines(View("search", query="stoat")) == []
        check()
        ids = [h.id for h in lib.headlines(View("feed", feed_id=a))]
        lib.set_read(ids)
        check()
        # retention prunes the read articles that left the feed
        store(a, [entry("3", "auk", old)], retention=30)
        check()
        assert lib.feeds()[0].total == 1
        lib.subscribe("/nowhere/c.xml", title="C", tags=())
        store(b, [entry("y", "crane", time.time())])
        check()
    finally:
        own.close()
        lib.close()


@pytest.mark.parametrize("pool", [False, True], ids=["threads", "processes"])
def test_a_refresh_decodes_bodies_within_the_size_cap(
    tmp_path: Path, httpserver: HTTPServer, pool: bool
) -> None:
    """A refresh leaves gzip to its parse workers; the cap and the messages must be the ones a
    fetch gives, and one hostile body must not cost the good feed beside it."""
    cap = 256 * 1024
    bomb = gzip.compress(b"<rss>" + b" " * (4 * cap), compresslevel=9)
    good = gzip.compress(rss(items(3)))
    for path, body in [("/bomb", bomb), ("/bad", b"not gzip at all"), ("/good", good)]:
        httpserver.expect_request(path).respond_with_data(
            body, headers={"Content-Encoding": "gzip"}, content_type="application/rss+xml"
        )
    threshold = 1 if pool else 100
    config = Config(refresh=RefreshConfig(max_bytes=cap, process_pool_threshold=threshold))
    lib = Library.open(config, tmp_path / "gz.db")
    try:
        for path in ("/bomb", "/bad", "/good"):
            lib.subscribe(httpserver.url_for(path))
        out = {o.url.rsplit("/", 1)[1]: o for o in run(lib.refresh())}
        feeds = {f.url.rsplit("/", 1)[1]: f for f in lib.feeds()}
    finally:
        lib.close()
    assert out["good"].status == FeedStatus.OK and feeds["good"].total == 3
    assert out["bomb"].status == FeedStatus.ERROR
    assert out["bomb"].error == "response larger than 256 KiB"
    assert out["bad"].status == FeedStatus.ERROR
    assert (out["bad"].error or "").startswith("bad gzip data")
    assert feeds["bomb"].error == out["bomb"].error and feeds["bomb"].http_status == 200


def test_a_views_kind_is_an_enum_and_a_wrong_kind_is_refused() -> None:
    from newstui.domain.models import ViewKind

    assert View("feed", feed_id=1).kind is ViewKind.FEED
    assert View("feed", 1) == View(ViewKind.FEED, 1)
    assert hash(View("all")) == hash(View(ViewKind.ALL))
    with pytest.raises(ValueError, match="no kind of view 'feeds'"):
        View("feeds")


def test_the_database_is_the_librarys_own(tmp_path: Path) -> None:
    """No `db` to reach past the facade: callers use the Library's methods (and `path`)."""
    lib = Library.open(Config(), tmp_path / "own.db")
    try:
        assert not hasattr(lib, "db")
        assert lib.path == str(tmp_path / "own.db")
        feed = lib.subscribe(str(tmp_path / "later.xml"), title="Later", tags=["a", " a ", ""])
        assert (feed.display_title, feed.tags, feed.total) == ("Later", ("a",), 0)
        assert str(feed.status) == "never"  # subscribed, nothing read yet
    finally:
        lib.close()


def test_documents_waiting_for_a_parse_hold_back_the_next_fetches(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where parsing is the slower stage, fetched documents wait for it in memory: a refresh
    # holds at most DOCUMENTS_PER_CONNECTION x concurrency of them (fetching, waiting, parsing).
    from newstui.refresh import pipeline

    answered: list[int] = []
    httpserver.expect_request("/f").respond_with_handler(
        lambda request: answered.append(1) or Response(rss(items(2)))  # type: ignore[func-returns-value]
    )
    parsing = threading.Semaphore(0)
    release = threading.Event()
    real = pipeline.parse_body

    def held(*args):  # type: ignore[no-untyped-def]
        parsing.release()
        release.wait(timeout=20)
        return real(*args)

    monkeypatch.setattr(pipeline, "parse_body", held)
    config = Config(refresh=RefreshConfig(concurrency=2, per_host=2, deadline=30))
    lib = Library.open(config, tmp_path / "x.db")
    holds = pipeline.DOCUMENTS_PER_CONNECTION * config.refresh.concurrency
    assert holds == 2
    try:
        for i in range(12):
            lib.subscribe(httpserver.url_for("/f") + f"?n={i}")

        async def refresh_while_parses_wait() -> int:
            task = asyncio.ensure_future(lib.refresh())
            for _ in range(holds):  # every slot's document has reached its parse
                assert await asyncio.to_thread(parsing.acquire, timeout=20)
            await asyncio.sleep(0.3)  # time for fetches that should not start, to start
            fetched = len(answered)
            release.set()
            out = await task
            assert [o.status for o in out] == [FeedStatus.OK] * 12
            return fetched

        assert run(refresh_while_parses_wait()) == holds
    finally:
        release.set()
        lib.close()


def test_parsed_feeds_waiting_for_the_writer_hold_back_the_next_parses(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where the writer is the slower stage, parsed feeds wait for it in memory: at most
    # UNSTORED of them are parsing or parsed and not yet stored; the rest wait unparsed.
    from newstui.refresh import pipeline
    from newstui.storage import writer

    httpserver.expect_request("/f").respond_with_data(rss(items(2)))
    parses: list[int] = []
    real_parse, real_apply = pipeline.parse_body, writer.apply_updates
    stored = threading.Event()

    def counted(*args):  # type: ignore[no-untyped-def]
        parses.append(1)
        return real_parse(*args)

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        stored.wait(timeout=20)
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(pipeline, "parse_body", counted)
    monkeypatch.setattr(writer, "apply_updates", held)
    feeds = pipeline.UNSTORED + 10
    lib = Library.open(Config(refresh=RefreshConfig(deadline=30)), tmp_path / "x.db")
    try:
        for i in range(feeds):
            lib.subscribe(httpserver.url_for("/f") + f"?n={i}")

        async def refresh_while_the_writer_waits() -> int:
            task = asyncio.ensure_future(lib.refresh())
            for _ in range(200):  # until the parses stop (bounded: 10 s)
                if len(parses) >= pipeline.UNSTORED or task.done():
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # time for parses that should not start, to start
            parsed = len(parses)
            stored.set()
            out = await task
            assert [o.status for o in out] == [FeedStatus.OK] * feeds
            return parsed

        assert run(refresh_while_the_writer_waits()) == pipeline.UNSTORED
    finally:
        stored.set()
        lib.close()
