"""A cold refresh with 50 rules against one without (issue 16's target: within 1.1x), on demand.

    .venv/bin/python benchmarks/rules.py                 # 500 feeds x 30 items, 5 runs each
    .venv/bin/python benchmarks/rules.py --feeds 100 --runs 3

The same loopback feed server as run.py's row 1; each run refreshes a fresh library with the
installed command, without rules and with 50 (words, fields, tags, a regex, dates, flags, with
every action but notify), alternating which goes first. Also reported: how many articles the
rules hid, so a run that matched nothing is seen.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
VENV_PY = BENCH.parent / ".venv" / "bin" / "python"
if __name__ == "__main__" and VENV_PY.exists() and Path(sys.prefix) != VENV_PY.parent.parent:
    os.execv(str(VENV_PY), [str(VENV_PY), *sys.argv])

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
            queries.append(f"{pick()[:3]}* -{pick()}")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    compile_sources()
    scratch = WORK / "rules"
    scratch.mkdir(parents=True, exist_ok=True)
    base = '[refresh]\nrefresh_on_start = false\n\n[display]\nimages = "off"\n\n'
    configs = {"none": base, "rules50": base + fifty_rules()}
    times: dict[str, list[float]] = {name: [] for name in configs}
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
                m = measure(
                    [NEWSTUI, "--db", str(db), "refresh", "--json"],
                    newstui_env(scratch / "home", config),
                    timeout=1800,
                )
                if m.rc != 0:
                    log(f"{name}: exit {m.rc}: {m.err.strip()[-300:]}")
                    return 1
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
