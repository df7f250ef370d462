"""sources.extract: the main text of a web page as Markdown, with title, author and date."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.domain.errors import ExtractionError, SourceError
from newstui.sources.decode import decode_html
from newstui.sources.extract import METHODS, Extracted, extract_article
from newstui.sources.merge import merge
from newstui.sources.pagetree import parse_page
from tests.benchmark_support import extraction_benchmark

PARAGRAPH = (
    "The committee met on Tuesday to discuss the new budget for the public library, which has "
    "been underfunded for years according to several members of the board and local residents."
)


def page(body: str, head: str = "<title>A page</title>") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def article(extra: str = "", head: str = "<title>Budget news</title>") -> bytes:
    paragraphs = "".join(f"<p>{PARAGRAPH} Part {i}.</p>" for i in range(6))
    return page(
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>Budget news</h1>{paragraphs}{extra}</article>"
        "<footer>Copyright 2024 Example</footer>",
        head,
    )


FOLDERS = ("readability", "readability-more")


def _scores(corpus: Path, folder: str) -> list[tuple[str, float, float, float, int, int, int]]:
    """(case, precision, recall, F1, our words, shared words, expected words) of every page of a
    readability corpus folder."""
    root = corpus / "articles" / "html" / folder
    cases = sorted(p for p in root.glob("*") if (p / "source.html").is_file())
    if len(cases) < 10:
        pytest.skip(f"the corpus has no {folder} pages ({root})")
    bench = extraction_benchmark()
    rows = []
    for case in cases:
        markdown = extract_article((case / "source.html").read_bytes()).markdown
        expected = bench.html_words((case / "expected.html").read_text("utf-8", "replace"))
        ours = bench.markdown_words(markdown)
        common = sum((ours & expected).values())
        scores = bench.score(ours, expected)
        rows.append((case.name, *scores, sum(ours.values()), common, sum(expected.values())))
    return rows


@pytest.mark.parametrize("folder", FOLDERS)
def test_readability_pages_score_well_and_none_is_empty(corpus: Path, folder: str) -> None:
    rows = _scores(corpus, folder)
    assert [r[0] for r in rows if not r[4]] == [], "pages with an article gave no text"
    f1s = sorted(r[3] for r in rows)
    assert f1s[len(f1s) // 2] >= 0.98, f"median F1 {f1s[len(f1s) // 2]:.3f}"
    low = [f"{r[0]} {r[3]:.2f}" for r in rows if r[3] < 0.85]
    assert len(low) <= MAX_BELOW[folder], low
    assert min(f1s) >= WORST[folder], f"worst F1 {min(f1s):.3f}"
    # Over all words of the folder: extra text kept (precision) is the weak side to guard.
    precision = sum(r[5] for r in rows) / sum(r[4] for r in rows)
    recall = sum(r[5] for r in rows) / sum(r[6] for r in rows)
    assert precision >= 0.98, f"precision {precision:.3f}"
    assert recall >= 0.96, f"recall {recall:.3f}"


#: What the method reaches today on each folder (the target is none below 0.85). `yahoo-2` (a
#: slideshow's caption above the article) was below until Readability.js's reading settled
#: disputed lead-ins (0.83 -> 0.92); `nytimes-5`, a section front whose reference is
#: Readability.js's pick of teasers, until pages of teasers were told from articles (`listing`:
#: 0.49 -> 0.93).
MAX_BELOW = {"readability": 0, "readability-more": 0}
WORST = {"readability": 0.90, "readability-more": 0.85}


def test_links_and_images_are_inline_markdown() -> None:
    result = extract_article(
        article(
            "<p>Read <a href='/reports/2024.pdf'>the full report</a> for details on spending "
            "and <a href='javascript:alert(1)'>this trap</a> as well as the appendix.</p>"
            "<figure><img src='/img/library.jpg' alt='The library'></figure>"
            f"<p>{PARAGRAPH} Closing.</p>"
        ),
        url="https://news.example.com/2024/budget",
    )
    assert isinstance(result, Extracted)
    md = result.markdown
    assert "[the full report](https://news.example.com/reports/2024.pdf)" in md
    assert "![The library](https://news.example.com/img/library.jpg)" in md
    assert "javascript" not in md
    assert "this trap" in md
    assert "Copyright 2024" not in md
    assert "\n[1]:" not in md  # no link list, no header


def test_metadata() -> None:
    head = (
        "<title>Budget news | Example Times</title>"
        '<meta property="og:title" content="Budget news">'
        '<meta name="author" content="Jane Reporter">'
        '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
    )
    result = extract_article(article(head=head))
    assert result.title == "Budget news"
    assert result.author == "Jane Reporter"
    assert result.date == datetime(2024, 3, 5, tzinfo=UTC)
    assert not result.markdown.startswith("# Budget news")  # the pane shows the title already


def test_no_guessed_date_from_a_copyright_line() -> None:
    assert extract_article(article()).date is None


def test_escape_sequences_removed() -> None:
    result = extract_article(
        article(f"<p>Evil \x1b]0;pwned\x07 text \x1b[2J here &#27;[31m. {PARAGRAPH}</p>")
    )
    assert "\x1b" not in result.markdown
    assert "pwned" not in result.markdown


@pytest.mark.parametrize(
    "data",
    [
        page("<script>document.write('<p>' + 'hello '.repeat(500) + '</p>')</script>"),
        page(
            "<div id='app'></div><script src='/bundle.js'></script><noscript>Enable JS</noscript>"
        ),
        b"",
        b"   \n  ",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n\x00\x01\x02",
        bytes(range(256)) * 100,
        b"just some plain text, no markup at all " * 50,
        b'{"json": "document", "with": ["no", "html"]}' * 20,
    ],
    ids=[
        "script-only",
        "spa-shell",
        "empty",
        "blank",
        "png",
        "pdf",
        "random-bytes",
        "plain-text",
        "json",
    ],
)
def test_no_main_text_raises(data: bytes) -> None:
    with pytest.raises(ExtractionError) as info:
        extract_article(data, url="https://example.com/x")
    assert isinstance(info.value, SourceError)
    assert str(info.value)


def test_charset_from_meta() -> None:
    body = f"<p>Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u2013 {PARAGRAPH}</p>" * 4
    data = (
        '<html><head><meta charset="windows-1252"><title>x</title></head><body><article>'
        f"{body}</article></body></html>"
    ).encode("cp1252")
    assert "Café crème brûlée –" in decode_html(data)
    assert "Café crème brûlée –" in extract_article(data).markdown


def test_charset_latin1_label_means_cp1252_and_shift_jis() -> None:
    data = '<meta charset="iso-8859-1"><p>\u201cquoted\u201d</p>'.encode("cp1252")
    assert "\u201cquoted\u201d" in decode_html(data)
    jp = (
        '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><p>日本語の文章</p>'
    )
    assert "日本語の文章" in decode_html(jp.encode("shift_jis"))


def test_utf8_wins_over_a_wrong_meta_charset() -> None:
    data = '<meta charset="gb2312"><p>中文内容 and café</p>'.encode()
    assert "中文内容 and café" in decode_html(data)


def test_bom() -> None:
    data = "<p>\u00fcber</p>".encode("utf-16")
    assert "\u00fcber" in decode_html(data)


def test_no_indented_code_blocks_from_layout_whitespace() -> None:
    body = "".join(f"<div>\n\t\t\t\t<p>\n\t\t\t\t{PARAGRAPH} {i}</p></div>" for i in range(5))
    result = extract_article(page(f"<article>{body}</article>"))
    for line in result.markdown.splitlines():
        assert not line.startswith(("    ", "\t")), line


def _status_list(sublist: str) -> bytes:
    return article(
        "<h2>Status</h2><ul><li>The reading room reopened on Monday after the repairs to the roof "
        f"were finished ahead of schedule.</li><li>In progress:<ul>{sublist}</ul></li></ul>"
        f"<p>{PARAGRAPH} The end.</p>"
    )


def test_a_dropped_sub_list_of_long_links_is_restored() -> None:
    items = "".join(
        f"<li><a href='https://bugs.example.org/{n}'>Bug {n} – the catalogue search forgets "
        f"the selected branch number {n}</a></li>"
        for n in range(5)
    )
    markdown = extract_article(_status_list(items)).markdown
    assert "- In progress:\n  - [Bug 0 – the catalogue search" in markdown
    assert "(https://bugs.example.org/4)" in markdown


def test_a_dropped_sub_list_of_short_links_stays_dropped() -> None:
    items = "".join(f"<li><a href='https://example.org/{n}'>Tag{n}</a></li>" for n in range(5))
    assert "Tag0" not in extract_article(_status_list(items)).markdown


def test_hidden_text_is_dropped() -> None:
    markdown = extract_article(
        article(
            "<p style='display: none'>Hiddenparagraph one, set aside for a script to show.</p>"
            "<div hidden><p>Hiddenblock of a closed dialog about cookies and consent.</p></div>"
            "<p>Visible <span aria-hidden='true'>Hiddenicon</span> words and "
            "<span style='color: red; visibility:hidden'>Hiddenspan</span> more words.</p>"
            f"<p>{PARAGRAPH} After.</p>"
        )
    ).markdown
    assert "Hidden" not in markdown
    assert "Visible" in markdown and "more words" in markdown and "After." in markdown


def test_a_page_a_script_reveals_keeps_its_text() -> None:
    paragraphs = "".join(f"<p>{PARAGRAPH} Part {i}.</p>" for i in range(4))
    markdown = extract_article(
        page(f"<div style='display:none'><article>{paragraphs}</article></div>")
    ).markdown
    assert markdown.count("The committee met") == 4


@pytest.mark.parametrize(
    "body",
    [
        "<p>Subscribe to read this article.</p>",
        "<ol><li>A short list item that is the whole of this page's text.</li></ol>",
        "<nav><a href='/'>Home</a></nav><div>Test</div><footer><a href='/a'>About</a></footer>",
    ],
    ids=["one-line", "one-item", "one-word-in-chrome"],
)
def test_a_short_page_gives_its_own_text(body: str) -> None:
    """A page with little text has that text as its article: it is never empty."""
    result = extract_article(page(body))
    words = " ".join(result.markdown.replace("1.", "").split())
    if "Test" in body:
        assert "Test" in words.split() and "About" not in words
    else:
        assert words in {
            "Subscribe to read this article.",
            "A short list item that is the whole of this page's text.",
        }


def test_a_paragraph_repeated_in_the_article_is_kept() -> None:
    body = "".join(
        f"<p>{PARAGRAPH} Part {i}.</p>" + (f"<p>{PARAGRAPH} Repeated.</p>" if i % 2 else "")
        for i in range(6)
    )
    markdown = extract_article(page(f"<article>{body}</article>")).markdown
    assert markdown.count("Repeated.") == 3


@pytest.mark.parametrize(
    ("body", "method"),
    [
        # trafilatura drops a footer, readability keeps it
        (
            "<footer>" + "".join(f"<p>{PARAGRAPH} {i}</p>" for i in range(4)) + "</footer>",
            "readability",
        ),
        # readability drops a form, trafilatura keeps it
        (
            "<form>" + "".join(f"<p>{PARAGRAPH} {i}</p>" for i in range(4)) + "</form>",
            "trafilatura",
        ),
        # both drop a comments section: the container with most paragraph text
        (
            "<div id='comments'>"
            + "".join(f"<div class='comment'><p>{PARAGRAPH} {i}</p></div>" for i in range(4))
            + "</div>",
            "candidate",
        ),
        # ... and when no paragraph is long enough to score: the page's text
        (
            "<div id='comments'>"
            + "".join(
                f"<div class='comment'><p>Great point number {i}.</p></div>" for i in range(12)
            )
            + "</div>",
            "page",
        ),
    ],
    ids=["only-readability", "only-trafilatura", "candidate", "page"],
)
def test_text_one_or_both_extractors_miss_is_found_and_labelled(body: str, method: str) -> None:
    result = extract_article(page(body))
    assert result.method == method
    assert result.method in METHODS
    expected = "The committee met" if method != "page" else "Great point number 11."
    assert expected in result.markdown
    if method != "page":
        assert result.markdown.count("The committee met") == 4


def test_merge_with_one_empty_side() -> None:
    text = f"{PARAGRAPH}\n\n{PARAGRAPH} Two."
    assert merge("", text) == (text, "trafilatura")
    assert merge(text, "") == (text, "readability")
    assert merge("", "") == ("", "trafilatura")


TEASERS = [
    "A storm closed the coastal road for two days while crews cleared fallen trees and repaired "
    "the power lines that serve the northern villages and farms.",
    "The football club announced a new coach after a long search, promising a younger squad "
    "and more training time for the players from the local academy.",
    "Prices at the weekly market rose again this month, and traders blamed the cost of "
    "transport, the weather and a poor harvest of apples and pears.",
]


def test_teasers_outside_the_article_container_are_left_out() -> None:
    """Readability keeps the article alone, trafilatura adds the stream of other stories after
    it: only what lies in the article's container stays."""
    paragraphs = "".join(f"<p>{PARAGRAPH} Part {i}.</p>" for i in range(6))
    stream = "".join(f"<li><div><p>{t}</p></div></li>" for t in TEASERS * 3)
    result = extract_article(
        page(
            f"<div id='main'><article><h1>Budget news</h1>{paragraphs}</article>"
            f"<div class='stream'><ul>{stream}</ul></div></div>"
        )
    )
    assert result.markdown.count("The committee met") == 6
    assert "storm closed" not in result.markdown and "football club" not in result.markdown


