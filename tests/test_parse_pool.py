"""When a refresh parses in worker processes and when in threads (refresh.pool)."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ProcessPoolExecutor

from newstui.config import Config, RefreshConfig
from newstui.refresh.pool import LOCAL_FILES_FOR_POOL, ParsePool, make_pool


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
