"""The refresh's parse pool: worker processes started while the first requests are in flight.

A refresh large enough to pay for it (`process_pool_threshold` feeds) parses in a process
pool, so both cores work and the event loop never waits on a parse; a smaller one parses in
threads (in the reader, the refresh runs in a child process: its threads never hold the UI's
loop). A local folder with enough article files (`LOCAL_FILES_FOR_POOL`) gets a pool of its
own. Every piece of CPU work has the configured time limit (`limits.parse_timeout`).

A process that says it may (`fork=True`: the CLI's refresh, the TUI's refresh child) forks
its workers at the start of any refresh that may parse enough, before the refresh starts any
thread: the workers share the parent's pages copy-on-write instead of a forkserver, a resource
tracker and imports of their own (a cold refresh of 500 feeds: the process tree's peak ~90 ->
~65 MB; one where 50 of 500 feeds changed, 67 -> 48 MB). Where feeds never fetched before will
surely parse, the parse modules are imported before the fork, shared; otherwise (feeds that may
answer "not modified") the worker imports them with its first document, and a refresh that has
none to parse costs an idle fork (~10 ms). Any other pool starts from a forkserver when its
first document comes, and a process whose threads may hold locks (the TUI's) is never forked.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar, TypeVarTuple

from newstui.config import Config
from newstui.refresh.workers import Failed, init_worker

_R = TypeVar("_R")
_Args = TypeVarTuple("_Args")

log = logging.getLogger(__name__)

PARSE_NICENESS = 10
"""Parse workers yield the CPU to the process they work for: on two cores the TUI keeps one,
and the refresh's own fetching and storing keep pace (500 feeds: 3.4 s instead of 3.7 s when
parsing cost most; since the refresh got cheaper, niceness 0 and 10 take the same time)."""
LOCAL_FILES_FOR_POOL = 8
"""A local folder with this many article files to read uses a pool (unless the configured
threshold is lower): extracting a page's article costs ~10-100 ms, a feed's parse ~2 ms."""


@contextmanager
def real_stderr() -> Iterator[None]:
    """multiprocessing hands `sys.stderr.fileno()` to the processes it starts (resource tracker,
    forkserver). Under Textual, sys.stderr is a capture object whose fileno() is -1, and the start
    fails ("bad value(s) in fds_to_keep"). While the pool starts, stderr is the null device: the
    helper processes inherit that, so nothing they print can reach the TUI's screen either.
    """
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, ValueError, OSError):
        usable = False
    if usable:
        yield
        return
    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = saved


M_ARENA_MAX = -8  # glibc's mallopt parameter
REFRESH_MALLOC_ARENAS = 2
"""glibc gives a thread that allocates while another holds the main arena an arena of its own (up
to 8 a core), and each keeps what its thread freed for that thread: a refresh's threads (the event
loop, the writer, the pool's two, asyncio's) held ~5 MB free in theirs at the cold refresh's peak.
Two arenas: ~1-2 MB less at that peak, the same CPU (benchmarks/RESULTS.md, issue 17 row 3)."""


def fewer_malloc_arenas(arenas: int = REFRESH_MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this whole process: only for a process that runs nothing but
    a refresh (the command, the TUI's refresh child), before the refresh starts its threads.
    False where there is no glibc to ask (its arenas are glibc's own)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_ARENA_MAX, arenas))


def _preload_for_fork() -> None:
    """Import what a parse worker runs, so that forked workers share it rather than each
    importing its own copy (the rare feed that needs feedparser imports it there)."""
    import lxml.etree  # noqa: F401

    from newstui.domain.update import compressor

    compressor()  # zlib-ng's, when it is installed (else the standard zlib)

    import newstui.sources.bodies
    import newstui.sources.fastfeed
    import newstui.sources.parse  # noqa: F401


def worker_count(config: Config, *, busy_parent: bool = True) -> int:
    """Parse workers for a pool: the configured `parse_processes`, else one per core but the
    one the refresh's own process keeps busy (`busy_parent`: it fetches and stores, about
    half of a cold refresh's CPU, so on 2 cores one worker keeps pace with it; a second one
    only shared the same two cores, at ~8 MB more: benchmarks/RESULTS.md, row 3). A local
    folder's pages (`busy_parent=False`) get every core: the refresh waits for them."""
    if config.refresh.parse_processes:
        return config.refresh.parse_processes
    cores = os.cpu_count() or 1
    return max(1, cores - 1) if busy_parent else cores


