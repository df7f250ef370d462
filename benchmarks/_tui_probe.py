"""In-process probes of the reader, run by `run.py` in a subprocess (often inside tmux).

    python benchmarks/_tui_probe.py open   --db DB --config TOML --out JSON --feed-id N [--headless]
    python benchmarks/_tui_probe.py stall  --db DB --config TOML --out JSON [--headless]
    python benchmarks/_tui_probe.py search --db DB --config TOML --out JSON --words W1,W2,...
    python benchmarks/_tui_probe.py keys   --db DB --config TOML --out JSON [--view all] [--steps N]

`open`: put the cursor on a feed in the feeds pane and press enter; time until the frame that
shows its first page and its article count is written, then press j 100 times, timing each press until the frame showing the
moved cursor is written (Pilot's own press() waits for idle, >= 40 ms a key: not used for timing).
`stall`: an event-loop lateness probe (a callback re-armed every 10 ms records how late it ran)
while the reader refreshes every feed (R), until the refresh is over.
`search`: Library-level full-text search (count + first page of 200, as the list does).
`keys`: open a view (All by default: every article of the library) and press, in turn, j, k,
page down and G (then g to go back), timing each from the key to the frame showing the moved
cursor, and the process's CPU meanwhile (the work, without the wait for the next frame's tick).

Without --headless the reader runs on the real terminal driver (Textual's auto-pilot), so drawing
to the terminal is part of what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newstui.configfile import load_config
from newstui.domain.models import View
from newstui.library.facade import Library

SIZE = (160, 45)


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.001) -> float:
    started = time.perf_counter()
    deadline = started + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"condition not met within {timeout:g} s")
        await asyncio.sleep(step)
    return time.perf_counter() - started


def _main_screen(app: Any) -> Any:
    from newstui.ui.screens.main import MainScreen

    for screen in app.screen_stack:
        if isinstance(screen, MainScreen):
            return screen
    return None


async def _started(app: Any) -> Any:
    await _wait_until(lambda: _main_screen(app) is not None, 60)
    screen = _main_screen(app)
    await _wait_until(lambda: bool(screen.feeds) and screen.headlines.loaded, 120)
    return screen


class FrameWatch:
    """Wraps the app's `_display` (one call per frame written): when a frame is written while a
    condition holds, the wait for it ends; so a step is timed from input to the frame showing it."""

    def __init__(self, app: Any) -> None:
        self._original = app._display
        self._cond: Callable[[], bool] | None = None
        self._event = asyncio.Event()
        self.frames = 0
        self.cpu = 0.0
        app._display = self._display

    def _display(self, screen: Any, renderable: Any) -> None:
        self._original(screen, renderable)
        self.frames += 1
        if self._cond is not None and self._cond():
            self._cond = None
            self._event.set()

    async def until(self, cond: Callable[[], bool], action: Callable[[], None]) -> float:
        """Seconds from `action()` until a frame is written while `cond()` holds; the CPU
        seconds the process spent meanwhile are left in `self.cpu` (the work, without the
        wait for the next frame's tick)."""
        self._event.clear()
        self._cond = cond
        started, cpu = time.perf_counter(), time.process_time()
        action()
        await asyncio.wait_for(self._event.wait(), 60)
        self.cpu = time.process_time() - cpu
        return time.perf_counter() - started


async def scenario_open(app: Any, pilot: Any, args: argparse.Namespace) -> dict[str, Any]:
    from textual import events

    screen = await _started(app)
    await pilot.pause()
    watch = FrameWatch(app)
    view = View("feed", feed_id=args.feed_id)
    expected = app.library.count(view)
    headlines = screen.headlines

    def loaded() -> bool:
        first = headlines._pages.get(0)
        return (
            headlines.count == expected
            and bool(first)
            and first[0].feed_id == args.feed_id
            and screen.header.counts == f"{expected} articles"
        )

    # As a user does: the cursor on the feed in the feeds pane, then enter. Not before the
    # feeds pane is whole (its rows past the first screens are added after the first paint).
    await _wait_until(lambda: screen.feed_tree.lines.complete, 30)
    await asyncio.sleep(0.2)
    await pilot.pause()
    screen.feed_tree.focus()
    screen.feed_tree.select_view(view)
    await pilot.pause()
    await _wait_until(lambda: screen.feed_tree.highlighted_view == view, 10)
    await pilot.pause()

    def enter() -> None:
        key = events.Key("enter", "\r")
        key.set_sender(app)
        app._driver.send_message(key)

    profile = _profiler(args, "open")
    opened = await watch.until(loaded, enter)
    open_cpu = watch.cpu
    _dump(profile, args, "open")
    await pilot.pause()
    profile = _profiler(args, "steps")
    steps: list[float] = []
    steps_cpu: list[float] = []
    for _ in range(args.steps):
        target = headlines.cursor + 1

        def press() -> None:
            key = events.Key("j", "j")
            key.set_sender(app)
            app._driver.send_message(key)

        steps.append(await watch.until(lambda t=target: headlines.cursor == t, press))
        steps_cpu.append(watch.cpu)
    _dump(profile, args, "steps")
    await pilot.pause()
    return {
        "open_s": opened,
        "articles": expected,
        "steps_s": steps,
        "steps_cpu_s": steps_cpu,
        "open_cpu_s": open_cpu,
        "cursor": headlines.cursor,
        "frames": watch.frames,
        "maxrss_mb": _maxrss_mb(),
    }


async def scenario_keys(app: Any, pilot: Any, args: argparse.Namespace) -> dict[str, Any]:
    from textual import events

    from newstui.ui.widgets.headline_list import PAGE_SIZE

    screen = await _started(app)
    await pilot.pause()
    watch = FrameWatch(app)
    view = View(args.view) if args.view != "feed" else View("feed", feed_id=args.feed_id)
    expected = app.library.count(view)
    headlines = screen.headlines
    await _wait_until(lambda: screen.feed_tree.lines.complete, 30)
    await asyncio.sleep(0.2)
    await pilot.pause()
    screen.feed_tree.focus()
    screen.feed_tree.select_view(view)
    await pilot.pause()
    await _wait_until(lambda: screen.feed_tree.highlighted_view == view, 10)

    def send(key: str, character: str | None) -> Callable[[], None]:
        def press() -> None:
            event = events.Key(key, character)
            event.set_sender(app)
            app._driver.send_message(event)

        return press

    await watch.until(lambda: headlines.count == expected, send("enter", "\r"))
    await pilot.pause()
    headlines.focus()
    await pilot.pause()
    await asyncio.sleep(0.2)
    page = max(1, headlines.size.height - 1)
    # (key, character, where the cursor must be after it, given where it is)
    moves: list[tuple[str, str | None, Callable[[int], int]]] = [
        ("j", "j", lambda c: c + 1),
        ("k", "k", lambda c: c - 1),
        ("pagedown", None, lambda c: min(expected - 1, c + page)),
        ("G", "G", lambda c: expected - 1),
        ("g", "g", lambda c: 0),
    ]
    wall: dict[str, list[float]] = {key: [] for key, _c, _t in moves}
    cpu: dict[str, list[float]] = {key: [] for key, _c, _t in moves}

    def drawn(want: int) -> bool:
        """The cursor on `want` and every row on screen loaded: a frame of "…" placeholders
        (a page still being read) is not the key drawn."""
        if headlines.cursor != want:
            return False
        top = int(headlines.scroll_offset.y)
        bottom = min(expected, top + headlines.size.height)
        pages = range(top // PAGE_SIZE, (bottom - 1) // PAGE_SIZE + 1)
        return all(page in headlines._pages for page in pages)

    profile = _profiler(args, "keys")
    for _ in range(args.steps):
        for key, character, target in moves:
            want = target(headlines.cursor)
            wall[key].append(await watch.until(lambda w=want: drawn(w), send(key, character)))
            cpu[key].append(watch.cpu)
            await asyncio.sleep(0.02)  # a key at a time, as a hand presses them
    _dump(profile, args, "keys")
    await pilot.pause()
    return {
        "articles": expected,
        "page_rows": page,
        "wall_s": wall,
        "cpu_s": cpu,
        "frames": watch.frames,
        "maxrss_mb": _maxrss_mb(),
    }


async def scenario_stall(app: Any, pilot: Any, args: argparse.Namespace) -> dict[str, Any]:
    from textual import events

    screen = await _started(app)
    await pilot.pause()
    loop = asyncio.get_running_loop()
    period = 0.01
    samples: list[tuple[float, float]] = []
    state = {"expected": time.perf_counter() + period, "stop": False}

    def tick() -> None:
        now = time.perf_counter()
        samples.append((now, now - state["expected"]))
        if watchdog is not None:
            watchdog.beat = now
        if not state["stop"]:
            state["expected"] = now + period
            loop.call_later(period, tick)

    gc_pauses: list[tuple[float, int, float, int]] = []  # (seconds, generation, when, freed)
    gc_started: list[float] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            gc_started[:] = [now]
        elif gc_started:
            gc_pauses.append((now - gc_started[0], info["generation"], now, info["collected"]))
            if os.environ.get("GC_GARBAGE") and gc.garbage:  # what the collection freed, by type
                from collections import Counter

                kinds = Counter(type(o).__qualname__ for o in gc.garbage)
                gc_garbage.append((info["generation"], len(gc.garbage), kinds.most_common(15)))
                gc.garbage.clear()

    gc_garbage: list[Any] = []
    if os.environ.get("GC_GARBAGE"):
        gc.set_debug(gc.DEBUG_SAVEALL)
    gc.callbacks.append(on_gc)
    watchdog = _StallStacks(os.environ["STALL_STACKS"]) if os.environ.get("STALL_STACKS") else None
    profile = os.environ.get("STEP_PROFILE")
    steps = _StepCPU(profile, screen) if os.environ.get("STEP_CPU") or profile else None
    if os.environ.get("SWI"):
        sys.setswitchinterval(float(os.environ["SWI"]))
    layouts: list[tuple[float, str]] = []
    if os.environ.get("LAYOUT_WHO"):  # who asked for each layout (a diagnosis aid)
        import traceback

        from textual.widget import Widget

        refresh = Widget.refresh

        def asking(widget: Any, *regions: Any, **kwargs: Any) -> Any:
            if kwargs.get("layout") and not widget._layout_required:
                stack = traceback.extract_stack(limit=8)[:-1]
                where = " < ".join(f"{f.name}:{f.lineno}" for f in reversed(stack))
                layouts.append((time.perf_counter(), f"{widget!r}: {where}"))
            return refresh(widget, *regions, **kwargs)

        Widget.refresh = asking  # type: ignore[method-assign]
    # Counted before the ticks start: walking every object holds the loop for milliseconds,
    # and done just before R it was a stall the probe itself made, counted as R's.
    tracked = {"frozen": gc.get_freeze_count(), "tracked_before": len(gc.get_objects())}
    loop.call_later(period, tick)
    await asyncio.sleep(0.5)
    # The key goes straight to the driver: Pilot's press() waits for the app to be idle, and a
    # short refresh can be over by then.
    key = events.Key("R", "R")
    key.set_sender(app)
    pressed = time.perf_counter()
    app._driver.send_message(key)
    began = await _wait_until(lambda: screen.refreshing or app._exception, 10) + pressed
    await _wait_until(lambda: not screen.refreshing, args.timeout, step=0.05)
    if app._exception is not None:
        raise RuntimeError(f"the reader crashed: {app._exception!r}")
    ended = time.perf_counter()
    await asyncio.sleep(1.5)  # the reload of counts and list that follows a refresh
    state["stop"] = True
    gc.callbacks.remove(on_gc)
    gc.set_debug(0)
    if watchdog is not None:
        watchdog.stop()
    step_cpu = steps.stop() if steps is not None else []
    await asyncio.sleep(0.05)
    during = [late for at, late in samples if at >= pressed]
    before = [late for at, late in samples if at < pressed]
    worst = sorted(((late, at - pressed) for at, late in samples if at >= pressed), reverse=True)
    return {
        "refresh_s": ended - began,
        "max_stall_ms": max(during) * 1000 if during else None,
        "p99_stall_ms": _quantile(during, 0.99) * 1000 if during else None,
        "p50_stall_ms": _quantile(during, 0.5) * 1000 if during else None,
        "baseline_max_ms": max(before) * 1000 if before else None,
        "over_50ms": sum(1 for late in during if late > 0.05),
        "over_100ms": sum(1 for late in during if late > 0.1),
        "samples": len(during),
        "worst": [(round(late * 1000, 1), round(at, 2)) for late, at in worst[:10]],
        "feeds_after": len(screen.feeds),
        **tracked,
        "tracked_after": len(gc.get_objects()),
        "gc_worst": [
            (round(pause * 1000, 1), generation, round(at - pressed, 2), freed)
            for pause, generation, at, freed in sorted(gc_pauses, reverse=True)[:5]
        ],
        "maxrss_mb": _maxrss_mb(),
        "step_cpu": step_cpu,
        "layouts": [f"{at - pressed:.2f} s {who}" for at, who in layouts if at >= pressed][:60],
        "stall_steps": _stall_steps(worst[:6], pressed, steps.log if steps is not None else []),
        "gc_garbage": [g for g in gc_garbage if g[0] == 2][:4],
    }


def _what(handle: Any) -> str:
    what = repr(handle)
    task = getattr(handle._callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        what = f"{task.get_name()} {getattr(coro, '__qualname__', coro)}"
    return what[:160]


class _StepCPU:
    """The event loop's steps that took the most CPU of its thread (`time.thread_time`: what
    the step itself cost, whatever the load or the other threads), with what they ran
    (STEP_CPU=1; a diagnosis aid)."""

    def __init__(self, profile: str | None = None, screen: Any = None) -> None:
        self._original = asyncio.events.Handle._run
        self.worst: list[tuple[float, float, str]] = []
        self._profile = profile
        self.log: list[tuple[float, float, float, str]] = []
        """Every step of more than 2 ms (wall or CPU): (start, end, CPU, what)."""
        self._stats: Any = None
        watch = self

        def run(handle: Any) -> None:
            profiler = None
            if profile:  # STEP_PROFILE=path: each step under cProfile, the long ones kept
                import cProfile

                profiler = cProfile.Profile(time.thread_time)  # the step's own CPU
                profiler.enable()
            cpu, wall = time.thread_time(), time.perf_counter()
            watch._original(handle)
            used = time.thread_time() - cpu
            if profiler is not None:
                profiler.disable()
                if used > float(os.environ.get("STEP_PROFILE_MS", "8")) / 1000:
                    watch._keep(profiler, used, handle)
            ended = time.perf_counter()
            if ended - wall > 0.002 or used > 0.002:
                watch.log.append((wall, ended, used, watch.frame or _what(handle)))
            if used > 0.003:
                what = repr(handle)
                task = getattr(handle._callback, "__self__", None)
                if isinstance(task, asyncio.Task):
                    coro = task.get_coro()
                    what = f"{task.get_name()} {getattr(coro, '__qualname__', coro)}: {what}"
                if watch.frame:
                    what = f"{watch.frame} {what}"
                watch.worst.append((used, time.perf_counter() - wall, what[:300]))
            watch.frame = ""

        asyncio.events.Handle._run = run  # type: ignore[method-assign]
        self.frame = ""
        self._screen = screen
        if screen is not None:
            timer = screen._update_timer
            self._on_timer_update = original = timer._callback

            def on_timer_update() -> None:  # what a frame's step drew
                dirty = sorted(
                    {getattr(w, "id", None) or type(w).__name__ for w in screen._dirty_widgets}
                )
                layout = "layout " if screen._layout_required else ""
                phases.clear()
                original()
                parts = " ".join(f"{k} {v * 1000:.1f}" for k, v in phases.items())
                watch.frame = f"[frame: {layout}{','.join(map(str, dirty))}; CPU ms: {parts}]"

            timer._callback = on_timer_update
            # The CPU of a frame's phases: laying the screen out, drawing the lines that
            # changed (the widgets' rows and their cutting), writing them for the terminal.
            phases: dict[str, float] = {}
            compositor = screen._compositor

            def timed(name: str, function: Any) -> Any:
                def run(*args: Any, **kwargs: Any) -> Any:
                    started = time.thread_time()
                    try:
                        return function(*args, **kwargs)
                    finally:
                        phases[name] = phases.get(name, 0) + time.thread_time() - started

                return run

            self._timed = [
                (compositor, "reflow", compositor.reflow),
                (compositor, "render_update", compositor.render_update),
                (screen.app, "_display", screen.app._display),
            ]
            for owner, name, function in self._timed:
                setattr(owner, name, timed(name.strip("_"), function))

    def _keep(self, profiler: Any, used: float, handle: Any) -> None:
        import io
        import pstats

        if self._stats is None:
            self._stats = pstats.Stats(profiler)
        else:
            self._stats.add(profiler)
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(40)
        with open(f"{self._profile}.steps.txt", "a", encoding="utf-8") as out:
            out.write(f"=== step {used * 1000:.1f} ms CPU (profiled): {handle!r}"[:300] + "\n")
            out.write(text.getvalue())

    def stop(self) -> list[tuple[float, float, str]]:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]
        if self._screen is not None:
            self._screen._update_timer._callback = self._on_timer_update
            for owner, name, _function in self._timed:
                delattr(owner, name)  # the class's method again
        if self._stats is not None:
            self._stats.dump_stats(f"{self._profile}.prof")
        return [
            (round(cpu * 1000, 1), round(wall * 1000, 1), what)
            for cpu, wall, what in sorted(self.worst, reverse=True)[:15]
        ]


def _stall_steps(
    worst: list[tuple[float, float]], pressed: float, log: list[tuple[float, float, float, str]]
) -> list[tuple[float, float, list[tuple[float, float, float, str]]]]:
    """The steps of more than 2 ms that ran while each of the worst ticks waited: (ms late,
    s after R, [(ms after the tick was due, wall ms, CPU ms, what)])."""
    out = []
    for late, after in worst:
        at = pressed + after
        due = at - late - 0.002
        inside = [
            (
                round((start - due) * 1000, 1),
                round((end - start) * 1000, 1),
                round(cpu * 1000, 1),
                what,
            )
            for start, end, cpu, what in log
            if end > due and start < at
        ]
        out.append((round(late * 1000, 1), round(after, 2), inside))
    return out


class _StallStacks:
    """A thread that samples the event loop's thread whenever the 10 ms tick is late by more
    than 8 ms, and writes the stacks it caught to a file: what held the loop (a diagnosis aid:
    STALL_STACKS=path; the GIL it takes now and then adds a little to what it measures)."""

    def __init__(self, path: str) -> None:
        import threading

        self.beat = time.perf_counter()
        self._loop_thread = threading.get_ident()
        self._out = open(path, "w", encoding="utf-8")  # noqa: SIM115
        self._running = True
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        import traceback

        while self._running:
            time.sleep(0.002)
            late = time.perf_counter() - self.beat - 0.01
            if late > 0.008:
                frame = sys._current_frames().get(self._loop_thread)
                if frame is not None:
                    stack = "".join(traceback.format_stack(frame, limit=25))
                    self._out.write(f"--- {late * 1000:.1f} ms late\n{stack}")

    def stop(self) -> None:
        self._running = False
        self._thread.join()
        self._out.close()


def _profiler(args: argparse.Namespace, name: str) -> Any:
    if not args.profile:
        return None
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    return profile


def _dump(profile: Any, args: argparse.Namespace, name: str) -> None:
    if profile is not None:
        profile.disable()
        profile.dump_stats(f"{args.profile}.{name}.prof")


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_search(args: argparse.Namespace) -> dict[str, Any]:
    config = load_config(Path(args.config), required=True)
    library = Library.open(config, args.db)
    results: dict[str, Any] = {}
    try:
        for word in [w for w in args.words.split(",") if w]:
            times: list[float] = []
            hits = 0
            for _ in range(args.repeat):
                view = View("search", query=word.replace("+", " "))
                t = time.perf_counter()
                hits = library.count(view)
                library.headlines(view, 0, 200)
                times.append(time.perf_counter() - t)
            results[word] = {"median_s": statistics.median(times), "hits": hits, "times_s": times}
    finally:
        library.close()
    return {"queries": results, "maxrss_mb": _maxrss_mb()}


def run_app(args: argparse.Namespace) -> dict[str, Any]:
    from newstui.ui.app import make_app

    config = load_config(Path(args.config), required=True)
    library = Library.open(config, args.db)
    library.welcome = True
    app = make_app(library, config)
    scenario = {"open": scenario_open, "stall": scenario_stall, "keys": scenario_keys}[args.mode]
    result: dict[str, Any] = {}

    async def auto_pilot(pilot: Any) -> None:
        try:
            result.update(await scenario(app, pilot, args))
        except Exception as exc:  # reported in the JSON, the runner shows it
            result["error"] = f"{type(exc).__name__}: {exc}"
        await pilot.exit(None)

    async def headless() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await auto_pilot(pilot)

    try:
        if args.headless:
            asyncio.run(headless())
        else:
            app.run(auto_pilot=auto_pilot)
    except Exception as exc:
        result.setdefault("error", f"{type(exc).__name__}: {exc}")
    finally:
        library.close()
    crash = getattr(app, "_exception", None)
    if crash is not None:
        import traceback

        result["error"] = f"the reader crashed: {type(crash).__name__}: {crash}"
        cause = crash.__cause__ or getattr(crash, "error", None) or crash
        result["traceback"] = "".join(traceback.format_exception(cause))[-4000:]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("open", "stall", "search", "keys"))
    parser.add_argument("--db", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--feed-id", type=int, default=1)
    parser.add_argument("--view", default="all", help="keys: all, unread, bookmarks or feed")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--words", default="")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--headless", action="store_true")
    parser.add_argument("--profile", help="cProfile the timed parts to PREFIX.<part>.prof")
    args = parser.parse_args()
    try:
        result = run_search(args) if args.mode == "search" else run_app(args)
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"}
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    sys.stdout.flush()
    # Leave at once: worker threads of the app (a refresh's thread loop) must not hold the exit.
    if os.environ.get("PROBE_NO_EXIT"):
        return
    os._exit(1 if "error" in result else 0)


if __name__ == "__main__":
    main()
