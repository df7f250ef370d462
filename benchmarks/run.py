"""The newstui benchmark suite: newstui and newsboat on the same loopback feed server, same run.

    .venv/bin/python benchmarks/run.py               # everything, median of 3 runs
    .venv/bin/python benchmarks/run.py --quick       # small sizes, 1 run: a smoke test
    .venv/bin/python benchmarks/run.py --rows 1,2    # only some rows

Rows: 1 cold refresh, 2 warm / changed refresh, 3 first paint, 4 open a 10k-article feed and move,
5 full-text search, 6 peak memory (measured with 1, 3 and 4), 7 event-loop stalls during a refresh.
newsboat is installed with apt-get when it is missing (tried once per run); without it only newstui
is measured. Scratch files live in benchmarks/_work/ (git-ignored); the 100k-article libraries are
built once and kept there between runs. Never part of pytest: run it on demand.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import select
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "_work"
TMUX_SOCKET = "newstui-bench"
DEAD_PORT = 9  # feeds of the prebuilt libraries point here: they are never refreshed

if __name__ == "__main__":  # the script's folder is first on sys.path
    from project_venv import use_project_venv

    use_project_venv()

sys.path.insert(0, str(BENCH))
from feedserver import FeedSet, feed_url  # noqa: E402

PY = sys.executable
NEWSTUI = str(Path(PY).parent / "newstui")


@dataclass(frozen=True)
class Sizes:
    feeds: int = 500
    items: int = 30
    big_feeds: int = 2000
    big_items: int = 50
    big_feed_items: int = 10_000
    stall_feeds: int = 500
    hosts: int = 16
    runs: int = 3


FULL = Sizes()
QUICK = Sizes(
    feeds=60, items=10, big_feeds=200, big_items=20, big_feed_items=2000, stall_feeds=60, runs=1
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- processes and memory -----------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_pids(root: int) -> list[int]:
    children = _children_map()
    out, todo = [], [root]
    while todo and len(out) < 10_000:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def pss_mb(pid: int) -> float:
    """Proportional set size (shared pages split between their users), MB; 0 when gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def hwm_mb(pid: int) -> float:
    """Peak RSS of a running process so far (VmHWM), MB."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class TreeSampler:
    """Samples the summed PSS of a process and all its descendants every `interval` seconds."""

    def __init__(self, root: int, interval: float = 0.1) -> None:
        self.root = root
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(pss_mb(pid) for pid in tree_pids(self.root))
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)


@dataclass
class Measured:
    seconds: float
    maxrss_mb: float
    """Peak RSS of the process itself (wait4), as /usr/bin/time -v reports it."""
    tree_mb: float
    """Peak memory: the larger of the summed PSS of the process and its children (sampled every
    0.1 s) and the process's own peak RSS."""
    rc: int
    out: str
    err: str


def measure(
    cmd: list[str], env: dict[str, str], timeout: float, cwd: Path | None = None
) -> Measured:
    """Run `cmd` to its end; wall time, peak memory and output. Killed after `timeout` seconds."""
    out_path = WORK / "cmd.out"
    err_path = WORK / "cmd.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        killer = threading.Timer(timeout, lambda: _kill(proc.pid))
        killer.start()
        with TreeSampler(proc.pid) as sampler:
            _pid, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - started
        killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        elapsed,
        usage.ru_maxrss / 1024,
        max(sampler.peak, usage.ru_maxrss / 1024),
        proc.returncode,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
    )


def compile_sources() -> None:
    """Byte-compile newstui's modules as an install does. With PYTHONDONTWRITEBYTECODE set (some
    shells and containers set it) an editable install compiles every module from source at every
    start, a cost no installed copy pays: ~30 ms of start-up, ~0.3 CPU s in a cold refresh."""
    import compileall

    import newstui

    compileall.compile_dir(Path(newstui.__file__).parent, quiet=1)


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether `pid` is a process that has not exited. An exited one that nobody has reaped
    yet (a zombie: its /proc entry stays until its new parent, init, reaps it, which in a
    container can take a minute) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2 : stat.rfind(b")") + 3] != b"Z"


# ---- the feed server ----------------------------------------------------------------------


class Server:
    """feedserver.py in a child process (it exits when our pipe to its stdin closes)."""

    def __init__(self, feeds: int, items: int, *, hosts: int, big_feed: int = 0) -> None:
        self.args = [
            PY,
            str(BENCH / "feedserver.py"),
            f"--feeds={feeds}",
            f"--items={items}",
            f"--big-feed={big_feed}",
            f"--hosts={hosts}",
            "--watch-stdin",
            "--lifetime=14400",
        ]
        self.feeds = feeds
        self.hosts = hosts
        self.port = 0
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 600)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("READY"):
            self.__exit__()
            raise RuntimeError(f"the feed server did not start: {line!r}")
        self.port = int(line.split()[1])
        log(f"feed server on port {self.port}: {line.strip()}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(OSError):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def get(self, path: str) -> bytes:
        url = f"http://127.0.0.1:{self.port}{path}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return bytes(response.read())

    def latency(self, ms: float) -> None:
        self.get(f"/_config?latency_ms={ms}")

    def publish(self, fraction: float) -> list[int]:
        return list(json.loads(self.get(f"/_publish?fraction={fraction}"))["published"])

    def stats(self, reset: bool = True) -> dict[str, int]:
        return dict(json.loads(self.get("/_stats?reset=1" if reset else "/_stats")))

    def reset(self) -> None:
        self.get("/_reset")

    def urls(self) -> list[str]:
        return [feed_url(i, self.port, self.hosts) for i in range(self.feeds)]


# ---- newstui and newsboat -----------------------------------------------------------------


def base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "NEWSTUI_"))}
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
    return env


