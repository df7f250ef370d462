"""The reference evaluator of the query language: plain Python over the stored rows.

It reads every article, feed and tag once and answers a parsed query without SQL, so a test can
hold the SQL compiler's answer against it. Word matching is written here from the language's
definition: words are what the search index makes of a text (runs of letters and digits, case
and Latin accents aside), asked of SQLite's tokenizer for each whole text.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from newstui.domain.update import unpack_text
from newstui.query import And, Date, Flag, Match, Node, Not, Or, Query, Regex, Text
from newstui.storage.db import Database

_TOKENIZER = sqlite3.connect(":memory:", check_same_thread=False)
_TOKENIZER.execute(
    "CREATE VIRTUAL TABLE texts USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')"
)
_TOKENIZER.execute("CREATE VIRTUAL TABLE tokens USING fts5vocab(texts, 'instance')")


@lru_cache(maxsize=100_000)
def _words(text: str | None) -> tuple[str, ...]:
    """The words of `text` as the search index makes them (SQLite's own tokenizer, asked about
    the whole text): what the language means by a word, case and Latin accents aside."""
    if not text:
        return ()
    if text.isascii():
        return tuple(w.lower() for w in re.findall(r"[A-Za-z0-9]+", text))
    _TOKENIZER.execute("INSERT INTO texts(rowid, x) VALUES (1, ?)", (text,))
    found = tuple(t for (t,) in _TOKENIZER.execute("SELECT term FROM tokens ORDER BY offset"))
    _TOKENIZER.execute("DELETE FROM texts")
    return found


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...], prefix: bool) -> bool:
    n = len(needle)
    if not prefix and n == 1:
        return needle[0] in haystack
    for i in range(len(haystack) - n + 1):
        window = haystack[i : i + n]
        if window[:-1] == needle[:-1] and (
            window[-1] == needle[-1] or (prefix and window[-1].startswith(needle[-1]))
        ):
            return True
    return False


def _nocase(text: str) -> str:
    """SQLite's NOCASE: ASCII letters folded, nothing else."""
    return "".join(c.lower() if c.isascii() else c for c in text)


@dataclass
class Row:
    id: int
    feed_id: int
    feed_title: str
    title: str
    author: str | None
    url: str | None
    published: float | None
    sort_date: float
    read: bool
    bookmarked: bool
    hidden: bool
    enclosure: str | None
    content: str
    content_type: str
    full_text: str | None
    body: str
    tags: list[str]
    story: int = 0
    """The story's first copy (its own id when it is one): copies of a story share it."""


def load(db: Database) -> list[Row]:
    feed_tags: dict[int, list[str]] = {}
    for feed_id, tag in db.query("SELECT feed_id, tag FROM feed_tags"):
        feed_tags.setdefault(feed_id, []).append(tag)
    article_tags: dict[int, list[str]] = {}
    for article_id, tag in db.query("SELECT article_id, tag FROM article_tags"):
        article_tags.setdefault(article_id, []).append(tag)
    bodies = dict(db.query("SELECT rowid, body FROM articles_fts"))
    rows = db.query(
        "SELECT a.id, a.feed_id, coalesce(f.title, f.feed_title, f.url), a.title, a.author, a.url, "
        "a.published, a.sort_date, a.read, a.bookmarked, a.hidden, a.enclosure, a.content, "
        "a.content_type, a.full_text, coalesce(a.dup_of, a.id) "
        "FROM articles a JOIN feeds f ON f.id = a.feed_id "
        "WHERE f.removed = 0"
    )
    out = []
    for r in rows:
        out.append(
            Row(
                *r[:8],
                bool(r[8]),
                bool(r[9]),
                bool(r[10]),
                r[11],
                unpack_text(r[12]),  # packed or not (domain.update.pack_text)
                *r[13:15],
                bodies.get(r[0], ""),
                feed_tags.get(r[1], []) + article_tags.get(r[0], []),
                r[15],
            )
        )
    return out


def _text_match(value: Text | Regex, text: str | None) -> bool:
    if text is None:
        return False
    if isinstance(value, Regex):
        return re.search(value.pattern, text, re.IGNORECASE) is not None
    return _contains(_words(text), value.words, value.prefix)


def _tag_match(value: Text | Regex, tag: str) -> bool:
    if isinstance(value, Regex):
        return re.search(value.pattern, tag, re.IGNORECASE) is not None
    name = " ".join(tag.split()).casefold()
    return name.startswith(value.words[0]) if value.prefix else name == value.words[0]


def matches(node: Node, row: Row, now: float) -> bool:
    if isinstance(node, And):
        return all(matches(i, row, now) for i in node.items)
    if isinstance(node, Or):
        return any(matches(i, row, now) for i in node.items)
    if isinstance(node, Not):
        return not matches(node.item, row, now)
    if isinstance(node, Flag):
        return {
            "unread": not row.read,
            "read": row.read,
            "bookmarked": row.bookmarked,
            "hidden": row.hidden,
            "enclosure": row.enclosure is not None,
            "image": (row.content_type == "html" and "<img" in row.content.lower())
            or (row.content_type == "markdown" and "![" in row.content),
            "fulltext": row.full_text is not None,
        }[node.name]
    if isinstance(node, Date):
        if row.published is None:
            return False
        moment = node.at if node.at is not None else now - (node.age or 0)
        return row.published >= moment if node.op == ">=" else row.published < moment
    assert isinstance(node, Match)
    value = node.value
    if node.field == "text":
        return _text_match(value, row.title) or _text_match(value, row.body)
    if node.field == "title":
        return _text_match(value, row.title)
    if node.field == "content":
        return _text_match(value, row.body)
    if node.field == "author":
        return _text_match(value, row.author)
    if node.field == "url":
        return _text_match(value, row.url)
    if node.field == "feed" and isinstance(value, Text) and not value.words:
        return node.feed_id == row.feed_id
    if node.field == "feed":
        return _text_match(value, row.feed_title) or node.feed_id == row.feed_id
    if node.field == "tag":
        return any(_tag_match(value, t) for t in row.tags)
    raise AssertionError(node)


def evaluate(query: Query, rows: list[Row], now: float, *, dedupe: bool = False) -> list[int]:
    """The ids of the articles `query` selects, in its order, with its limit; with `dedupe`,
    what a search lists: a story once, by its first copy if that matches, else its earliest."""
    picked = [
        r
        for r in rows
        if (query.hidden or not r.hidden) and (query.expr is None or matches(query.expr, r, now))
    ]
    if dedupe:
        shown: dict[int, Row] = {}
        for r in sorted(picked, key=lambda r: (r.id != r.story, r.id)):
            shown.setdefault(r.story, r)
        picked = list(shown.values())
    keys: dict[str, Any] = {
        "newest": lambda r: (-r.sort_date, -r.id),
        "oldest": lambda r: (r.sort_date, r.id),
        "title": lambda r: (_nocase(r.title), -r.sort_date, -r.id),
        "feed": lambda r: (_nocase(r.feed_title), -r.sort_date, -r.id),
    }
    picked.sort(key=keys[query.sort])
    ids = [r.id for r in picked]
    return ids if query.limit is None else ids[: query.limit]
