"""sources.readability_js: Readability.js's pick of a page, and merge asking it where the others disagree."""

from __future__ import annotations

import importlib.util
import statistics
import sys
from pathlib import Path

import lxml.html
import pytest

from newstui.sources.decode import decode_html
from newstui.sources.mdtext import html_to_markdown
from newstui.sources.merge import merge
from newstui.sources.pagetree import drop_hidden, parse_page
from newstui.sources.readability_js import grab_article

REPO = Path(__file__).resolve().parent.parent
PARAGRAPH = (
    "The committee met on Tuesday to discuss the new budget for the public library, which has "
    "been underfunded for years according to several members of the board and local residents."
)
CAPTION = (
    "In this photo taken on Monday, workers carry boxes of books from the flooded basement of "
    "the old library building, which the council closed last spring after a burst pipe, into "
    "the lorries that took them to a dry store on the edge of town, where volunteers sorted "
    "them for weeks."
)


def _page(body: str, title: str = "A page") -> object:
    html = f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
    root = parse_page(html)
    assert root is not None
    return root


def _text(root: object, title: str | None = None) -> str:
    article = grab_article(root, title)
    assert article is not None
    return html_to_markdown(lxml.html.tostring(article, encoding="unicode"))


def test_a_container_holding_several_close_candidates_is_taken_whole() -> None:
    """Four sections score alike: Readability.js takes the element holding them, where the
    2010 algorithm (readability-lxml) scores parents and grandparents only and keeps one."""
    sections = "".join(
        f"<div class='section'><div class='inner'><p>{PARAGRAPH} Section {n}, first.</p>"
        f"<p>{PARAGRAPH} Section {n}, second.</p></div></div>"
        for n in range(4)
    )
    root = _page(
        f"<div id='wrap'><div id='sections'>{sections}</div>"
        "<div class='aside'><p>Other news, short.</p></div></div>"
    )
    text = _text(root)
    assert all(f"Section {n}, second." in text for n in range(4))
    # The page it was given is left as it was.
    assert len(root.xpath("//div[@class='section']")) == 4


def test_a_short_first_attempt_is_retried_with_fewer_clean_ups() -> None:
    """The only text sits in an element whose class says "comment" (stripped as unlikely on the
    first attempt, under 500 characters left): the retry without that clean-up finds it."""
    root = _page(
        f"<div class='comment-body'><p>{PARAGRAPH}</p><p>{PARAGRAPH} Again.</p>"
        f"<p>{PARAGRAPH} Once more.</p></div><div><p>Menu</p></div>"
    )
    assert _text(root).count("The committee met") == 3


def test_a_heading_repeating_the_title_is_left_out() -> None:
    body = f"<article><h1>Library budget doubles</h1><p>{PARAGRAPH}</p><p>{PARAGRAPH} Two.</p>"
    body += f"<h2>What happens next</h2><p>{PARAGRAPH} Three.</p></article>"
    text = _text(_page(body), "Library budget doubles")
    assert "Library budget doubles" not in text and "What happens next" in text
    assert "Library budget doubles" in _text(_page(body))


def test_no_text_gives_none() -> None:
    assert grab_article(_page("<div><img src='a.png'></div>")) is None


def _benchmark() -> object:
    spec = importlib.util.spec_from_file_location(
        "newstui_benchmark_extraction_js", REPO / "benchmarks" / "extraction.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_port_reads_mozillas_test_pages_as_readability_js_does(corpus: Path) -> None:
    """The corpus's 130 pages are Readability.js's own test pages, its expected output beside
    each: the port's text must match it (word F1), or it is not the modern algorithm."""
    cases = sorted((corpus / "articles" / "html").glob("readability*/*/source.html"))
    if len(cases) < 100:
        pytest.skip("the corpus has no readability pages")
    bench = _benchmark()
    f1s = []
    for case in cases:
        root = parse_page(decode_html(case.read_bytes()))
        assert root is not None
        drop_hidden(root)
        article = grab_article(root)
        text = (
            html_to_markdown(lxml.html.tostring(article, encoding="unicode"))
            if article is not None
            else ""
        )
        expected = bench.html_words((case.parent / "expected.html").read_text("utf-8", "replace"))  # type: ignore[attr-defined]
        f1s.append(bench.score(bench.markdown_words(text), expected)[2])  # type: ignore[attr-defined]
    assert statistics.median(f1s) >= 0.995, statistics.median(f1s)
    assert min(f1s) >= 0.85, sorted(f1s)[:5]


SHARED = [f"{PARAGRAPH} Part {i}." for i in range(6)]


def _slideshow_page() -> object:
    body = "".join(f"<p>{p}</p>" for p in SHARED)
    return _page(
        f"<article><div class='slideshow'><div class='slide'><p>1 / 5</p><p>{CAPTION}</p></div>"
        f"</div><div class='story-body'>{body}</div></article>"
    )


def test_a_lead_in_outside_the_container_is_kept_when_readability_js_has_it() -> None:
    """A slideshow's caption above the article: readability-lxml's container is the body alone,
    trafilatura has the caption; Readability.js's reading decides."""
    root = _slideshow_page()
    readable = "\n\n".join(SHARED)
    traf = "\n\n".join([CAPTION, *SHARED])
    asked: list[int] = []

    def with_caption() -> str:
        asked.append(1)
        return "\n\n".join([CAPTION, *SHARED])

    merged, method = merge(readable, traf, root, reread=with_caption)
    assert (
        method == "both" and merged.startswith(CAPTION) and merged.count("The committee met") == 6
    )
    assert asked == [1]
    merged, _ = merge(readable, traf, root, reread=lambda: readable)
    assert CAPTION not in merged and merged.count("The committee met") == 6
    merged, _ = merge(readable, traf, root)
    assert CAPTION not in merged


def test_a_short_disputed_line_never_asks_the_third_reader() -> None:
    root = _page(
        "<div class='top'><p>By Jane Doe, city reporter</p></div>"
        f"<div class='story-body'>{''.join(f'<p>{p}</p>' for p in SHARED)}</div>"
    )

    def fail() -> str:
        raise AssertionError("asked for a line of six words")

    merged, _ = merge(
        "\n\n".join(SHARED), "\n\n".join(["By Jane Doe, city reporter", *SHARED]), root, reread=fail
    )
    assert "Jane Doe" not in merged
