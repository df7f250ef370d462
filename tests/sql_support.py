"""SQL for tests that must look at the file itself: their own connection, never the Library's."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from typing import Any


def sql_all(path: str | os.PathLike[str], sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """The rows of `sql` run on the database file at `path` by a connection of the test's own
    (autocommit: a change is in the file when this returns)."""
    with closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as conn:
        return conn.execute(sql, params).fetchall()


def sql_one(path: str | os.PathLike[str], sql: str, params: Sequence[Any] = ()) -> Any:
    """The first row of `sql` (None when there is none)."""
    rows = sql_all(path, sql, params)
    return rows[0] if rows else None


@contextmanager
def sql_transaction(path: str | os.PathLike[str]) -> Iterator[sqlite3.Connection]:
    """A connection of the test's own in one transaction, committed when the block ends."""
    with closing(sqlite3.connect(path, timeout=10)) as conn, conn:
        yield conn
