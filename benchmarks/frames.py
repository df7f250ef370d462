"""Start-up against Textual's own floor, and one frame per key (issue 17 rows 5 and 6; on demand).

    .venv/bin/python benchmarks/frames.py                 # all three parts, medians of 5 / 3 / 3 runs
    .venv/bin/python benchmarks/frames.py --part paint    # first paint only
    .venv/bin/python benchmarks/frames.py --part keys --quick
    .venv/bin/python benchmarks/frames.py --part stall        # the 500-feed refresh alone

`paint`: the first paint of a bare Textual app that paints one line, of the reader on an empty
library (an existing file: the every-day start, not the first ever), and of the reader on the big
library (run.py's 2,000 x 50 + 10,000: 109,950 articles),
in the same tmux harness as run.py's row 3 (a change of the screen is timed to the program's
write that drew it), alternating within each run. The row's targets: newstui's first paint at
most 1.5x the bare app's (what newstui adds to Textual itself), the big library's at most 1.2x
the empty one's.

`keys`: the reader on the big library, its All view open (every article), under the real
terminal driver in tmux; j, k, page down, G and g pressed in turn, each timed from the key to
the frame that shows the moved cursor, with the process's CPU meanwhile (`_tui_probe.py keys`).
The target: every key draws within 16 ms of work. A key's frame is the first one written
that shows the cursor moved *and* every row on screen loaded (a frame of "…" placeholders while
a page is read is not the key drawn).

`stall`: the reader refreshes 500 feeds x 30 items from 16 loopback hosts (R, as shipped:
parsing in the process pool, 0 ms latency) while a callback re-armed every 10 ms records how
late it runs (`_tui_probe.py stall`, run.py's row 7). The target: the largest lateness (the
longest the event loop was held, so the longest a key or a frame could wait) at most 16 ms.
Diagnosis aids (environment): `STEP_CPU=1` logs the loop's steps that took the most CPU (a
frame's step names the widgets it drew, "layout" when it laid the screen out) and, for the
worst stalls, every step of more than 2 ms that ran while the tick waited; `STEP_PROFILE=PATH`
runs each step under cProfile and keeps those over `STEP_PROFILE_MS` (8) in PATH.prof and
PATH.steps.txt (the profiler slows them 2-3x); `LAYOUT_WHO=1` logs who asked for each layout.

Wall times need a quiet machine: on a loaded one they say little (the CPU columns less so).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
if __name__ == "__main__":  # the script's folder is first on sys.path
    from project_venv import use_project_venv

    use_project_venv()

sys.path.insert(0, str(BENCH))
from run import (  # noqa: E402
    FULL,
    NEWSTUI,
    PY,
    QUICK,
    WORK,
    Server,
    Tmux,
    _probe,
    build_big,
    compile_sources,
    fresh_newstui_db,
    log,
    machine,
    newstui_config,
    newstui_env,
    tmux,
)

BARE_LINE = "bare textual: one line"
BARE_APP = f'''"""A bare Textual app that paints one line: the framework's own first paint."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("{BARE_LINE}")


if __name__ == "__main__":
    Bare().run()
'''


FIRST_FRAME = '''"""Runs a Textual program until its first frame is written; appends the process's CPU
seconds by then (interpreter start included) to OUT. usage: OUT (-m MODULE | SCRIPT) ARGS..."""
import os, runpy, sys, time

from textual.app import App

out, target = sys.argv[1], sys.argv[2:]
original = App._display


def display(self, screen, renderable):
    original(self, screen, renderable)
    with open(out, "a") as f:
        f.write(f"{time.process_time()}\\n")
    os._exit(0)


App._display = display
if target[0] == "-m":
    sys.argv = target[1:]
    runpy.run_module(target[1], run_name="__main__", alter_sys=True)
else:
    sys.argv = target
    runpy.run_path(target[0], run_name="__main__")
