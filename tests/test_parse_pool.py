"""When a refresh parses in worker processes and when in threads (refresh.pool)."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from newstui.config import Config, RefreshConfig
from newstui.refresh.pool import LOCAL_FILES_FOR_POOL, ParsePool, make_pool, worker_count


def test_a_refresh_of_fewer_feeds_than_the_threshold_starts_no_processes() -> None:
    # A pool's start costs more than parsing a hundred typical feeds (CPU and ~40 MB).
    config = Config()
    assert config.refresh.process_pool_threshold == 100
    assert make_pool(config, 99) is None
    pool = make_pool(config, 100)
    try:
        assert isinstance(pool, ProcessPoolExecutor)
        assert pool.submit(os.getpid).result(timeout=60) != os.getpid()
    finally:
        assert pool is not None
        pool.shutdown()
    assert make_pool(Config(refresh=RefreshConfig(process_pool_threshold=5)), 5) is not None


def test_a_folder_of_a_few_article_files_gets_a_pool_of_its_own() -> None:
    # Reading a page's article costs far more than parsing a feed: a few files pay for a pool.
    async def pools() -> tuple[bool, bool]:
        small, enough = ParsePool(Config()), ParsePool(Config())
        try:
            few = await small.for_documents(LOCAL_FILES_FOR_POOL - 1)
            many = await enough.for_documents(LOCAL_FILES_FOR_POOL)
            return few is None, isinstance(many, ProcessPoolExecutor)
        finally:
            await small.close()
            await enough.close()

    assert asyncio.run(pools()) == (True, True)


def test_the_pool_starts_with_the_first_document_to_parse_not_before(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A warm refresh (every feed "not modified") has nothing to parse: no processes for it.
    from newstui.refresh import pool as pool_module

    made: list[int] = []
    real = pool_module.make_pool

    def counting(config: Config, jobs: int, threshold: int | None = None):  # type: ignore[no-untyped-def]
        made.append(jobs)
        return real(config, jobs, threshold)

    monkeypatch.setattr(pool_module, "make_pool", counting)
    config = Config(refresh=RefreshConfig(process_pool_threshold=2))

    async def warm() -> None:
        parse = ParsePool(config)
        parse.start(5)
        await asyncio.sleep(0.05)
        await parse.close()

    async def cold() -> int:
        parse = ParsePool(config)
        parse.start(5)
        try:
            pids = await asyncio.gather(parse.run(os.getpid), parse.run(os.getpid))
        finally:
            await parse.close()
        assert all(isinstance(pid, int) and pid != os.getpid() for pid in pids)
        return len(made)

    asyncio.run(warm())
    assert made == []
    assert asyncio.run(cold()) == 1  # one pool for every document, started by the first
    assert made == [5]


def _descendants(pid: int) -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process under `pid`."""
    found, parents = [], {pid}
    rows = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            except (OSError, ValueError, IndexError):
                continue
            rows.append((int(entry), ppid, cmd))
    changed = True
    while changed:
        changed = False
        for row in rows:
            if row[1] in parents and row[0] not in parents:
                parents.add(row[0])
                found.append(row)
                changed = True
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_a_refresh_that_may_parse_enough_forks_its_workers_at_once_and_nothing_else() -> None:
    # Forked workers share the refresh's pages: no forkserver, no resource tracker, no imports
    # of their own (the tree's peak ~90 -> ~65 MB for 500 feeds). Started before any request,
    # while no thread of the refresh exists yet.
    config = Config(refresh=RefreshConfig(process_pool_threshold=3))
    before = {pid for pid, _ppid, _cmd in _descendants(os.getpid())}
    was_frozen = gc.get_freeze_count()  # another test's app may have frozen this process

    async def cold() -> tuple[list[tuple[int, int, str]], list[object], int]:
        parse = ParsePool(config, fork=True)
        parse.start(5, certain=3)  # the workers exist when start returns
        started = [p for p in _descendants(os.getpid()) if p[0] not in before]
        frozen = gc.get_freeze_count()
        try:
            pids = await asyncio.gather(*(parse.run(os.getpid) for _ in range(4)))
        finally:
            await parse.close()
        return started, list(pids), frozen

    started, pids, frozen = asyncio.run(cold())
    assert len(started) == min(max(1, (os.cpu_count() or 1) - 1), 5), started
    assert all(ppid == os.getpid() for _pid, ppid, _cmd in started)  # no forkserver between
    assert not any("resource_tracker" in cmd or "forkserver" in cmd for *_, cmd in started)
    assert {pid for pid, _ppid, _cmd in started} >= {p for p in pids if isinstance(p, int)}
    assert os.getpid() not in pids
    assert frozen > 0
    assert gc.get_freeze_count() == was_frozen  # thawed when the pool closed, if it froze

    async def not_sure() -> tuple[list[tuple[int, int, str]], object]:
        # Enough may parse (feeds with validators: some may have changed): forked at once too,
        # never a forkserver later; the worker imports the parse modules with its first document.
        parse = ParsePool(config, fork=True)
        parse.start(5, certain=2)
        started = [p for p in _descendants(os.getpid()) if p[0] not in before]
        try:
            return started, await parse.run(os.getpid)
        finally:
            await parse.close()

    started, pid = asyncio.run(not_sure())
    assert [ppid for _pid, ppid, _cmd in started] == [os.getpid()] * len(started) != []
    assert not any("resource_tracker" in cmd or "forkserver" in cmd for *_, cmd in started)
    assert pid in {pid for pid, _ppid, _cmd in started}

    async def too_few() -> bool:
        parse = ParsePool(config, fork=True)
        parse.start(2, certain=2)  # fewer than the threshold: parsed in threads
        try:
            return [p for p in _descendants(os.getpid()) if p[0] not in before] == []
        finally:
            await parse.close()

    assert asyncio.run(too_few())


def test_a_refresh_pool_leaves_its_own_process_a_core_a_folder_pool_takes_all() -> None:
    # The refresh's process fetches and stores (about half a cold refresh's CPU): on 2 cores one
    # worker keeps pace with it, and a second costs ~8 MB for no time. Pages of a local folder
    # are waited for: every core. A configured number is kept either way.
    cores = os.cpu_count() or 1
    assert worker_count(Config()) == max(1, cores - 1)
    assert worker_count(Config(), busy_parent=False) == cores
    three = Config(refresh=RefreshConfig(parse_processes=3))
    assert worker_count(three) == worker_count(three, busy_parent=False) == 3
