"""Issue 17 row 4 and its two "also measure" rows: refresh at scale, newstui beside newsboat.

    .venv/bin/python benchmarks/scale.py                  # 2,000 and 10,000 feeds x 50, unhealthy
    .venv/bin/python benchmarks/scale.py --feeds 2000     # one size only
    .venv/bin/python benchmarks/scale.py --quick          # 200 and 1,000 feeds x 10: a smoke test

For each size: a cold refresh (a new library subscribed to every feed) of newstui and of newsboat
(reload-threads 8), on the same loopback feed server (benchmarks/feedserver.py, 16 hosts), wall
time and the process tree's peak memory. newsboat gets at most `--newsboat-limit` seconds (10
minutes: past it the row says so). Then, at the largest size, the same refresh with 5% of feeds
answering 5 s late and 1% never answering: its wall time beside the healthy one's plus newstui's
per-feed deadline (never the sum of the waits). And 500 feeds on a single host: the per-host
politeness limit's floor (N x latency / per_host) beside the time. Never part of pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if __name__ == "__main__":  # the script's folder is first on sys.path
    from project_venv import use_project_venv

    use_project_venv()

sys.path.insert(0, str(BENCH))
from run import (  # noqa: E402
    NEWSTUI,
    WORK,
    Measured,
    Server,
    _check_newsboat,
    _check_newstui,
    base_env,
    compile_sources,
    ensure_newsboat,
    fresh_newstui_db,
    log,
    measure,
    newsboat_config,
    newstui_config,
    newstui_env,
    version_of,
)

from newstui.config import RefreshConfig  # noqa: E402


def _newstui(server: Server, scratch: Path, timeout: float) -> Measured:
    db = scratch / "newstui.db"
    fresh_newstui_db(db, server.urls())
    env = newstui_env(scratch / "home", newstui_config(scratch / "newstui.toml"))
    server.stats()
    m = measure([NEWSTUI, "--db", str(db), "refresh", "--json"], env, timeout=timeout)
    log(f"  newstui  {m.seconds:8.2f} s  tree {m.tree_mb:5.0f} MB  {_check_newstui(m)}")
    return m


def _newsboat(newsboat: str, server: Server, scratch: Path, timeout: float) -> Measured:
    urls = scratch / "urls"
    urls.write_text("\n".join(server.urls()) + "\n")
    cache = scratch / "newsboat.db"
    for suffix in ("", ".lock"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    conf = newsboat_config(scratch / "newsboat.conf", 8)
    cmd = [newsboat, "-u", str(urls), "-c", str(cache), "-C", str(conf), "-x", "reload"]
    m = measure(cmd, base_env(scratch / "home"), timeout=timeout)
    log(f"  newsboat {m.seconds:8.2f} s  tree {m.tree_mb:5.0f} MB  {_check_newsboat(m, cache)}")
    return m


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, action="append", help="sizes (default 2000, 10000)")
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--newsboat-limit", type=float, default=600.0)
    parser.add_argument("--skip-newsboat", action="store_true")
    parser.add_argument("--skip-unhealthy", action="store_true")
    args = parser.parse_args()
    sizes = args.feeds or ([200, 1000] if args.quick else [2000, 10_000])
    items = 10 if args.quick else args.items
    scratch = WORK / "scale"
    scratch.mkdir(parents=True, exist_ok=True)
    compile_sources()
    newsboat = None if args.skip_newsboat else ensure_newsboat()
    out: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "newsboat": version_of([newsboat, "-v"]) if newsboat else None,
        "items": items,
        "rows": {},
    }
    rows: dict[str, float | None] = {}
    for feeds in sizes:
        log(f"{feeds} feeds x {items}: cold refresh (load {os.getloadavg()[0]:.1f})")
        with Server(feeds, items, hosts=16) as server:
            server.reset()
            m = _newstui(server, scratch, timeout=3600)
            rows[f"nt.{feeds}"], rows[f"nt.mb.{feeds}"] = m.seconds, m.tree_mb
            if newsboat:
                server.reset()
                m = _newsboat(newsboat, server, scratch, timeout=args.newsboat_limit)
                rows[f"nb.{feeds}"] = m.seconds if m.rc == 0 else None
                rows[f"nb.mb.{feeds}"] = m.tree_mb
    largest = max(sizes)
    if not args.skip_unhealthy:
        deadline = RefreshConfig().read_timeout
        log(f"{largest} feeds: 5% answer 5 s late, 1% never (newstui's read timeout {deadline} s)")
        with Server(largest, items, hosts=16) as server:
            server.get("/_config?slow_every=20&slow_ms=5000&hang_every=100")
            server.reset()
            rows[f"nt.unhealthy.{largest}"] = _newstui(server, scratch, timeout=3600).seconds
        rows["unhealthy.read_timeout"] = deadline
    single = 100 if args.quick else 500
    per_host = RefreshConfig().per_host
    log(f"{single} feeds on one host at 50 ms (per-host limit {per_host})")
    with Server(single, 30, hosts=1) as server:
        server.latency(50)
        server.reset()
        rows[f"nt.onehost.{single}"] = _newstui(server, scratch, timeout=3600).seconds
        rows["onehost.floor"] = single * 0.05 / per_host
    out["rows"] = rows
    print(json.dumps(out, indent=2))
    for feeds in sizes:
        nt, nb = rows.get(f"nt.{feeds}"), rows.get(f"nb.{feeds}")
        ratio = f"{nt / nb:.2f}x" if nt and nb else "newsboat not finished"
        shown = f"{nb:.1f} s" if nb else f"over {args.newsboat_limit:.0f} s"
        print(f"{feeds:>6} feeds x {items}: newstui {nt:.1f} s, newsboat {shown}: {ratio}")
    if len(sizes) > 1:
        small, big = min(sizes), max(sizes)
        growth = (rows[f"nt.{big}"] or 0) / (rows[f"nt.{small}"] or 1)
        print(
            f"newstui {big} / {small} feeds: {growth:.2f}x the time ({big / small:.0f}x the feeds)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
