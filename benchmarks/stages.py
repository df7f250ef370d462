"""What a cold refresh costs, stage by stage, against row 1's floor (run on demand).

    .venv/bin/python benchmarks/stages.py              # 500 feeds x 30 items, median of 3
    .venv/bin/python benchmarks/stages.py --runs 1 --feeds 100

Each stage of a cold refresh of the benchmark's feeds is measured alone, in one process, on
the same feed server as run.py's row 1: start-up (the installed command with nothing to refresh),
fetching every feed (newstui's Fetcher, bodies left compressed as a refresh leaves them),
parsing them (the parse workers' own function, one after another), the pickling a process pool
adds, and storing (the refresh's storing code into a fresh library, with and without the
search index). Then the real command, whose wall time and machine-wide CPU (less the feed
server's) show how much of the machine it keeps busy.

The issue's floor is max(N x latency / connections, parse CPU / cores). On a machine with
`cores` cores no refresh can finish before (CPU of every stage) / cores, so the printed bound
says how near the floor any pipeline of these stages could come, however well overlapped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pickle
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
if __name__ == "__main__":  # the script's folder is first on sys.path
    from project_venv import use_project_venv

    use_project_venv()

sys.path.insert(0, str(BENCH))
from run import (  # noqa: E402
    NEWSTUI,
    WORK,
    Server,
    compile_sources,
    fresh_newstui_db,
    log,
    measure,
    newstui_config,
    newstui_env,
    tree_pids,
)


def _machine_busy() -> float:
    """Seconds of CPU the whole machine has spent outside idle and iowait since boot."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class DescendantsCPU:
    """CPU seconds of this process's descendants but one (the feed server), each sampled every
    20 ms until the block ends; the last sample of each counts. The parse workers are the
    forkserver's children, and the forkserver is never waited for by the command: their CPU
    never reaches RUSAGE_CHILDREN (3.3 CPU s of a refresh's 6.2 did not)."""

    def __init__(self, leave_out: int) -> None:
        self.leave_out = leave_out
        self.last: dict[int, tuple[float, int]] = {}
        """pid -> (CPU seconds, parent pid) at its last sample."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> DescendantsCPU:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            for pid in tree_pids(me):
                if pid in (me, self.leave_out):
                    continue
                with contextlib.suppress(OSError, ValueError, IndexError):
                    with open(f"/proc/{pid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
                    self.last[pid] = (cpu, int(fields[1]))
            self._stop.wait(0.02)

    def total(self) -> float:
        """CPU of every process sampled (the command and all below it), each counted once
        whoever its parent is (forked workers are the command's children, a forkserver's are
        not); each up to one sampling interval (20 ms) short."""
        return sum(cpu for cpu, _parent in self.last.values())


def _cpu_of(func: Callable[[], Any], clock: Callable[[], float] = time.process_time) -> float:
    started = clock()
    func()
    return clock() - started


def fetch_all(urls: list[str]) -> tuple[list[Any], float]:
    """Every feed fetched as a refresh fetches it; (results, CPU seconds of this process)."""
    from newstui.config import RefreshConfig
    from newstui.sources.fetch import Fetcher, Validators

    async def run() -> list[Any]:
        async with Fetcher(RefreshConfig()) as fetcher:
            jobs = [fetcher.fetch(u, Validators(None, None), decode=False) for u in urls]
            return list(await asyncio.gather(*jobs))

    results: list[Any] = []
    cpu = _cpu_of(lambda: results.extend(asyncio.run(run())))
    failed = [r for r in results if r.status != "ok"]
    if failed:
        raise RuntimeError(f"{len(failed)} fetches failed, e.g. {failed[0].error}")
    return results, cpu


def parse_all(results: list[Any]) -> tuple[list[Any], float, float]:
    """The parse workers' function over every body: (outcomes, its CPU, the pickling's CPU)."""
    from newstui.config import LimitsConfig, RefreshConfig
    from newstui.refresh.workers import parse_body

    limits, max_bytes = LimitsConfig(), RefreshConfig().max_bytes
    calls = [
        (r.body, r.encoding, max_bytes, r.final_url or r.url, dict(r.headers), limits)
        for r in results
    ]
    outcomes: list[Any] = []
    cpu = _cpu_of(lambda: outcomes.extend(parse_body(*c) for c in calls))
    if any(o[0] != "ok" for o in outcomes):
        raise RuntimeError("a benchmark feed did not parse")

    def round_trips() -> None:  # what a process pool pickles each way, at the least
        for call, outcome in zip(calls, outcomes, strict=True):
            pickle.loads(pickle.dumps((parse_body, call), pickle.HIGHEST_PROTOCOL))
            pickle.loads(pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL))

    return outcomes, cpu, _cpu_of(round_trips)


def store_all(db_path: Path, urls: list[str], outcomes: list[Any], *, index: bool) -> float:
    """The refresh's storing code over every parsed feed, MAX_BATCH feeds a transaction (the
    writer's batch, when the feeds come fast enough to fill it) into a fresh library; CPU seconds of the storing thread. Without `index`, the search
    index's rows are left unwritten (what storing would cost if indexing came later)."""
    from newstui.storage.db import Database
    from newstui.storage.writer import (
        MAX_BATCH,
        ArticleBatch,
        FeedUpdate,
        apply_update,
        apply_updates,
    )

    fresh_newstui_db(db_path, urls)
    db = Database(db_path)
    ids = [row[0] for row in db.query("SELECT id FROM feeds ORDER BY id")]
    updates = [
        FeedUpdate(fid, "ok", None, 200, o[2], o[1].title, o[1].site_url)
        for fid, o in zip(ids, outcomes, strict=True)
    ]

    def store() -> None:
        for start in range(0, len(updates), MAX_BATCH):
            batch = updates[start : start + MAX_BATCH]
            if index:
                apply_updates(db, batch)  # what the refresh's writer calls
                continue
            with db.tx() as conn:  # apply_updates, less its one insert into the search index
                unindexed = ArticleBatch(conn, time.time())  # its index() is never called
                for u in batch:
                    apply_update(unindexed, u)

    try:
        cpu = _cpu_of(store, time.thread_time)
        stored = db.one("SELECT count(*) FROM articles")[0]
    finally:
        db.close()
    expected = sum(len(pickle.loads(o[2])) for o in outcomes)
    if stored != expected:
        raise RuntimeError(f"stored {stored} articles of {expected}")
    return cpu


