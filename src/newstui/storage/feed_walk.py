"""A search's page in feed order (`sort:feed`) found feed by feed, in the order of the feeds'
titles, instead of SQLite's plan, which sorts every match of the query.

No index holds the articles in that order (a feed's title is the feeds table's; two feeds may
share one, and their articles then interleave by date), but the feeds are few: their titles are
read in order, and the query is asked of a growing run of them at a time, its matches among
their articles sorted by SQLite (the articles' feed index finds them, and the search index is
asked about each of them, `per_row`, not for every match of a word). A run never ends inside
a group of feeds whose titles compare equal, so each run's matches follow all of the run
before's, and the page is the first matches found.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any, Protocol

from newstui.query.runtime import FEED_TITLE, ORDERS, per_row

FEED_ORDER = ORDERS["feed"]
FIRST_RUN = 8
"""Feeds asked about first; a later run is sized by the matches found so far (`_next_size`)."""
_NOCASE = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
"""SQLite's NOCASE: ASCII letters' case aside, nothing else."""


class _Reader(Protocol):
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...


def feed_order_page(
    db: _Reader, cond: str, params: Sequence[Any], offset: int, limit: int, walk: int
) -> list[int] | None:
    """The ids of rows `offset`..`offset + limit` of the articles matching `cond` (a WHERE over
    `articles a JOIN feeds f`, with `params`) in feed order; None when the feeds looked at held
    more than `walk` articles before the page was found (SQLite's plan is then asked)."""
    import json  # with the first `sort:feed`, not at the reader's start

    need = offset + limit
    feeds = db.query(
        f"SELECT f.id, {FEED_TITLE}, f.total FROM feeds f WHERE f.removed = 0 "
        "ORDER BY 2 COLLATE NOCASE"
    )
    sql = (
        "SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id "
        f"WHERE a.feed_id IN (SELECT value FROM json_each(?)) AND {per_row(cond)} "
        f"ORDER BY {FEED_ORDER} LIMIT ?"
    )
    found: list[int] = []
    start, size, walked = 0, FIRST_RUN, 0
    while start < len(feeds) and len(found) < need:
        if walked > walk:
            return None
        end = min(len(feeds), start + size)
        while end < len(feeds) and _same(feeds[end][1], feeds[end - 1][1]):
            end += 1  # feeds whose titles tie are one run: their articles interleave
        run = feeds[start:end]
        ids = json.dumps([f[0] for f in run])
        found += [r[0] for r in db.query(sql, [ids, *params, need - len(found)])]
        walked += sum(f[2] for f in run)
        start = end
        size = _next_size(size, len(found), need, walked, end)
    return found[offset:need]


def _next_size(size: int, found: int, need: int, walked: int, feeds: int) -> int:
    """How many feeds to ask about next: enough for the matches still missing at the rate
    found so far (twice that, for luck), never more than four times the last run."""
    if found == 0 or walked == 0:
        return size * 4
    per_feed = found / feeds
    return max(1, min(size * 4, int(2 * (need - found) / per_feed) + 1))


def _same(a: str, b: str) -> bool:
    return a.translate(_NOCASE) == b.translate(_NOCASE)
