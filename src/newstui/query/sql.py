"""The query tree compiled to SQL with parameters (the SQL functions it calls: runtime.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Final, Literal

from newstui.query.runtime import (
    FEED_TITLE,
    FROM,
    ORDERS,
    match_tag,
    match_text,
    regexp,
    register,
)
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
)

_FTS_COLUMNS = {
    "text": "{title body}",
    "title": "title",
    "content": "body",
    "author": "author",
    "url": "url",
}
"""The search index's column(s) that each text field is matched in."""

_REGEX_TARGET = {
    "title": "a.title",
    "content": "(SELECT body FROM articles_fts WHERE rowid = a.id)",
    "author": "a.author",
    "url": "a.url",
}
"""What a /regex/ value is searched in: the text the index holds for content (tags and
entities out, the fetched web page in), the stored value for the others."""


@dataclass(frozen=True, slots=True)
class Compiled:
    """A query as SQL over `articles a JOIN feeds f ON f.id = a.feed_id`.

    `where` is a boolean expression with `?` placeholders for `params`; `order` an ORDER BY
    list; `limit` the query's own limit:N, if any.
    """

    where: str
    params: tuple[Any, ...]
    order: str
    limit: int | None
    dated: bool = False
    """Every article the query selects has a published date (it ANDs a date term)."""
    costly: bool = False
    """A term costs much for each row it is asked about: Python runs (a /regex/), or the
    article's row is read (a flag the sort index does not hold)."""
    bounds: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    """SELECTs of article ids (with their params) that every article the query selects is
    among, from its ANDed indexed terms (words, tags, feeds, flags with an index): reading a few of
    their rows says cheaply whether the query can select many articles."""

    FROM = FROM

    def select(self, columns: str = "a.id", *, ordered: bool = True) -> tuple[str, list[Any]]:
        """A whole SELECT of `columns` for the query's articles, in its order, with its limit."""
        sql = f"SELECT {columns} {self.FROM} WHERE f.removed = 0 AND ({self.where})"
        params = list(self.params)
        if ordered:
            sql += f" ORDER BY {self.order}"
        if self.limit is not None:
            sql += " LIMIT ?"
            params.append(self.limit)
        return sql, params


NUMBERED: Final = "numbered"
"""`compile_query`'s `ids` when the range is the statement's own ?1 and ?2 (bound first)."""


@dataclass(frozen=True, slots=True)
class RegexTerm:
    """A /regex/ on an article's own column (title, author, url) that the caller tests in
    Python (`compile_query(regex_rows=True)`): the parameter it stands for must become a JSON
    array of the ids, in the range asked about, whose column the regex matches."""

    field: str
    pattern: str


_ROW_REGEX_FIELDS = ("title", "author", "url")


@dataclass(frozen=True, slots=True)
class _Scope:
    """What the SQL is compiled for: `now`, and the range of ids it is right for, if any."""

    now: float
    ids: tuple[int, int] | str | None = None
    regex_rows: bool = False

    def within(self, column: str, params: list[Any]) -> str:
        """`AND column BETWEEN ...` for the ids asked about (nothing without a range)."""
        if self.ids is None:
            return ""
        if isinstance(self.ids, str):
            return f" AND {column} BETWEEN ?1 AND ?2"
        params.extend(self.ids)
        return f" AND {column} BETWEEN ? AND ?"


def compile_query(
    query: Query,
    *,
    now: float | None = None,
    ids: tuple[int, int] | Literal["numbered"] | None = None,
    regex_rows: bool = False,
) -> Compiled:
    """SQL for `query`; `now` (a UTC timestamp) is what newer:/older: count back from.

    With `ids` (first, last), the SQL is right only for articles whose id is in that range: the
    search index and the articles' tags are asked about those rows alone (FTS5 seeks a range of
    rowids), so testing a few articles does not read every match of a common word. `NUMBERED`
    says the same of the range the statement binds as ?1 and ?2. With `regex_rows`, a regex on
    an article's title, author or url is a `RegexTerm` parameter for the caller to fill (the
    rules test a batch of new articles' titles in one Python pass, not a call a row).
    """
    scope = _Scope(time.time() if now is None else now, ids, regex_rows)
    parts: list[str] = []
    params: list[Any] = []
    if query.expr is not None:
        parts.append(_node(query.expr, scope, params))
    if not query.hidden:
        parts.append("a.hidden = 0")
    where = " AND ".join(f"({p})" for p in parts) or "1"
    dated = query.expr is not None and _dated(query.expr)
    costly = query.expr is not None and _costly(query.expr)
    bounds = () if query.expr is None else tuple(_bounds(query.expr))
    return Compiled(where, tuple(params), ORDERS[query.sort], query.limit, dated, costly, bounds)


