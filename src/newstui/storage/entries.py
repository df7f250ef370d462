"""The stored article row's shape: an entry ready for the database, timestamps and enclosures as stored."""

from __future__ import annotations

import json
import pickle
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from newstui.domain.models import Enclosure


def to_datetime(value: float | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def to_timestamp(value: datetime | None) -> float | None:
    if value is None:
        return None
    try:
        return value.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def encode_enclosures(enclosures: Sequence[Enclosure]) -> str | None:
    """Enclosures as stored in `articles.enclosure`: a JSON list of [url, type, length,
    duration], None for none (so `has:enclosure` is `enclosure IS NOT NULL`)."""
    if not enclosures:
        return None
    return json.dumps([[e.url, e.type, e.length, e.duration] for e in enclosures])


def decode_enclosures(text: str | None) -> tuple[Enclosure, ...]:
    """What `encode_enclosures` stored; a damaged value gives no enclosures, not an error."""
    if not text:
        return ()
    try:
        rows = json.loads(text)
        return tuple(
            Enclosure(
                str(url),
                str(kind) if kind else None,
                int(length) if isinstance(length, int) else None,
                int(duration) if isinstance(duration, int) else None,
            )
            for url, kind, length, duration in rows
        )
    except (ValueError, TypeError):
        return ()


class StoredEntry(NamedTuple):
    """An entry ready for the database: timestamps as floats, its digest and search text.

    A named tuple: a parse worker sends a feed's entries as one pickle of plain tuples
    (`pack_entries`), ~7 us an entry cheaper both ways than a dataclass's state.
    """

    key: str
    title: str
    url: str | None
    author: str | None
    site: str | None
    published: float | None
    updated: float | None
    content: str
    content_type: str
    digest: str
    search_text: str
    full_text: str | None = None
    """A local HTML file's reader text (its extracted article); None keeps what is stored."""
    enclosures: str | None = None
    """`encode_enclosures` of the entry's audio and video files, or None."""
    url_key: int | None = None
    """domain.dedupe.url_key of its link: the same story in another feed has the same."""
    text_key: int | None = None
    """domain.dedupe.text_key of its title and text."""


def pack_entries(entries: Sequence[StoredEntry]) -> bytes:
    """Entries as one bytes object, for a worker to send and the writer to keep until it stores."""
    return pickle.dumps([tuple(e) for e in entries], pickle.HIGHEST_PROTOCOL)


def unpack_entries(data: bytes) -> list[StoredEntry]:
    """What `pack_entries` made (only ever bytes from our own parse worker)."""
    return [StoredEntry._make(row) for row in pickle.loads(data)]