def startup(db_path: Path, env: dict[str, str]) -> tuple[float, float]:
    """The installed command refreshing a library with no feeds: (wall, CPU) seconds."""
    fresh_newstui_db(db_path, [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    m = measure([NEWSTUI, "--db", str(db_path), "refresh", "--json"], env, timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if m.rc != 0:
        raise RuntimeError(f"newstui refresh failed: {m.err[-500:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return m.seconds, cpu


def real_refresh(server: Server, db_path: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """The installed command's cold refresh: (wall seconds, machine-wide CPU less the server's,
    CPU of the command's process tree). The machine-wide figure means something only on a
    machine nothing else runs on; the tree's CPU (the command, its parse workers, forkserver
    and resource tracker) does not depend on what else runs. The command's own CPU is exact
    (it is waited for); each other process's is its last sample, up to 20 ms short. Forked
    workers are the command's children and reach its RUSAGE_CHILDREN as well: the tree is then
    the sum of every process's samples, not the command's figure plus the ones below."""
    assert server.proc is not None
    server.reset()
    fresh_newstui_db(db_path, server.urls())
    busy, served = _machine_busy(), _process_cpu(server.proc.pid)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with DescendantsCPU(leave_out=server.proc.pid) as sampled:
        m = measure([NEWSTUI, "--db", str(db_path), "refresh", "--json"], env, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = _machine_busy() - busy - (_process_cpu(server.proc.pid) - served)
    if m.rc != 0:
        raise RuntimeError(f"newstui refresh failed: {m.err[-500:]}")
    command = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return m.seconds, busy, max(command, sampled.total())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from newstui.config import RefreshConfig

    compile_sources()
    cores = os.cpu_count() or 1
    connections = RefreshConfig().concurrency
    scratch = WORK / "stages"
    scratch.mkdir(parents=True, exist_ok=True)
    env = newstui_env(scratch / "home", newstui_config(scratch / "newstui.toml"))
    db_path = scratch / "newstui.db"
    samples: dict[str, list[float]] = {}

    def add(key: str, value: float) -> None:
        samples.setdefault(key, []).append(value)

    with Server(args.feeds, args.items, hosts=args.hosts) as server:
        urls = server.urls()
        for run in range(args.runs):
            log(f"run {run + 1}/{args.runs}")
            server.latency(0)
            server.reset()
            results, cpu = fetch_all(urls)
            add("fetch", cpu)
            outcomes, parse_cpu, pickling = parse_all(results)
            add("parse", parse_cpu)
            add("pickling", pickling)
            add("store_rows", store_all(db_path, urls, outcomes, index=False))
            add("store", store_all(db_path, urls, outcomes, index=True))
            wall, cpu = startup(db_path, env)
            add("startup_wall", wall)
            add("startup", cpu)
            for latency in (0, 50):
                server.latency(latency)
                wall, busy, tree = real_refresh(server, db_path, env)
                add(f"cli{latency}", wall)
                add(f"busy{latency}", busy)
                add(f"tree{latency}", tree)
            log("  " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in samples.items()))

    med = {k: statistics.median(v) for k, v in samples.items()}
    index = med["store"] - med["store_rows"]
    stages = [
        ("start-up (command, nothing to refresh)", med["startup"]),
        ("fetch: every feed, bodies compressed", med["fetch"]),
        ("parse: decode, parse, rows (the floor's)", med["parse"]),
        ("pickling to and from the workers (least)", med["pickling"]),
        ("store: articles and counters", med["store_rows"]),
        ("store: search index", index),
    ]
    total = sum(cpu for _name, cpu in stages)
    print(
        f"\nCold refresh of {args.feeds} feeds x {args.items} items, {cores} cores, "
        f"{connections} connections; medians of {args.runs} (CPU seconds)\n"
    )
    for name, cpu in stages:
        print(f"  {name:<44} {cpu:6.2f}  {cpu / med['parse']:5.2f}x parse")
    print(f"  {'every stage':<44} {total:6.2f}  {total / med['parse']:5.2f}x parse")
    for latency in (0, 50):
        floor = max(args.feeds * latency / 1000 / connections, med["parse"] / cores)
        bound = max(total / cores, args.feeds * latency / 1000 / connections)
        print(
            f"\n  {latency} ms latency: floor {floor:.2f} s, target (1.5x) {1.5 * floor:.2f} s;"
            f" no pipeline of these stages under {bound:.2f} s ({bound / floor:.1f}x floor)"
        )
        print(
            f"    newstui refresh: {med[f'cli{latency}']:.2f} s"
            f" ({med[f'cli{latency}'] / floor:.1f}x floor), the machine busy"
            f" {med[f'busy{latency}']:.2f} CPU s of {cores * med[f'cli{latency}']:.2f}"
        )
        tree = med[f"tree{latency}"]
        print(
            f"    its process tree: {tree:.2f} CPU s = {tree / total:.2f}x its stages' CPU"
            f" (row 1's target, a wall time within 1.3x of the stages' CPU / cores ="
            f" {1.3 * total / cores:.2f} s, needs at most {1.3 * total:.2f} CPU s)"
        )
    print(f"\n  start-up wall {med['startup_wall']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