def make_pool(
    config: Config,
    jobs: int,
    threshold: int | None = None,
    *,
    fork: bool = False,
    busy_parent: bool = True,
    warm: bool = True,
) -> Executor | None:
    """A started parse pool, or None when the `jobs` are fewer than `threshold` (by default
    the configured `process_pool_threshold`): too few to pay for one; `worker_count` workers.

    Blocking (it starts processes): call it in a thread, not on the event loop, unless `fork`:
    then call it on the only thread there is, with no other running (see `ParsePool.start`).
    `warm`: the parse modules are imported before the first document (in this process before a
    fork, else in each worker); otherwise the first document imports them.
    """
    cfg = config.refresh
    if jobs < (cfg.process_pool_threshold if threshold is None else threshold):
        return None
    workers = max(1, min(worker_count(config, busy_parent=busy_parent), jobs))
    if fork:
        if warm:
            _preload_for_fork()
        context: Any = multiprocessing.get_context("fork")
    else:
        try:
            context = multiprocessing.get_context("forkserver")
        except ValueError:
            context = multiprocessing.get_context("spawn")
    with real_stderr():
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(PARSE_NICENESS, os.getpid(), fork, warm),
        )
        try:
            pool.submit(int).result(timeout=60)  # start the helpers and workers now
        except Exception:
            pool.shutdown(wait=False, cancel_futures=True)
            log.warning("no parse pool; parsing in threads", exc_info=True)
            return None
    return pool


class ParsePool:
    """One refresh's pool: `start` it early, `run` CPU work on it (or on threads when there is
    none), `close` it at the end."""

    def __init__(self, config: Config, *, fork: bool = False) -> None:
        """`fork`: this process may fork its workers (see the module's docstring): only where
        nothing but the refresh runs, never where other threads may hold locks (the TUI)."""
        self._config = config
        self._fork = fork and sys.platform == "linux"
        self._jobs = 0
        self._task: asyncio.Future[Executor | None] | None = None
        self._local_task: asyncio.Future[Executor | None] | None = None
        self._frozen = False

    def start(self, jobs: int, *, certain: int = 0) -> None:
        """Say that up to `jobs` remote documents may come to parse, `certain` of them surely
        (feeds without validators: nothing lets their servers answer "not modified").

        When they may pay for a pool and this process may fork (`fork`), the workers are forked
        now (call this before the refresh starts any thread), with the parse modules imported
        first when the certain ones pay for it. Otherwise the pool (for as many) starts from a
        forkserver with the first document, in a thread (it starts processes): a refresh whose
        feeds all answer "not modified" starts none (a forkserver's pool: ~0.3 CPU s, ~20 MB)."""
        self._jobs = jobs
        threshold = self._config.refresh.process_pool_threshold
        if self._fork and jobs >= threshold and self._task is None:
            if gc.get_freeze_count() == 0:  # else whoever froze the process thaws it
                # Objects that exist now are not collected during the refresh: a collection
                # writes to every object it walks, which would copy their pages for each
                # worker (~7 MB a worker more without this).
                gc.freeze()
                self._frozen = True
            future: asyncio.Future[Executor | None] = asyncio.get_running_loop().create_future()
            pool = make_pool(self._config, jobs, fork=True, warm=certain >= threshold)
            future.set_result(pool)
            self._task = future

    def _remote_pool(self) -> asyncio.Future[Executor | None] | None:
        if self._task is None and self._jobs:
            self._task = asyncio.ensure_future(
                asyncio.to_thread(make_pool, self._config, self._jobs)
            )
        return self._task

    async def close(self) -> None:
        """Shut the pools down (a local folder's, then the refresh's), waiting off the loop: a
        few ms once their work is done."""
        for task in (self._local_task, self._task):
            pool = await task if task is not None else None
            if pool is not None:
                await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    async def run(
        self,
        func: Callable[[*_Args], _R],
        *args: *_Args,
        pool: Executor | None = None,
    ) -> _R | Failed:
        loop = asyncio.get_running_loop()
        timeout = self._config.limits.parse_timeout
        if pool is None:
            task = self._remote_pool()
            pool = await task if task is not None else None
        if pool is not None:
            future = loop.run_in_executor(pool, func, *args)
        else:
            future = asyncio.ensure_future(asyncio.to_thread(func, *args))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return Failed("error", f"parsing took longer than {timeout:g} s")

    async def for_documents(self, documents: int) -> Executor | None:
        """The parse pool, started for a local folder too when it has enough documents."""
        pool = await self._task if self._task is not None else None
        threshold = min(self._config.refresh.process_pool_threshold, LOCAL_FILES_FOR_POOL)
        if pool is not None or documents < threshold:
            return pool
        if self._local_task is None:
            self._local_task = asyncio.ensure_future(
                asyncio.to_thread(make_pool, self._config, documents, threshold, busy_parent=False)
            )
        return await self._local_task
