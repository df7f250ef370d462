"""Property tests on the trust boundary: any input gives a result or the one expected error, and no
control, escape or bidi character survives into text that is shown.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstui.domain.errors import OPMLError, ParseError, SourceError
from newstui.domain.models import ContentType, ParsedFeed
from newstui.domain.text import clean_line, clean_text, is_openable_url
from newstui.sources.content import Rendered, render_body
from newstui.sources.local import read_local
from newstui.sources.opml import OPMLResult, parse_opml
from newstui.sources.parse import parse_document
from tests.feedgen import Item, atom, jsonfeed, rss

# C0 except tab and newline, DEL, C1, bidi embeddings/overrides/isolates, LRM/RLM.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

FAST = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

NASTY = (
    "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1b\x1b\x7f\x80\x85\x8d\x90\x9b\x9c\x9d\x9e\x9f"
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
    "[]/\\<>&;#=:\"' ]P_^X0123456789abcmHJ:smile:"
)
ESCAPES = [
    "\x1b]0;PWNED\x07",
    "\x1b]52;c;UFdORUQ=\x07",
    "\x1b]8;;https://evil.example/\x1b\\",
    "\x1b[6n",
    "\x1b[38;5;123m",
    "\x9b31m",
    "\x1bP+q544e\x1b\\",
    "\x1b",
    "\x1b[",
    "\x1b]",
    "&#27;",
    "&#x1b;",
    "&#155;",
    "&#x9b;",
    "&#8238;",
    "&#x202e;",
    "&#7;",
    "&#0;",
    "&lrm;",
    "&rlm;",
    "[bold red]x[/]",
]

nasty_char = st.one_of(st.sampled_from(NASTY), st.characters(exclude_categories=("Cs",)))
nasty_text = st.lists(
    st.one_of(st.text(nasty_char, max_size=8), st.sampled_from(ESCAPES)), max_size=12
).map("".join)


def assert_clean(value: str | None, *, line: bool = False) -> None:
    if value is None:
        return
    found = CONTROL.search(value)
    assert found is None, f"{found.group()!r} in {value!r}"
    if line:
        assert "\n" not in value and "\t" not in value, repr(value)


def assert_clean_feed(feed: ParsedFeed) -> None:
    assert isinstance(feed, ParsedFeed)
    assert_clean(feed.title, line=True)
    assert_clean(feed.warning)
    for entry in feed.entries:
        assert_clean(entry.title, line=True)
        assert_clean(entry.author, line=True)
        assert_clean(entry.site, line=True)
        assert_clean(entry.key, line=True)
        assert_clean(entry.url, line=True)
        assert_clean(entry.content)


def parse_or_error(data: bytes) -> ParsedFeed | None:
    try:
        return parse_document(data, url="https://example.org/feed", headers={})
    except ParseError:
        return None


# ---- parse_document ------------------------------------------------------------------------

FEED_PREFIXES = [
    b"",
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>',
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="html">',
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item><title>',
    b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"title": "',
    b"<html><head><link rel=alternate type=application/rss+xml href=",
    b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-16'?><rss><channel>",
    b"<!DOCTYPE rss [<!ENTITY a 'x'>]><rss><channel><item><title>&a;",
]


@FAST
@given(st.sampled_from(FEED_PREFIXES), st.binary(max_size=400))
def test_any_bytes_parse_or_raise_parse_error(prefix: bytes, tail: bytes) -> None:
    feed = parse_or_error(prefix + tail)
    if feed is not None:
        assert_clean_feed(feed)


@FAST
@given(
    st.sampled_from(["rss", "atom", "json"]),
    nasty_text,
    nasty_text,
    nasty_text,
    nasty_text,
)
def test_feed_text_comes_out_without_controls(
    kind: str, feed_title: str, title: str, author: str, body: str
) -> None:
    item = Item(title=title, guid="g1", link="https://example.org/1", body=body, author=author)
    build = {"rss": rss, "atom": atom, "json": jsonfeed}[kind]
    feed = parse_or_error(build([item, Item(title="plain", guid="g2")], title=feed_title))
    if feed is not None:
        assert_clean_feed(feed)


@FAST
@given(nasty_text, nasty_text, nasty_text)
def test_raw_text_spliced_into_xml_comes_out_without_controls(
    title: str, author: str, body: str
) -> None:
    """Unescaped: entities such as `&#27;` reach the parser as references, markup may break."""
    doc = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><item><title>{title}</title><guid>{author}</guid>"
        f"<author>{author}</author><link>https://example.org/{author}</link>"
        f"<description>{body}</description></item></channel></rss>"
    )
    feed = parse_or_error(doc.encode("utf-8", "surrogatepass"))
    if feed is not None:
        assert_clean_feed(feed)


# ---- clean_text / clean_line ---------------------------------------------------------------


@settings(FAST, max_examples=100)
@given(nasty_text, st.none() | st.integers(min_value=1, max_value=50))
def test_clean_text_and_clean_line_remove_every_control(text: str, limit: int | None) -> None:
    cleaned = clean_text(text, max_length=limit)
    assert_clean(cleaned)
    assert "\r" not in cleaned
    line = clean_line(text, max_length=limit)
    assert_clean(line, line=True)
    if limit is not None:
        assert len(cleaned) <= limit and len(line) <= limit
    assert line == line.strip()
    # Cleaning is a fixed point: what is shown once is shown the same way again.
    assert clean_line(line) == line
    assert clean_text(clean_text(text)) == clean_text(text)


# ---- render_body ---------------------------------------------------------------------------

HREFS = [
    "https://example.org/a",
    "http://example.org/b?x=1&y=2",
    "mailto:someone@example.org",
    "/relative/path",
    "relative",
    "#frag",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\nscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "file:///etc/passwd",
    "-oProxyCommand=touch x",
    "--help",
    "https://evil.example/\x1b]52;c;UFdORUQ=\x07",
    "https://evil.example/\x1b[6n",
    "https://evil.example/\u202egnp.exe",
    "https://ex ample.org/",
    "http://[::1",
    "https://",
    "mailto:-oX",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)",
    "https://example.org/&#27;[6n",
]
TAGS = ["p", "a", "b", "i", "div", "pre", "code", "h1", "li", "ul", "table", "td", "script",
        "style", "img", "span", "blockquote", "iframe", "svg", "math", "br", "hr"]  # fmt: skip


@st.composite
def html_fragments(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(min_value=0, max_value=10))):
        choice = draw(st.integers(min_value=0, max_value=5))
        tag = draw(st.sampled_from(TAGS))
        if choice == 0:
            parts.append(f"<a href={quoteattr(draw(st.sampled_from(HREFS)))}>")
        elif choice == 1:
            src = quoteattr(draw(st.sampled_from(HREFS)))
            parts.append(f"<img src={src} alt={quoteattr(draw(nasty_text))}>")
        elif choice == 2:
            parts.append(f"<{tag}>")
        elif choice == 3:
            parts.append(f"</{tag}>")
        elif choice == 4:
            parts.append(escape(draw(nasty_text)))
        else:
            parts.append(draw(nasty_text))
    return "".join(parts)


def markdown_fragments() -> st.SearchStrategy[str]:
    link = st.builds(
        lambda bang, label, href: f"{bang}[{label}]({href})",
        st.sampled_from(["", "!"]),
        nasty_text,
        st.sampled_from(HREFS),
    )
    fence = nasty_text.map(lambda t: f"\n```\n{t}\n```\n")
    return st.lists(st.one_of(nasty_text, link, fence), max_size=8).map("".join)


def assert_safe_rendering(rendered: Rendered) -> None:
    assert_clean(rendered.markdown)
    for text, url in (*rendered.links, *rendered.images):
        assert_clean(text)
        assert is_openable_url(url), url
        assert urlsplit(url).scheme.lower() in {"http", "https", "mailto"}, url
        assert_clean(url, line=True)
        assert "\u202e" not in url


@FAST
@given(html_fragments(), st.sampled_from([None, "https://example.org/dir/", "javascript:x"]))
def test_render_html_shows_no_controls_and_links_only_http_or_mailto(
    html: str, base: str | None
) -> None:
    assert_safe_rendering(render_body(html, ContentType.HTML, base_url=base))


@FAST
@given(markdown_fragments(), st.sampled_from([None, "https://example.org/dir/"]))
def test_render_markdown_shows_no_controls_and_links_only_http_or_mailto(
    text: str, base: str | None
) -> None:
    assert_safe_rendering(render_body(text, ContentType.MARKDOWN, base_url=base))


@FAST
@given(nasty_text, st.sampled_from(["text", "html", "markdown", "bogus", ""]))
def test_render_any_text_as_any_type(text: str, kind: str) -> None:
    assert_safe_rendering(render_body(text, kind, base_url="https://example.org/"))


# ---- OPML ----------------------------------------------------------------------------------

OPML_PREFIXES = [
    b"",
    b'<?xml version="1.0"?><opml version="2.0"><body><outline xmlUrl="',
    b"<opml><body>",
    b"<?xml version='1.0' encoding='iso-8859-1'?><opml><body><outline text='",
    b"<!DOCTYPE opml [<!ENTITY x 'y'>]><opml><body>",
]


@FAST
@given(st.sampled_from(OPML_PREFIXES), st.binary(max_size=400))
def test_any_bytes_into_opml_result_or_opml_error(prefix: bytes, tail: bytes) -> None:
    try:
        result = parse_opml(prefix + tail, source="fuzz.opml")
    except OPMLError:
        return
    assert isinstance(result, OPMLResult)
    assert_opml_clean(result)


def assert_opml_clean(result: OPMLResult) -> None:
    for warning in result.warnings:
        assert_clean(warning, line=True)
    for feed in result.feeds:
        assert_clean(feed.title, line=True)
        for tag in feed.tags:
            assert_clean(tag, line=True)
        assert not re.search("[\x00-\x1f\x7f-\x9f]", feed.url), feed.url
        scheme = urlsplit(feed.url).scheme.lower()
        assert scheme in {"http", "https", "file"} or feed.url.startswith(("/", "~")), feed.url


@FAST
@given(
    st.lists(
        st.tuples(nasty_text, st.one_of(st.sampled_from(HREFS), nasty_text), nasty_text),
        max_size=5,
    )
)
def test_opml_attributes_come_out_clean_and_only_feed_urls(
    outlines: list[tuple[str, str, str]],
) -> None:
    body = "".join(
        f"<outline text={quoteattr(t)} type='rss' xmlUrl={quoteattr(u)} category={quoteattr(c)}/>"
        for t, u, c in outlines
    )
    doc = f'<?xml version="1.0" encoding="utf-8"?><opml version="2.0"><body>{body}</body></opml>'
    try:
        result = parse_opml(doc.encode("utf-8", "surrogatepass"), source="gen.opml")
    except OPMLError:
        return
    assert_opml_clean(result)


# ---- local files ---------------------------------------------------------------------------

LOCAL_PREFIXES = [
    b"",
    b"<rss><channel><item><title>",
    b"# Heading\n",
    b"<html><head><title>",
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xfe",
]


@FAST
@given(
    st.sampled_from(["feed.xml", "a.txt", "a.md", "a.html", "noext", "f.json", "x.rss"]),
    st.sampled_from(LOCAL_PREFIXES),
    st.binary(max_size=600),
)
def test_any_local_file_reads_or_raises_source_error(name: str, prefix: bytes, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(prefix + data)
        try:
            feed = read_local(path)
        except SourceError:
            return
        assert_clean_feed(feed)


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@given(
    st.integers(1, 9999),
    st.integers(1, 12),
    st.integers(1, 31),
    st.integers(0, 24),
    st.integers(0, 59),
    st.integers(0, 60),
    st.sampled_from(["Z", "GMT", "UT", "UTC", "+", "-"]),
    st.integers(0, 23),
    st.integers(0, 59),
    st.booleans(),
)
@settings(max_examples=400, deadline=None)
def test_quick_dates_are_feedparsers_dates(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int,
    zone: str,
    tz_hours: int,
    tz_minutes: int,
    iso: bool,
) -> None:
    """The fast path reads the two common date shapes itself; where it answers, feedparser (which
    reads every other shape) must give the same moment."""
    from feedparser.datetimes import _parse_date

    from newstui.sources.fastfeed import _quick_date

    clock = f"{hour:02d}:{minute:02d}:{second:02d}"
    if iso:
        tz = "Z" if zone not in "+-" else f"{zone}{tz_hours:02d}:{tz_minutes:02d}"
        text = f"{year:04d}-{month:02d}-{day:02d}T{clock}{tz}"
    else:
        tz = zone if zone not in "+-" else f"{zone}{tz_hours:02d}{tz_minutes:02d}"
        name = _DAYS[(year + month + day) % 7]
        text = f"{name}, {day:02d} {_MONTH_NAMES[month - 1]} {year:04d} {clock} {tz}"
    quick = _quick_date(text)
    if quick is None:
        return  # left to feedparser
    slow = _parse_date(text)
    assert slow is not None, text
    assert quick == tuple(slow[:6]), text


_TRICKY = st.sampled_from(
    [
        *"\x00\x07\t\n\r\x0b\x1b\x7f\x85\x9b\x9c\xa0\u061c\u200b\u200e\u202e\u2028\u2066\ufff9",
        *("\x1b[31m", "\x1b]0;title\x07", "  ", " ", "a", "é", "日"),
    ]
)


@given(st.lists(st.one_of(_TRICKY, st.text(max_size=5)), max_size=12).map("".join))
@settings(max_examples=400, deadline=None)
def test_the_quick_checks_clean_text_as_the_full_pass_does(text: str) -> None:
    """clean_text and clean_line skip their regular expressions for text that needs nothing
    (ASCII checked with bytes.translate, single lines with str.isprintable); the result must be
    the full pass's, character for character."""
    from newstui.domain import text as t

    def full_clean_text(value: str) -> str:
        if t._CONTROL.search(value):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            value = t._ESCAPE_SEQ.sub("", value)
            value = t._CONTROL.sub("", value)
        return value

    assert t.clean_text(text) == full_clean_text(text)
    assert t.clean_line(text) == t._SPACES.sub(" ", full_clean_text(text)).strip()