def newstui_config(path: Path) -> Path:
    path.write_text(
        '[refresh]\nrefresh_on_start = false\n\n[display]\nimages = "off"\n', encoding="utf-8"
    )
    return path


def newstui_env(home: Path, config: Path) -> dict[str, str]:
    return {**base_env(home), "NEWSTUI_CONFIG": str(config)}


def fresh_newstui_db(path: Path, urls: list[str]) -> None:
    """A new library subscribed to `urls` (not refreshed): inserted directly, not timed."""
    from newstui.storage.db import Database

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(path)
    with db.tx() as conn:
        conn.executemany(
            "INSERT INTO feeds(url, origin, added) VALUES (?, 'user', ?)",
            [(url, time.time()) for url in urls],
        )
    db.close()


def newsboat_config(path: Path, threads: int) -> Path:
    path.write_text(f"reload-threads {threads}\nconfirm-exit no\n", encoding="utf-8")
    return path


def ensure_newsboat() -> str | None:
    found = shutil.which("newsboat")
    if found:
        return found
    log("newsboat is missing: trying `apt-get install -y newsboat` once")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "newsboat"]):
        try:
            subprocess.run(cmd, env=env, timeout=600, check=False, capture_output=True)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log(f"  {' '.join(cmd)} failed: {exc}")
            break
    found = shutil.which("newsboat")
    if not found:
        log("newsboat could not be installed: measuring newstui only")
    return found


