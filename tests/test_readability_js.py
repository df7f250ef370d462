"""sources.readability_js: Readability.js's pick of a page, and merge asking it where the others disagree."""

from __future__ import annotations

import statistics
from pathlib import Path

import lxml.html
import pytest

from newstui.sources.decode import decode_html
from newstui.sources.mdtext import html_to_markdown
from newstui.sources.merge import merge
from newstui.sources.pagetree import drop_hidden, parse_page
from newstui.sources.readability_js import grab_article
from tests.benchmark_support import extraction_benchmark

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


def test_the_port_reads_mozillas_test_pages_as_readability_js_does(corpus: Path) -> None:
    """The corpus's 130 pages are Readability.js's own test pages, its expected output beside
    each: the port's text must match it (word F1), or it is not the modern algorithm."""
    cases = sorted((corpus / "articles" / "html").glob("readability*/*/source.html"))
    if len(cases) < 100:
        pytest.skip("the corpus has no readability pages")
    bench = extraction_benchmark()
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


def _two_part_page(wrap_first_in_article: bool) -> tuple[object, list[str], list[str]]:
    """A post in two parts; readability-lxml keeps the first part only (its container)."""
    first = [f"{PARAGRAPH} First part, paragraph {n}." for n in range(3)]
    second = [
        f"Later that week the board returned to the question of the reading rooms, item {n}, "
        "and heard from the staff about the heating, the roof and the long winter hours."
        for n in range(5)
    ]
    part = "".join(f"<p>{p}</p>" for p in first)
    if wrap_first_in_article:
        part = f"<article>{part}</article>"
    root = _page(
        f"<div class='post'><div class='part-one'>{part}</div>"
        f"<div class='part-two'>{''.join(f'<p>{p}</p>' for p in second)}</div></div>"
    )
    return root, first, second


def test_a_narrow_container_does_not_cut_text_that_two_other_readers_agree_on() -> None:
    """readability-lxml keeps a part of the post, far less than trafilatura: its container
    used to cut trafilatura's text down to that part. Readability.js reading the page as
    trafilatura does (each holds nearly all of the other) makes two readers of three: the
    whole post stays."""
    root, first, second = _two_part_page(wrap_first_in_article=False)
    readable, whole = "\n\n".join(first), "\n\n".join([*first, *second])
    merged, method = merge(readable, whole, root, reread=lambda: whole)
    assert method == "trafilatura" and all(p in merged for p in second)
    # Without the third reader, or when it keeps only the first part, the container decides.
    for reread in (None, lambda: readable):
        merged, _ = merge(readable, whole, root, reread=reread)
        assert all(p in merged for p in first) and not any(p in merged for p in second)


def test_the_pages_own_article_element_still_bounds_the_text() -> None:
    """Where the page marks its article (`<article>`), text outside it stays out however many
    readers keep it (teasers after the article: test_extract's stream of other stories)."""
    root, first, second = _two_part_page(wrap_first_in_article=True)
    readable, whole = "\n\n".join(first), "\n\n".join([*first, *second])
    merged, _ = merge(readable, whole, root, reread=lambda: whole)
    assert all(p in merged for p in first) and not any(p in merged for p in second)


def test_a_closing_line_only_readability_lxml_keeps_goes_when_readability_js_lacks_it() -> None:
    """After the article, readability-lxml keeps a rating widget's line that trafilatura leaves
    out: Readability.js leaving it out too makes two readers of three."""
    widget = "Was this article helpful? Rate it from one to five stars below"
    root = _page(f"<div class='story-body'>{''.join(f'<p>{p}</p>' for p in SHARED)}</div>")
    readable = "\n\n".join([*SHARED, widget])
    traf = "\n\n".join(SHARED)
    merged, _ = merge(readable, traf, root, reread=lambda: traf)
    assert widget not in merged and merged.count("The committee met") == 6
    # Readability.js keeps it: it stays; without a third reader, readability's text stands.
    assert widget in merge(readable, traf, root, reread=lambda: readable)[0]
    assert widget in merge(readable, traf, root)[0]
    # A closing paragraph of some length is never put to the vote.
    closing = " ".join([PARAGRAPH] * 2)

    def fail() -> str:
        raise AssertionError("asked about a long paragraph")

    assert closing in merge("\n\n".join([*SHARED, closing]), traf, root, reread=fail)[0]
