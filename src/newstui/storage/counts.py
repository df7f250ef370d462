"""Saved views' counts kept as the library changes: each view's members, moved by what changed.

Counting a saved view reads every article it matches (seconds for 20 views over 1,000,000
articles), so the counts are kept instead, and only what changed since they were last brought up
to date is looked at again:

- `view_members` holds, for each kept view, the ids of the articles it matches and whether each
  is read; `view_counts` its totals, the time `newer:`/`older:` were counted from (`at`) and the
  largest article id it has seen (`last_id`).
- Triggers (storage.schema, migration 13) write the id of every article whose matching may have changed
  into `count_touched`: a flag, its text or date, its tags, its feed's title, tags or removal, its
  deletion. New articles need no trigger: their ids are above `last_id` (an id is given again
  only after the article that had it was deleted, and a deletion is touched).
- `newer:7d` moves with the clock: the articles whose published date crossed its moment between
  `at` and now are looked at again too.

Bringing a view up to date evaluates its compiled query (the same SQL as every other use of the
query) on those articles only and moves its members and counts by the difference. A view with
`limit:N` depends on the order of everything before it and is counted whole each time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from newstui.query import And, Compiled, Date, Node, Not, Or, Query, compile_query

RECOUNT_OVER = 50_000
"""Past this many articles to look at again (a bulk mark, a large import), a view is counted
whole: looking up each of them costs more than reading the view's matches."""

_FROM_WHERE = f"{Compiled.FROM} WHERE f.removed = 0 AND "


@dataclass(frozen=True, slots=True)
class Counts:
    unread: int
    total: int


def _ages(node: Node | None) -> set[float]:
    """The ages of the query's `newer:`/`older:` terms (what moves with the clock)."""
    if node is None:
        return set()
    if isinstance(node, Date):
        return set() if node.age is None else {node.age}
    if isinstance(node, Not):
        return _ages(node.item)
    if isinstance(node, And | Or):
        return set().union(*(_ages(i) for i in node.items))
    return set()


def count_now(conn: sqlite3.Connection, query: Query, now: float) -> Counts:
    """A view's counts by reading all its matches (what a view with limit:N always needs)."""
    compiled = compile_query(query, now=now)
    inner, params = compiled.select("a.read")
    total, unread = conn.execute(
        f"SELECT count(*), coalesce(sum(read = 0), 0) FROM ({inner})", params
    ).fetchone()
    return Counts(int(unread), int(total))


