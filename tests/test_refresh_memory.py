"""What a refresh's own process holds while it runs (refresh.pipeline, refresh.pool, storage.writer).

Memory is measured by benchmarks/run.py (issue 17 row 3), never here: these tests pin the choices
that keep it down, each by what the process holds, not by how much or how fast.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newstui.config import Config, RefreshConfig
from newstui.domain.models import FeedStatus, RefreshProgress
from newstui.library.facade import Library
from newstui.refresh.pipeline import DOCUMENTS_PER_CONNECTION, UNSTORED
from newstui.refresh.pool import REFRESH_MALLOC_ARENAS
from newstui.refresh.tasks import BoundedTasks
from newstui.storage.db import Database
from newstui.storage.writer import MAX_BATCH, WRITER_CACHE_KIB, UpdateWriter
from tests.feedgen import items, rss

GLIBC = sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "malloc_info")


def malloc_heaps() -> int:
    """How many malloc arenas (glibc's "heaps") this process has now."""
    libc = ctypes.CDLL(None)
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
    libc.fclose.argtypes = (ctypes.c_void_p,)
    with tempfile.NamedTemporaryFile(suffix=".xml") as out:
        handle = libc.fopen(out.name.encode(), b"w")
        libc.malloc_info(0, handle)
        libc.fclose(handle)
        return Path(out.name).read_text().count("<heap nr=")


def busy_threads(count: int = 6, rounds: int = 3000) -> None:
    """Threads that allocate at once, as a refresh's do: each gets an arena unless capped."""
    start = threading.Barrier(count)

    def work() -> None:
        start.wait()
        for _ in range(rounds):
            kept = [bytearray(1500) for _ in range(20)]  # past pymalloc: malloc's own
            del kept

    threads = [threading.Thread(target=work) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# In a child of its own: arenas, once made, stay for the life of the process.
ARENAS = """
import sys
from tests.test_refresh_memory import busy_threads, malloc_heaps
from newstui.refresh.pool import fewer_malloc_arenas
if sys.argv[1] == "capped":
    assert fewer_malloc_arenas()
busy_threads()
print(malloc_heaps())
"""


def _child(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.skipif(not GLIBC, reason="malloc arenas are glibc's")
def test_a_refresh_process_caps_its_malloc_arenas() -> None:
    # A thread that allocates while another holds an arena gets one of its own (up to 8 a
    # core), with the memory its thread freed kept in it: ~5 MB at a cold refresh's peak.
    assert int(_child(ARENAS, "free")) > REFRESH_MALLOC_ARENAS  # the check can fail
    assert int(_child(ARENAS, "capped")) <= REFRESH_MALLOC_ARENAS


# The refresh command run in a child, which then says what its parse workers were forked with
# and what it holds (as JSON into the file named by argv[1]).
COMMAND = """
import json, sys
from newstui.refresh import pool
forked = []
real = pool.make_pool

def watching(config, jobs, threshold=None, *, fork=False, **options):
    if fork:
        forked.append(sorted(m for m in ("httpx", "httpcore", "h11", "anyio") if m in sys.modules))
    return real(config, jobs, threshold, fork=fork, **options)

pool.make_pool = watching
from newstui.cli import main
code = main(sys.argv[2:])
from tests.test_refresh_memory import GLIBC, malloc_heaps
heaps = malloc_heaps() if GLIBC else None
forkserver = "multiprocessing.popen_forkserver" in sys.modules
json.dump({"forked": forked, "heaps": heaps, "forkserver": forkserver}, open(sys.argv[1], "w"))
sys.exit(code)
"""


FEEDS = 4


@pytest.fixture
def subscribed(tmp_path: Path, httpserver: HTTPServer) -> tuple[Path, list[int]]:
    """FEEDS feeds on a loopback server that answers "not modified" to its own ETag, and a
    library subscribed to them (none fetched yet); the list holds each feed's version: raise
    one and that feed changes (a new article, a new ETag)."""
    versions = [0] * FEEDS

    def feed(request: Request, n: int) -> Response:
        tag = f'"v{versions[n]}"'
        if request.headers.get("If-None-Match") == tag:
            return Response(status=304, headers={"ETag": tag})
        body = rss(items(3 + versions[n], prefix=f"F{n}"), title=f"Feed {n}")
        return Response(body, content_type="application/rss+xml", headers={"ETag": tag})

    for n in range(FEEDS):
        httpserver.expect_request(f"/f{n}.xml").respond_with_handler(
            lambda request, n=n: feed(request, n)
        )
    (tmp_path / "config.toml").write_text(
        "[refresh]\nprocess_pool_threshold = 3\nrefresh_on_start = false\n"
    )
    lib = Database(tmp_path / "lib.db")
    with lib.tx() as conn:
        conn.executemany(
            "INSERT INTO feeds(url, origin, added) VALUES (?, 'user', 0)",
            [(httpserver.url_for(f"/f{n}.xml"),) for n in range(FEEDS)],
        )
    lib.close()
    return tmp_path, versions


def _refresh(tmp_path: Path) -> tuple[list[dict[str, object]], dict[str, object]]:
    """`newstui refresh --json` in a child: its outcomes, and what COMMAND found."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSTUI_", "XDG_"))}
    env.update(NEWSTUI_CONFIG=str(tmp_path / "config.toml"), XDG_CONFIG_HOME=str(tmp_path / "x"))
    report = tmp_path / "report.json"
    command = [str(report), "--db", str(tmp_path / "lib.db"), "refresh", "--json"]
    outcomes = json.loads(_child(COMMAND, *command, env=env))
    return outcomes, json.loads(report.read_text())


def test_the_refresh_command_forks_its_workers_before_the_http_client_and_caps_arenas(
    subscribed: tuple[Path, list[int]],
) -> None:
    outcomes, found = _refresh(subscribed[0])
    assert [o["new"] for o in outcomes] == [3] * FEEDS
    # Forked once, at the start, without the HTTP client's modules: a worker's copy of them
    # would be pages it never uses and that the refresh soon writes to (then the worker's own).
    assert found["forked"] == [[]]
    if GLIBC:
        assert found["heaps"] <= REFRESH_MALLOC_ARENAS


def test_a_refresh_where_some_feeds_changed_forks_its_workers_and_starts_no_forkserver(
    subscribed: tuple[Path, list[int]],
) -> None:
    # A big library's everyday refresh: most feeds answer "not modified", a few changed. Its
    # workers used to come from a forkserver (with a resource tracker, and imports of their
    # own) started by the first changed feed: 67 MB for 500 feeds, above the cold refresh's
    # peak; forked at the start, 48 MB.
    tmp_path, versions = subscribed
    _refresh(tmp_path)
    versions[1] += 1
    outcomes, found = _refresh(tmp_path)
    assert [(o["status"], o["new"]) for o in outcomes] == [
        ("not_modified", 0),
        ("ok", 1),
        ("not_modified", 0),
        ("not_modified", 0),
    ]
    assert found["forked"] == [[]]
    assert found["forkserver"] is False


def test_the_writer_keeps_a_smaller_page_cache_of_its_own(tmp_path: Path) -> None:
    # SQLite's default is 2,000 KiB a connection; the writer's own holds half as much, at the
    # same storing CPU (benchmarks/RESULTS.md). The library's connection keeps its default.
    db = Database(tmp_path / "lib.db")
    writer = UpdateWriter(db)
    try:
        (mine,) = writer._db.conn.execute("PRAGMA cache_size").fetchone()
        (library,) = db.conn.execute("PRAGMA cache_size").fetchone()
    finally:
        writer.close()
        db.close()
    assert mine == -WRITER_CACHE_KIB
    assert library == -2000


def test_bounded_tasks_run_in_order_a_bounded_number_at_once_and_stop_at_an_error() -> None:
    async def scenario() -> tuple[list[int], int, list[int], str, int]:
        running = 0
        most = 0
        started: list[int] = []

        async def work(job: int) -> int:
            nonlocal running, most
            started.append(job)
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.001 * (job % 3))
            running -= 1
            if job == 37:
                raise ValueError("job 37")
            return job * 2

        ok = BoundedTasks(work, range(30), at_once=4)
        results = [r async for r in ok]
        first_most = most

        failing = BoundedTasks(work, range(30, 200), at_once=5)
        seen: list[int] = []
        try:
            async for result in failing:
                seen.append(result)
        except ValueError as exc:
            message = str(exc)
        await failing.cancel()
        left = sum(1 for t in asyncio.all_tasks() if t is not asyncio.current_task())
        return sorted(results), first_most, started, message, left

    results, most, started, message, left = asyncio.run(scenario())
    assert results == [2 * j for j in range(30)]
    assert most == 4
    assert started[:30] == list(range(30))  # started in the jobs' order
    assert message == "job 37"
    assert max(started) <= 37 + 5  # no job started past the bound once 37 failed
    assert left == 0  # nothing left running after cancel


def test_a_refresh_of_many_feeds_on_one_host_holds_a_bounded_number_of_tasks(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    # 300 feeds on one host wait for its 8 connections: each used to wait as a task of its own.
    httpserver.expect_request("/feed").respond_with_data(
        rss(items(1), title="One"), content_type="application/rss+xml"
    )
    lib = Library.open(Config(), tmp_path / "lib.db")
    for n in range(300):
        lib.subscribe(httpserver.url_for("/feed") + f"?f={n}")
    counts: list[int] = []

    def progress(event: RefreshProgress) -> None:
        counts.append(len(asyncio.all_tasks()))

    outcomes = asyncio.run(lib.refresh(progress=progress))
    lib.close()
    assert [o.status for o in outcomes] == [FeedStatus.OK] * 300
    bound = RefreshConfig().concurrency * DOCUMENTS_PER_CONNECTION + UNSTORED + 2 * MAX_BATCH
    assert len(counts) == 300
    # Besides the feeds' own: a thread hand-off for each document parsing in threads (this
    # refresh is too small for workers), the refresh itself, the starter, the pool's.
    assert max(counts) <= bound + UNSTORED + 5 < 300
