"""Odd pages still give their text, and a page with none says why: a body that is only a table,
only `<br>`-separated text, only a `<pre>`, one huge `<div>` without a `<p>`, frames."""

from __future__ import annotations

import pytest

from newstui.domain.errors import ExtractionError
from newstui.sources.extract import METHODS, extract_article

SENTENCE = (
    "The committee met on Tuesday to discuss the new budget for the public library, which has "
    "been underfunded for years according to several members of the board and local residents."
)


def page(body: str, head: str = "<title>Town news</title>") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def lines(n: int, label: str) -> list[str]:
    return [f"{SENTENCE} {label} {i}." for i in range(n)]


ODD = {
    "table-rows": page("<table>" + "".join(f"<tr><td>{x}</td></tr>" for x in lines(6, "Row")) + "</table>"),
    "table-cells": page("<table><tr>" + "".join(f"<td>{x}</td>" for x in lines(3, "Cell")) + "</tr></table>"),
    "br-in-div": page("<div>" + "<br><br>".join(lines(6, "Line")) + "</div>"),
    "br-in-body": page("<br><br>".join(lines(6, "Line"))),
    "pre": page("<pre>" + "\n\n".join(lines(6, "Block")) + "</pre>"),
    "one-huge-div": page("<div>" + " ".join(lines(40, "Sentence")) + "</div>"),
    "bare-body-text": page(" ".join(lines(10, "Sentence"))),
    "spans-only": page("<div>" + "".join(f"<span>{x}</span>" for x in lines(8, "Span")) + "</div>"),
    "layout-table-with-font": page(
        "<table><tr><td width='150'><a href='/'>Home</a><br><a href='/about'>About us</a></td>"
        "<td><font size='2'>" + "<br><br>".join(lines(5, "Para")) + "</font></td></tr></table>"
    ),
    "frameset-with-noframes": (
        "<html><head><title>Town news</title></head><frameset cols='20%,80%'>"
        "<frame src='menu.html'><frame src='main.html'><noframes><body>"
        + "".join(f"<p>{x}</p>" for x in lines(4, "Fallback"))
        + "</body></noframes></frameset></html>"
    ).encode(),
}  # fmt: skip


@pytest.mark.parametrize("name", list(ODD))
def test_an_odd_page_gives_all_its_text(name: str) -> None:
    result = extract_article(ODD[name])
    assert result.method in METHODS
    label = {"table-rows": "Row", "table-cells": "Cell", "pre": "Block", "spans-only": "Span"}
    expected = [x for x in ODD[name].decode().split(SENTENCE)[1:]]
    assert result.markdown.count("The committee met on Tuesday") == len(expected), result.markdown
    assert "&lt;" not in result.markdown and "<p>" not in result.markdown  # no markup as text
    if name in label:
        assert f"{label[name]} {len(expected) - 1}." in result.markdown
    # No two words run together where the page separates them.
    assert "AboutThe" not in result.markdown and "usThe" not in result.markdown


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"<html><head><title>Town news</title></head><frameset cols='20%,80%'>"
            b"<frame src='menu.html'><frame src='main.html'></frameset></html>",
            "frames: https://news.example.org/menu.html, https://news.example.org/main.html",
        ),
        (page("<iframe src='https://video.example.net/v/1'></iframe>"), "https://video.example.net/v/1"),
        (page("".join(f"<img src='/p{i}.jpg' alt='Photo {i}'>" for i in range(4))), "only 4 images"),
        (page("<script>document.write('hello')</script>"), "script"),
        (b"<html><head><title>Only a title here</title></head></html>", "no text"),
    ],
    ids=["frameset", "iframe", "images", "script", "head-only"],
)  # fmt: skip
def test_a_page_without_text_says_why(data: bytes, message: str) -> None:
    with pytest.raises(ExtractionError) as raised:
        extract_article(data, url="https://news.example.org/index.html")
    assert message in str(raised.value)
