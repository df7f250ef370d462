"""A refresh run by a child process, for a caller that must stay responsive (the TUI).

In a thread of the TUI's process, a 500-feed refresh held the GIL for about 1.3 s of its 3.5 s
(httpx, gzip, unpickling parse results, the writer's Python side) and left ~10,000 objects of
cyclic garbage (httpx responses) for the UI thread's collector: the UI's loop stalled up to
50-80 ms. In a child process the UI keeps its GIL, its collector and its memory; the child writes
to the same SQLite file (WAL: the UI's reads never wait) and sends its progress back.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from newstui.config import Config
from newstui.domain.errors import NewstuiError, StorageFailure
from newstui.domain.models import FeedOutcome, RefreshProgress
from newstui.refresh.pool import real_stderr

CHILD_NICENESS = 5


class RefreshProcessError(NewstuiError):
    """The refresh process failed as a whole (not one feed: those are outcomes)."""


class Refreshable(Protocol):
    """What the child refreshes: the Library, opened in the child by an `Opener`."""

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        progress: Callable[[RefreshProgress], None] | None = None,
        background: bool = False,
        fork_workers: bool = False,
    ) -> list[FeedOutcome]: ...

    def close(self) -> None: ...


Opener = Callable[[str, Config], Refreshable]
"""Opens the library at a path in the child: a module-level function (it crosses to the child
by name), so that this module needs nothing from the layers above it."""


def _child(
    opener: Opener,
    db_path: str,
    config: Config,
    feed_ids: Sequence[int] | None,
    background: bool,
    conn: Any,
) -> None:
    """The child's whole life: refresh, sending ("progress", event)... then one final message."""
    # Nothing the child (or a library under it) prints may reach the TUI's terminal.
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the child)
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)  # the UI's process is served first

    def progress(event: RefreshProgress) -> None:
        conn.send(("progress", event))

    try:
        library = opener(db_path, config)
    except NewstuiError as exc:
        conn.send(("error", str(exc)))
        return
    try:
        # Nothing but the refresh runs in this process: its parse workers may be forked from it.
        refresh = library.refresh(
            feed_ids, progress=progress, background=background, fork_workers=True
        )
        outcomes = asyncio.run(refresh)
        final: tuple[str, Any] = ("done", outcomes)
    except StorageFailure as exc:  # the disk failed: the caller gets the same error type
        final = ("storage", str(exc))
    except NewstuiError as exc:
        final = ("error", str(exc))
    except BaseException as exc:  # reported to the parent, which shows one line
        final = ("error", f"internal error: {type(exc).__name__}: {exc}")
    library.close()  # every write is committed by now, and the parse pool is shut down
    conn.send(final)
    conn.close()


def _reap(process: Any) -> None:
    process.join(60)
    if process.is_alive():
        process.kill()
        process.join(5)


READ_BATCH = 16
"""Messages from the child handled in one call of the loop's reader: the reader is called
again while the pipe holds more, so a burst (hundreds of feeds answered at once) is handled a
few at a time between the loop's other work, never in one long step of the caller's loop."""


def read_messages(
    receiver: Any,
    result: asyncio.Future[tuple[str, Any]],
    progress: Callable[[RefreshProgress], None] | None,
    limit: int = READ_BATCH,
) -> int:
    """Handle at most `limit` messages waiting in `receiver`: progress goes to `progress`, the
    final message (or a lost pipe) settles `result`. How many were handled."""
    handled = 0
    try:
        while handled < limit and not result.done() and receiver.poll():
            kind, payload = receiver.recv()
            handled += 1
            if kind == "progress":
                if progress is not None:
                    progress(payload)
            else:
                result.set_result((kind, payload))
    except (EOFError, OSError):
        if not result.done():
            result.set_result(("lost", None))
    return handled


async def refresh_in_child(
    opener: Opener,
    db_path: str,
    config: Config,
    feed_ids: Sequence[int] | None = None,
    *,
    progress: Callable[[RefreshProgress], None] | None = None,
    background: bool = False,
) -> list[FeedOutcome]:
    """Run `opener(db_path, config).refresh` in a child process; progress is called on the caller's loop.

    Raises RefreshProcessError when the child cannot start or ends without a result, and
    StorageFailure when the disk failed under the child's writes (the refresh stopped). If the
    awaiting task is cancelled (the app quits), the child is terminated: every feed's storing
    is one transaction, so what it stored is whole and what it did not is untouched.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(opener, db_path, config, feed_ids, background, sender),
        name="newstui-refresh",
        daemon=False,  # it starts its own parse pool
    )

    def start() -> None:
        with real_stderr():
            process.start()

    try:
        await asyncio.to_thread(start)
    except (OSError, ValueError, RuntimeError) as exc:
        receiver.close()
        sender.close()
        raise RefreshProcessError(f"could not start the refresh process: {exc}") from None
    sender.close()
    loop = asyncio.get_running_loop()
    result: asyncio.Future[tuple[str, Any]] = loop.create_future()

    def readable() -> None:
        read_messages(receiver, result, progress)

    fd = receiver.fileno()
    loop.add_reader(fd, readable)
    try:
        kind, payload = await result
    except BaseException:  # cancelled (the app quits): the child stops too
        process.terminate()
        process.join(2)
        raise
    finally:
        loop.remove_reader(fd)
        receiver.close()
    if kind == "lost":  # it died before its final message (killed, out of memory...)
        await asyncio.to_thread(process.join, 5)
        raise RefreshProcessError(
            f"the refresh process ended without a result (exit status {process.exitcode})"
        )
    # The result is in: the caller does not wait for the process to be reaped.
    threading.Thread(target=_reap, args=(process,), name="newstui-reap", daemon=True).start()
    if kind == "storage":
        raise StorageFailure(str(payload))
    if kind == "error":
        raise RefreshProcessError(str(payload))
    return list(payload)
