"""Word-level precision/recall/F1 of `extract_article` on the readability test pages.

Run from the repository root: `.venv/bin/python benchmarks/extraction.py [--baseline] [--folder
NAME ...] [--quiet] [CASE...]`. Each case directory under ../shared/corpus/articles/html/<folder>/
(default: both `readability`, the 36 pages extraction is tuned on, and `readability-more`, the 94
it is checked on) holds `source.html` (the page) and `expected.html` (the reference article). Both
sides become a multiset of lowercase word tokens (CJK characters count one each): ours with
Markdown syntax, link targets, images and bare URLs removed; the reference as the text of its
HTML. `--baseline` scores plain trafilatura with its default settings (Markdown output) for
comparison. Each folder's summary gives median and worst F1, micro precision and recall (over all
words of the folder) and their per-page medians, how each page's text was found (`via`), and
milliseconds per page (CPU time of the extraction alone, the modules already imported).

`--snippets DIR` scores instead against a set of pages annotated with snippets, in the layout of
trafilatura's own evaluation set (`DIR/evaldata.json`: page URL -> its file under `DIR/cache` or
`DIR/eval`, the snippets it must show (`with`) and those it must not (`without`): menus, related
links, bylines, footers). A snippet counts as shown when its words appear in a row in the
output's words (the same tokens as above, so Markdown syntax neither helps nor hurts); precision
is the share of shown snippets that are `with` ones, recall the share of `with` snippets shown.
The page lines name the `without` snippets kept and the `with` ones lost, to study. Pages are
numbered in the order of their URLs from 0; the summary gives the even-numbered pages (tuned on)
and the odd-numbered ones (held out) apart too, and `--half even|odd` scores one half only.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import lxml.html

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from newstui.domain.errors import ExtractionError  # noqa: E402
from newstui.sources.extract import extract_article  # noqa: E402

HTML = REPO.parent / "shared" / "corpus" / "articles" / "html"
CORPUS = HTML / "readability"
FOLDERS = ("readability", "readability-more")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
    "table", "blockquote", "pre", "figure", "figcaption", "section", "article", "header",
    "footer", "dt", "dd", "dl", "hr", "img",
}  # fmt: skip


def markdown_words(markdown: str) -> Counter[str]:
    """Word tokens of our Markdown: images, link targets and URLs removed."""
    return Counter(markdown_words_in_order(markdown))


def markdown_words_in_order(markdown: str, *, urls: bool = False) -> list[str]:
    """`markdown_words`' tokens in their order (with `urls`, bare URLs kept: a snippet may
    be one)."""
    text = re.sub(r"!\[[^\]\n]*\]\([^)\n]*\)", " ", markdown)
    text = re.sub(r"\]\([^)\n]*\)", "] ", text)
    if not urls:
        text = re.sub(r"<?(?:https?|mailto):[^\s>)]+>?", " ", text)
    return WORD.findall(text.lower())


def html_words(html: str) -> Counter[str]:
    """Word tokens of the reference HTML's text (block elements separate words)."""
    root = lxml.html.fromstring(html)
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    return Counter(WORD.findall(root.text_content().lower()))


