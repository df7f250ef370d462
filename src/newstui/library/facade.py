"""The facade: the one API that the CLI and the TUI use (feeds, articles, refresh, import/export).

`Library` is assembled from its parts, one module each: subscriptions (feeds.py), refreshes and
syncs (refreshing.py), queries, saved views and rules (queries.py), articles and their marks
(articles.py), bodies and full texts (pages.py); base.py holds what they share, welcome.py the
guide shown before the first subscription. Its database is private to these modules.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newstui.config import Config
from newstui.domain.models import (
    Article,
    ContentType,
    Feed,
    FeedOutcome,
    Headline,
    RefreshProgress,
    SavedView,
    View,
)
from newstui.library.articles import Articles
from newstui.library.feed_settings import SettingError, minutes_text, parse_fields
from newstui.library.feeds import AddResult, Feeds, ImportReport, export_url
from newstui.library.pages import Pages, is_text_file, local_file, reads_as_page
from newstui.library.queries import search_marks
from newstui.library.welcome import WELCOME_FEED_ID
from newstui.query.errors import QueryError
from newstui.query.folding import spans
from newstui.storage.db import Database

if TYPE_CHECKING:
    from newstui.query import Query


class Library(Feeds, Articles, Pages):
    """Subscriptions and articles in one SQLite file. Thread-safe (calls are serialised)."""

    @classmethod
    def open(cls, config: Config, db_path: Path | str) -> Library:
        """The library in the file at `db_path` (created when missing; ":memory:" for none)."""
        library = cls(Database(db_path), config)
        try:
            if config.rules:
                library.rules()  # a bad rule is said at once, not at the first refresh
            library.sync_config_feeds()
        except BaseException:
            library.close()
            raise
        return library

    @classmethod
    def in_memory(cls, config: Config) -> Library:
        """An empty library in memory, the user's untouched: for reading a page or a file."""
        return cls(Database(":memory:"), config)

    def get_setting(self, key: str) -> str | None:
        return self._db.get_setting(key)

    def set_setting(self, key: str, value: str) -> None:
        self._db.set_setting(key, value)

    @property
    def can_refresh_in_child(self) -> bool:
        """Whether `refresh_in_child` can work: a child process can open the same file."""
        return self.path != ":memory:"

    async def refresh_in_child(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        progress: Callable[[RefreshProgress], None] | None = None,
        background: bool = False,
    ) -> list[FeedOutcome]:
        """`refresh`, run by a child process (see refresh.isolated); progress comes on this loop."""
        # The reader's start imports none of the refresh machinery (multiprocessing, the
        # parse pool's module): the first refresh does, in a thread, not on the caller's loop
        # (~10 ms of it held the reader's frames at the first R).
        refresh_in_child = await asyncio.to_thread(_refresh_machinery)
        return await refresh_in_child(
            open_library, self.path, self.config, feed_ids, progress=progress, background=background
        )


def _refresh_machinery() -> Callable[..., Coroutine[Any, Any, list[FeedOutcome]]]:
    from newstui.refresh.isolated import refresh_in_child

    return refresh_in_child


def open_library(db_path: str, config: Config) -> Library:
    """The Library on the file at `db_path` (how a refresh child opens it)."""
    return Library(Database(db_path), config)


def parse(text: str) -> Query:
    """A query's text as its tree; `QueryError` (with the place) when it is malformed. The
    parser is imported by the first query, not with the library."""
    from newstui.query import parse as parse_query

    return parse_query(text)


# Re-exported for the UI, which must not import storage.
__all__ = [
    "WELCOME_FEED_ID",
    "AddResult",
    "Article",
    "ContentType",
    "Feed",
    "FeedOutcome",
    "Headline",
    "ImportReport",
    "Library",
    "QueryError",
    "SavedView",
    "SettingError",
    "View",
    "export_url",
    "is_text_file",
    "local_file",
    "minutes_text",
    "parse",
    "parse_fields",
    "reads_as_page",
    "search_marks",
    "spans",
]
