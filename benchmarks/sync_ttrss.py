"""Sync against a real Tiny Tiny RSS (the test harness's, tests/ttrss): first sync and a no-op one.

    .venv/bin/python benchmarks/sync_ttrss.py                 # 10,000 articles, median of 3
    .venv/bin/python benchmarks/sync_ttrss.py --articles 2000 --runs 1

Targets (issue 19): the first sync of N articles within 1.5x of a plain client that only pages
through `getHeadlines` (login, then 200 a call with `skip`, content included, nothing stored),
and an incremental sync with nothing new under 0.5 s. Needs tt-rss installed
(tests/ttrss/setup.sh). Both clients talk to the same server; the plain pager runs first so
both see tt-rss's warm caches. On demand only, never in pytest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newstui.configfile import parse_config  # noqa: E402
from newstui.library.facade import Library  # noqa: E402
from tests import feedgen  # noqa: E402
from tests.ttrss.harness import USER_AGENT, LoopbackFeeds, TtrssServer  # noqa: E402

PER_FEED = 500


def plain_pager(server: TtrssServer) -> tuple[float, int]:
    """Login and page through every article with getHeadlines; (seconds, articles)."""

    def post(payload: dict[str, object]) -> dict[str, object]:
        req = urllib.request.Request(
            server.api_url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        with urllib.request.urlopen(req, timeout=120) as resp:
            result: dict[str, object] = json.loads(resp.read())
        return result

    t0 = time.perf_counter()
    sid = post({"op": "login", "user": server.user, "password": server.password})["content"]
    sid = sid["session_id"]  # type: ignore[index]
    count = 0
    skip = 0
    while True:
        page = post(
            {"op": "getHeadlines", "sid": sid, "feed_id": -4, "view_mode": "all_articles",
             "show_content": True, "limit": 200, "skip": skip}
        )["content"]  # fmt: skip
        assert isinstance(page, list)
        count += len(page)
        skip += 200
        if len(page) < 200:
            break
    return time.perf_counter() - t0, count


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    feeds = LoopbackFeeds()
    server = TtrssServer()
    t0 = time.perf_counter()
    server.start()
    print(f"tt-rss up in {time.perf_counter() - t0:.2f} s ({server.timings})")
    try:
        n_feeds = max(1, args.articles // PER_FEED)
        for f in range(n_feeds):
            path = f"/bench-{f}.xml"
            feeds.docs[path] = feedgen.rss(
                feedgen.items(PER_FEED, f"Bench{f}"), title=f"Bench feed {f}"
            )
            server.subscribe(feeds.url(path), 0)
        t0 = time.perf_counter()
        server.update_feeds()
        print(f"tt-rss stored {n_feeds * PER_FEED} articles in {time.perf_counter() - t0:.1f} s")
        plain = []
        first = []
        noop = []
        inside = []  # the engine's own time (login to last write), without building the backend
        for _ in range(args.runs):
            seconds, count = plain_pager(server)
            plain.append(seconds)
            with tempfile.TemporaryDirectory() as tmp:
                secret = Path(tmp) / "pw"
                secret.write_text(server.password)
                config = parse_config(
                    f'[[accounts]]\nname = "bench"\ntype = "ttrss"\nurl = "{server.url}"\n'
                    f'username = "{server.user}"\npassword_command = ["cat", "{secret}"]\n'
                )
                library = Library.open(config, Path(tmp) / "lib.db")
                t0 = time.perf_counter()
                [outcome] = library.sync()
                first.append(time.perf_counter() - t0)
                assert outcome.status == "ok" and outcome.new == count, (outcome, count)
                t0 = time.perf_counter()
                [again] = library.sync()
                noop.append(time.perf_counter() - t0)
                inside.append(again.seconds)
                assert again.status == "ok" and again.new == 0
                steps = {k: round(v, 3) for k, v in again.steps.items()}
                library.close()
        p, f, n = (statistics.median(x) for x in (plain, first, noop))
        print(f"plain getHeadlines pager: {p:.2f} s for {count} articles")
        print(f"newstui first sync:       {f:.2f} s  ({f / p:.2f}x the pager; target <= 1.5x)")
        print(
            f"newstui no-op sync:       {n:.3f} s  (target < 0.5 s; engine "
            f"{statistics.median(inside):.3f} s) steps {steps}"
        )
    finally:
        server.close()
        feeds.close()


if __name__ == "__main__":
    main()
