"""Bytes per article on disk: newstui's library against newsboat's cache on the same feeds (issue 17 row 7).

    .venv/bin/python benchmarks/disk.py                     # 500 x 30 benchmark feeds and the corpus
    .venv/bin/python benchmarks/disk.py --set synthetic --feeds 100
    .venv/bin/python benchmarks/disk.py --set corpus        # the corpus's real feeds only

Both programs refresh the same feeds from a loopback server into new files; the size counted is
the whole file once each program has ended (newstui's WAL is checkpointed into it when its last
connection closes; both files are checked for a leftover journal). newstui's file is broken down
by table and index with SQLite's `dbstat`, the search index's shadow tables shown one by one.

Two sets of feeds: `synthetic`, the refresh benchmark's 500 x 30 (benchmarks/feedserver.py: 1-4
KB of HTML an item, words drawn from a made-up vocabulary, paragraphs drawn from a pool of 4,000,
so its text repeats more than real text does), and `corpus`, the real feeds of
../shared/corpus/feeds/real served as files (RSS, Atom and RDF; JSON Feed left out, newsboat
does not read it). For the corpus, only feeds both programs store the same number of articles
from are kept (a first refresh finds them): bytes per article then compare the same articles.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import sqlite3
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if __name__ == "__main__":  # the script's folder is first on sys.path
    from project_venv import use_project_venv

    use_project_venv()

sys.path.insert(0, str(BENCH))
from run import (  # noqa: E402
    NEWSTUI,
    ROOT,
    WORK,
    Server,
    base_env,
    ensure_newsboat,
    fresh_newstui_db,
    log,
    measure,
    newsboat_config,
    newstui_config,
    newstui_env,
    version_of,
)

CORPUS_FEEDS = ROOT.parent / "shared" / "corpus" / "feeds" / "real"
CORPUS_KINDS = (".xml", ".rss", ".atom", ".rdf")


@dataclass
class Library:
    """One program's file after a refresh."""

    path: Path
    articles: int
    size: int
    """Bytes of the file and of any journal beside it."""
    per_feed: dict[str, int]
    """Articles stored per feed URL."""

    @property
    def per_article(self) -> float:
        return self.size / self.articles if self.articles else float("nan")


def _file_bytes(path: Path) -> int:
    return sum(
        Path(f"{path}{suffix}").stat().st_size
        for suffix in ("", "-wal", "-journal", "-shm")
        if Path(f"{path}{suffix}").exists() and suffix != "-shm"
    )


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def refresh_newstui(path: Path, urls: list[str], scratch: Path) -> Library:
    env = newstui_env(scratch / "home", newstui_config(scratch / "newstui.toml"))
    fresh_newstui_db(path, urls)
    m = measure([NEWSTUI, "--db", str(path), "refresh", "--json", "--quiet"], env, timeout=1800)
    if m.rc != 0:
        raise RuntimeError(f"newstui refresh failed: {m.err[-500:]}")
    conn = _read_only(path)
    try:
        per_feed = dict(
            conn.execute(
                "SELECT f.url, count(a.id) FROM feeds f LEFT JOIN articles a ON a.feed_id = f.id "
                "GROUP BY f.id"
            ).fetchall()
        )
    finally:
        conn.close()
    return Library(path, sum(per_feed.values()), _file_bytes(path), per_feed)


