"""What reader mode costs: refreshing a folder of 200 saved web pages added as a local source.

    python benchmarks/local_pages.py [--pages 200] [--runs 3]

The folder is filled with the corpus's saved pages (readability, readability-more, trafilatura,
...), cycled to the count asked for. Rows, each the median of `--runs`:

- cold: `add` of the folder (every page's metadata read and its reader text extracted, in the
  parse workers), wall time;
- the same work in one process, page after page: the CPU that reader mode's refresh costs (the
  workers' own CPU is not visible from here: the forkserver reaps them);
- metadata only: the same files read without extraction (`read_local`), the part of a cold
  refresh that is not reader mode;
- unchanged: a second refresh (the folder's validator matches: nothing is read);
- one page changed: a refresh after one file is rewritten (the listing and that one page).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from newstui.config import Config  # noqa: E402
from newstui.library.facade import Library  # noqa: E402
from newstui.refresh.workers import read_local_article  # noqa: E402
from newstui.sources.local import read_local  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "articles" / "html"


def corpus_pages() -> list[Path]:
    pages = sorted(CORPUS.glob("readability*/*/source.html"))
    pages += sorted(
        p for p in CORPUS.rglob("*.html") if p.name not in ("source.html", "expected.html")
    )
    return pages


def fill(folder: Path, count: int) -> None:
    pages = corpus_pages()
    if not pages:
        raise SystemExit(f"no saved pages under {CORPUS}")
    for i in range(count):
        source = pages[i % len(pages)]
        name = f"{i:03d}-{source.parent.name if source.name == 'source.html' else source.stem}.html"
        shutil.copyfile(source, folder / name)


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(func: Callable[[], object]) -> tuple[float, float]:
    start_cpu, start = cpu(), time.perf_counter()
    func()
    return time.perf_counter() - start, cpu() - start_cpu


def one_run(count: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory(prefix="newstui-local-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        fill(folder, count)
        library = Library.open(Config(), Path(tmp) / "lib.db")
        try:
            results: dict[str, tuple[float, float]] = {}
            results["cold refresh, reader mode"] = timed(
                lambda: asyncio.run(library.add_feed(str(folder)))
            )
            files = sorted(str(f) for f in folder.iterdir())
            limits = library.config.limits
            results["the same work in one process, one page after another"] = timed(
                lambda: [read_local_article(f, limits, None) for f in files]
            )
            results["metadata only (no extraction), one process"] = timed(
                lambda: read_local(folder, limits=limits)
            )
            results["refresh, nothing changed"] = timed(lambda: asyncio.run(library.refresh()))
            changed = sorted(folder.iterdir())[0]
            changed.write_bytes(changed.read_bytes() + b"\n<!-- edited -->\n")
            results["refresh, one page changed"] = timed(lambda: asyncio.run(library.refresh()))
            return results
        finally:
            library.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    import compileall

    compileall.compile_dir(REPO / "src" / "newstui", quiet=1)
    runs = [one_run(args.pages) for _ in range(args.runs)]
    print(f"{args.pages} saved pages, {len(corpus_pages())} distinct; {os.cpu_count()} cores;")
    print(f"median of {args.runs} runs; load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| row | wall s | CPU s (this process) |")
    print("|---|---:|---:|")
    for row in runs[0]:
        wall = statistics.median(r[row][0] for r in runs)
        used = statistics.median(r[row][1] for r in runs)
        print(f"| {row} | {wall:.2f} | {used:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
