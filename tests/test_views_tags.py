"""A tag's view and `#tag` find the same articles whatever the case it is written in."""

from __future__ import annotations

from newstui.domain.models import View
from newstui.query import compile_query, parse
from newstui.storage.db import Database
from tests.storage_support import apply_refresh
from tests.test_query import _entry


def _library() -> Database:
    db = Database(":memory:")
    for n, (title, tags) in enumerate([("Tech One", ("Tech",)), ("Tech Two", ("tech",)),
                                       ("Sport", ("Sports",))]):  # fmt: skip
        feed = db.insert_feed(f"https://f{n}.example/", title=title, tags=tags)
        apply_refresh(db, feed, status="ok", error=None, http_status=200,
                      entries=[_entry(f"k{n}", f"{title} story", "text")])  # fmt: skip
    feed = db.insert_feed("https://f9.example/", title="Tech Three", tags=())
    with db.tx() as conn:  # as another client may have written it: a third spelling
        conn.execute("INSERT INTO feed_tags(feed_id, tag) VALUES (?, 'TECH')", (feed,))
    apply_refresh(db, feed, status="ok", error=None, http_status=200,
                  entries=[_entry("k9", "Tech Three story", "text")])  # fmt: skip
    return db


def test_a_tag_view_in_any_case_lists_every_spelling() -> None:
    db = _library()
    want = ["Tech One story", "Tech Two story", "Tech Three story"]
    for spelling in ("Tech", "tech", "TECH", "tEcH"):
        view = View("tag", tag=spelling)
        assert sorted(h.title for h in db.headlines(view, 0, 50)) == sorted(want), spelling
        assert db.count(view) == 3
        assert db.count(View("tag", tag=spelling, unread_only=True)) == 3
    assert db.headlines(View("tag", tag="sports"), 0, 50)[0].title == "Sport story"
    assert db.headlines(View("tag", tag="nothing"), 0, 50) == []
    db.close()


def test_the_tag_view_and_the_query_agree() -> None:
    db = _library()
    for spelling in ("Tech", "TECH", "sPORTS"):
        listed = db.view_ids(View("tag", tag=spelling))
        assert listed == db.query_ids(compile_query(parse(f"#{spelling}"))), spelling
        assert listed == db.query_ids(compile_query(parse(f"tag:{spelling}"))), spelling
    db.close()
