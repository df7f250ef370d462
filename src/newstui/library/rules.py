"""Rules (the killfile, done safely): `[[rules]]` queries whose actions apply to new articles.

A rule's query is the query language's (query); its actions are `read`, `bookmark`,
`hide` (never a delete: un-hiding restores the article), `tag:NAME` and `notify`.

At refresh the rules run inside the writer's transaction, after the new articles and their
search rows are written (`RuleRunner`), so a hidden article is never seen: one statement for
all the rules together, over the new ids only (the search index is asked about those ids alone,
and regexes on titles, authors and links run over them in one Python pass), and one statement
per action for every rule's ids (their SQL: storage/rule_actions.py).
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
from newstui.query.sql import NUMBERED
from newstui.storage.rule_actions import apply_actions, matching_ids, matching_statement, titles

log = logging.getLogger(__name__)


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

    def compiled_for_new(self, now: float) -> Compiled:
        """The query as `RuleRunner` asks it of each batch of new articles (the range of their
        ids bound as ?1 and ?2; regexes on their own columns tested in Python)."""
        return compile_query(parse(self.query), now=now, ids=NUMBERED, regex_rows=True)


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
        # Compiled once a refresh: newer:/older: count from its start.
        now = time.time() if now is None else now
        self._statement = matching_statement([rule.compiled_for_new(now) for rule in self.rules])

    def __call__(self, conn: sqlite3.Connection, first_id: int, last_id: int) -> None:
        if not self.rules or last_id < first_id:
            return
        found = matching_ids(conn, self._statement, first_id, last_id)
        # One statement per action for every rule's ids together (an id once).
        marks: dict[str, set[int]] = {}
        for rule, ids in zip(self.rules, found, strict=True):
            if not ids:
                continue
            for action in rule.actions:
                marks.setdefault(action, set()).update(ids)
            with self._lock:
                self.matched.counts[rule.name] = self.matched.counts.get(rule.name, 0) + len(ids)
                if "notify" in rule.actions:
                    shown = self.matched.notices.setdefault(rule.name, [])
                    if len(shown) < MAX_NOTICE_TITLES:
                        shown += titles(conn, ids[: MAX_NOTICE_TITLES - len(shown)])
        for action, marked in marks.items():
            apply_actions(conn, (action,), sorted(marked))