def counts_as_kept(
    conn: sqlite3.Connection, queries: Mapping[str, Query]
) -> dict[str, Counts] | None:
    """The kept counts when nothing has changed since they were brought up to date (a read
    that takes no write lock); None when `kept_counts` has work to do."""
    if any(q.limit is not None or _ages(q.expr) for q in queries.values()):
        return None
    if conn.execute("SELECT 1 FROM count_touched LIMIT 1").fetchone() is not None:
        return None
    (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
    rows = conn.execute("SELECT query, total, unread, last_id FROM view_counts").fetchall()
    if {r[0] for r in rows} != set(queries) or any(r[3] != last_id for r in rows):
        return None
    return {r[0]: Counts(int(r[2]), int(r[1])) for r in rows}


def kept_counts(
    conn: sqlite3.Connection, queries: Mapping[str, Query], now: float
) -> dict[str, Counts]:
    """The counts of the saved views `queries` (text -> parsed), brought up to date.

    Call inside a write transaction. Views kept before that are not in `queries` any more are
    forgotten; the touched articles are forgotten once every kept view has looked at them.
    """
    (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
    (touched,) = conn.execute("SELECT count(*) FROM count_touched").fetchone()
    kept: dict[str, tuple[int, str, int, int, float, int]] = {
        row[1]: row
        for row in conn.execute("SELECT id, query, total, unread, at, last_id FROM view_counts")
    }
    for text, old in kept.items():
        if text not in queries or queries[text].limit is not None:
            conn.execute("DELETE FROM view_members WHERE view_id = ?", (old[0],))
            conn.execute("DELETE FROM view_counts WHERE id = ?", (old[0],))
    out: dict[str, Counts] = {}
    for text, query in queries.items():
        if query.limit is not None:
            out[text] = count_now(conn, query, now)
            continue
        row = kept.get(text)
        if row is None or touched + (last_id - row[5]) > RECOUNT_OVER:
            out[text] = _recount(conn, text, query, now, last_id, row[0] if row else None)
        else:
            out[text] = _move(conn, row, query, now, last_id, touched)
    if touched:
        conn.execute("DELETE FROM count_touched")
    return out


def _recount(
    conn: sqlite3.Connection,
    text: str,
    query: Query,
    now: float,
    last_id: int,
    view_id: int | None,
) -> Counts:
    compiled = compile_query(query, now=now)
    if view_id is None:
        view_id = conn.execute(
            "INSERT INTO view_counts(query, total, unread, at, last_id) VALUES (?, 0, 0, ?, ?)",
            (text, now, last_id),
        ).lastrowid
    conn.execute("DELETE FROM view_members WHERE view_id = ?", (view_id,))
    conn.execute(
        "INSERT INTO view_members(view_id, article_id, read) "
        f"SELECT ?, a.id, a.read {_FROM_WHERE}({compiled.where})",
        [view_id, *compiled.params],
    )
    total, unread = conn.execute(
        "SELECT count(*), coalesce(sum(read = 0), 0) FROM view_members WHERE view_id = ?",
        (view_id,),
    ).fetchone()
    conn.execute(
        "UPDATE view_counts SET total = ?, unread = ?, at = ?, last_id = ? WHERE id = ?",
        (total, unread, now, last_id, view_id),
    )
    return Counts(int(unread), int(total))


def _move(
    conn: sqlite3.Connection,
    row: tuple[int, str, int, int, float, int],
    query: Query,
    now: float,
    last_id: int,
    touched: int,
) -> Counts:
    """Bring one kept view up to date by looking again at what changed since."""
    view_id, _text, total, unread, at, seen = row
    ages = _ages(query.expr) if now != at else set()
    if seen == last_id and not ages and not touched:
        return Counts(unread, total)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS count_look(id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.count_look")
    conn.execute("INSERT INTO temp.count_look(id) SELECT article_id FROM count_touched")
    for age in ages:
        low, high = min(at, now) - age, max(at, now) - age
        conn.execute(
            "INSERT OR IGNORE INTO temp.count_look(id) SELECT id FROM articles "
            "WHERE published >= ? AND published < ?",
            (low, high),
        )
    if last_id > seen:  # the new articles: every id above the last one seen
        conn.execute(
            "INSERT OR IGNORE INTO temp.count_look(id) SELECT id FROM articles WHERE id > ?",
            (seen,),
        )
    # The search index is asked about the range of the ids looked at, not about every article
    # (a refresh's new articles are one short range). Those changed in place, the ones moved by
    # the clock and the new ones are looked at apart, each part with its own range.
    new: dict[int, int] = {}
    for low, high in (
        conn.execute(
            "SELECT min(id), max(id) FROM temp.count_look WHERE id <= ?", (seen,)
        ).fetchone(),
        conn.execute(
            "SELECT min(id), max(id) FROM temp.count_look WHERE id > ?", (seen,)
        ).fetchone(),
    ):
        if low is None:
            continue
        compiled = compile_query(query, now=now, ids=(low, high))
        new.update(
            conn.execute(
                f"SELECT a.id, a.read {_FROM_WHERE}a.id IN (SELECT id FROM temp.count_look "
                f"WHERE id BETWEEN ? AND ?) AND ({compiled.where})",
                [low, high, *compiled.params],
            ).fetchall()
        )
    old = dict(
        conn.execute(
            "SELECT article_id, read FROM view_members WHERE view_id = ? "
            "AND article_id IN (SELECT id FROM temp.count_look)",
            (view_id,),
        ).fetchall()
    )
    gone = [(view_id, i) for i in old if i not in new]
    changed = [(view_id, i, r) for i, r in new.items() if old.get(i) != r]
    total += len(new) - len(old)
    unread += sum(1 for r in new.values() if not r) - sum(1 for r in old.values() if not r)
    conn.executemany("DELETE FROM view_members WHERE view_id = ? AND article_id = ?", gone)
    conn.executemany(
        "INSERT OR REPLACE INTO view_members(view_id, article_id, read) VALUES (?, ?, ?)", changed
    )
    conn.execute(
        "UPDATE view_counts SET total = ?, unread = ?, at = ?, last_id = ? WHERE id = ?",
        (total, unread, now, last_id, view_id),
    )
    conn.execute("DELETE FROM temp.count_look")
    return Counts(unread, total)


__all__ = ["RECOUNT_OVER", "Counts", "count_now", "kept_counts"]
