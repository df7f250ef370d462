"""sources.content: article bodies (HTML, text, Markdown) to safe Markdown with numbered links."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from newstui.domain.models import ContentType
from newstui.sources.content import Rendered, plain_to_markdown, render_body

BASE = "https://example.com/news/story.html"


def html(body: str, **kwargs: object) -> Rendered:
    return render_body(body, ContentType.HTML, base_url=BASE, **kwargs)  # type: ignore[arg-type]


# --- structure ----------------------------------------------------------------------------------


def test_headings_are_atx() -> None:
    md = html("<h1>Title</h1><h3>Sub <em>head</em></h3><p>Body.</p>").markdown
    assert "# Title" in md.splitlines()
    assert "### Sub *head*" in md.splitlines()


def test_lists() -> None:
    md = html("<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>").markdown
    assert re.search(r"^[*-] one$", md, re.M)
    assert re.search(r"^[*-] two$", md, re.M)
    assert "1. first" in md and "2. second" in md


def test_blockquote_and_code() -> None:
    md = html(
        "<blockquote><p>Quoted words</p></blockquote>"
        "<pre><code>if a &lt; b:\n    return *x*</code></pre><p>Inline <code>a_b</code>.</p>"
    ).markdown
    assert "> Quoted words" in md
    assert "```\nif a < b:\n    return *x*\n```" in md
    assert "`a_b`" in md


def test_tables() -> None:
    md = html(
        "<table><thead><tr><th>Name</th><th>Score</th></tr></thead>"
        "<tbody><tr><td>Ann</td><td>3</td></tr></tbody></table>"
    ).markdown
    assert "| Name | Score |" in md
    assert "| Ann | 3 |" in md


def test_scripts_styles_and_handlers_dropped() -> None:
    md = html(
        '<p onclick="evil()">Hi</p><script>alert("x")</script><style>p{color:red}</style>'
        "<iframe src='https://evil.example/'></iframe>"
    ).markdown
    assert md == "Hi"


# --- links and images ---------------------------------------------------------------------------


def test_links_are_numbered_with_a_list_at_the_end() -> None:
    r = html(
        '<p>See <a href="/about">about us</a> and <a href="https://other.org/x?a=1&amp;b=2">'
        'this</a>, mail <a href="mailto:ed@example.com">ed</a>.</p>'
    )
    assert r.links == (
        ("about us", "https://example.com/about"),
        ("this", "https://other.org/x?a=1&b=2"),
        ("ed", "mailto:ed@example.com"),
    )
    body, _, listing = r.markdown.partition("**Links**")
    assert "about us [\\[1\\]](<https://example.com/about>)" in body
    assert "this [\\[2\\]]" in body and "ed [\\[3\\]]" in body
    assert "\\[1\\]: <https://example.com/about>" in listing
    assert "\\[3\\]: <mailto:ed@example.com>" in listing


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java&#x09;script:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
    ],
)
def test_unsafe_schemes_become_plain_text(href: str) -> None:
    r = html(f'<p>Click <a href="{href}">here</a> now</p>')
    assert r.links == ()
    assert r.markdown == "Click here now"


def test_relative_links_without_base_are_plain_text() -> None:
    r = render_body('<p><a href="/x">rel</a> <a href="#top">top</a></p>', "html")
    assert r.links == ()
    assert r.markdown == "rel top"


def test_images_become_numbered_placeholders() -> None:
    r = html(
        '<p>Look: <img src="pics/cat.png" alt="A cat"> <img src="data:image/png;base64,AA"></p>'
    )
    assert r.images == (("A cat", "https://example.com/news/pics/cat.png"),)
    assert r.links == (("image: A cat", "https://example.com/news/pics/cat.png"),)
    assert "\\[image: A cat\\] [\\[1\\]](<https://example.com/news/pics/cat.png>)" in r.markdown
    assert "\\[image\\]" in r.markdown  # the data: image is a bare placeholder
    assert "data:" not in r.markdown


def test_image_inside_link_numbers_both() -> None:
    r = html('<a href="https://x.org/"><img src="https://x.org/i.jpg" alt="pic"></a>')
    assert [url for _, url in r.links] == ["https://x.org/i.jpg", "https://x.org/"]
    assert "](<https://x.org/i.jpg>) [\\[2\\]](<https://x.org/>)" in r.markdown


def test_urls_with_markdown_breaking_characters_are_encoded() -> None:
    r = html('<a href="https://x.org/a b>c<d">x</a>')
    (_, url) = r.links[0]
    assert " " not in url and "<" not in url and ">" not in url


# --- hostile text -------------------------------------------------------------------------------


def test_escape_sequences_and_controls_removed() -> None:
    r = html(
        "<p>red\x1b[31mtext\x1b[0m title\x1b]0;pwned\x07 csi\x9b2J &#27;[2J bell\x07"
        " bidi\u202egnp.exe\u202c</p>"
    )
    for bad in ("\x1b", "\x9b", "\x07", "\u202e", "\u202c", "pwned", "[2J", "[31m"):
        assert bad not in r.markdown
    assert "redtext" in r.markdown


def test_rich_markup_is_escaped_as_markdown_text() -> None:
    md = html("<p>[bold red]x[/] [link=https://evil.example]y[/link] *no* _no_ # no</p>").markdown
    assert "\\[bold red\\]x\\[/\\]" in md
    assert "\\*no\\*" in md and "\\_no\\_" in md


def test_rich_markup_shows_literally_in_textual_markdown() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Markdown

    md = html("<p>[bold red]x[/] and <a href='/a'>a link</a></p><p>one<br>two</p>").markdown

    class Probe(App[None]):
        def compose(self) -> ComposeResult:
            yield Markdown(md)

    async def run() -> list[str]:
        app = Probe()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            blocks = app.query_one(Markdown).query("MarkdownBlock")
            return [str(getattr(b, "_content", "")) for b in blocks]

    texts = asyncio.run(run())
    assert "[bold red]x[/] and a link [1]" in texts
    assert "one\ntwo" in texts


# --- size and depth -----------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["div", "blockquote", "ul><li", "b", "table><tr><td"])
def test_deep_nesting_does_not_recurse_too_deep(tag: str) -> None:
    opens = f"<{tag}>" * 10_000
    closes = "".join(f"</{t}>" for t in reversed(tag.split("><"))) * 10_000
    started = time.perf_counter()
    r = html(f"{opens}deep text{closes}<p>after</p>")
    assert time.perf_counter() - started < 10
    assert "deep text" in r.markdown
    assert "after" in r.markdown


def test_huge_one_liner() -> None:
    text = "word " * 200_000 + "end"
    started = time.perf_counter()
    r = html(f"<p>{text}</p>")
    assert time.perf_counter() - started < 5
    assert r.markdown.endswith("end")
    assert len(r.markdown) > 900_000


def test_huge_whitespace_runs_stay_linear() -> None:
    started = time.perf_counter()
    r = html("<p>a" + " " * 500_000 + "b</p><pre>c" + " \n" * 100_000 + "d</pre>")
    assert time.perf_counter() - started < 5
    assert r.markdown.startswith("a b")


def test_twenty_thousand_paragraphs() -> None:
    body = "".join(f"<p>Paragraph {i} says something short.</p>" for i in range(20_000))
    started = time.perf_counter()
    r = html(body)
    assert time.perf_counter() - started < 10
    assert r.markdown.count("\n\n") == 19_999
    text = "\n\n".join(f"Paragraph {i}\nsays something." for i in range(20_000))
    started = time.perf_counter()
    t = render_body(text, "text")
    assert time.perf_counter() - started < 2
    assert t.markdown.count("\n\n") == 19_999


def test_max_chars_truncates() -> None:
    r = render_body("x" * 1000, "text", max_chars=100)
    assert len(r.markdown) == 100


# --- plain text and Markdown --------------------------------------------------------------------


def test_text_paragraphs_joined_and_escaped() -> None:
    r = render_body(
        "First line\nsame paragraph.\n\n\n# not a heading\n\n1. not a list\n\n- nor this\n\n"
        "*not bold* [bold]x[/bold] <b>tag</b> a_b_c\n\n  \n",
        ContentType.TEXT,
    )
    paragraphs = r.markdown.split("\n\n")
    assert paragraphs == [
        "First line same paragraph.",
        "\\# not a heading",
        "1\\. not a list",
        "\\- nor this",
        "\\*not bold\\* \\[bold\\]x\\[/bold\\] \\<b\\>tag\\</b\\> a\\_b\\_c",
    ]
    assert r.links == () and r.images == ()


def test_text_controls_removed() -> None:
    assert plain_to_markdown("a\x1b[2Jb\x00c\u202ed") == "abcd"


def test_markdown_links_numbered_and_unsafe_ones_dropped() -> None:
    r = render_body(
        "# Head\n\nSee [site](https://a.org/) and [bad](javascript:alert(1)) and "
        "![pic](/p.png).\n\n```\n[code](https://not.a.link/)\n```\n\nAlso `[x](https://nope/)`.\n",
        ContentType.MARKDOWN,
        base_url=BASE,
    )
    assert r.links == (("site", "https://a.org/"), ("image: pic", "https://example.com/p.png"))
    assert r.images == (("pic", "https://example.com/p.png"),)
    assert "javascript" not in r.markdown
    assert "and bad and" in r.markdown
    assert "[code](https://not.a.link/)" in r.markdown
    assert "`[x](https://nope/)`" in r.markdown
    assert r.markdown.startswith("# Head")


def test_unknown_content_type_is_treated_as_html() -> None:
    assert render_body("<p>x</p>", "application/weird").markdown == "x"


# --- the corpus ---------------------------------------------------------------------------------


def test_corpus_text_articles_keep_their_paragraphs(corpus: Path) -> None:
    files = sorted((corpus / "articles" / "text").glob("*.txt"))
    if not files:
        pytest.skip("no text articles in the corpus")
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        expected = [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
        r = render_body(text, ContentType.TEXT)
        paragraphs = r.markdown.split("\n\n")
        assert len(paragraphs) == len(expected), path.name
        for source, rendered in zip(expected, paragraphs, strict=True):
            words = re.findall(r"\w+", source)
            assert re.findall(r"\w+", rendered.replace("\\", "")) == words, path.name