def _split_article(inset: str) -> bytes:
    before = "".join(f"<p>{PARAGRAPH} Part {i}.</p>" for i in range(3))
    after = "".join(f"<p>{PARAGRAPH} Part {i}.</p>" for i in range(3, 6))
    return page(f"<article><h1>Budget news</h1>{before}{inset}{after}</article>")


def test_a_gallery_set_into_the_article_is_left_out_and_a_missed_paragraph_put_back() -> None:
    """Trafilatura's blocks between shared ones go in where they fall, unless together they
    outweigh the whole shared text (a gallery of other stories set into the article)."""
    readable = "\n\n".join(f"{PARAGRAPH} Part {i}." for i in range(6))
    shared = [f"{PARAGRAPH} Part {i}." for i in range(6)]
    pictures = [f"{TEASERS[n % 3]} Picture {n}." for n in range(30)]
    gallery = "".join(f"<li><p>{p}</p></li>" for p in pictures)
    root = parse_page(decode_html(_split_article(f"<ul class='gallery'>{gallery}</ul>")))
    traf = "\n\n".join([*shared[:3], *pictures, *shared[3:]])
    merged, method = merge(readable, traf, root)
    assert method == "both"
    assert "Picture" not in merged and merged.count("The committee met") == 6
    # One paragraph readability missed is put back in its place.
    missed = "A short note from the editor about the figures quoted in this article follows."
    root = parse_page(decode_html(_split_article(f"<p>{missed}</p>")))
    merged, _ = merge(readable, "\n\n".join([*shared[:3], missed, *shared[3:]]), root)
    assert merged.index("Part 2.") < merged.index(missed) < merged.index("Part 3.")


