"""Storing one feed's refresh directly, for tests that build a library without fetching."""

from __future__ import annotations

from collections.abc import Sequence

from newstui.domain.update import StoredEntry
from newstui.storage.database import BaseDatabase
from newstui.storage.writer import FeedUpdate, apply_updates


def apply_refresh(
    db: BaseDatabase,
    feed_id: int,
    *,
    status: str,
    error: str | None,
    http_status: int | None,
    entries: Sequence[StoredEntry] | None = None,
    feed_title: str | None = None,
    site_url: str | None = None,
    retention_days: int = 0,
) -> tuple[int, int]:
    """Store one feed's refresh in one transaction, as the refresh's writer does; (new, updated)."""
    update = FeedUpdate(
        feed_id,
        status,
        error,
        http_status,
        entries,
        feed_title=feed_title,
        site_url=site_url,
        retention_days=retention_days,
    )
    return apply_updates(db, [update])[0]
