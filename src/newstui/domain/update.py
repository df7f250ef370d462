"""The update step's pure part: an entry's stored shape (row, digest, dedupe keys, packed text) and the decision new / changed / unchanged."""

from __future__ import annotations

import hashlib
import pickle
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from newstui.domain.dedupe import text_key, url_key
from newstui.domain.models import Enclosure, ParsedEntry

SEARCH_TEXT_MAX = 100_000
"""Characters of an article's feed text the search index holds."""
FTS_MAX = 200_000
"""Characters the search index holds of an article whose web page was fetched too."""


class StoredEntry(NamedTuple):
    """An entry ready for the database: timestamps as floats, its digest and dedupe keys.

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
    content: str | bytes
    """`pack_text` of the article's text: compressed bytes, or the text when that is not smaller."""
    content_type: str
    digest: str
    full_text: str | None = None
    """A local HTML file's reader text (its extracted article); None keeps what is stored."""
    enclosures: str | None = None
    """`encode_enclosures` of the entry's audio and video files, or None."""
    url_key: int | None = None
    """domain.dedupe.url_key of its link: the same story in another feed has the same."""
    text_key: int | None = None
    """domain.dedupe.text_key of its title and text."""
    index_text: str | None = None
    """What the search index holds of it, `search_text` of `content` before it was packed (the
    parse worker has it already), or None: the writer works it out from the row. The writer
    would otherwise unpack every new text to index it (~25 us an article of the refresh's
    busiest process, against ~2.5 KB more of a feed's pickle an article)."""
    has_image: bool | None = None
    """`shows_image` of its text, or None: the writer works it out."""


class Stored(NamedTuple):
    """What the database holds of one of a feed's articles, as far as the decision needs."""

    id: int
    digest: str


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    """What storing a feed's entries does: which are new, which change a stored article."""

    new: tuple[StoredEntry, ...]
    """Entries whose key the feed has not stored, in the order they first came."""
    changed: tuple[tuple[int, StoredEntry], ...]
    """(the stored article's id, its entry) for stored articles whose digest differs."""
    unchanged: int
    """How many distinct keys were stored already with the same digest (nothing to write)."""


def plan_update(entries: Iterable[StoredEntry], stored: Mapping[str, Stored]) -> UpdatePlan:
    """Decide what storing `entries` in a feed whose articles are `stored` (by key) does.

    A key that comes more than once in one document is one article: the last one wins, in the
    place where the key came first (the order new articles get their ids in). An article is
    changed when the winning entry's digest differs from the stored one.
    """
    last: dict[str, StoredEntry] = {}
    for entry in entries:
        last[entry.key] = entry
    new: list[StoredEntry] = []
    changed: list[tuple[int, StoredEntry]] = []
    unchanged = 0
    for key, entry in last.items():
        known = stored.get(key)
        if known is None:
            new.append(entry)
        elif known.digest != entry.digest:
            changed.append((known.id, entry))
        else:
            unchanged += 1
    return UpdatePlan(tuple(new), tuple(changed), unchanged)


def to_stored(
    entry: ParsedEntry, *, full_text: str | None = None, digest: str | None = None
) -> StoredEntry:
    """The entry as the database stores it; `full_text` is a local HTML file's reader text,
    searched (and compared for copies) instead of the feed's text."""
    text = (
        search_text(full_text, "markdown")
        if full_text is not None
        else search_text(entry.content, str(entry.content_type))
    )
    return StoredEntry(
        key=entry.key,
        title=entry.title,
        url=entry.url,
        author=entry.author,
        site=entry.site,
        published=to_timestamp(entry.published),
        updated=to_timestamp(entry.updated),
        content=pack_text(entry.content),
        content_type=str(entry.content_type),
        digest=digest or entry_digest(entry),
        full_text=full_text,
        enclosures=encode_enclosures(entry.enclosures),
        url_key=url_key(entry.url),
        text_key=text_key(entry.title, text),
        index_text=text if full_text is None else None,
        has_image=shows_image(entry.content, str(entry.content_type)),
    )


def entry_digest(entry: ParsedEntry) -> str:
    """Changes when anything a reader sees changes; decides 'changed' vs 'unchanged'."""
    parts = (entry.title, entry.url, entry.author, entry.site, entry.content)
    text = "\x00".join(part or "" for part in parts) + "\x00" + str(to_timestamp(entry.published))
    if entry.enclosures:  # only then: the digests of entries without any stay as they were
        text += "\x00" + (encode_enclosures(entry.enclosures) or "")
    return hashlib.sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


