"""One task per job, a bounded number at once: a refresh of 10,000 feeds holds a few dozen tasks, not 10,000."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, TypeVar

_J = TypeVar("_J")
_T = TypeVar("_T")


class BoundedTasks(Generic[_J, _T]):
    """Runs `work(job)` for each job in order, at most `at_once` of them started and unfinished.

    Iterate it for the results as they finish; the first job that raises stops the iteration
    with its exception (the others keep running until `cancel`). Each waiting job cost a task,
    its coroutine's frames and a waiter on the refresh's semaphores (~2.5 KB: ~1.2 MB for 500
    feeds at a cold refresh's peak); the jobs past the bound waited anyway, for a document slot
    or a connection.
    """

    def __init__(self, work: Callable[[_J], Awaitable[_T]], jobs: Sequence[_J], at_once: int):
        self._work = work
        self._jobs = jobs
        self._slots = asyncio.Semaphore(max(1, at_once))
        self._running: set[asyncio.Future[_T]] = set()
        self._finished: asyncio.Queue[asyncio.Future[_T]] = asyncio.Queue()
        self._starter: asyncio.Future[None] | None = None

    async def _start(self) -> None:
        for job in self._jobs:
            await self._slots.acquire()
            task = asyncio.ensure_future(self._work(job))
            self._running.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[_T]) -> None:
        self._running.discard(task)
        self._slots.release()
        self._finished.put_nowait(task)

    async def __aiter__(self) -> AsyncIterator[_T]:
        if self._starter is None:
            self._starter = asyncio.ensure_future(self._start())
        for _ in self._jobs:
            yield (await self._finished.get()).result()

    async def cancel(self) -> None:
        """Cancel what runs and what has not started, and wait for them to end."""
        if self._starter is not None:
            self._starter.cancel()
        running = list(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, *(t for t in [self._starter] if t), return_exceptions=True)
        # Jobs that ended after the iteration stopped (the same failure, often) are read here:
        # else each would be logged at exit as "Task exception was never retrieved".
        while not self._finished.empty():
            task = self._finished.get_nowait()
            if not task.cancelled():
                task.exception()
