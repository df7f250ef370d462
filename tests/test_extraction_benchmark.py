"""benchmarks/extraction.py's snippet scoring: the held-out half is scored apart from the half
tuned on, and a snippet counts only where the output shows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmark_support import extraction_benchmark

STORY = (
    "The committee met on Tuesday to discuss the new budget for the public library, which has "
    "been underfunded for years according to several members of the board."
)


def _snippet_set(folder: Path) -> None:
    """Four pages: each shows one wanted sentence; the odd-numbered ones also keep an unwanted
    one (their `with` is absent from the page, so it is lost)."""
    (folder / "cache").mkdir()
    index = {}
    for n in range(4):
        wanted = f"Sentence number {n} of the story is here."
        paragraphs = "".join(f"<p>{STORY} Part {i}. {wanted}</p>" for i in range(4))
        name = f"page{n}.html"
        (folder / "cache" / name).write_text(
            f"<html><head><title>Page {n}</title></head><body><article>{paragraphs}"
            "</article></body></html>"
        )
        index[f"https://example.org/{n}"] = {
            "file": name,
            "with": [wanted] if n % 2 == 0 else ["Nowhere on this page at all"],
            "without": ["Tuesday to discuss the new budget"] if n % 2 else ["Share on Mastodon"],
        }
    (folder / "evaldata.json").write_text(json.dumps(index))


def test_the_halves_are_scored_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _snippet_set(tmp_path)
    bench = extraction_benchmark()
    assert bench.run_snippets(tmp_path, False, True, None, []) == 0
    out = capsys.readouterr().out
    assert "even-numbered (tuned on): pages 2  precision 1.0000  recall 1.0000" in out
    assert "odd-numbered (held out): pages 2  precision 0.0000  recall 0.0000" in out
    assert "kept 'without' 2" in out.splitlines()[-1]
    assert bench.run_snippets(tmp_path, False, True, None, [], "odd") == 0
    out = capsys.readouterr().out
    assert "pages 2 " in out and "even-numbered" not in out
