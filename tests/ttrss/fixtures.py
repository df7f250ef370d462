"""pytest fixtures for the tt-rss tests: a loopback feed server and a private tt-rss (see harness).

When tt-rss cannot be set up the tests FAIL with the reason (CI installs it with
tests/ttrss/setup.sh); set NEWSTUI_TTRSS=skip to skip them, loudly, on a machine without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.ttrss.harness import HarnessError, LoopbackFeeds, TtrssServer, why_unavailable


def _unavailable_or_fail() -> None:
    reason = why_unavailable()
    if reason is None:
        return
    if os.environ.get("NEWSTUI_TTRSS") == "skip":
        pytest.skip(f"NEWSTUI_TTRSS=skip: {reason}")
    pytest.fail(reason, pytrace=False)


@pytest.fixture(scope="session")
def loopback_feeds() -> Iterator[LoopbackFeeds]:
    feeds = LoopbackFeeds()
    yield feeds
    feeds.close()


@pytest.fixture(scope="module")
def ttrss() -> Iterator[TtrssServer]:
    """A fresh tt-rss for each test module (about 2 s to build), removed afterwards."""
    _unavailable_or_fail()
    server = TtrssServer()
    try:
        server.start()
    except HarnessError as exc:
        server.close()
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.close()
