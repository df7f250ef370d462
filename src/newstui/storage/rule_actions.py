"""What the rules do in the database: one SELECT that tests every rule against a range of new
articles, and the UPDATEs of their actions (read, bookmark, hide, tag)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from newstui.domain.text import clean_line
from newstui.query import Compiled

_FTS_SUBQUERY = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
_NEW_ROWS = "AND rowid BETWEEN ?1 AND ?2"
_IDS = "(SELECT value FROM json_each(?))"
"""The ids given as one JSON array parameter."""
_MARK_COLUMNS = {"read": "read", "bookmark": "bookmarked", "hide": "hidden"}


def matching_statement(rules: Sequence[Compiled]) -> tuple[str, list[object]]:
    """One statement for every rule's query: each one's matching ids among those between ?1
    and ?2 (comma-separated, NULL for none), and its parameters after ?1 and ?2.

    The same text each transaction, so SQLite prepares it once; the search index is asked about
    the new rows only (FTS5 seeks a range)."""
    columns: list[str] = []
    params: list[object] = []
    for compiled in rules:
        where = compiled.where.replace(_FTS_SUBQUERY, f"{_FTS_SUBQUERY} {_NEW_ROWS}")
        columns.append(f"group_concat(CASE WHEN ({where}) THEN a.id END)")
        params += compiled.params
    # ?1 and ?2 appear first, so the plain placeholders after them number from 3.
    sql = (
        f"SELECT ?1 + ?2, {', '.join(columns)} {Compiled.FROM} "
        "WHERE a.id BETWEEN ?1 AND ?2 AND f.removed = 0"
    )
    return sql, params


def matching_ids(
    conn: sqlite3.Connection, statement: tuple[str, list[object]], first_id: int, last_id: int
) -> list[list[int]]:
    """Per rule of `statement` (see `matching_statement`), the ids it matches in the range."""
    sql, params = statement
    row = conn.execute(sql, [first_id, last_id, *params]).fetchone()
    return [[int(i) for i in str(found).split(",")] if found else [] for found in (row or ())[1:]]


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
