"""What compiled queries' SQL needs where it runs, without the compiler: the functions each
connection registers (REGEXP, nt_match, nt_tag), the articles' FROM, the sort orders and the
per-row form of a search-index term. Storage imports these when it opens the library; the
tree, the parser and the compiler (sql.py) load with the first query."""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from newstui.domain.words import has_sequence, words
from newstui.query.folding import fold
from newstui.query.regex import compiled as compiled_regex

FROM = "FROM articles a JOIN feeds f ON f.id = a.feed_id"
"""What a compiled query selects from (`Compiled.FROM`)."""

FEED_TITLE = "coalesce(f.title, f.feed_title, f.url)"
"""A feed's title as the feeds pane shows it (`f` is the feeds table)."""

ORDERS = {
    "newest": "a.sort_date DESC, a.id DESC",
    "oldest": "a.sort_date ASC, a.id ASC",
    "title": "a.title COLLATE NOCASE ASC, a.sort_date DESC, a.id DESC",
    "feed": f"{FEED_TITLE} COLLATE NOCASE ASC, a.sort_date DESC, a.id DESC",
}

IN_INDEX = "a.id {op} (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
"""A search-index term as the compiler writes it (without a range of ids)."""
_PER_ROW = "{op}EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? AND rowid = a.id)"


def per_row(where: str) -> str:
    """`where` (compiled without a range of ids) with each search-index term asked of each row
    (`rowid = a.id`) instead of as the set of every match: SQLite then reads only the rows an
    outer loop gives it (a few feeds' articles), not each of a common word's 77,000 matches.
    The same parameters, in the same order."""
    for op, exists in (("IN", ""), ("NOT IN", "NOT ")):
        where = where.replace(IN_INDEX.format(op=op), _PER_ROW.format(op=exists))
    return where


def regexp(pattern: str | None, text: str | None) -> int:
    """SQLite's `text REGEXP pattern`: a case-insensitive search; NULL text never matches.

    Most texts are turned down by the literal text a match needs (query/regex.py)."""
    if pattern is None or text is None:
        return 0
    found = compiled_regex(pattern)
    return int(found is not None and found.search(text))


@lru_cache(maxsize=256)
def _spec_words(spec: str) -> tuple[str, ...]:
    return tuple(spec[1:].split(" "))


def match_text(spec: str, text: str | None) -> bool:
    """Whether `text` matches a value given as by `_spec` (words as the index splits them)."""
    if text is None:
        return False
    if spec.startswith("r"):
        return bool(regexp(spec[1:], text))
    folded = [fold(w) for w in words(text)]
    return has_sequence(folded, _spec_words(spec), spec.startswith("p"))


def match_tag(spec: str, tag: str | None) -> bool:
    """Whether the tag name `tag` matches a value given as by `_tag_spec` (case aside)."""
    if tag is None:
        return False
    if spec.startswith("r"):
        return bool(regexp(spec[1:], tag))
    name = " ".join(tag.split()).casefold()
    want = spec[1:]
    return name.startswith(want) if spec.startswith("p") else name == want


def register(conn: sqlite3.Connection) -> None:
    """Make the functions compiled queries call available on `conn` (once per connection)."""
    conn.create_function("regexp", 2, regexp, deterministic=True)
    conn.create_function("nt_match", 2, lambda s, t: int(match_text(s, t)), deterministic=True)
    conn.create_function("nt_tag", 2, lambda s, t: int(match_tag(s, t)), deterministic=True)