def test_a_lead_in_outside_the_article_is_kept_only_when_it_is_body_text() -> None:
    """Before the shared text, trafilatura's extra blocks outside the article's container are
    its header (standfirst, byline): left out; several full paragraphs are body text: kept."""
    shared = [f"{PARAGRAPH} Part {i}." for i in range(6)]
    standfirst = "The library board weighs a larger budget after years of cuts and complaints."
    intro = [
        f"In the first of two sittings this week, the council heard from {who} about the state "
        "of the reading rooms, the opening hours and the long queue for the computers."
        for who in ("the head librarian", "the parents' association")
    ]
    body = "".join(f"<p>{p}</p>" for p in shared)
    root = parse_page(
        decode_html(
            page(
                f"<header><p class='standfirst'>{standfirst}</p></header>"
                f"<div class='intro'><p>{intro[0]}</p><p>{intro[1]}</p></div>"
                f"<div class='story-body'>{body}</div>"
            )
        )
    )
    readable = "\n\n".join(shared)
    merged, _ = merge(readable, "\n\n".join([standfirst, *shared]), root)
    assert standfirst not in merged and merged.count("The committee met") == 6
    merged, _ = merge(readable, "\n\n".join([*intro, *shared]), root)
    assert merged.index(intro[0]) < merged.index(intro[1]) < merged.index("Part 0.")
    # Without the page, nothing tells where blocks sit: the lead-in is kept as before.
    merged, _ = merge(readable, "\n\n".join([standfirst, *shared]))
    assert standfirst in merged


