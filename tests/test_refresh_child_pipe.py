"""The refresh child's messages are read a batch at a time (refresh.isolated.read_messages): a
burst of progress never holds the caller's event loop for one long step."""

from __future__ import annotations

import asyncio
import multiprocessing

from newstui.domain.models import RefreshProgress
from newstui.refresh.isolated import READ_BATCH, read_messages


def test_a_burst_is_read_a_batch_a_call_in_order_to_the_end() -> None:
    loop = asyncio.new_event_loop()
    try:
        receiver, sender = multiprocessing.get_context("spawn").Pipe(duplex=False)
        for done in range(1, 101):
            sender.send(("progress", RefreshProgress(done, 100)))
        sender.send(("ok", ["the outcomes"]))
        result: asyncio.Future[tuple[str, object]] = loop.create_future()
        seen: list[int] = []
        calls = []
        while not result.done():
            calls.append(read_messages(receiver, result, lambda e: seen.append(e.done)))
        assert max(calls) == READ_BATCH  # never more than a batch in one call
        assert seen == list(range(1, 101))  # every event, in order
        assert result.result() == ("ok", ["the outcomes"])
        assert read_messages(receiver, result, seen.append) == 0  # settled: nothing more read
        sender.close()
        receiver.close()
    finally:
        loop.close()


def test_a_lost_pipe_settles_the_result_as_lost() -> None:
    loop = asyncio.new_event_loop()
    try:
        receiver, sender = multiprocessing.get_context("spawn").Pipe(duplex=False)
        sender.send(("progress", RefreshProgress(1, 2)))
        sender.close()  # the child died before its final message
        result: asyncio.Future[tuple[str, object]] = loop.create_future()
        seen: list[int] = []
        while not result.done():
            read_messages(receiver, result, lambda e: seen.append(e.done))
        assert seen == [1] and result.result() == ("lost", None)
        receiver.close()
    finally:
        loop.close()