'''


def first_frame_cpu(cmd: list[str], env: dict[str, str], out: Path) -> float:
    """The CPU seconds `cmd` (run through FIRST_FRAME) spent until its first frame."""
    out.unlink(missing_ok=True)
    with Tmux(cmd, env, WORK):
        deadline = time.monotonic() + 120
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)
    return float(out.read_text().split()[0])


def first_paint(cmd: list[str], env: dict[str, str], painted: Any, timeout: float = 600) -> float:
    """Seconds from the start of `cmd` in tmux to the write that drew a screen `painted` accepts."""
    with Tmux(cmd, env, WORK) as tm:
        seconds, _screen = tm.wait(painted, since=tm.started, timeout=timeout)
    return seconds


def part_paint(
    runs: int,
    big_db: Path | None,
    env: dict[str, str],
    samples: dict[str, list[float]],
    before: Path | None = None,
) -> None:
    """`before`: another checkout's `src` folder, run by the same harness (through PYTHONPATH)
    beside this one, alternating: its readers are named `empty-before` and `big-before`."""
    bare = WORK / "bare_textual.py"
    bare.write_text(BARE_APP, encoding="utf-8")
    empty = WORK / "frames-empty.db"
    readers: list[tuple[str, list[str], Any]] = [
        ("bare", [PY, str(bare)], lambda s: BARE_LINE in s),
        ("empty", [NEWSTUI, "--db", str(empty)], lambda s: "Welcome" in s and "Bookmarks" in s),
    ]
    if big_db is not None:
        readers.append(("big", [NEWSTUI, "--db", str(big_db)], lambda s: "Bench feed 00000" in s))
    if before is not None:
        import compileall

        compileall.compile_dir(before / "newstui", quiet=1)
        readers += [(f"{name}-before", cmd, test) for name, cmd, test in readers[1:]]
    envs = {
        name: {**env, "PYTHONPATH": str(before)} if name.endswith("-before") else env
        for name, _cmd, _test in readers
    }
    first_paint([PY, str(bare)], env, readers[0][2])  # warm the page cache, untimed
    # The empty library is a file that exists, as on every start but the very first (whose
    # creation of the schema, ~50 ms, is a one-off): made here, untimed, like the big one.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{empty}{suffix}").unlink(missing_ok=True)
    from newstui.storage.db import Database

    Database(empty).close()
    for run in range(runs):
        order = readers if run % 2 == 0 else list(reversed(readers))
        for name, cmd, painted in order:
            seconds = first_paint(cmd, envs[name], painted)
            samples.setdefault(f"paint.{name}", []).append(seconds)
            log(f"  run {run + 1}/{runs}: {name} first paint {seconds * 1000:.0f} ms")
    # The same starts, each until its first frame, by the CPU the process spent: what the load
    # of the machine changes least. (The first frame, not the screen's test: the reader's first
    # frame is its whole first screen, the bare app's its one line.)
    launcher, out = WORK / "first_frame.py", WORK / "first_frame.out"
    launcher.write_text(FIRST_FRAME, encoding="utf-8")
    for run in range(runs):
        order = readers if run % 2 == 0 else list(reversed(readers))
        for name, cmd, _painted in order:
            through = [PY, str(launcher), str(out)]
            through += [str(bare)] if name == "bare" else ["-m", "newstui.cli", *cmd[1:]]
            cpu = first_frame_cpu(through, envs[name], out)
            samples.setdefault(f"paintcpu.{name}", []).append(cpu)
            log(f"  run {run + 1}/{runs}: {name} CPU until the first frame {cpu * 1000:.0f} ms")


def part_keys(
    runs: int,
    steps: int,
    big_db: Path,
    config: Path,
    env: dict[str, str],
    samples: dict[str, list[float]],
) -> dict[str, Any]:
    last: dict[str, Any] = {}
    for run in range(runs):
        out = WORK / "frames-keys.json"
        result = _probe(
            "keys", big_db, config, env, out, headless=False, extra=["--steps", str(steps)]
        )
        if "error" in result:
            raise RuntimeError(f"the key probe failed: {result['error']}")
        last = result
        for key, values in result["wall_s"].items():
            samples.setdefault(f"key.{key}.wall", []).extend(values)
            samples.setdefault(f"key.{key}.cpu", []).extend(result["cpu_s"][key])
        log(
            f"  run {run + 1}/{runs}: {result['articles']} articles, "
            + ", ".join(
                f"{k} {statistics.median(v) * 1000:.1f} ms (cpu {statistics.median(result['cpu_s'][k]) * 1000:.1f})"
                for k, v in result["wall_s"].items()
            )
        )
    return last


def part_stall(
    runs: int, feeds: int, items: int, hosts: int, samples: dict[str, list[float]]
) -> None:
    scratch = WORK / "frames-stall"
    scratch.mkdir(parents=True, exist_ok=True)
    config = newstui_config(scratch / "newstui.toml")
    env = newstui_env(scratch / "home", config)
    db, out = scratch / "newstui.db", scratch / "stall.json"
    with Server(feeds, items, hosts=hosts) as server:
        server.latency(0)
        for run in range(runs):
            server.reset()
            fresh_newstui_db(db, server.urls())
            data = _probe("stall", db, config, env, out, headless=False, extra=[])
            if "error" in data:
                raise RuntimeError(f"the stall probe failed: {data['error']}")
            samples.setdefault("stall.max", []).append(data["max_stall_ms"] / 1000)
            samples.setdefault("stall.p99", []).append(data["p99_stall_ms"] / 1000)
            samples.setdefault("stall.refresh", []).append(data["refresh_s"])
            log(
                f"  run {run + 1}/{runs}: {feeds} feeds refreshed in {data['refresh_s']:.1f} s, "
                f"largest stall {data['max_stall_ms']:.1f} ms, p99 {data['p99_stall_ms']:.1f} ms, "
                f"before R {data['baseline_max_ms']:.1f} ms; worst (ms, s after R) "
                f"{data['worst'][:6]}; gc {data['gc_worst'][:3]}"
            )
            for generation, count, kinds in data.get("gc_garbage", []):
                log(f"    gen {generation} collection freed {count}: {kinds}")
            for cpu, wall, what in data.get("step_cpu", []):
                log(f"    loop step: {cpu} ms CPU ({wall} ms wall): {what}")
            for who in data.get("layouts", []):
                log(f"    layout asked: {who}")
            for late, after, inside in data.get("stall_steps", []):
                log(f"    stall of {late} ms at {after} s: the steps of > 2 ms meanwhile:")
                for start, wall, cpu, what in inside:
                    log(f"      at +{start} ms, {wall} ms wall, {cpu} ms CPU: {what}")


def report(samples: dict[str, list[float]], articles: int | None) -> str:
    med = {k: statistics.median(v) for k, v in samples.items() if v}
    lines = [
        "| row | measurement | median ms | max ms | samples | target | met |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    names = ("bare", "empty", "big", "empty-before", "big-before")
    for name in names:
        key = f"paint.{name}"
        if key in med:
            what = {
                "bare": "first paint, bare Textual app (one line)",
                "empty": "first paint, newstui, empty library",
                "big": "first paint, newstui, big library",
                "empty-before": "first paint, newstui before, empty library",
                "big-before": "first paint, newstui before, big library",
            }[name]
            lines.append(
                f"| 5 | {what} | {med[key] * 1000:.0f} | {max(samples[key]) * 1000:.0f} | {len(samples[key])} | | |"
            )
    if "paint.bare" in med and "paint.empty" in med:
        ratio = med["paint.empty"] / med["paint.bare"]
        lines.append(
            f"| 5 | newstui empty / bare Textual | {ratio:.2f}x | | | ≤ 1.5x | {'yes' if ratio <= 1.5 else '**no**'} |"
        )
    for name in names:
        key = f"paintcpu.{name}"
        if key in med:
            lines.append(
                f"| 5 | CPU until the first frame, {name} | {med[key] * 1000:.0f} | {max(samples[key]) * 1000:.0f} | {len(samples[key])} | | |"
            )
    if "paintcpu.bare" in med and "paintcpu.empty" in med:
        ratio = med["paintcpu.empty"] / med["paintcpu.bare"]
        lines.append(f"| 5 | the same, newstui empty / bare Textual (CPU) | {ratio:.2f}x | | | | |")
    for suffix in ("", "-before"):
        big, empty = f"paint.big{suffix}", f"paint.empty{suffix}"
        if big in med and empty in med:
            ratio = med[big] / med[empty]
            lines.append(
                f"| 5 | newstui{suffix.replace('-', ' ')} big / empty library | {ratio:.2f}x | | | ≤ 1.2x | {'yes' if ratio <= 1.2 else '**no**'} |"
            )
        big, empty = f"paintcpu.big{suffix}", f"paintcpu.empty{suffix}"
        if big in med and empty in med:
            ratio = med[big] / med[empty]
            lines.append(
                f"| 5 | the same by CPU until the first frame{suffix.replace('-', ' ')} | {ratio:.2f}x | | | | |"
            )
    if "paintcpu.bare" in med and "paintcpu.empty-before" in med:
        ratio = med["paintcpu.empty-before"] / med["paintcpu.bare"]
        lines.append(f"| 5 | newstui before, empty / bare Textual (CPU) | {ratio:.2f}x | | | | |")
    for key in ("j", "k", "pagedown", "G", "g"):
        wall, cpu = f"key.{key}.wall", f"key.{key}.cpu"
        if wall in med:
            where = f" at {articles:,} articles" if articles else ""
            lines.append(
                f"| 6 | {key}{where}: key to frame | {med[wall] * 1000:.1f} | {max(samples[wall]) * 1000:.1f} | {len(samples[wall])} | | |"
            )
            ok = max(samples[cpu]) <= 0.016
            lines.append(
                f"| 6 | {key}: CPU work | {med[cpu] * 1000:.1f} | {max(samples[cpu]) * 1000:.1f} | {len(samples[cpu])} | ≤ 16 ms | {'yes' if ok else '**no**'} |"
            )
    if "stall.max" in med:
        worst = max(samples["stall.max"]) * 1000
        lines.append(
            f"| 6 | largest event-loop stall, 500-feed refresh (R) | {med['stall.max'] * 1000:.1f} | {worst:.1f} | {len(samples['stall.max'])} | ≤ 16 ms | {'yes' if worst <= 16 else '**no**'} |"
        )
        lines.append(
            f"| 6 | p99 lateness of a 10 ms tick, same | {med['stall.p99'] * 1000:.1f} | {max(samples['stall.p99']) * 1000:.1f} | {len(samples['stall.p99'])} | | |"
        )
        lines.append(
            f"| 6 | the refresh in the reader, s | {med['stall.refresh']:.1f} | {max(samples['stall.refresh']):.1f} | {len(samples['stall.refresh'])} | | |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("paint", "keys", "stall", "both", "all"), default="all")
    parser.add_argument("--quick", action="store_true", help="run.py's quick sizes, one run")
    parser.add_argument("--runs", type=int, help="runs (default: paint 5, keys 3; quick 1)")
    parser.add_argument("--steps", type=int, default=20, help="rounds of the five keys a run")
    parser.add_argument("--no-big", action="store_true", help="paint: leave out the big library")
    parser.add_argument(
        "--big-db",
        type=Path,
        metavar="PATH",
        help="paint: this library as the big one (e.g. query.py's 1,000,000 articles)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        metavar="SRC",
        help="paint: also run another checkout's src folder (PYTHONPATH), alternating",
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    WORK.mkdir(parents=True, exist_ok=True)
    info = machine()
    log(f"machine: {info}")
    compile_sources()
    scratch = WORK / "frames"
    scratch.mkdir(parents=True, exist_ok=True)
    config = newstui_config(scratch / "newstui.toml")
    env = newstui_env(scratch / "home", config)
    samples: dict[str, list[float]] = {}
    articles = None
    big_db = None
    paints = args.part in ("paint", "both", "all")
    keys = args.part in ("keys", "both", "all")
    if args.big_db is not None and not keys:
        big_db = args.big_db
    elif keys or (paints and not args.no_big):
        big = build_big(sizes, None)
        big_db, articles = big.newstui_db, big.articles
    tmux("new-session", "-d", "-s", f"keep{os.getpid()}", "sleep 14400", check=False)
    try:
        if paints:
            runs = args.runs or (1 if args.quick else 5)
            part_paint(runs, big_db, env, samples, args.before)
        if keys:
            assert big_db is not None
            part_keys(
                args.runs or (1 if args.quick else 3), args.steps, big_db, config, env, samples
            )
        if args.part in ("stall", "all"):
            stall_runs = args.runs or (1 if args.quick else 3)
            part_stall(stall_runs, sizes.stall_feeds, sizes.items, sizes.hosts, samples)
    finally:
        tmux("kill-session", "-t", f"keep{os.getpid()}", check=False)
    (WORK / "frames.json").write_text(json.dumps({"machine": info, "samples": samples}, indent=1))
    print("  ".join(f"{k}: {v}" for k, v in info.items()))
    print(
        f"load average at the end: {os.getloadavg()[0]:.1f}, {time.strftime('%H:%M UTC', time.gmtime())}\n"
    )
    print(report(samples, articles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
