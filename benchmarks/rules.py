"""A cold refresh with 50 rules against one without (issue 16's target: within 1.1x), on demand.

    .venv/bin/python benchmarks/rules.py                 # 500 feeds x 30 items, 5 runs each
    .venv/bin/python benchmarks/rules.py --feeds 100 --runs 3

The same loopback feed server as run.py's row 1; each run refreshes a fresh library with the
installed command, without rules and with 50 (words, fields, tags, a regex, dates, flags, with
every action but notify), alternating which goes first. Also reported: how many articles the
rules hid, so a run that matched nothing is seen. Then the storing stage alone (as stages.py
measures it: the writer's own apply_updates, MAX_BATCH feeds a transaction as the writer
gathers them at most, into a fresh library),
without and with the rules: its CPU does not depend on how busy the machine is, so the rules'
own cost is seen even where the wall times are noisy.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if __name__ == "__main__":  # the script's folder is first on sys.path
    from project_venv import use_project_venv

    use_project_venv()

sys.path.insert(0, str(BENCH))
from feedserver import _vocabulary  # noqa: E402
from run import (  # noqa: E402
    NEWSTUI,
    WORK,
    Server,
    compile_sources,
    fresh_newstui_db,
    log,
    measure,
    newstui_env,
)


def fifty_rules(seed: int = 1) -> str:
    """50 rules of every kind the language has, on words the feed server really writes."""
    words = _vocabulary(seed)
    rng = random.Random(42)
    pick = lambda: rng.choice(words)  # noqa: E731
    queries = []
    for i in range(50):
        kind = i % 10
        if kind == 0:
            queries.append(f"{pick()} {pick()}")
        elif kind == 1:
            queries.append(f"title:{pick()}")
        elif kind == 2:
            queries.append(f'"{pick()} {pick()}"')
        elif kind == 3:
            queries.append(f"{pick()}* -{pick()}")
        elif kind == 4:
            queries.append(f"title:/{pick()}|{pick()}/")
        elif kind == 5:
            queries.append(f"#tag{i} OR author:{pick()}")
        elif kind == 6:
            queries.append(f"feed:{i} is:unread")
        elif kind == 7:
            queries.append(f"after:2020-01-01 before:2020-02-01 {pick()}")
        elif kind == 8:
            queries.append(f"({pick()} OR {pick()}) newer:30d")
        else:
            queries.append(f"url:{pick()} -has:image")
    actions = ['["hide"]', '["read"]', '["tag:auto"]', '["bookmark"]', '["read", "tag:x"]']
    return "".join(
        f'[[rules]]\nname = "rule {i}"\nquery = {json.dumps(q)}\nactions = {actions[i % 5]}\n\n'
        for i, q in enumerate(queries)
    )


def storing_cpu(
    server: Server, scratch: Path, rules_toml: str, runs: int
) -> tuple[float, float, float]:
    """Median CPU seconds of storing every feed without rules and with `rules_toml`'s, and of
    the rules' own work within the latter (RuleRunner's calls).

    Before the rules run, the search index's pending rows are written out (a SAVEPOINT: FTS5
    writes them at the first one, or at the commit), in both runs: the rules' first UPDATE
    would otherwise pay for it, though a refresh without rules pays the same at its commit.
    """
    from stages import fetch_all, parse_all

    from newstui.configfile import parse_config
    from newstui.library.rules import RuleRunner, load_rules
    from newstui.storage.db import Database
    from newstui.storage.writer import MAX_BATCH, FeedUpdate, apply_updates

    results, _ = fetch_all(server.urls())
    outcomes, _, _ = parse_all(results)
    rules = load_rules(parse_config(rules_toml).rules)
    cpu: dict[bool, list[float]] = {False: [], True: []}
    own: list[float] = []
    for run in range(runs):
        for with_rules in (False, True) if run % 2 == 0 else (True, False):
            db_path = scratch / "store.db"
            fresh_newstui_db(db_path, server.urls())
            db = Database(db_path)
            ids = [row[0] for row in db.query("SELECT id FROM feeds ORDER BY id")]
            updates = [
                FeedUpdate(fid, "ok", None, 200, o[2], o[1].title, o[1].site_url)
                for fid, o in zip(ids, outcomes, strict=True)
            ]
            runner = RuleRunner(rules) if with_rules else None
            spent = [0.0]

            def after_store(
                conn: sqlite3.Connection,
                first: int,
                last: int,
                runner: RuleRunner | None = runner,
                spent: list[float] = spent,
            ) -> None:
                conn.execute("SAVEPOINT flush")
                conn.execute("RELEASE flush")
                if runner is not None:
                    started = time.thread_time()
                    runner(conn, first, last)
                    spent[0] += time.thread_time() - started

            started = time.thread_time()
            for start in range(0, len(updates), MAX_BATCH):
                batch = updates[start : start + MAX_BATCH]
                apply_updates(db, batch, after_store=after_store)
            cpu[with_rules].append(time.thread_time() - started)
            if with_rules:
                own.append(spent[0])
            db.close()
    return statistics.median(cpu[False]), statistics.median(cpu[True]), statistics.median(own)


def refreshes(args: argparse.Namespace, scratch: Path, configs: dict[str, str]) -> float:
    """The cold refreshes, alternating; prints their times; the median CPU without rules
    (0 when a refresh failed)."""
    times: dict[str, list[float]] = {name: [] for name in configs}
    cpu: dict[str, list[float]] = {name: [] for name in configs}
    hidden = 0
    with Server(args.feeds, args.items, hosts=16) as server:
        for run in range(args.runs):
            order = list(configs) if run % 2 == 0 else list(reversed(configs))
            for name in order:
                server.reset()
                config = scratch / f"{name}.toml"
                config.write_text(configs[name], encoding="utf-8")
                db = scratch / f"{name}.db"
                fresh_newstui_db(db, server.urls())
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                m = measure(
                    [NEWSTUI, "--db", str(db), "refresh", "--json"],
                    newstui_env(scratch / "home", config),
                    timeout=1800,
                )
                if m.rc != 0:
                    log(f"{name}: exit {m.rc}: {m.err.strip()[-300:]}")
                    return 0.0
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(
                    after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                )
                times[name].append(m.seconds)
                with sqlite3.connect(db) as conn:
                    (stored,) = conn.execute("SELECT count(*) FROM articles").fetchone()
                    if name == "rules50":
                        (hidden,) = conn.execute(
                            "SELECT count(*) FROM articles WHERE hidden = 1"
                        ).fetchone()
                log(f"run {run + 1} {name:<8} {m.seconds:6.2f} s  {stored} articles")
    none, rules = statistics.median(times["none"]), statistics.median(times["rules50"])
    print(
        f"cold refresh, {args.feeds} feeds x {args.items}: no rules {none:.2f} s, "
        f"50 rules {rules:.2f} s: {rules / none:.3f}x (target 1.1x); "
        f"{hidden} articles hidden by the rules"
    )
    cpu_none, cpu_rules = statistics.median(cpu["none"]), statistics.median(cpu["rules50"])
    print(
        f"CPU of the refresh and its waited-for children: no rules {cpu_none:.2f} s, "
        f"50 rules {cpu_rules:.2f} s: {cpu_rules / cpu_none:.3f}x"
    )
    return cpu_none


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--storing-only", action="store_true", help="skip the refreshes: the storing stage alone"
    )
    args = parser.parse_args()
    compile_sources()
    scratch = WORK / "rules"
    scratch.mkdir(parents=True, exist_ok=True)
    base = '[refresh]\nrefresh_on_start = false\n\n[display]\nimages = "off"\n\n'
    configs = {"none": base, "rules50": base + fifty_rules()}
    cpu_none = 0.0
    if not args.storing_only:
        cpu_none = refreshes(args, scratch, configs)
        if cpu_none <= 0:
            return 1
    with Server(args.feeds, args.items, hosts=16) as server:
        plain, ruled, own = storing_cpu(server, scratch, configs["rules50"], args.runs)
    print(
        f"storing alone (CPU): no rules {plain:.3f} s, 50 rules {ruled:.3f} s: "
        f"+{ruled - plain:.3f} s; the rules' own calls {own:.3f} s"
        + (
            f" = {own / cpu_none * 100:.1f}% of the cold refresh's CPU without rules"
            if cpu_none
            else ""
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