def version_of(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


# ---- tmux ---------------------------------------------------------------------------------


def tmux(*args: str, check: bool = True) -> str:
    result = subprocess.run(
        ["tmux", "-L", TMUX_SOCKET, *args], capture_output=True, text=True, timeout=30
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"tmux {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


class Tmux:
    """One tmux session running one program, 160x45; closed on exit."""

    counter = 0

    def __init__(self, cmd: list[str], env: dict[str, str], cwd: Path) -> None:
        Tmux.counter += 1
        self.name = f"b{os.getpid()}-{Tmux.counter}"
        assigns = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items() if _env_ok(k))
        self.shell = f"cd {shlex.quote(str(cwd))} && exec env -i {assigns} {shlex.join(cmd)}"
        self.started = 0.0
        self.pid = 0
        self.outputs: list[float] = []
        self._control: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Tmux:
        self.started = time.perf_counter()
        tmux("new-session", "-d", "-s", self.name, "-x", "160", "-y", "45", self.shell)
        with contextlib.suppress(RuntimeError, ValueError):
            self.pid = int(tmux("display-message", "-p", "-t", self.name, "#{pane_pid}").strip())
        self._watch_output()
        return self

    def _watch_output(self) -> None:
        """A control-mode client on the session: tmux sends it a `%output` line as soon as the
        program writes to its terminal. A change of the screen seen by `capture-pane` is then
        timed to the last write before that capture, instead of to the capture (20 ms apart
        plus a tmux client's start: ~15 ms late on average, for both programs)."""
        self._control = subprocess.Popen(
            ["tmux", "-L", TMUX_SOCKET, "-C", "attach-session", "-t", self.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

        def read(stream: Any) -> None:
            for line in stream:
                if line.startswith(b"%output "):
                    self.outputs.append(time.perf_counter())

        threading.Thread(target=read, args=(self._control.stdout,), daemon=True).start()

    def _written_by(self, moment: float, floor: float) -> float:
        """The time of the program's last write at or before `moment` (not before `floor`):
        the latest a change seen at `moment` can have been drawn. Never earlier than the true
        time; later only when the program rewrote the same cells after the change. Without
        the control client, `moment` itself."""
        if not self.outputs:
            return moment
        for t in reversed(self.outputs):
            if t <= moment:
                return max(t, floor)
        return floor

    def __exit__(self, *exc: object) -> None:
        if self._control is not None:
            with contextlib.suppress(OSError):
                self._control.stdin.close()  # type: ignore[union-attr]
            try:
                self._control.wait(5)
            except subprocess.TimeoutExpired:
                self._control.kill()
        tmux("kill-session", "-t", self.name, check=False)
        deadline = time.monotonic() + 60  # let it go (newsboat holds a lock on its cache)
        while self.pid and _running(self.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.pid and _running(self.pid):
            _kill(self.pid)
            time.sleep(0.5)

    def screen(self) -> str:
        return tmux("capture-pane", "-p", "-t", self.name, check=False)

    def keys(self, *keys: str, literal: bool = False) -> None:
        tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def wait(
        self,
        predicate: Callable[[str], bool],
        *,
        since: float,
        timeout: float,
        settle: float = 0.0,
        poll: float = 0.02,
    ) -> tuple[float, str]:
        """Seconds from `since` until the screen satisfies `predicate`.

        With `settle` > 0: until the last change of the screen once it satisfies `predicate` and
        then stays unchanged for `settle` seconds (the end of drawing, not its beginning). A
        change is timed to the program's write that drew it (see `_watch_output`).
        """
        deadline = time.perf_counter() + timeout
        last, seen, drawn = "", since, since
        while time.perf_counter() < deadline:
            text = self.screen()
            now = time.perf_counter()
            if text != last:
                last, seen, drawn = text, now, self._written_by(now, since)
            if predicate(text) and (settle <= 0 or now - seen >= settle):
                return drawn - since, text
            time.sleep(poll)
        raise TimeoutError(f"screen condition not met in {timeout:g} s; screen:\n{last}")


def _env_ok(key: str) -> bool:
    return key.isidentifier() and not key.startswith("TMUX")


# ---- the 100k-article libraries -----------------------------------------------------------


@dataclass
class BigLibrary:
    newstui_db: Path
    newsboat_cache: Path | None
    newsboat_urls: Path
    feeds: int
    articles: int
    big_feed_id: int
    words: list[str]


def build_big(sizes: Sizes, newsboat: str | None) -> BigLibrary:
    """2,000 feeds x 50 articles, and one feed of 10,000 (kept in _work/ between runs)."""
    sig = f"{sizes.big_feeds}x{sizes.big_items}+{sizes.big_feed_items}"
    folder = WORK / f"big-{sig}"
    folder.mkdir(parents=True, exist_ok=True)
    fs = FeedSet(sizes.big_feeds, sizes.big_items, seed=1, big_feed=sizes.big_feed_items)
    articles = sum(fs.count(i) for i in range(fs.feeds))
    db = folder / "newstui.db"
    done = folder / "newstui.done"
    if not done.exists():
        log(f"building the newstui library {sig} ({articles} articles) by direct inserts")
        started = time.perf_counter()
        _build_newstui_big(db, fs, sizes.hosts)
        done.write_text("ok\n")
        log(f"  built in {time.perf_counter() - started:.0f} s")
    _current_schema(db)
    big_feed_id = int(_one(db, "SELECT id FROM feeds WHERE feed_title = 'Bench feed 00000'"))
    urls = folder / "urls"
    cache = folder / "newsboat-cache.db"
    nb_done = folder / "newsboat.done"
    if newsboat and not nb_done.exists():
        log(f"building the newsboat cache {sig} by a reload against the feed server")
        for suffix in ("", ".lock"):
            Path(f"{cache}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        with Server(
            sizes.big_feeds, sizes.big_items, hosts=sizes.hosts, big_feed=sizes.big_feed_items
        ) as server:
            urls.write_text("\n".join(server.urls()) + "\n")
            home = folder / "home"
            conf = newsboat_config(folder / "newsboat.conf", 8)
            m = measure(
                [newsboat, "-u", str(urls), "-c", str(cache), "-C", str(conf), "-x", "reload"],
                base_env(home),
                timeout=3600,
            )
        count = _one(cache, "SELECT count(*) FROM rss_item")
        log(f"  newsboat cache: {count} articles in {time.perf_counter() - started:.0f} s")
        if count != articles:
            log(f"  WARNING: newsboat stored {count} articles, expected {articles}: rc={m.rc}")
        nb_done.write_text("ok\n")
    return BigLibrary(
        db,
        cache if newsboat and cache.exists() else None,
        urls,
        fs.feeds,
        articles,
        big_feed_id,
        fs.words,
    )


def _current_schema(path: Path) -> None:
    """A library kept from an older version is migrated here, untimed, not in the first start."""
    from newstui.storage.db import Database
    from newstui.storage.schema import SCHEMA_VERSION

    version = int(_one(path, "PRAGMA user_version"))
    if version != SCHEMA_VERSION:
        log(f"migrating the kept library from schema {version} to {SCHEMA_VERSION}")
        Database(path).close()


def _one(path: Path, sql: str) -> Any:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _build_newstui_big(path: Path, fs: FeedSet, hosts: int) -> None:
    from newstui.domain.update import StoredEntry, pack_text
    from newstui.storage.db import Database
    from newstui.storage.writer import FeedUpdate, apply_updates

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(path)
    try:
        for index in range(fs.feeds):
            feed_id = db.insert_feed(feed_url(index, DEAD_PORT, hosts), title=None, tags=())
            entries = []
            head = fs.head[index]
            for number in range(head - 1, head - fs.count(index) - 1, -1):
                title, link, body, when = fs.item(index, number)
                guid = (
                    f"bench-{index}-{number}" if index % 2 == 0 else f"urn:bench:{index}:{number}"
                )
                entries.append(
                    StoredEntry(
                        key=guid,
                        title=title,
                        url=link,
                        author=f"Author {number % 17}",
                        site=None,
                        published=float(when),
                        updated=float(when),
                        content=pack_text(body),  # as a parse worker sends it (schema 16)
                        content_type="html",
                        digest=hashlib.sha1(body.encode(), usedforsecurity=False).hexdigest(),
                    )
                )
            update = FeedUpdate(
                feed_id,
                "ok",
                None,
                200,
                entries,
                feed_title=f"Bench feed {index:05d}",
                site_url=f"https://site{index}.news.example/",
            )
            apply_updates(db, [update])
    finally:
        db.close()


# ---- results ------------------------------------------------------------------------------


@dataclass
class Results:
    samples: dict[str, list[float]] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    save_to: Path | None = None

    def add(self, key: str, value: float | None) -> None:
        if value is not None:
            self.samples.setdefault(key, []).append(value)
            if self.save_to is not None:  # kept as it goes: a stopped run loses nothing
                data = {"samples": self.samples, "notes": self.notes}
                self.save_to.write_text(json.dumps(data, indent=1))

    def merge(self, path: Path) -> None:
        data = json.loads(path.read_text())
        for key, values in data.get("samples", {}).items():
            self.samples.setdefault(key, []).extend(values)
        for key, value in data.get("notes", {}).items():
            if isinstance(value, dict):
                self.notes.setdefault(key, {}).update(value)
            else:
                self.notes[key] = value

    def median(self, key: str | None) -> float | None:
        values = self.samples.get(key or "")
        return statistics.median(values) if values else None


# ---- rows 1 and 2: refresh ------------------------------------------------------------------


def rows_refresh(sizes: Sizes, res: Results, newsboat: str | None, rows: set[int]) -> None:
    scratch = WORK / "refresh"
    scratch.mkdir(parents=True, exist_ok=True)
    home = scratch / "home"
    config = newstui_config(scratch / "newstui.toml")
    env_nt = newstui_env(home, config)
    env_nb = base_env(home)
    db = scratch / "newstui.db"
    thread_counts = (8, 1)
    with Server(sizes.feeds, sizes.items, hosts=sizes.hosts) as server:
        urls_file = scratch / "urls"
        urls_file.write_text("\n".join(server.urls()) + "\n")
        for latency in (0, 50):
            server.latency(latency)
            for run in range(sizes.runs):
                server.reset()
                log(f"rows 1-2: {latency} ms latency, run {run + 1}/{sizes.runs}")
                clients: list[tuple[str, int]] = [("nt", 0)]
                if newsboat:
                    clients += [("nb", t) for t in thread_counts]
                if run % 2:
                    clients.reverse()
                for name, threads in clients:
                    server.reset()  # every client sees the same first version of the feeds
                    key = "nt" if name == "nt" else f"nb{threads}"
                    if name == "nt":
                        fresh_newstui_db(db, server.urls())
                        cmd = [NEWSTUI, "--db", str(db), "refresh", "--json"]
                        env, check = env_nt, lambda m: _check_newstui(m)
                    else:
                        assert newsboat is not None
                        cache = scratch / f"newsboat-{threads}.db"
                        for suffix in ("", ".lock"):
                            Path(f"{cache}{suffix}").unlink(missing_ok=True)
                        conf = newsboat_config(scratch / f"newsboat-{threads}.conf", threads)
                        cmd = [newsboat, "-u", str(urls_file), "-c", str(cache), "-C", str(conf)]
                        cmd += ["-x", "reload"]
                        env, check = env_nb, lambda m, c=cache: _check_newsboat(m, c)
                    phases = [("cold", None), ("prime", None), ("warm", None)]
                    phases.append(("changed", 0.1))
                    for phase, fraction in phases:
                        if fraction is not None:
                            server.publish(fraction)
                        server.stats()
                        m = measure(cmd, env, timeout=1800)
                        stats = server.stats()
                        detail = check(m)
                        tag = f"{phase}{latency}.{key}"
                        if phase != "prime":
                            res.add(tag, m.seconds)
                            if phase == "cold":
                                res.add(f"rss.cold{latency}.{key}", m.tree_mb)
                            res.notes.setdefault("server", {})[tag] = stats
                        log(
                            f"  {tag:<16} {m.seconds:7.2f} s  tree {m.tree_mb:6.0f} MB  "
                            f"main {m.maxrss_mb:6.0f} MB  {detail}  server {stats}"
                        )
    _ = rows


def _check_newstui(m: Measured) -> str:
    if m.rc != 0:
        return f"rc={m.rc} {m.err.strip()[-300:]}"
    try:
        outcomes = json.loads(m.out)
    except ValueError:
        return f"unreadable output {m.out[:200]!r}"
    statuses: dict[str, int] = {}
    for o in outcomes:
        statuses[o["status"]] = statuses.get(o["status"], 0) + 1
    new = sum(o["new"] for o in outcomes)
    return f"{statuses} new={new}"


def _check_newsboat(m: Measured, cache: Path) -> str:
    try:
        count = _one(cache, "SELECT count(*) FROM rss_item")
    except sqlite3.Error as exc:
        count = f"? ({exc})"
    return f"rc={m.rc} articles={count}"


# ---- rows 3, 4, 5: the reader on a big library --------------------------------------------

ITEM = re.compile(r"\[0\.(\d+)\]")


def rows_reader(sizes: Sizes, res: Results, newsboat: str | None, rows: set[int]) -> None:
    big = build_big(sizes, newsboat)
    res.notes["big"] = {"feeds": big.feeds, "articles": big.articles}
    scratch = WORK / "reader"
    scratch.mkdir(parents=True, exist_ok=True)
    home = scratch / "home"
    config = newstui_config(scratch / "newstui.toml")
    env_nt = newstui_env(home, config)
    env_nb = base_env(home)
    nb_conf = newsboat_config(scratch / "newsboat.conf", 8)
    nb_cmd = [newsboat or "newsboat", "-u", str(big.newsboat_urls), "-c", str(big.newsboat_cache)]
    nb_cmd += ["-C", str(nb_conf)]
    nt_cmd = [NEWSTUI, "--db", str(big.newstui_db)]
    common = _common_word(big)
    rare = str(sizes.big_feed_items - 124)  # only in one title (and its link): "[0.9876] ..."
    res.notes["search_words"] = {"rare": rare, "common": common}
    have_nb = newsboat is not None and big.newsboat_cache is not None
    for run in range(sizes.runs):
        log(f"rows 3-5: run {run + 1}/{sizes.runs}")
        order = ["nt", "nb"] if run % 2 == 0 else ["nb", "nt"]
        for who in order:
            if who == "nb" and not have_nb:
                continue
            cmd, env = (nt_cmd, env_nt) if who == "nt" else (nb_cmd, env_nb)
            if who == "nt" and rows & {3, 6}:
                empty = scratch / "empty.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{empty}{suffix}").unlink(missing_ok=True)
                with Tmux([NEWSTUI, "--db", str(empty)], env_nt, WORK) as tm:
                    t, _screen = tm.wait(
                        lambda s: "Welcome" in s and "Bookmarks" in s, since=tm.started, timeout=300
                    )
                res.add("paint.empty.nt", t)
                log(f"  nt first paint, empty library: {t * 1000:.0f} ms")
            _reader_session(who, cmd, env, res, rows, [("rare", rare), ("common", common)])
            if who == "nb" and rows & {3, 6}:
                m = measure([*nb_cmd, "-x", "print-unread"], env_nb, timeout=1800)
                res.add("printunread.nb", m.seconds if m.rc == 0 else None)
                log(f"  newsboat -x print-unread {m.seconds:.2f} s rc={m.rc}: {m.out.strip()[:80]}")
        if 4 in rows:
            floor = harness_floor()
            res.add("harness.echo", floor * 1000)
            log(f"  harness floor (key to an echo program's write): {floor * 1000:.1f} ms")
            out = scratch / "open.json"
            for headless in (False, True):
                data = _probe(
                    "open",
                    big.newstui_db,
                    config,
                    env_nt,
                    out,
                    headless=headless,
                    extra=["--feed-id", str(big.big_feed_id)],
                )
                if "error" in data:
                    log(f"  probe open: {data['error']}")
                    continue
                mode = "headless" if headless else "driver"
                steps = data["steps_s"]
                res.add(f"probe.open.{mode}", data["open_s"] * 1000)
                res.add(f"probe.step.median.{mode}", statistics.median(steps) * 1000)
                res.add(f"probe.step.p95.{mode}", sorted(steps)[int(0.95 * len(steps)) - 1] * 1000)
                res.add(f"probe.step.max.{mode}", max(steps) * 1000)
                if data.get("steps_cpu_s"):
                    cpu = data["steps_cpu_s"]
                    res.add(f"probe.stepcpu.median.{mode}", statistics.median(cpu) * 1000)
                    res.add(f"probe.stepcpu.max.{mode}", max(cpu) * 1000)
                res.add(f"probe.rss.{mode}", data["maxrss_mb"])
                log(
                    f"  probe open ({mode}): open {data['open_s'] * 1000:.0f} ms, step median "
                    f"{statistics.median(steps) * 1000:.1f} ms max {max(steps) * 1000:.1f} ms, "
                    f"cursor {data['cursor']}, maxrss {data['maxrss_mb']:.0f} MB"
                )
        if 5 in rows:
            out = scratch / "search.json"
            words = [rare, common, f"{common}+{big.words[7]}"]
            data = _probe(
                "search",
                big.newstui_db,
                config,
                env_nt,
                out,
                headless=True,
                extra=["--words", ",".join(words)],
            )
            if "error" in data:
                log(f"  probe search: {data['error']}")
            else:
                for label, word in zip(("rare", "common", "two"), words, strict=True):
                    q = data["queries"][word]
                    res.add(f"search.lib.{label}", q["median_s"] * 1000)
                    res.notes.setdefault("search_hits", {})[label] = q["hits"]
                    log(
                        f"  library search {word!r}: {q['median_s'] * 1000:.1f} ms, {q['hits']} hits"
                    )


def _common_word(big: BigLibrary) -> str:
    """A vocabulary word found in many articles (most among a fixed sample)."""
    conn = sqlite3.connect(f"file:{big.newstui_db}?mode=ro", uri=True)
    try:
        best, best_hits = big.words[0], -1
        for word in big.words[::150][:20]:
            hits = conn.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (f'"{word}"',)
            ).fetchone()[0]
            if hits > best_hits:
                best, best_hits = word, hits
        return best
    finally:
        conn.close()


def _reader_session(
    who: str,
    cmd: list[str],
    env: dict[str, str],
    res: Results,
    rows: set[int],
    searches: list[tuple[str, str]],
) -> None:
    """One start of the reader on the big library: first paint, open the 10k-article feed and
    move 100 rows, then back to the feed list and search (newsboat starts slowly on a big cache,
    so each run starts each reader once)."""
    with Tmux(cmd, env, WORK) as tm:
        # Row 3: from launch until the feeds pane shows its rows.
        painted, _screen = tm.wait(
            lambda s: "Bench feed 00000" in s, since=tm.started, timeout=1800
        )
        tm.wait(lambda s: True, since=time.perf_counter(), timeout=60, settle=0.5)
        rss = hwm_mb(tm.pid)
        res.add(f"paint.big.{who}", painted)
        res.add(f"rss.paint.{who}", rss)
        log(f"  {who} first paint, big library: {painted * 1000:.0f} ms, peak RSS {rss:.0f} MB")
        if rows & {4, 6}:
            opened, moved = _open_and_move(tm, who)
            rss = hwm_mb(tm.pid)
            res.add(f"open.{who}", opened)
            res.add(f"move.{who}", moved)
            res.add(f"rss.open.{who}", rss)
            log(
                f"  {who} open {opened * 1000:.0f} ms, 100 moves {moved * 1000:.0f} ms, {rss:.0f} MB"
            )
        if 5 in rows:
            for kind, word in searches:
                seconds = _search(tm, who, word)
                res.add(f"search.{kind}.{who}", seconds)
                log(f"  {who} search {word!r}: {seconds * 1000:.0f} ms" if seconds else "")


ECHO = """
import os, tty
tty.setraw(0)
os.write(1, b"\\x1b[2J\\x1b[Hready")
n = 0
while (key := os.read(0, 64)) and key != b"q":
    n += 1
    os.write(1, f"\\x1b[Hgot {n:04d}".encode())
"""


def harness_floor(keys: int = 20) -> float:
    """Median seconds from a key sent as the rows above send it to the write of a program that
    only echoes it: what the harness (a tmux client's start, tmux, the control client) adds to
    every "until drawn" time, for both programs."""
    times: list[float] = []
    with Tmux([PY, "-c", ECHO], {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, WORK) as tm:
        tm.wait(lambda s: "ready" in s, since=tm.started, timeout=30)
        for i in range(1, keys + 1):
            time.sleep(0.05)
            started = time.perf_counter()
            tm.keys("Enter")
            seconds, _ = tm.wait(lambda s, i=i: f"got {i:04d}" in s, since=started, timeout=30)
            times.append(seconds)
        tm.keys("q")
    return statistics.median(times)


def _to_feed_list(tm: Tmux, who: str) -> None:
    """Back to where a search covers every feed (newsboat: its feed list)."""
    if who == "nb":
        tm.keys("q")
        tm.wait(lambda s: not ITEM.search(s), since=time.perf_counter(), timeout=300, settle=0.3)
    else:
        tm.keys("Escape")  # leaves a search; harmless otherwise
        tm.wait(lambda s: True, since=time.perf_counter(), timeout=60, settle=0.3)


def _open_and_move(tm: Tmux, who: str) -> tuple[float, float]:
    """Open the 10k-article feed from the feeds pane, then move 100 rows down; both until drawn."""
    if who == "nt":
        tm.keys("h")  # the feeds pane; the big feed is the row after All, Unread, Bookmarks
        tm.keys("j", "j", "j")
        tm.wait(lambda s: True, since=time.perf_counter(), timeout=30, settle=0.3)
        # The header names the feed once its view is shown.
        shown = lambda s: "Bench feed 00000" in s.split("\n", 1)[0] and len(ITEM.findall(s)) > 1  # noqa: E731
    else:  # newsboat's feed list shows no article titles; the big feed is its first row
        shown = lambda s: len(ITEM.findall(s)) > 1  # noqa: E731
    started = time.perf_counter()
    tm.keys("Enter")
    opened, screen = tm.wait(shown, since=started, timeout=600, settle=0.25)
    numbers = [int(n) for n in ITEM.findall(screen)]
    target = numbers[0] + 100 * (numbers[1] - numbers[0])
    mark = f"[0.{target}]"
    started = time.perf_counter()
    tm.keys(*(["Down"] * 100))
    moved, _screen = tm.wait(lambda s: mark in s, since=started, timeout=300, settle=0.25)
    _to_feed_list(tm, who)
    return opened, moved


def _search(tm: Tmux, who: str, word: str) -> float | None:
    """`/`, the word, enter: seconds from enter until the results are drawn."""
    prompt = "a phrase" if who == "nt" else "Search for:"
    tm.keys("/")
    tm.wait(lambda s: prompt in s, since=time.perf_counter(), timeout=60, settle=0.2)
    tm.keys(word, literal=True)
    tm.wait(lambda s: word in s, since=time.perf_counter(), timeout=60, settle=0.2)
    if who == "nt":
        done = lambda s: f"Search: {word}" in s and "article" in s  # noqa: E731
    else:
        done = lambda s: "Search result" in s  # noqa: E731
    started = time.perf_counter()
    tm.keys("Enter")
    try:
        seconds, _screen = tm.wait(done, since=started, timeout=900, settle=0.25)
    except TimeoutError as exc:
        log(f"  {who} search {word!r}: {exc}")
        seconds = None
    _to_feed_list(tm, who)
    return seconds


def _probe(
    mode: str,
    db: Path,
    config: Path,
    env: dict[str, str],
    out: Path,
    *,
    headless: bool,
    extra: list[str],
) -> dict[str, Any]:
    out.unlink(missing_ok=True)
    cmd = [PY, str(BENCH / "_tui_probe.py"), mode, "--db", str(db), "--config", str(config)]
    cmd += ["--out", str(out), *extra]
    if headless:
        cmd.append("--headless")
        subprocess.run(cmd, env=env, timeout=1800, check=False, capture_output=True)
    else:
        with Tmux(cmd, env, WORK) as tm:
            deadline = time.monotonic() + 1800
            while not out.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(0.3)
            _ = tm
    if not out.exists():
        return {"error": "the probe wrote no result"}
    return dict(json.loads(out.read_text()))


# ---- row 7: event-loop stalls during a refresh --------------------------------------------


def row_stall(sizes: Sizes, res: Results) -> None:
    """The reader refreshes every feed (R) while a 10 ms callback records how late it runs.

    Variants: "shipped" (default config, as a user runs it: parsing in the niced process pool);
    "threads" (parsing in threads: process_pool_threshold too high to reach).
    """
    scratch = WORK / "stall"
    scratch.mkdir(parents=True, exist_ok=True)
    home = scratch / "home"
    config = newstui_config(scratch / "newstui.toml")
    threads = scratch / "threads.toml"
    threads.write_text(
        config.read_text(encoding="utf-8").replace(
            "[refresh]\n", "[refresh]\nprocess_pool_threshold = 1000000\n"
        ),
        encoding="utf-8",
    )
    db = scratch / "newstui.db"
    out = scratch / "stall.json"
    variants = [
        ("shipped", config, []),
        ("threads", threads, []),
    ]
    with Server(sizes.stall_feeds, sizes.items, hosts=sizes.hosts) as server:
        for latency in (0, 50):
            server.latency(latency)
            for run in range(sizes.runs):
                for variant, conf, extra in variants:
                    server.reset()
                    fresh_newstui_db(db, server.urls())
                    env = newstui_env(home, conf)
                    data = _probe("stall", db, conf, env, out, headless=False, extra=extra)
                    tag = f"{variant}{latency}"
                    if "error" in data:
                        res.notes.setdefault("stall_errors", {})[tag] = data["error"]
                        log(f"  stall {tag} run {run + 1}: {data['error']}")
                        if data.get("traceback"):
                            log(data["traceback"])
                        continue
                    res.add(f"stall.max.{tag}", data["max_stall_ms"])
                    res.add(f"stall.p99.{tag}", data["p99_stall_ms"])
                    res.add(f"stall.over50.{tag}", data["over_50ms"])
                    res.add(f"stall.refresh.{tag}", data["refresh_s"])
                    res.notes.setdefault("stall_worst", {})[f"{tag}.{run}"] = data["worst"]
                    log(
                        f"  stall {tag} run {run + 1}: refresh {data['refresh_s']:.1f} s, max "
                        f"{data['max_stall_ms']:.0f} ms, p99 {data['p99_stall_ms']:.0f} ms, "
                        f">50 ms: {data['over_50ms']} of {data['samples']}; "
                        f"worst (ms, s after R) {data['worst'][:5]}"
                    )


# ---- the table ----------------------------------------------------------------------------

# (row, what, unit, newstui key, newsboat key, target ratio or None, absolute limit or None)
TABLE: list[tuple[str, str, str, str | None, str | None, float | None, float | None]] = [
    ("1", "cold refresh, 0 ms latency", "s", "cold0.nt", "cold0.nb8", 0.5, None),
    ("1", "  same, newsboat reload-threads 1", "s", "cold0.nt", "cold0.nb1", None, None),
    ("1", "cold refresh, 50 ms latency", "s", "cold50.nt", "cold50.nb8", 0.5, None),
    ("1", "  same, newsboat reload-threads 1", "s", "cold50.nt", "cold50.nb1", None, None),
    ("2", "warm refresh (all 304), 0 ms", "s", "warm0.nt", "warm0.nb8", 0.3, None),
    ("2", "warm refresh (all 304), 50 ms", "s", "warm50.nt", "warm50.nb8", 0.3, None),
    ("2", "  same, newsboat reload-threads 1", "s", "warm50.nt", "warm50.nb1", None, None),
    ("2", "10% of feeds changed, 0 ms", "s", "changed0.nt", "changed0.nb8", 0.3, None),
    ("2", "10% of feeds changed, 50 ms", "s", "changed50.nt", "changed50.nb8", 0.3, None),
    ("3", "first paint, empty library", "s", "paint.empty.nt", None, None, None),
    (
        "3",
        "first paint, big library / TUI start-up",
        "s",
        "paint.big.nt",
        "paint.big.nb",
        0.2,
        None,
    ),
    ("3", "  vs newsboat -x print-unread", "s", "paint.big.nt", "printunread.nb", None, None),
    ("4", "open the 10k-article feed (tmux, drawn)", "s", "open.nt", "open.nb", 0.1, None),
    ("4", "move 100 rows (100 keys, tmux, drawn)", "s", "move.nt", "move.nb", None, None),
    ("4", "harness floor: key to an echo's write", "ms", "harness.echo", None, None, None),
    ("4", "open 10k feed in-process (real driver)", "ms", "probe.open.driver", None, None, None),
    ("4", "one j press: median (real driver)", "ms", "probe.step.median.driver", None, None, None),
    ("4", "one j press: p95 (real driver)", "ms", "probe.step.p95.driver", None, None, None),
    ("4", "one j press: max (real driver)", "ms", "probe.step.max.driver", None, None, None),
    ("4", "one j press, CPU work: median", "ms", "probe.stepcpu.median.driver", None, None, None),
    ("4", "one j press, CPU work: max", "ms", "probe.stepcpu.max.driver", None, None, None),
    (
        "4",
        "one j press: median (Pilot, headless)",
        "ms",
        "probe.step.median.headless",
        None,
        None,
        None,
    ),
    ("5", "search a rare word (tmux, drawn)", "s", "search.rare.nt", "search.rare.nb", None, None),
    (
        "5",
        "search a common word (tmux, drawn)",
        "s",
        "search.common.nt",
        "search.common.nb",
        None,
        None,
    ),
    ("5", "search rare, Library count+page", "ms", "search.lib.rare", None, None, None),
    ("5", "search common, Library count+page", "ms", "search.lib.common", None, None, None),
    ("5", "search two words, Library count+page", "ms", "search.lib.two", None, None, None),
    ("6", "peak memory: cold refresh, 0 ms", "MB", "rss.cold0.nt", "rss.cold0.nb8", None, None),
    ("6", "peak memory: cold refresh, 50 ms", "MB", "rss.cold50.nt", "rss.cold50.nb8", None, None),
    (
        "6",
        "peak RSS: reader start-up, big library",
        "MB",
        "rss.paint.nt",
        "rss.paint.nb",
        1.0,
        None,
    ),
    ("6", "peak RSS: open 10k feed + 100 moves", "MB", "rss.open.nt", "rss.open.nb", None, None),
    ("7", "largest stall, R as shipped, 0 ms", "ms", "stall.max.shipped0", None, None, 50.0),
    ("7", "largest stall, R as shipped, 50 ms", "ms", "stall.max.shipped50", None, None, 50.0),
    ("7", "largest stall, R, parse threads, 0 ms", "ms", "stall.max.threads0", None, None, 50.0),
    ("7", "largest stall, R, parse threads, 50 ms", "ms", "stall.max.threads50", None, None, 50.0),
    ("7", "p99 lateness, as shipped, 0 ms", "ms", "stall.p99.shipped0", None, None, None),
    ("7", "stalls > 50 ms, as shipped, 0 ms", "", "stall.over50.shipped0", None, None, None),
    ("7", "refresh in the TUI, as shipped, 0 ms", "s", "stall.refresh.shipped0", None, None, None),
    (
        "7",
        "refresh in the TUI, parse threads, 0 ms",
        "s",
        "stall.refresh.threads0",
        None,
        None,
        None,
    ),
]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit in ("MB", ""):
        return f"{value:.0f}"
    if unit == "s":
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return f"{value:.1f}"


def table(res: Results, sizes: Sizes) -> str:
    lines = [
        "| row | measurement | unit | newstui | newsboat | newstui/newsboat | target | met |",
        "| --- | --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for row, what, unit, nt_key, nb_key, ratio_target, limit in TABLE:
        nt = res.median(nt_key)
        nb = res.median(nb_key)
        ratio = nt / nb if nt is not None and nb else None
        target, met = "", ""
        if ratio_target is not None:
            target = f"≤ {ratio_target:g}×"
            met = "" if ratio is None else ("yes" if ratio <= ratio_target else "**no**")
        if limit is not None:
            target = f"≤ {limit:g} {unit}"
            met = "" if nt is None else ("yes" if nt <= limit else "**no**")
        if nt is None and nb is None:
            continue
        ratio_text = f"{ratio:.2f}" if ratio is not None else "–"
        lines.append(
            f"| {row} | {what} | {unit} | {_fmt(nt, unit)} | {_fmt(nb, unit)} | {ratio_text} "
            f"| {target} | {met} |"
        )
    empty, big = res.median("paint.empty.nt"), res.median("paint.big.nt")
    if empty and big:
        ok = "yes" if big / empty <= 1.2 else "**no**"
        lines.append(
            f"| 3 | first paint big / empty (newstui) | × | {big / empty:.2f} | – | – | ≤ 1.2× | {ok} |"
        )
    for tag, error in sorted(res.notes.get("stall_errors", {}).items()):
        lines.append(
            f"| 7 | stall probe {tag}: {error[:90]} | | failed | – | – | ≤ 50 ms | **no** |"
        )
    counts = {k: len(v) for k, v in res.samples.items()}
    runs = max(counts.values()) if counts else 0
    lines.append("")
    lines.append(
        f"Medians of {sizes.runs} run(s) (up to {runs} samples per cell). Refresh: {sizes.feeds} "
        f"feeds × {sizes.items} items on {sizes.hosts} loopback hosts. Reader: {sizes.big_feeds} "
        f"feeds × {sizes.big_items} + one feed of {sizes.big_feed_items} articles."
    )
    return "\n".join(lines)


def machine() -> dict[str, str]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, IndexError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    import newstui

    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "newstui": newstui.__version__,
        "newsboat": version_of(["newsboat", "-v"]) if shutil.which("newsboat") else "not installed",
        "sqlite": sqlite3.sqlite_version,
        "tmux": version_of(["tmux", "-V"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="newstui vs newsboat benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run")
    parser.add_argument("--rows", default="1,2,3,4,5,6,7", help="rows to run, e.g. 1,2")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 3; quick 1)")
    parser.add_argument(
        "--skip-newsboat",
        action="store_true",
        help="measure newstui only (newsboat is slow to start)",
    )
    parser.add_argument(
        "--merge", type=Path, help="add the samples of an earlier run (its samples.json) first"
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    if args.runs:
        sizes = Sizes(**{**sizes.__dict__, "runs": max(1, args.runs)})
    rows = {int(r) for r in args.rows.split(",") if r.strip()}
    WORK.mkdir(parents=True, exist_ok=True)
    if not shutil.which("tmux") and rows & {3, 4, 5, 6, 7}:
        log("tmux is missing: rows 3-7 need it (apt-get install tmux)")
        return 2
    newsboat = None if args.skip_newsboat else ensure_newsboat()
    res = Results()
    if args.merge:
        res.merge(args.merge)
    res.save_to = WORK / "samples.json"
    info = machine()
    log(f"machine: {info}")
    compile_sources()
    tmux("new-session", "-d", "-s", f"keep{os.getpid()}", "sleep 14400", check=False)
    started = time.perf_counter()
    try:
        if rows & {1, 2, 6}:
            rows_refresh(sizes, res, newsboat, rows)
        if rows & {3, 4, 5, 6}:
            rows_reader(sizes, res, newsboat, rows)
        if 7 in rows:
            row_stall(sizes, res)
    finally:
        tmux("kill-session", "-t", f"keep{os.getpid()}", check=False)
    text = table(res, sizes)
    elapsed = time.perf_counter() - started
    (WORK / "last.json").write_text(
        json.dumps(
            {"machine": info, "sizes": sizes.__dict__, "samples": res.samples, "notes": res.notes},
            indent=1,
        )
    )
    print()
    print("  ".join(f"{k}: {v}" for k, v in info.items()))
    print()
    print(text)
    print(f"\n(suite took {elapsed / 60:.1f} min; samples in {WORK / 'last.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
