"""Saved views' counts kept as the library changes: each view's members, moved by what changed.

Counting a saved view reads every article it matches (seconds for 20 views over 1,000,000
articles), so the counts are kept instead, and only what changed since they were last brought up
to date is looked at again:

- `view_members` holds, for each kept view, the ids of the articles it matches, whether each is
  read and its story (`story`: the first copy's id for a later copy of a story, else NULL);
  `view_counts` its totals, whether they count each story once (`dedupe`), the time
  `newer:`/`older:` were counted from (`at`) and the largest article id it has seen (`last_id`).
- With dedupe on (the default) the counts are what the view's list shows: each story once, by
  the copy the list shows (storage.copies: the first copy when it matches, else the earliest).
- Triggers (storage.schema, migrations 13, 15 and 18) write the id of every article whose matching
  may have changed into `count_touched`: a flag, its text or date, its story, its tags, its feed's
  title, tags or removal, its deletion. New articles are the ids above `last_id`; SQLite gives
  an id again once the articles above it are deleted, and such a new article is touched too
  (migration 18): the deletion of its id's earlier holder may have been counted already.
- `newer:7d` moves with the clock: the articles whose published date crossed its moment between
  `at` and now are looked at again too.

Bringing a view up to date evaluates its compiled query (the same SQL as every other use of the
query) on those articles only and moves its members and counts by the difference (with dedupe,
the difference of the stories those articles belong to). A view with `limit:N` depends on the
order of everything before it and is counted whole each time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newstui.query.runtime import FROM
from newstui.storage.copies import hide_copies

if TYPE_CHECKING:
    from newstui.query import Node, Query

RECOUNT_OVER = 50_000
"""Past this many articles to look at again (a bulk mark, a large import), a view is counted
whole: looking up each of them costs more than reading the view's matches."""

_FROM_WHERE = f"{FROM} WHERE f.removed = 0 AND "


@dataclass(frozen=True, slots=True)
class Counts:
    unread: int
    total: int


def _ages(node: Node | None) -> set[float]:
    """The ages of the query's `newer:`/`older:` terms (what moves with the clock)."""
    from newstui.query import And, Date, Not, Or  # with the first view counted

    if node is None:
        return set()
    if isinstance(node, Date):
        return set() if node.age is None else {node.age}
    if isinstance(node, Not):
        return _ages(node.item)
    if isinstance(node, And | Or):
        return set().union(*(_ages(i) for i in node.items))
    return set()


def count_now(
    conn: sqlite3.Connection, query: Query, now: float, *, dedupe: bool = False
) -> Counts:
    """A view's counts by reading all it lists (what a view with limit:N always needs); with
    `dedupe`, each story once, as the view's list shows it."""
    from newstui.query import compile_query

    compiled = compile_query(query, now=now)
    where = f"{FROM} WHERE f.removed = 0 AND ({compiled.where})"
    params = list(compiled.params)
    if dedupe:
        where, params = hide_copies(where, params)
    inner = f"SELECT a.read {where}"
    if compiled.limit is not None:
        inner += f" ORDER BY {compiled.order} LIMIT ?"
        params.append(compiled.limit)
    total, unread = conn.execute(
        f"SELECT count(*), coalesce(sum(read = 0), 0) FROM ({inner})", params
    ).fetchone()
    return Counts(int(unread), int(total))


