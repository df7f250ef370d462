"""Shared fixtures: the corpus beside the repository, config and library factories."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytest_httpserver import HTTPServer

if TYPE_CHECKING:
    from newstui.library.facade import Library

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """`../shared/corpus`, or a clean skip when it is not beside the repository."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS} (expected ../shared/corpus beside the repo)")
    return CORPUS


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    """pytest-httpserver on 127.0.0.1, threaded: a refresh talks to it on several connections."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


# ---- the UI's tests ---------------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    """Textual runs on asyncio: the async tests (Pilot and the core's) run there too."""
    return "asyncio"


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[Library]:
    """The standard UI library (tests/ui_support.py: three small feeds) on a file in tmp_path.

    A test module with a `library` of its own (other feeds, a server) overrides this one."""
    from tests.ui_support import make_library

    lib = await make_library(tmp_path)
    yield lib
    lib.close()


@pytest.fixture(autouse=True)
def _worker_bugs_fail_the_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A worker that fails for no reason an input explains (a bug, not a full disk or a bad
    feed) is a notification to the user, who keeps the reader; to a test it is a failure."""
    app_module = sys.modules.get("newstui.ui.app")
    if app_module is None:  # a test that never starts the reader (nor imports it)
        yield
        return
    bugs: list[BaseException] = []
    app_class = app_module.NewstuiApp
    original = app_class._report_bug

    def record(self: object, error: BaseException) -> None:
        bugs.append(error)
        original(self, error)

    monkeypatch.setattr(app_class, "_report_bug", record)
    yield
    assert not bugs, f"a worker of the reader failed: {bugs!r}"
