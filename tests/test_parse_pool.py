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
