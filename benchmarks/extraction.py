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
    text = re.sub(r"!\[[^\]\n]*\]\([^)\n]*\)", " ", markdown)
    text = re.sub(r"\]\([^)\n]*\)", "] ", text)
    text = re.sub(r"<?(?:https?|mailto):[^\s>)]+>?", " ", text)
    return Counter(WORD.findall(text.lower()))


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--baseline", action="store_true", help="score plain trafilatura")
    parser.add_argument(
        "--folder", action="append", help=f"a folder under {HTML} (default: {', '.join(FOLDERS)})"
    )
    parser.add_argument("--quiet", action="store_true", help="summaries only")
    args = parser.parse_args(argv)
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