def refresh_newsboat(newsboat: str, path: Path, urls: list[str], scratch: Path) -> Library:
    for suffix in ("", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    urls_file = scratch / "newsboat-urls"
    urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    conf = newsboat_config(scratch / "newsboat.conf", 8)
    cmd = [newsboat, "-u", str(urls_file), "-c", str(path), "-C", str(conf), "-x", "reload"]
    m = measure(cmd, base_env(scratch / "home"), timeout=1800)
    if m.rc != 0:
        log(f"  newsboat exited {m.rc}: {m.err.strip()[-300:]}")
    conn = _read_only(path)
    try:
        rows = conn.execute("SELECT feedurl, count(*) FROM rss_item GROUP BY feedurl").fetchall()
    finally:
        conn.close()
    per_feed = {url: 0 for url in urls} | dict(rows)
    return Library(path, sum(per_feed.values()), _file_bytes(path), per_feed)


def breakdown(path: Path) -> list[tuple[str, int]]:
    """Bytes of each table and index of a newstui library (free pages as `(free)`)."""
    conn = _read_only(path)
    try:
        rows = conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    finally:
        conn.close()
    return [(str(name), int(size)) for name, size in rows] + [("(free)", free * page_size)]


class _Files(http.server.SimpleHTTPRequestHandler):
    """Serves the numbered corpus files: /<n>.xml is the n-th file of `paths`."""

    paths: list[Path] = []

    def do_GET(self) -> None:
        try:
            number = int(self.path.strip("/").split(".")[0])
            data = self.paths[number].read_bytes()
        except (ValueError, IndexError, OSError):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def corpus_server(paths: list[Path]) -> Iterator[list[str]]:
    """The corpus files on 127.0.0.1, a URL each, until the block ends."""
    handler = type("Files", (_Files,), {"paths": paths})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        yield [f"http://127.0.0.1:{port}/{n}.xml" for n in range(len(paths))]
    finally:
        server.shutdown()
        server.server_close()


def compare(
    name: str, urls: list[str], newsboat: str | None, scratch: Path
) -> tuple[Library, Library | None]:
    log(f"{name}: {len(urls)} feeds, newstui")
    ours = refresh_newstui(scratch / "newstui.db", urls, scratch)
    theirs = None
    if newsboat:
        log(f"{name}: newsboat")
        theirs = refresh_newsboat(newsboat, scratch / "newsboat.db", urls, scratch)
    return ours, theirs


def report(name: str, ours: Library, theirs: Library | None) -> None:
    print(f"\n## {name}\n")
    print("| program | articles | file bytes | bytes / article |")
    print("| --- | ---: | ---: | ---: |")
    for who, lib in (("newstui", ours), ("newsboat", theirs)):
        if lib is not None:
            print(f"| {who} | {lib.articles} | {lib.size:,} | {lib.per_article:,.0f} |")
    if theirs is not None and theirs.articles:
        print(f"\nnewstui / newsboat per article: {ours.per_article / theirs.per_article:.2f}x")
    print("\nnewstui's file by table and index (dbstat):\n")
    print("| object | bytes | bytes / article |")
    print("| --- | ---: | ---: |")
    for obj, size in breakdown(ours.path):
        if size:
            print(f"| {obj} | {size:,} | {size / max(1, ours.articles):,.0f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("synthetic", "corpus", "both"), default="both")
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--skip-newsboat", action="store_true")
    args = parser.parse_args()
    newsboat = None if args.skip_newsboat else ensure_newsboat()
    print(f"newsboat: {version_of([newsboat, '-v']) if newsboat else 'not measured'}")
    print(f"SQLite (newstui): {sqlite3.sqlite_version}")
    if args.set in ("synthetic", "both"):
        scratch = WORK / "disk-synthetic"
        scratch.mkdir(parents=True, exist_ok=True)
        with Server(args.feeds, args.items, hosts=args.hosts) as server:
            ours, theirs = compare("synthetic", server.urls(), newsboat, scratch)
        report(f"benchmark feeds, {args.feeds} x {args.items}", ours, theirs)
    if args.set in ("corpus", "both"):
        if not CORPUS_FEEDS.is_dir():
            print(f"\n(no corpus at {CORPUS_FEEDS}: the corpus set is skipped)")
            return 0
        scratch = WORK / "disk-corpus"
        scratch.mkdir(parents=True, exist_ok=True)
        paths = sorted(p for p in CORPUS_FEEDS.rglob("*") if p.suffix.lower() in CORPUS_KINDS)
        with corpus_server(paths) as urls:
            ours, theirs = compare("corpus, first pass", urls, newsboat, scratch)
        if theirs is not None:  # keep the feeds both store alike, and refresh those again
            kept = [
                i
                for i, url in enumerate(urls)
                if ours.per_feed.get(url, 0) > 0
                and ours.per_feed.get(url) == theirs.per_feed.get(url)
            ]
            log(f"corpus: {len(kept)} of {len(paths)} feeds give both the same articles")
            paths = [paths[i] for i in kept]
            with corpus_server(paths) as urls:
                ours, theirs = compare("corpus", urls, newsboat, scratch)
        report(f"the corpus's real feeds ({len(paths)} files)", ours, theirs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
