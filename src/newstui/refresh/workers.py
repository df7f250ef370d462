"""What runs in the refresh's worker processes (and, for small refreshes, its threads).

Bytes and plain values in, plain values out. Kept apart from refresh.py so that a worker
imports only decoding, parsing and the stored rows' shape, not httpx and the fetcher (a cold
refresh of 500 feeds: ~0.15 s less CPU in all, ~0.1 s sooner done).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Literal, NamedTuple

from newstui.config import LimitsConfig
from newstui.domain.errors import NewstuiError, NotAFeedError
from newstui.domain.models import ParsedFeed
from newstui.domain.update import StoredEntry, entry_digest, pack_entries, to_stored


class Parsed(NamedTuple):
    """A document read as a feed: the feed (its entries left out) and its entries as stored rows.

    Every result starts with its `status`, so the results can be told apart by that field or by
    their class; they are named tuples because they cross a process boundary, pickled.
    """

    status: Literal["ok"]
    feed: ParsedFeed
    entries: bytes | list[StoredEntry]
    """`pack_entries` of the rows from a process worker, the rows themselves from a thread."""


class Failed(NamedTuple):
    """A document, file or page that gave nothing to store, and why."""

    status: Literal["error", "notafeed"]
    message: str
    candidates: tuple[tuple[str, str], ...] = ()
    """Not a feed: the (url, title) of the feeds the page links to, best first."""


class ArticleRead(NamedTuple):
    """One article file of a local source, read."""

    status: Literal["ok"]
    entry: StoredEntry | None
    """Its stored row; None when the file reads as it did when stored (nothing extracted)."""


class Extracted(NamedTuple):
    """A web page's article text."""

    status: Literal["ok"]
    markdown: str


ParseResult = Parsed | Failed


def parse_body(
    data: bytes,
    encoding: str,
    max_bytes: int,
    url: str,
    headers: dict[str, str],
    limits: LimitsConfig,
) -> ParseResult:
    """Runs in a worker process: decode, parse and convert for storage there, so the parent does
    little (its fetching moves compressed bytes: 500 feeds, ~0.45 s of zlib off the parent)."""
    from newstui.sources.bodies import decode_body
    from newstui.sources.parse import parse_document

    try:
        if encoding:
            data = decode_body(data, encoding, max_bytes)
        parsed = parse_document(data, url=url, headers=headers, limits=limits)
    except NotAFeedError as exc:
        return Failed("notafeed", str(exc), tuple(exc.candidates))
    except NewstuiError as exc:
        return Failed("error", str(exc))
    # The entries travel back once, as stored rows, and stay one pickled bytes object until the
    # writer stores them: thousands of objects queued in the parent (a TUI) would make each of
    # its full garbage collections during a refresh walk them, on the UI thread.
    rows = [to_stored(e) for e in parsed.entries]
    return Parsed("ok", replace(parsed, entries=()), pack_entries(rows))


def read_local_file(path: str, limits: LimitsConfig) -> ParseResult:
    from newstui.sources.local import read_local

    try:
        parsed = read_local(Path(path), limits=limits)
    except NewstuiError as exc:
        return Failed("error", str(exc))
    # Runs in a thread (local sources are few and small): the rows go back as a list, and the
    # parsed copies of the entries are dropped at once.
    return Parsed("ok", replace(parsed, entries=()), [to_stored(e) for e in parsed.entries])


def read_local_article(
    path: str, limits: LimitsConfig, known_digest: str | None
) -> ArticleRead | Failed:
    """One article file of a local source as a stored row, its reader text extracted; no row
    when the file reads as it did (`known_digest`): nothing is extracted again."""
    from newstui.sources.local import extract_local, read_article_data

    try:
        entry, data = read_article_data(Path(path), limits)
    except NewstuiError as exc:
        return Failed("error", str(exc))
    digest = entry_digest(entry)
    if digest == known_digest:
        return ArticleRead("ok", None)
    reader = None
    if data is not None:
        entry, reader = extract_local(entry, data)
    return ArticleRead("ok", to_stored(entry, full_text=reader, digest=digest))


def extract_page(data: bytes, url: str) -> Extracted | Failed:
    from newstui.sources.extract import extract_article

    try:
        return Extracted("ok", extract_article(data, url=url).markdown)
    except NewstuiError as exc:
        return Failed("error", str(exc))


def init_worker(nice: int, owner: int, forked: bool = False, warm: bool = True) -> None:
    if forked:
        # A copy of the refresh's process: its signal handlers (asyncio's Ctrl-C handler, the
        # loop's wakeup pipe, shared with the parent) are not the worker's.
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if nice:
        with suppress(OSError):
            os.nice(nice)
    threading.Thread(target=watch_owner, args=(owner,), name="owner-watch", daemon=True).start()
    if warm:  # import before the first document arrives (else the first document imports)
        import newstui.sources.parse  # noqa: F401


def watch_owner(owner: int) -> None:
    """A worker leaves when the process it works for is gone. It holds its own task queue's
    write end, so after an owner that ended without shutting the pool down (killed, or a TUI
    quitting during a refresh) it would wait for work forever (and its forkserver with it)."""
    while True:
        time.sleep(1.0)
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            os._exit(0)
        except OSError:
            pass  # it exists, but is not ours to signal
