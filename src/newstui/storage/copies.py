"""SQL that narrows a view: unread only, and each story once though several feeds carry it.

Reading one copy of a story reads all of them.

A later copy has `dup_of` = the first copy's id (storage.writer's link_copies). A view shows a copy
unless an earlier copy of the same story is in the same view, so the check costs an index look-up
for the (few) rows that are copies, and nothing for the rest: views stay O(visible rows).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

VIEW_BASE = "FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE "


def _earlier_copy_in_view(where: str) -> str:
    """True for a row `a` when a copy of its story with a smaller id is in the view `where`.

    `where` selects the view's articles as `a` joined to `f`; inside, it is evaluated for the
    earlier copy `d` (its own `a` and `f` shadow the outer ones)."""
    # The first copy (`dup_of` itself) is nearly always there: one look-up by rowid decides.
    return (
        "(EXISTS (SELECT 1 FROM articles d WHERE d.id = a.dup_of "
        f"AND EXISTS (SELECT 1 {where} AND a.id = d.id)) OR "
        "EXISTS (SELECT 1 FROM articles d WHERE d.dup_of = a.dup_of AND d.id < a.id "
        f"AND EXISTS (SELECT 1 {where} AND a.id = d.id)))"
    )


def _wrapped(where: str) -> str:
    if not where.startswith(VIEW_BASE):
        raise ValueError(f"not a view's FROM ... WHERE: {where[:60]!r}")
    return f"{VIEW_BASE}({where[len(VIEW_BASE) :]})"


def not_hidden(where: str) -> str:
    """The view `where` without hidden articles (rules' `hide`)."""
    return f"{_wrapped(where)} AND a.hidden = 0"


def only_unread(where: str) -> str:
    """The view `where` without its read articles."""
    return f"{_wrapped(where)} AND a.read = 0"


def hide_copies(where: str, params: Sequence[Any]) -> tuple[str, list[Any]]:
    """The view `where` without the later copies of a story it already shows."""
    where = _wrapped(where)
    return (
        f"{where} AND (a.dup_of IS NULL OR NOT {_earlier_copy_in_view(where)})",
        [*params, *params, *params],
    )


def group_sql(marks: str) -> str:
    """Ids of every copy of the stories of the articles `marks` (a list of placeholders)."""
    groups = f"SELECT coalesce(dup_of, id) FROM articles WHERE id IN ({marks})"
    return (
        f"SELECT id FROM articles WHERE id IN ({groups}) "
        f"UNION SELECT id FROM articles WHERE dup_of IN ({groups})"
    )


def set_flag_on_copies(
    conn: sqlite3.Connection, column: str, article_ids: Sequence[int], value: bool
) -> int:
    """Set `column` on the other copies of the stories of `article_ids`; how many changed."""
    assert column in ("read",)
    marks = ",".join("?" * len(article_ids))
    cur = conn.execute(
        f"UPDATE articles SET {column} = ? WHERE {column} != ? AND id IN ({group_sql(marks)})",
        [int(value), int(value), *article_ids, *article_ids],
    )
    return int(cur.rowcount)


def read_every_copy(conn: sqlite3.Connection) -> int:
    """After a bulk mark: every copy of a story that has a read copy becomes read (the copies of
    a story share their read state, so this is what the mark did to them); reads copies only."""
    cur = conn.execute(
        "UPDATE articles SET read = 1 WHERE read = 0 AND id IN ("
        "SELECT c.id FROM articles c INDEXED BY articles_dup_of WHERE c.dup_of IS NOT NULL AND ("
        "EXISTS (SELECT 1 FROM articles r WHERE r.id = c.dup_of AND r.read = 1) OR "
        "EXISTS (SELECT 1 FROM articles r WHERE r.dup_of = c.dup_of AND r.read = 1)) "
        "UNION SELECT c.dup_of FROM articles c INDEXED BY articles_dup_of "
        "WHERE c.dup_of IS NOT NULL AND c.read = 1)"
    )
    return int(cur.rowcount)