def test_the_extractor_library_does_not_warn_the_user(caplog: pytest.LogCaptureFixture) -> None:
    """`newstui extract` on a script-only page says one thing: that there is no text."""
    script_only = page("<div id='app'></div><script>x()</script>")
    with caplog.at_level(logging.WARNING), pytest.raises(ExtractionError):
        extract_article(script_only)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("trafilatura")] == []


def test_notes_after_the_article_are_kept_and_a_closing_promotion_is_not() -> None:
    """Trafilatura's blocks after the last shared one follow the text when they sit in the
    article's container (a table of the article is not the article: its parent is) and one is
    a full paragraph; a short promotion there (a heading, a line, links) stays out."""
    shared = [f"{PARAGRAPH} Row {i}." for i in range(4)]
    rows = "".join(f"<tr><td>{p}</td></tr>" for p in shared)
    note = (
        "Smith, Jane (2021). The council's library budget over ten years, with the figures "
        "for each branch, the opening hours and the staff. City Press. Retrieved 2022-01-05."
    )
    promo = ["## Get our newsletter", "The week's council news in your inbox.", "[Sign up](/s)"]
    root = parse_page(
        decode_html(
            page(
                "<nav><p>Home</p></nav><div class='article'><h1>Budget news</h1>"
                f"<table>{rows}</table><h2>Notes</h2><ol><li>{note}</li></ol>"
                "<div class='promo'><h2>Get our newsletter</h2>"
                "<p>The week's council news in your inbox.</p><a href='/s'>Sign up</a></div></div>"
            )
        )
    )
    readable = "\n\n".join(shared)
    merged, method = merge(readable, "\n\n".join([*shared, "## Notes", f"1. {note}"]), root)
    assert method == "both"
    assert merged.index("Row 3.") < merged.index("Notes") < merged.index("City Press")
    merged, _ = merge(readable, "\n\n".join([*shared, *promo]), root)
    assert "newsletter" not in merged and "Sign up" not in merged
    assert merged.count("The committee met") == 4


