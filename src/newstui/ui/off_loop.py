"""The UI's one way to the library's blocking work: `off_loop` (and `refresh`, which may use a child)."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, ParamSpec, TypeVar, overload

from newstui.domain.models import FeedOutcome, RefreshProgress
from newstui.library.facade import Library

T = TypeVar("T")
P = ParamSpec("P")


@overload
async def off_loop(
    fn: Callable[P, Coroutine[Any, Any, T]], /, *args: P.args, **kwargs: P.kwargs
) -> T: ...


@overload
async def off_loop(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T: ...


async def off_loop(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` run where the UI's event loop never waits on it.

    A plain function (SQLite, a file, rendering) runs in a worker thread. A coroutine function
    of the library (adding a feed, fetching a page or a picture) runs on an event loop of its
    own in a daemon thread: its parsing and writes never stall the UI's loop, and a quit never
    waits for a slow server. Whatever it raises is raised here, for the worker awaiting it;
    the App's one handler turns a worker's failure into a notification.
    """
    if inspect.iscoroutinefunction(fn):
        return await _in_thread_loop(lambda: fn(*args, **kwargs), name=_name(fn))
    return await asyncio.to_thread(fn, *args, **kwargs)


async def refresh(
    library: Library,
    feed_ids: Sequence[int] | None,
    *,
    progress: Callable[[RefreshProgress], None],
    background: bool,
) -> list[FeedOutcome]:
    """Refresh feeds off the UI's loop; `progress` is called from another thread.

    In a child process where the library is a file (the refresh's CPU, GIL and garbage stay
    out of the UI's), else on a loop of its own in a thread.
    """
    if library.can_refresh_in_child:
        return await library.refresh_in_child(feed_ids, progress=progress, background=background)
    return await off_loop(library.refresh, feed_ids, progress=progress, background=background)


def _name(fn: Callable[..., object]) -> str:
    return f"newstui-{getattr(fn, '__name__', 'work')}"


async def _in_thread_loop(factory: Callable[[], Coroutine[Any, Any, T]], *, name: str) -> T:
    """Await `factory()` run by `asyncio.run` in a daemon thread."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def target() -> None:
        try:
            result = asyncio.run(factory())
        except BaseException as exc:  # handed back to the awaiting worker
            outcome: tuple[T | None, BaseException | None] = (None, exc)
        else:
            outcome = (result, None)
        # RuntimeError: the app's loop has closed (a quit during a refresh).
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=target, name=name, daemon=True).start()
    return await future
