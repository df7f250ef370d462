"""Word-level precision/recall/F1 of `extract_article` on the readability test pages.

Run from the repository root: `.venv/bin/python benchmarks/extraction.py [--baseline] [CASE...]`.
Each case directory under ../shared/corpus/articles/html/readability/ holds `source.html` (the
page) and `expected.html` (the reference article). Both sides become a multiset of lowercase word
tokens (CJK characters count one each): ours with Markdown syntax, link targets, images and bare
URLs removed; the reference as the text of its HTML. `--baseline` scores plain trafilatura with
its default settings (Markdown output) for comparison.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import lxml.html

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from newstui.core.extract import extract_article  # noqa: E402
from newstui.errors import ExtractionError  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "articles" / "html" / "readability"
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--baseline", action="store_true", help="score plain trafilatura")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    cases = sorted(p for p in CORPUS.iterdir() if (p / "source.html").is_file())
    if args.cases:
        cases = [p for p in cases if p.name in set(args.cases)]
    rows: list[tuple[str, float, float, float, float]] = []
    print(f"{'case':24s} {'prec':>6s} {'recall':>6s} {'F1':>6s} {'secs':>6s}")
    for case in cases:
        data = (case / "source.html").read_bytes()
        expected = html_words((case / "expected.html").read_text("utf-8", errors="replace"))
        started = time.perf_counter()
        try:
            markdown = baseline(data, None) if args.baseline else extract_article(data).markdown
        except ExtractionError as exc:
            print(f"{case.name:24s} ExtractionError: {exc}")
            markdown = ""
        elapsed = time.perf_counter() - started
        precision, recall, f1 = score(markdown_words(markdown), expected)
        rows.append((case.name, precision, recall, f1, elapsed))
        print(f"{case.name:24s} {precision:6.3f} {recall:6.3f} {f1:6.3f} {elapsed:6.2f}")
    if not rows:
        return 1
    f1s = [r[3] for r in rows]
    worst = sorted(rows, key=lambda r: r[3])[:5]
    print()
    print(f"cases {len(rows)}  median F1 {statistics.median(f1s):.3f}  min F1 {min(f1s):.3f}")
    print(f"mean F1 {statistics.mean(f1s):.3f}  below 0.90: {sum(f < 0.90 for f in f1s)}")
    print("worst: " + ", ".join(f"{r[0]} {r[3]:.3f}" for r in worst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