def test_a_mathml_formula_keeps_its_text() -> None:
    """A formula in MathML (as MathJax leaves it for screen readers) keeps its symbols; its
    TeX annotation does not repeat it."""
    formula = (
        "<math><semantics><mrow><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup>"
        "</mrow><annotation encoding='application/x-tex'>E=mc^2</annotation></semantics></math>"
    )
    paragraphs = "".join(f"<p>{PARAGRAPH} Part {i}.</p>" for i in range(3))
    result = extract_article(
        page(
            f"<article><h1>Energy</h1>{paragraphs}<p>The famous formula {formula} is "
            f"about mass and energy, as every student of physics learns early.</p></article>"
        )
    )
    assert "The famous formula E = m c 2 is about" in " ".join(result.markdown.split())
    assert "mc^2" not in result.markdown


def test_a_paragraph_set_in_a_heading_tag_reads_as_a_paragraph() -> None:
    """A slideshow's 40-word caption in an `h1` is text, not a heading; a real heading stays one."""
    caption = " ".join(["The crew loads the rocket on the launch pad before dawn."] * 4)
    result = extract_article(article(f"<h2>What comes next</h2><h1>{caption}</h1>"))
    assert "## What comes next" in result.markdown
    line = next(x for x in result.markdown.split("\n") if "launch pad" in x)
    assert not line.startswith("#"), line
