"""core.extract: the main text of a web page as Markdown, with title, author and date."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from newstui.core.extract import Extracted, decode_html, extract_article
from newstui.errors import ExtractionError, SourceError

REPO = Path(__file__).resolve().parent.parent
PARAGRAPH = (
    "The committee met on Tuesday to discuss the new budget for the public library, which has "
    "been underfunded for years according to several members of the board and local residents."
)


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "newstui_benchmark_extraction", REPO / "benchmarks" / "extraction.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


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


@pytest.mark.parametrize(
    "case", ["ars-1", "lemonde-1", "medium-2", "nytimes-1", "v8-blog", "herald-sun-1", "qq"]
)
def test_readability_cases_score_well(corpus: Path, case: str) -> None:
    folder = corpus / "articles" / "html" / "readability" / case
    if not folder.is_dir():
        pytest.skip(f"{case} not in the corpus")
    bench = _benchmark()
    result = extract_article((folder / "source.html").read_bytes())
    expected = bench.html_words((folder / "expected.html").read_text("utf-8", errors="replace"))
    _, _, f1 = bench.score(bench.markdown_words(result.markdown), expected)
    assert f1 >= 0.9, f"{case}: F1 {f1:.3f}"


def test_whole_readability_corpus_median(corpus: Path) -> None:
    root = corpus / "articles" / "html" / "readability"
    cases = sorted(p for p in root.glob("*") if (p / "source.html").is_file())
    if len(cases) < 10:
        pytest.skip("readability cases not in the corpus")
    bench = _benchmark()
    scores = []
    for folder in cases:
        markdown = extract_article((folder / "source.html").read_bytes()).markdown
        expected = bench.html_words((folder / "expected.html").read_text("utf-8", "replace"))
        scores.append(bench.score(bench.markdown_words(markdown), expected)[2])
    scores.sort()
    assert scores[len(scores) // 2] >= 0.98
    assert scores[0] >= 0.90


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
        page("<p>Subscribe to read this article.</p>"),
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
        "paywall",
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
