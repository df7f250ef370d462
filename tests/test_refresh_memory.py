"""What a refresh's own process holds while it runs (refresh.pipeline, refresh.pool, storage.writer).

Memory is measured by benchmarks/run.py (issue 17 row 3), never here: these tests pin the choices
that keep it down, each by what the process holds, not by how much or how fast.
"""

from __future__ import annotations

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

from newstui.refresh.pool import REFRESH_MALLOC_ARENAS
from newstui.storage.db import Database
from newstui.storage.writer import WRITER_CACHE_KIB, UpdateWriter
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


def _child(code: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
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

def watching(config, jobs, threshold=None, *, fork=False, busy_parent=True):
    if fork:
        forked.append(sorted(m for m in ("httpx", "httpcore", "h11", "anyio") if m in sys.modules))
    return real(config, jobs, threshold, fork=fork, busy_parent=busy_parent)

pool.make_pool = watching
from newstui.cli import main
code = main(sys.argv[2:])
from tests.test_refresh_memory import GLIBC, malloc_heaps
heaps = malloc_heaps() if GLIBC else None
json.dump({"forked": forked, "heaps": heaps}, open(sys.argv[1], "w"))
sys.exit(code)
"""


def test_the_refresh_command_forks_its_workers_before_the_http_client_and_caps_arenas(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    feeds = 4
    for n in range(feeds):
        httpserver.expect_request(f"/f{n}.xml").respond_with_data(
            rss(items(3, prefix=f"F{n}"), title=f"Feed {n}"), content_type="application/rss+xml"
        )
    config = tmp_path / "config.toml"
    config.write_text("[refresh]\nprocess_pool_threshold = 3\nrefresh_on_start = false\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSTUI_", "XDG_"))}
    env.update(NEWSTUI_CONFIG=str(config), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    db = str(tmp_path / "lib.db")
    lib = Database(tmp_path / "lib.db")
    with lib.tx() as conn:
        conn.executemany(
            "INSERT INTO feeds(url, origin, added) VALUES (?, 'user', 0)",
            [(httpserver.url_for(f"/f{n}.xml"),) for n in range(feeds)],
        )
    lib.close()
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-c", COMMAND, str(report), "--db", db, "refresh", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.returncode == 0, proc.stderr
    outcomes = json.loads(proc.stdout)
    assert [o["new"] for o in outcomes] == [3] * feeds
    found = json.loads(report.read_text())
    # Forked once, at the start, without the HTTP client's modules: a worker's copy of them
    # would be pages it never uses and that the refresh soon writes to (then the worker's own).
    assert found["forked"] == [[]]
    if GLIBC:
        assert found["heaps"] <= REFRESH_MALLOC_ARENAS


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