def pack_entries(entries: Sequence[StoredEntry]) -> bytes:
    """Entries as one bytes object, for a worker to send and the writer to keep until it stores."""
    return pickle.dumps([tuple(e) for e in entries], pickle.HIGHEST_PROTOCOL)


def unpack_entries(data: bytes) -> list[StoredEntry]:
    """What `pack_entries` made (only ever bytes from our own parse worker)."""
    return [StoredEntry._make(row) for row in pickle.loads(data)]


_TAG_FOR_INDEX = re.compile(r"<[^>]{0,2000}>")


def plain_text(content: str) -> str:
    """Tags and entities out, for the search index only (never for display)."""
    text = _TAG_FOR_INDEX.sub(" ", content)
    if "&" not in text:
        return text
    import html  # not before the reader's first paint, which indexes nothing

    return html.unescape(text)


def search_text(content: str, content_type: str) -> str:
    """What the search index holds of an article's feed text."""
    return (plain_text(content) if content_type == "html" else content)[:SEARCH_TEXT_MAX]


def with_full_text(feed_text: str, markdown: str) -> str:
    """What the search index holds of an article whose web page was fetched too."""
    return (feed_text + "\n" + plain_text(markdown))[:FTS_MAX]


PACK_LEVEL = 6
"""The deflate level for an article's text (zlib's default): on real feeds' HTML it keeps ~40 B
an article more off the disk than level 1 (766 -> 725 B) for ~10 us more of a parse worker's
CPU (28 -> 38 us); 9 gains nothing more (benchmarks/RESULTS.md, row 7)."""
PACK_MIN = 128
"""Texts shorter than this (in characters) are stored as they are: too short to gain."""
DAMAGED_TEXT = "[newstui: this article's stored text is damaged and cannot be read]"


def pack_text(text: str) -> str | bytes:
    """An article's text as `articles.content` stores it: zlib-compressed UTF-8 (a BLOB) when
    that saves something, else the text itself (TEXT). `unpack_text` reads either form back.

    zlib's format because it is in every Python and every SQLite tool's reach (written by
    zlib-ng: `compressor`), its decompression costs ~10-16 us for a feed's article (when it is
    opened, or read for the search index), and on 1-4 KB of HTML it saves ~55%: lzma saved no
    more on texts this short at ~20x the CPU.
    """
    if len(text) < PACK_MIN:
        return text
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: SQLite would refuse it as text too
        return text
    packed = compressor()(data, PACK_LEVEL)
    return packed if len(packed) + 16 < len(data) else text


_compress: Callable[[bytes, int], bytes] | None = None


def compressor() -> Callable[[bytes, int], bytes]:
    """zlib-ng's `compress`: the same zlib stream as the standard library's (`unpack_text` and
    any SQLite tool read it with plain zlib), in about two thirds of the CPU at the same level,
    a few bytes smaller on real feeds (a cold refresh's parse worker spent ~40% of its time
    here). Imported at the first text packed: the reader's start never needs it."""
    global _compress
    if _compress is None:
        try:
            from zlib_ng.zlib_ng import compress
        except ImportError:  # a Python without the wheel: the standard zlib, the same format
            compress = zlib.compress
        _compress = compress
    return _compress


def unpack_text(value: str | bytes) -> str:
    """What `pack_text` stored, as text; a damaged value gives `DAMAGED_TEXT`, never an error."""
    if isinstance(value, str):
        return value
    try:
        return zlib.decompress(value).decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return DAMAGED_TEXT


_IMAGE_TAG = re.compile(r"<img", re.IGNORECASE | re.ASCII)


def shows_image(text: str, content_type: str) -> bool:
    """Whether an article's text shows a picture (`has:image`): an `<img` tag in HTML (any case,
    as SQLite's LIKE), `![` in Markdown, never in plain text."""
    if content_type == "html":
        return _IMAGE_TAG.search(text) is not None
    if content_type == "markdown":
        return "![" in text
    return False


def to_datetime(value: float | None) -> datetime | None:
    """A stored timestamp as an aware datetime (None for none, or one out of range)."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def to_timestamp(value: datetime | None) -> float | None:
    """A datetime as stored: seconds since the epoch (None for none, or one out of range)."""
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
    import json  # with the first enclosure, not at the reader's start

    return json.dumps([[e.url, e.type, e.length, e.duration] for e in enclosures])


def decode_enclosures(text: str | None) -> tuple[Enclosure, ...]:
    """What `encode_enclosures` stored; a damaged value gives no enclosures, not an error."""
    if not text:
        return ()
    import json

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