_UNINDEXED_FLAGS = ("enclosure", "image", "fulltext")
"""Flags that the sort index does not hold (testing one reads the article's row); each has a
partial index of the articles that have it."""


def _costly(node: Node) -> bool:
    if isinstance(node, Match):
        return isinstance(node.value, Regex)
    if isinstance(node, Flag):
        return node.name in _UNINDEXED_FLAGS
    if isinstance(node, Not):
        return _costly(node.item)
    if isinstance(node, And | Or):
        return any(_costly(i) for i in node.items)
    return False


def _bounds(node: Node) -> list[tuple[str, tuple[Any, ...]]]:
    """What `Compiled.bounds` holds for `node`: its terms that an AND requires, as id sets."""
    expr = _fts(node)
    if expr is None and isinstance(node, And):
        positive, negative = _fts_split(node.items)
        expr = _fts_and(positive, negative) if positive else None
    out: list[tuple[str, tuple[Any, ...]]] = []
    if expr is not None:
        out.append(("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (expr,)))
    for item in node.items if isinstance(node, And) else (node,):
        if isinstance(item, Flag) and item.name in ("bookmarked", *_UNINDEXED_FLAGS):
            out.append((f"SELECT a.id FROM articles a WHERE {_FLAG_SQL[item.name]}", ()))
        elif (
            isinstance(item, Match)
            and item.field in ("tag", "feed")
            and (isinstance(item.value, Text))
        ):
            params: list[Any] = []
            test = _match(item, params)
            out.append((f"SELECT a.id FROM articles a WHERE {test}", tuple(params)))
        elif isinstance(item, Or) and _fts(item) is None:
            # Every article `a OR b` selects is among a's bound's or b's (each its first).
            each = [_bounds(i) for i in item.items]
            if all(each):
                union = " UNION ".join(b[0][0] for b in each)
                out.append((union, tuple(p for b in each for p in b[0][1])))
    return out


def _dated(node: Node) -> bool:
    if isinstance(node, Date):
        return True
    if isinstance(node, And):
        return any(_dated(i) for i in node.items)
    if isinstance(node, Or):
        return all(_dated(i) for i in node.items)
    return False


# ---- the search index part ----------------------------------------------------------------


def _fts_phrase(text: Text) -> str:
    quoted = '"' + " ".join(w.replace('"', '""') for w in text.words) + '"'
    return quoted + " *" if text.prefix else quoted


def _fts(node: Node) -> str | None:
    """`node` as one FTS5 expression when it can be one (index words, combined with AND/OR and
    NOT after something positive); None otherwise."""
    if isinstance(node, Match):
        if node.field in _FTS_COLUMNS and isinstance(node.value, Text):
            return f"{_FTS_COLUMNS[node.field]} : {_fts_phrase(node.value)}"
        return None
    if isinstance(node, Or):
        items = [_fts(i) for i in node.items]
        if all(items):
            return "(" + " OR ".join(str(i) for i in items) + ")"
        return None
    if isinstance(node, And):
        positive, negative = _fts_split(node.items)
        if positive and len(positive) + len(negative) == len(node.items):
            return _fts_and(positive, negative)
        return None
    return None


def _fts_split(items: tuple[Node, ...]) -> tuple[list[str], list[str]]:
    positive: list[str] = []
    negative: list[str] = []
    for item in items:
        if isinstance(item, Not):
            inner = _fts(item.item)
            if inner is not None:
                negative.append(inner)
            continue
        expr = _fts(item)
        if expr is not None:
            positive.append(expr)
    return positive, negative


def _fts_and(positive: list[str], negative: list[str]) -> str:
    expr = "(" + " AND ".join(positive) + ")"
    if negative:
        expr += " NOT (" + " OR ".join(negative) + ")"
    return expr


def _in_index(expr: str, params: list[Any], scope: _Scope, *, negate: bool = False) -> str:
    params.append(expr)
    op = "NOT IN" if negate else "IN"
    within = scope.within("rowid", params)
    return f"a.id {op} (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?{within})"


# ---- the rest -----------------------------------------------------------------------------


def _cost(node: Node) -> int:
    """Order of evaluation inside AND/OR: flags and dates, then the index, regexes last."""
    if isinstance(node, Flag | Date):
        return 0
    if isinstance(node, Match):
        return 3 if isinstance(node.value, Regex) else 1
    if isinstance(node, Not):
        return _cost(node.item)
    return max((_cost(i) for i in node.items), default=0)


def _node(node: Node, scope: _Scope, params: list[Any]) -> str:
    expr = _fts(node)
    if expr is not None:
        return _in_index(expr, params, scope)
    if isinstance(node, Not):
        inner = _fts(node.item)
        if inner is not None:
            return _in_index(inner, params, scope, negate=True)
        return f"NOT ({_node(node.item, scope, params)})"
    if isinstance(node, And):
        positive, negative = _fts_split(node.items)
        parts: list[str] = []
        rest = [
            i
            for i in node.items
            if not (
                (isinstance(i, Not) and _fts(i.item) is not None)
                or (not isinstance(i, Not) and _fts(i) is not None)
            )
        ]
        if positive:
            parts.append(_in_index(_fts_and(positive, negative), params, scope))
        else:
            parts.extend(_in_index(n, params, scope, negate=True) for n in negative)
        parts.extend(_node(i, scope, params) for i in sorted(rest, key=_cost))
        return " AND ".join(f"({p})" for p in parts)
    if isinstance(node, Or):
        return " OR ".join(f"({_node(i, scope, params)})" for i in sorted(node.items, key=_cost))
    if isinstance(node, Flag):
        return _FLAG_SQL[node.name]
    if isinstance(node, Date):
        params.append(node.moment(scope.now))
        return f"a.published IS NOT NULL AND a.published {node.op} ?"
    return _match(node, params, scope)


_FLAG_SQL = {
    "unread": "a.read = 0",
    "read": "a.read = 1",
    "bookmarked": "a.bookmarked = 1",
    "hidden": "a.hidden = 1",
    "enclosure": "a.enclosure IS NOT NULL",
    "image": "a.has_image = 1",
    "fulltext": "a.full_text IS NOT NULL",
}


def _match(node: Match, params: list[Any], scope: _Scope | None = None) -> str:
    value = node.value
    if node.field == "feed" and isinstance(value, Text) and not value.words:
        params.append(node.feed_id)
        return "a.feed_id = ?"
    if node.field == "feed":
        if isinstance(value, Text):  # the feeds' titles have a search index of their own
            params.append(_fts_phrase(value))
            test = "g.rowid IN (SELECT rowid FROM feeds_fts WHERE feeds_fts MATCH ?)"
        else:
            params.append(_spec(value))
            test = f"nt_match(?, {FEED_TITLE.replace('f.', 'g.')})"
        if node.feed_id is not None:
            params.append(node.feed_id)
            test += " OR g.id = ?"
        return f"a.feed_id IN (SELECT g.id FROM feeds g WHERE {test})"
    if node.field == "tag":
        # Each tag name is tested once (GROUP BY), not once a feed or article it is on; with a
        # range of ids, only those articles' tags are.
        params.append(_tag_spec(value))
        on_feeds = (
            "a.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag IN "
            "(SELECT tag FROM feed_tags GROUP BY tag HAVING nt_tag(?, tag)))"
        )
        params.append(_tag_spec(value))
        if scope is not None and scope.ids is not None:
            within = scope.within("article_id", params)
            on_articles = f"SELECT article_id FROM article_tags WHERE nt_tag(?, tag){within}"
        else:
            on_articles = (
                "SELECT article_id FROM article_tags WHERE tag IN "
                "(SELECT tag FROM article_tags GROUP BY tag HAVING nt_tag(?, tag))"
            )
        return f"{on_feeds} OR a.id IN ({on_articles})"
    assert isinstance(value, Regex)  # words in the index were compiled by _fts
    if scope is not None and scope.regex_rows and node.field in _ROW_REGEX_FIELDS:
        params.append(RegexTerm(node.field, value.pattern))
        return "a.id IN (SELECT value FROM json_each(?))"
    params.append(value.pattern)
    return f"{_REGEX_TARGET[node.field]} REGEXP ?"


# ---- the SQL functions --------------------------------------------------------------------


def _spec(value: Text | Regex) -> str:
    """A value as the text nt_match() receives: a regex or folded words, and whether a prefix."""
    if isinstance(value, Regex):
        return "r" + value.pattern
    return ("p" if value.prefix else "w") + " ".join(value.words)


def _tag_spec(value: Text | Regex) -> str:
    if isinstance(value, Regex):
        return "r" + value.pattern
    return ("p" if value.prefix else "w") + value.words[0]


__all__ = [
    "NUMBERED",
    "Compiled",
    "RegexTerm",
    "compile_query",
    "match_tag",
    "match_text",
    "regexp",
    "register",
]
