"""What the rules do in the database: one SELECT that tests every rule against a range of new
articles (their regexes on titles, authors and links run in Python over the range first), and
the statements of their actions (read, bookmark, hide, tag)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from newstui.domain.text import clean_line
from newstui.query import Compiled
from newstui.query.regex import compiled as compiled_regex
from newstui.query.sql import RegexTerm

_IDS = "(SELECT value FROM json_each(?))"
"""The ids given as one JSON array parameter."""
_MARK_COLUMNS = {"read": "read", "bookmark": "bookmarked", "hide": "hidden"}


RULES_A_STATEMENT = 100
"""SQLite allows 500 SELECTs in one compound statement: more rules take more statements."""


@dataclass(frozen=True, slots=True)
class Matching:
    """The statements that find, for every rule, the ids it matches among those it is given:
    a SELECT of (rule number, id) per rule, joined by UNION ALL, each planned on its own (the
    search index drives a rule with words, so it reads its matches, not every new row)."""

    statements: tuple[tuple[str, tuple[object, ...]], ...]
    """SQL and its parameters after ?1 and ?2 (the first and last id); a `RegexTerm` stands
    for its matching ids."""
    rules: int
    regexes: tuple[RegexTerm, ...]
    """The rules' regexes on the articles' own columns, tested in Python (`matching_ids`)."""


def matching_statement(rules: Sequence[Compiled]) -> Matching:
    """The `Matching` statements of rules compiled with `ids=NUMBERED, regex_rows=True`."""
    statements: list[tuple[str, tuple[object, ...]]] = []
    for start in range(0, len(rules), RULES_A_STATEMENT):
        arms: list[str] = []
        params: list[object] = []
        for number, compiled in enumerate(rules[start : start + RULES_A_STATEMENT], start):
            arms.append(
                f"SELECT {number}, a.id {Compiled.FROM} "
                f"WHERE a.id BETWEEN ?1 AND ?2 AND f.removed = 0 AND ({compiled.where})"
            )
            params += compiled.params
        # ?1 and ?2 appear first, so the plain placeholders after them number from 3.
        statements.append((" UNION ALL ".join(arms), tuple(params)))
    regexes = tuple(
        dict.fromkeys(p for _sql, ps in statements for p in ps if isinstance(p, RegexTerm))
    )
    return Matching(tuple(statements), len(rules), regexes)


def matching_ids(
    conn: sqlite3.Connection, matching: Matching, first_id: int, last_id: int
) -> list[list[int]]:
    """Per rule of `matching`, the ids it matches between `first_id` and `last_id`."""
    found: list[list[int]] = [[] for _ in range(matching.rules)]
    hits = _regex_hits(conn, matching.regexes, first_id, last_id)
    for sql, params in matching.statements:
        bound = [hits[p] if isinstance(p, RegexTerm) else p for p in params]
        for number, article_id in conn.execute(sql, [first_id, last_id, *bound]):
            found[number].append(article_id)
    return found


def _regex_hits(
    conn: sqlite3.Connection, regexes: Sequence[RegexTerm], first_id: int, last_id: int
) -> dict[RegexTerm, str]:
    """Each regex's matching ids among the range, as a JSON array: the column read once for
    them all, each regex run in one Python pass (a SQL function call a row costs ~3x that)."""
    if not regexes:
        return {}
    fields = sorted({r.field for r in regexes})
    rows = conn.execute(
        f"SELECT id, {', '.join(fields)} FROM articles WHERE id BETWEEN ? AND ?",
        (first_id, last_id),
    ).fetchall()
    hits: dict[RegexTerm, str] = {}
    for term in regexes:
        place = fields.index(term.field) + 1
        pattern = compiled_regex(term.pattern)
        ids = (
            []
            if pattern is None
            else [row[0] for row in rows if row[place] is not None and pattern.search(row[place])]
        )
        hits[term] = json.dumps(ids)
    return hits


def titles(conn: sqlite3.Connection, ids: Sequence[int]) -> list[str]:
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT title FROM articles WHERE id IN ({marks}) ORDER BY id", ids)
    return [clean_line(r[0], max_length=120) for r in rows]


def apply_actions(conn: sqlite3.Connection, actions: Sequence[str], ids: Sequence[int]) -> int:
    """Do `actions` (but `notify`, which is not the database's) to the articles `ids`; how many
    rows changed.

    The ids go in as one JSON array, so each action's statement has the same text whatever their
    number and SQLite prepares it once a connection: an UPDATE of `articles` compiles every
    trigger and index it touches, ~2 ms, which a text per number of ids paid each time."""
    if not ids:
        return 0
    ids_json = json.dumps([int(i) for i in ids])
    changed = 0
    for action in actions:
        if action in _MARK_COLUMNS:
            column = _MARK_COLUMNS[action]
            cur = conn.execute(
                f"UPDATE articles SET {column} = 1 WHERE {column} = 0 AND id IN {_IDS}",
                (ids_json,),
            )
            changed += cur.rowcount
        elif action.startswith("tag:"):
            cur = conn.execute(
                "INSERT OR IGNORE INTO article_tags(article_id, tag) "
                f"SELECT id, ? FROM articles WHERE id IN {_IDS}",
                (action[4:], ids_json),
            )
            changed += cur.rowcount
    return changed