def score(ours: Counter[str], expected: Counter[str]) -> tuple[float, float, float]:
    common = sum((ours & expected).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision = common / sum(ours.values())
    recall = common / sum(expected.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def baseline(data: bytes, url: str | None) -> str:
    import trafilatura

    return (
        trafilatura.extract(
            data,
            url=url,
            output_format="markdown",
            include_links=True,
            include_images=True,
            include_tables=True,
            include_formatting=True,
        )
        or ""
    )


@dataclass
class Row:
    case: str
    precision: float
    recall: float
    f1: float
    ms: float
    via: str
    common: int
    ours: int
    expected: int


def run_case(case: Path, use_baseline: bool) -> Row:
    data = (case / "source.html").read_bytes()
    expected = html_words((case / "expected.html").read_text("utf-8", errors="replace"))
    started = time.process_time()
    via = "trafilatura" if use_baseline else "?"
    try:
        if use_baseline:
            markdown = baseline(data, None)
        else:
            result = extract_article(data)
            markdown = result.markdown
            via = getattr(result, "method", "merged")
    except ExtractionError as exc:
        markdown, via = "", f"error: {exc}"
    ms = (time.process_time() - started) * 1000
    ours = markdown_words(markdown)
    precision, recall, f1 = score(ours, expected)
    common = sum((ours & expected).values())
    return Row(
        case.name,
        precision,
        recall,
        f1,
        ms,
        via,
        common,
        sum(ours.values()),
        sum(expected.values()),
    )


def summary(name: str, rows: list[Row]) -> str:
    f1s = [r.f1 for r in rows]
    common = sum(r.common for r in rows)
    micro_p = common / max(1, sum(r.ours for r in rows))
    micro_r = common / max(1, sum(r.expected for r in rows))
    worst = sorted(rows, key=lambda r: r.f1)[:5]
    vias = Counter(r.via.split(":")[0] for r in rows)
    return "\n".join(
        [
            f"{name}: cases {len(rows)}  median F1 {statistics.median(f1s):.3f}  "
            f"worst F1 {min(f1s):.3f}  mean F1 {statistics.mean(f1s):.3f}  "
            f"below 0.85: {sum(f < 0.85 for f in f1s)}  empty: {sum(r.ours == 0 for r in rows)}",
            f"  precision micro {micro_p:.3f} median {statistics.median(r.precision for r in rows):.3f}"
            f"  recall micro {micro_r:.3f} median {statistics.median(r.recall for r in rows):.3f}",
            f"  ms/page median {statistics.median(r.ms for r in rows):.0f} "
            f"mean {statistics.mean(r.ms for r in rows):.0f} max {max(r.ms for r in rows):.0f}",
            "  via: " + ", ".join(f"{k} {v}" for k, v in sorted(vias.items())),
            "  worst: " + ", ".join(f"{r.case} {r.f1:.3f}" for r in worst),
        ]
    )


def _in_a_row(needle: list[str], haystack: str) -> bool:
    return bool(needle) and f" {' '.join(needle)} " in haystack


@dataclass
class Tally:
    """Snippet counts over some pages: shown `with` (tp), kept `without` (fp), lost `with`
    (fn), left-out `without` (tn), and each page's share of shown snippets that are wanted."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    pages: int = 0
    kept_pages: int = 0

    def add(self, shown: int, kept: int, lost: int, left_out: int) -> None:
        self.tp, self.fp, self.fn, self.tn = (
            self.tp + shown,
            self.fp + kept,
            self.fn + lost,
            self.tn + left_out,
        )
        self.pages += 1
        self.kept_pages += kept > 0

    def scores(self) -> tuple[float, float, float]:
        precision = self.tp / max(1, self.tp + self.fp)
        recall = self.tp / max(1, self.tp + self.fn)
        return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)

    def line(self) -> str:
        precision, recall, f1 = self.scores()
        return (
            f"pages {self.pages}  precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
            f"pages with a kept 'without' {self.kept_pages}"
        )


def run_snippets(
    folder: Path,
    use_baseline: bool,
    quiet: bool,
    limit: int | None,
    only: list[str],
    half: str | None = None,
) -> int:
    """Snippet precision/recall over a set in trafilatura's evaluation layout (see above)."""
    import json

    index = folder / "evaldata.json"
    if not index.is_file():
        print(f"no evaldata.json in {folder}", file=sys.stderr)
        return 2
    items = json.loads(index.read_text("utf-8"))
    tp = fp = fn = tn = 0
    pages = missing = 0
    per_page: list[float] = []
    halves = {"even": Tally(), "odd": Tally()}
    started = time.process_time()
    for number, url in enumerate(sorted(items)[:limit]):
        item = items[url]
        parity = "odd" if number % 2 else "even"
        if (only and item["file"] not in only) or (half and parity != half):
            continue
        path = next(
            (
                folder / d / item["file"]
                for d in ("cache", "eval")
                if (folder / d / item["file"]).is_file()
            ),
            None,
        )
        if path is None:
            missing += 1
            continue
        data = path.read_bytes()
        try:
            markdown = (
                baseline(data, url) if use_baseline else extract_article(data, url=url).markdown
            )
        except ExtractionError:
            markdown = ""
        words = f" {' '.join(markdown_words_in_order(markdown, urls=True))} "
        kept = [w for w in item["without"] if _in_a_row(WORD.findall(w.lower()), words)]
        lost = [w for w in item["with"] if not _in_a_row(WORD.findall(w.lower()), words)]
        shown = len(item["with"]) - len(lost)
        tp, fp = tp + shown, fp + len(kept)
        fn, tn = fn + len(lost), tn + len(item["without"]) - len(kept)
        halves[parity].add(shown, len(kept), len(lost), len(item["without"]) - len(kept))
        pages += 1
        per_page.append(shown / max(1, shown + len(kept)))
        if not quiet and (kept or lost):
            print(f"{item['file']}: kept {kept!r} lost {lost!r}")
    cpu = time.process_time() - started
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    print(
        f"\nsnippets ({'trafilatura' if use_baseline else 'extract'}): pages {pages} (missing "
        f"{missing})  precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  "
        f"accuracy {(tp + tn) / max(1, tp + fp + fn + tn):.3f}  "
        f"pages with a kept 'without' {sum(p < 1 for p in per_page)}  "
        f"CPU {cpu:.0f} s ({1000 * cpu / max(1, pages):.0f} ms/page)"
    )
    for parity, tally in halves.items():
        if tally.pages:
            print(
                f"  {parity}-numbered ({'tuned on' if parity == 'even' else 'held out'}): {tally.line()}"
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--baseline", action="store_true", help="score plain trafilatura")
    parser.add_argument(
        "--folder", action="append", help=f"a folder under {HTML} (default: {', '.join(FOLDERS)})"
    )
    parser.add_argument("--quiet", action="store_true", help="summaries only")
    parser.add_argument(
        "--snippets", type=Path, metavar="DIR", help="score on a snippet-annotated set (see above)"
    )
    parser.add_argument("--limit", type=int, help="with --snippets: the first N pages only")
    parser.add_argument(
        "--half",
        choices=("even", "odd"),
        help="with --snippets: the even-numbered pages (tuned on) or the odd ones (held out) only",
    )
    args = parser.parse_args(argv)
    if args.snippets is not None:
        return run_snippets(
            args.snippets, args.baseline, args.quiet, args.limit, args.cases, args.half
        )
    folders = args.folder or list(FOLDERS)
    # Import both extractors before timing: ms/page is the extraction, not the imports.
    import readability  # noqa: F401
    import trafilatura  # noqa: F401

    everything: list[Row] = []
    summaries: list[str] = []
    for folder in folders:
        root = HTML / folder
        if not root.is_dir():
            print(f"corpus folder not found at {root}", file=sys.stderr)
            return 2
        cases = sorted(p for p in root.iterdir() if (p / "source.html").is_file())
        if args.cases:
            cases = [p for p in cases if p.name in set(args.cases)]
        if not cases:
            continue
        if not args.quiet:
            print(f"{folder:24s} {'prec':>6s} {'recall':>6s} {'F1':>6s} {'ms':>6s}  via")
        rows = []
        for case in cases:
            row = run_case(case, args.baseline)
            rows.append(row)
            if not args.quiet:
                print(
                    f"{row.case:24s} {row.precision:6.3f} {row.recall:6.3f} {row.f1:6.3f} "
                    f"{row.ms:6.0f}  {row.via}"
                )
        everything.extend(rows)
        summaries.append(summary(folder, rows))
    if not everything:
        return 1
    if len(summaries) > 1:
        summaries.append(summary("all", everything))
    print()
    print("\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
