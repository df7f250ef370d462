"""Rules (the killfile, done safely): `[[rules]]` queries whose actions apply to new articles.

A rule's query is the query language's (query); its actions are `read`, `bookmark`,
`hide` (never a delete: un-hiding restores the article), `tag:NAME` and `notify`.

At refresh the rules run inside the writer's transaction, after the new articles and their
search rows are written (`RuleRunner`), so a hidden article is never seen: one SELECT for all
the rules together, over the new ids only (the search index is asked about those ids alone),
and one UPDATE per rule and action that matched something.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from newstui.config import RuleConfig
from newstui.domain.errors import ConfigError
from newstui.domain.text import clean_line
from newstui.query import Compiled, QueryError, compile_query, parse

log = logging.getLogger(__name__)

_FTS_SUBQUERY = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
_NEW_ROWS = "AND rowid BETWEEN ?1 AND ?2"


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule from the config, its query checked."""

    name: str
    query: str
    actions: tuple[str, ...]

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(a[4:] for a in self.actions if a.startswith("tag:"))

    def compiled(self, now: float | None = None) -> Compiled:
        return compile_query(parse(self.query), now=now)


def load_rules(configs: Sequence[RuleConfig], where: str = "config") -> tuple[Rule, ...]:
    """The config's rules with their queries parsed; ConfigError naming the rule and the place."""
    rules = []
    for rc in configs:
        try:
            parse(rc.query)
        except QueryError as exc:
            raise ConfigError(
                f"{where} [[rules]] {clean_line(rc.name, max_length=60)!r}: bad query: "
                f"{clean_line(exc.message)} at character {exc.position + 1} of {rc.query!r}"
            ) from None
        rules.append(Rule(rc.name, rc.query, rc.actions))
    return tuple(rules)


@dataclass(slots=True)
class Matched:
    """What the rules did to the articles stored in one refresh (for notifications)."""

    counts: dict[str, int] = field(default_factory=dict)
    """Rule name -> articles it matched."""
    notices: dict[str, list[str]] = field(default_factory=dict)
    """Rule name -> titles of the articles a `notify` rule matched (the first few)."""


MAX_NOTICE_TITLES = 5


class RuleRunner:
    """Applies the rules to the articles a transaction stored; called by the storage writer
    with the connection inside its transaction and the range of new ids."""

    def __init__(self, rules: Sequence[Rule], *, now: float | None = None) -> None:
        self.rules = tuple(rules)
        self.matched = Matched()
        self._lock = threading.Lock()
        # One statement for every rule, compiled once a refresh (newer:/older: count from its
        # start): the same text each transaction, so SQLite prepares it once. ?1 and ?2 are the
        # new ids' range; the search index is asked about those rows only (FTS5 seeks a range).
        now = time.time() if now is None else now
        columns: list[str] = []
        params: list[object] = []
        for rule in self.rules:
            compiled = rule.compiled(now)
            where = compiled.where.replace(_FTS_SUBQUERY, f"{_FTS_SUBQUERY} {_NEW_ROWS}")
            columns.append(f"group_concat(CASE WHEN ({where}) THEN a.id END)")
            params += compiled.params
        # ?1 and ?2 appear first, so the plain placeholders after them number from 3.
        self._sql = (
            f"SELECT ?1 + ?2, {', '.join(columns)} {Compiled.FROM} "
            "WHERE a.id BETWEEN ?1 AND ?2 AND f.removed = 0"
        )
        self._params = params

    def __call__(self, conn: sqlite3.Connection, first_id: int, last_id: int) -> None:
        if not self.rules or last_id < first_id:
            return
        row = conn.execute(self._sql, [first_id, last_id, *self._params]).fetchone()
        for rule, found in zip(self.rules, (row or ())[1:], strict=False):
            if not found:
                continue
            ids = [int(i) for i in str(found).split(",")]
            apply_actions(conn, rule, ids)
            with self._lock:
                self.matched.counts[rule.name] = self.matched.counts.get(rule.name, 0) + len(ids)
                if "notify" in rule.actions:
                    titles = self.matched.notices.setdefault(rule.name, [])
                    if len(titles) < MAX_NOTICE_TITLES:
                        titles += _titles(conn, ids[: MAX_NOTICE_TITLES - len(titles)])


def _titles(conn: sqlite3.Connection, ids: Sequence[int]) -> list[str]:
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT title FROM articles WHERE id IN ({marks}) ORDER BY id", ids)
    return [clean_line(r[0], max_length=120) for r in rows]


def apply_actions(conn: sqlite3.Connection, rule: Rule, ids: Sequence[int]) -> int:
    """Do a rule's actions (but `notify`) to the articles `ids`; how many rows changed."""
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for action in rule.actions:
            if action in ("read", "bookmark", "hide"):
                column = {"read": "read", "bookmark": "bookmarked", "hide": "hidden"}[action]
                cur = conn.execute(
                    f"UPDATE articles SET {column} = 1 WHERE {column} = 0 AND id IN ({marks})",
                    chunk,
                )
                changed += cur.rowcount
            elif action.startswith("tag:"):
                cur = conn.execute(
                    "INSERT OR IGNORE INTO article_tags(article_id, tag) "
                    f"SELECT id, ? FROM articles WHERE id IN ({marks})",
                    [action[4:], *chunk],
                )
                changed += cur.rowcount
    return changed
