"""Run a core coroutine (a refresh, an add) on its own event loop in a daemon thread."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


async def run_in_thread_loop(factory: Callable[[], Coroutine[Any, Any, T]], *, name: str) -> T:
    """Await `factory()` run by `asyncio.run` in a daemon thread.

    Whatever the core does (parsing, SQLite writes), the UI's loop never waits on it; and a quit
    never waits for a slow server, since the thread is a daemon.
    """
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
