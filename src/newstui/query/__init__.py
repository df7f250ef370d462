"""The query language: one parser into a typed tree, compiled to parameterised SQL.

Search (`/`), saved views, rules, bulk marks and `newstui articles --query` all go through it.

Usage::

    from newstui.query import QueryError, compile_query, parse

    try:
        query = parse('is:unread (rust OR "memory safety") -#sports newer:7d sort:oldest')
    except QueryError as exc:          # exc.message, exc.position, exc.pointer()
        ...
    compiled = compile_query(query, now=time.time())
    sql, params = compiled.select("a.id")   # SELECT a.id FROM articles a JOIN feeds f ...
    # or build your own: f"... {Compiled.FROM} WHERE f.removed = 0 AND ({compiled.where})",
    # with compiled.params, ORDER BY compiled.order, LIMIT compiled.limit

The storage layer registers the SQL functions the compiled text calls (`sql.register`: REGEXP,
nt_match, nt_tag) on each of its connections, and offers the common uses:
`Database.query_ids(compiled, within=ids)` (which of the given articles match: what a rule
applied to new articles needs), `query_count`, `query_unread`, and the views
`View("search", query=TEXT)` / `View("query", query=TEXT)` for headlines, counts and marks.

The language (see README "Searching"):

- Terms side by side are ANDed (an explicit `AND` is allowed); `OR`; `-term` / `NOT term`;
  parentheses. Precedence: NOT, then AND, then OR. Keywords are upper case.
- Bare words, `"a phrase"` and `prefix*` search the title and text in the search index.
- Fields `title:`, `author:`, `url:`, `content:` (the index's columns), `feed:` (the feed's title;
  a number matches its id too), `tag:NAME` / `#NAME` (feed tags and article tags, whole names,
  case aside; `tag:tech*` a prefix). Values: a word, a "phrase", a prefix*, or /regex/
  (Python syntax, case-insensitive, evaluated last).
- Words are compared as the index compares them: case and accents aside as SQLite's tokenizer
  sets them aside (query/folding.py: Latin letters' marks go, Greek and Cyrillic letters stay),
  split at anything that is not a letter or digit (`title:apple` matches "Apple's", not "pineapple"); a word that splits
  into several (`e-mail`) must match them one after another, as a phrase.
- `is:unread|read|bookmarked|hidden`, `has:enclosure|image|fulltext`.
- `after:DATE` (published at or after its start, UTC), `before:DATE` (published before it),
  `newer:7d`, `older:2w` (h, d, w, m = 30 days, y = 365 days); undated articles never match.
- `sort:newest|oldest|title|feed`, `limit:N`: at the top level only.
- Hidden articles match only a query that mentions `is:hidden`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newstui.domain.words import words
    from newstui.query.errors import QueryError
    from newstui.query.folding import spans
    from newstui.query.runtime import register
    from newstui.query.sql import Compiled, compile_query
    from newstui.query.syntax import parse
    from newstui.query.tree import (
        And,
        Date,
        Flag,
        Match,
        Node,
        Not,
        Or,
        Query,
        Regex,
        Text,
        combine,
        feed_only,
        highlights,
    )

_TREE = ("And", "Date", "Flag", "Match", "Node", "Not", "Or", "Query", "Regex", "Text")
_HOMES = {
    **{name: "tree" for name in (*_TREE, "combine", "feed_only", "highlights")},
    "Compiled": "sql",
    "compile_query": "sql",
    "parse": "syntax",
    "QueryError": "errors",
    "register": "runtime",
    "spans": "folding",
}
"""The module of `newstui.query` each name comes from (`words`: the domain's)."""


def __getattr__(name: str) -> Any:
    """A name of the package's, its module imported when first asked for: opening a library
    needs `register` (runtime.py) and the error, not the parser, the tree's classes and the
    compiler (~8 ms of the reader's imports before its first paint)."""
    if name == "words":
        from newstui.domain.words import words as value
    elif name in _HOMES:
        value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = [
    "And",
    "Compiled",
    "Date",
    "Flag",
    "Match",
    "Node",
    "Not",
    "Or",
    "Query",
    "QueryError",
    "Regex",
    "Text",
    "combine",
    "compile_query",
    "feed_only",
    "highlights",
    "parse",
    "register",
    "spans",
    "words",
]
