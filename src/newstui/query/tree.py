"""The query language's tree: the typed nodes a parsed query is made of (its error: errors.py)."""

from __future__ import annotations

from dataclasses import dataclass

from newstui.query.errors import QueryError as QueryError

FIELDS = ("title", "author", "feed", "url", "content", "tag")
"""Fields whose value is a word, a phrase, a prefix or a regex."""
TEXT_FIELDS = ("text", "title", "content", "author", "url")
"""Fields matched in the search index ("text" is a bare word: title and content)."""
FLAGS = {
    "is": ("unread", "read", "bookmarked", "hidden"),
    "has": ("enclosure", "image", "fulltext"),
}
SORTS = ("newest", "oldest", "title", "feed")
UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400, "m": 30 * 86400, "y": 365 * 86400}
"""Units of `newer:`/`older:`: hours, days, weeks, months (30 days), years (365 days)."""
MAX_LIMIT = 1_000_000
MAX_TERMS = 64


# ---- the tree ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Words that must follow one another (one word is the usual case); with `prefix`, the
    last need only begin a word. `words` are folded as the index folds them
    (query/folding.py)."""

    words: tuple[str, ...]
    prefix: bool = False
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Regex:
    """A regular expression (Python's syntax), searched case-insensitively."""

    pattern: str


Value = Text | Regex


@dataclass(frozen=True, slots=True)
class Match:
    """A field's value: `field` is one of FIELDS, or "text" for a bare word (title and content).

    `tag` compares whole tag names (case aside): a Text value's words joined by one space.
    `feed` with a number as its value matches that feed's id too (`feed_id`); built by code
    with no words (`feed_only`), it matches that feed's id alone.
    """

    field: str
    value: Value
    feed_id: int | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    """`is:NAME` or `has:NAME`: name is one of FLAGS' values."""

    name: str


@dataclass(frozen=True, slots=True)
class Date:
    """The published date against a moment: `op` ">=" (after:, newer:) or "<" (before:, older:).

    `at` is a UTC timestamp; for newer:/older: it is None and `age` (seconds) is taken from the
    time the query is compiled or evaluated. Undated articles never match.
    """

    op: str
    at: float | None = None
    age: float | None = None

    def moment(self, now: float) -> float:
        return self.at if self.at is not None else now - (self.age or 0.0)


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


Node = Match | Flag | Date | Not | And | Or


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: `expr` None matches every article (that is not hidden)."""

    expr: Node | None
    sort: str = "newest"
    limit: int | None = None
    text: str = ""
    hidden: bool = False
    """Whether `is:hidden` appears: without it, hidden articles never match."""


def feed_only(feed_id: int) -> Match:
    """A term for one feed by its id alone (what `articles --feed` adds)."""
    return Match("feed", Text(()), feed_id)


def combine(queries: list[Query]) -> Query:
    """The queries' terms ANDed, as if written side by side: the first sort: other than the
    default wins, and the smallest limit:."""
    exprs = [q.expr for q in queries if q.expr is not None]
    expr: Node | None = None
    if exprs:
        expr = exprs[0] if len(exprs) == 1 else And(tuple(flatten(And, exprs)))
    sorts = [q.sort for q in queries if q.sort != "newest"]
    limits = [q.limit for q in queries if q.limit is not None]
    return Query(
        expr,
        sorts[0] if sorts else "newest",
        min(limits) if limits else None,
        " ".join(q.text for q in queries if q.text),
        any(q.hidden for q in queries),
    )


def flatten(kind: type[And] | type[Or], items: list[Node]) -> list[Node]:
    out: list[Node] = []
    for item in items:
        if isinstance(item, kind):
            out.extend(item.items)
        else:
            out.append(item)
    return out


def highlights(query: Query, fields: tuple[str, ...]) -> list[tuple[tuple[str, ...], bool]]:
    """The word sequences (folded words, prefix) a reader should mark in text of `fields`:
    the query's words and phrases there that are not excluded (under NOT)."""
    out: list[tuple[tuple[str, ...], bool]] = []

    def walk(node: Node | None, negated: bool) -> None:
        if isinstance(node, Not):
            walk(node.item, not negated)
        elif isinstance(node, And | Or):
            for item in node.items:
                walk(item, negated)
        elif (
            isinstance(node, Match)
            and not negated
            and node.field in fields
            and isinstance(node.value, Text)
            and node.value.words
        ):
            out.append((node.value.words, node.value.prefix))

    walk(query.expr, False)
    return out