def counts_as_kept(
    conn: sqlite3.Connection, queries: Mapping[str, Query], *, dedupe: bool = False
) -> dict[str, Counts] | None:
    """The kept counts when nothing has changed since they were brought up to date (a read
    that takes no write lock); None when `kept_counts` has work to do."""
    if any(q.limit is not None or _ages(q.expr) for q in queries.values()):
        return None
    if conn.execute("SELECT 1 FROM count_touched LIMIT 1").fetchone() is not None:
        return None
    (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
    rows = conn.execute("SELECT query, total, unread, last_id, dedupe FROM view_counts").fetchall()
    if {r[0] for r in rows} != set(queries) or any(
        r[3] != last_id or bool(r[4]) != dedupe for r in rows
    ):
        return None
    return {r[0]: Counts(int(r[2]), int(r[1])) for r in rows}


def kept_counts(
    conn: sqlite3.Connection, queries: Mapping[str, Query], now: float, *, dedupe: bool = False
) -> dict[str, Counts]:
    """The counts of the saved views `queries` (text -> parsed), brought up to date; with
    `dedupe`, each story once (what the views' lists show when the library dedupes).

    Call inside a write transaction. Views kept before that are not in `queries` any more are
    forgotten; the touched articles are forgotten once every kept view has looked at them.
    """
    (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
    (touched,) = conn.execute("SELECT count(*) FROM count_touched").fetchone()
    kept: dict[str, tuple[int, str, int, int, float, int]] = {
        row[1]: row[:6]
        for row in conn.execute(
            "SELECT id, query, total, unread, at, last_id, dedupe FROM view_counts"
        )
        if bool(row[6]) == dedupe  # counted the other way: counted again
    }
    for view_id, text, mode in conn.execute("SELECT id, query, dedupe FROM view_counts").fetchall():
        if text not in queries or queries[text].limit is not None or bool(mode) != dedupe:
            conn.execute("DELETE FROM view_members WHERE view_id = ?", (view_id,))
            conn.execute("DELETE FROM view_counts WHERE id = ?", (view_id,))
    out: dict[str, Counts] = {}
    for text, query in queries.items():
        if query.limit is not None:
            out[text] = count_now(conn, query, now, dedupe=dedupe)
            continue
        row = kept.get(text)
        if row is None or touched + (last_id - row[5]) > RECOUNT_OVER:
            out[text] = _recount(conn, text, query, now, last_id, dedupe)
        else:
            out[text] = _move(conn, row, query, now, last_id, touched, dedupe)
    if touched:
        conn.execute("DELETE FROM count_touched")
    return out


def _recount(
    conn: sqlite3.Connection, text: str, query: Query, now: float, last_id: int, dedupe: bool
) -> Counts:
    from newstui.query import compile_query

    compiled = compile_query(query, now=now)
    conn.execute(
        "DELETE FROM view_members WHERE view_id IN (SELECT id FROM view_counts WHERE query = ?)",
        (text,),
    )
    conn.execute("DELETE FROM view_counts WHERE query = ?", (text,))
    view_id = conn.execute(
        "INSERT INTO view_counts(query, total, unread, at, last_id, dedupe) "
        "VALUES (?, 0, 0, ?, ?, ?)",
        (text, now, last_id, int(dedupe)),
    ).lastrowid
    conn.execute(
        "INSERT INTO view_members(view_id, article_id, read, story) "
        f"SELECT ?, a.id, a.read, a.dup_of {_FROM_WHERE}({compiled.where})",
        [view_id, *compiled.params],
    )
    if dedupe:  # a later copy counts when no copy the list shows before it is a member
        total, unread = conn.execute(
            "SELECT count(*), coalesce(sum(read = 0), 0) FROM view_members m "
            "WHERE view_id = ? AND NOT (story IS NOT NULL AND ("
            "EXISTS (SELECT 1 FROM view_members e WHERE e.view_id = m.view_id "
            "AND e.article_id = m.story) OR "
            "EXISTS (SELECT 1 FROM view_members e INDEXED BY view_members_story "
            "WHERE e.view_id = m.view_id AND e.story = m.story AND e.article_id < m.article_id)))",
            (view_id,),
        ).fetchone()
    else:
        total, unread = conn.execute(
            "SELECT count(*), coalesce(sum(read = 0), 0) FROM view_members WHERE view_id = ?",
            (view_id,),
        ).fetchone()
    conn.execute(
        "UPDATE view_counts SET total = ?, unread = ? WHERE id = ?", (total, unread, view_id)
    )
    return Counts(int(unread), int(total))


_STORY_SHOWN = (
    "SELECT count(r), coalesce(sum(r = 0), 0) FROM (SELECT coalesce("
    "(SELECT read FROM view_members WHERE view_id = ? AND article_id = g.k AND story IS NULL), "
    "(SELECT read FROM view_members INDEXED BY view_members_story WHERE view_id = ? "
    "AND story = g.k ORDER BY article_id LIMIT 1)) AS r FROM temp.count_stories g)"
)
"""How many of the stories in `count_stories` a view lists, and how many of those unread: a
story is listed by its first copy when that is a member, else by its earliest member."""


def _move(
    conn: sqlite3.Connection,
    row: tuple[int, str, int, int, float, int],
    query: Query,
    now: float,
    last_id: int,
    touched: int,
    dedupe: bool,
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
    new: dict[int, tuple[int, int | None]] = {}
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
        from newstui.query import compile_query

        compiled = compile_query(query, now=now, ids=(low, high))
        new.update(
            (i, (r, story))
            for i, r, story in conn.execute(
                f"SELECT a.id, a.read, a.dup_of {_FROM_WHERE}a.id IN (SELECT id FROM "
                f"temp.count_look WHERE id BETWEEN ? AND ?) AND ({compiled.where})",
                [low, high, *compiled.params],
            )
        )
    old: dict[int, tuple[int, int | None]] = {
        i: (r, story)
        for i, r, story in conn.execute(
            "SELECT article_id, read, story FROM view_members WHERE view_id = ? "
            "AND article_id IN (SELECT id FROM temp.count_look)",
            (view_id,),
        )
    }
    gone = [(view_id, i) for i in old if i not in new]
    changed = [(view_id, i, r, story) for i, (r, story) in new.items() if old.get(i) != (r, story)]
    if dedupe:  # the stories of what changed, counted before and after the change
        stories = {story or i for i, (_r, story) in (*old.items(), *new.items())}
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS count_stories(k INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.count_stories")
        conn.executemany("INSERT INTO temp.count_stories(k) VALUES (?)", [(k,) for k in stories])
        before = conn.execute(_STORY_SHOWN, (view_id, view_id)).fetchone()
    else:
        total += len(new) - len(old)
        unread += sum(1 for r, _s in new.values() if not r) - sum(
            1 for r, _s in old.values() if not r
        )
    conn.executemany("DELETE FROM view_members WHERE view_id = ? AND article_id = ?", gone)
    conn.executemany(
        "INSERT OR REPLACE INTO view_members(view_id, article_id, read, story) VALUES (?, ?, ?, ?)",
        changed,
    )
    if dedupe:
        after = conn.execute(_STORY_SHOWN, (view_id, view_id)).fetchone()
        total += after[0] - before[0]
        unread += after[1] - before[1]
        conn.execute("DELETE FROM temp.count_stories")
    conn.execute(
        "UPDATE view_counts SET total = ?, unread = ?, at = ?, last_id = ? WHERE id = ?",
        (total, unread, now, last_id, view_id),
    )
    conn.execute("DELETE FROM temp.count_look")
    return Counts(unread, total)


__all__ = ["RECOUNT_OVER", "Counts", "count_now", "kept_counts"]
