"""OPML import/export: folders and categories to tags, unsafe sources skipped, hostile XML refused."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from newstui.domain.errors import OPMLError
from newstui.sources.opml import OPMLFeed, OPMLResult, parse_opml, render_opml
from tests.test_cli import newstui


def opml(body: str, *, head: str = "<head><title>t</title></head>", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<opml version="2.0">{head}'
        f"<body>{body}</body></opml>"
    ).encode()


def by_url(result: OPMLResult) -> dict[str, OPMLFeed]:
    return {f.url: f for f in result.feeds}


def test_nested_folders_become_tags() -> None:
    data = opml(
        '<outline text="Tech" title="ignored for folders">'
        '  <outline text="Linux">'
        '    <outline type="rss" title="LWN" text="lwn text" xmlUrl="https://lwn.net/headlines/rss"/>'
        "  </outline>"
        '  <outline type="rss" text="Only text" xmlUrl="https://example.org/a.xml"/>'
        "</outline>"
        '<outline type="rss" title="Top" xmlUrl="http://example.org/top.xml"/>'
    )
    result = parse_opml(data, source="subs.opml")
    feeds = by_url(result)
    assert feeds["https://lwn.net/headlines/rss"] == OPMLFeed(
        "https://lwn.net/headlines/rss", "LWN", ("Tech", "Linux")
    )
    assert feeds["https://example.org/a.xml"].title == "Only text"
    assert feeds["https://example.org/a.xml"].tags == ("Tech",)
    assert feeds["http://example.org/top.xml"].tags == ()
    assert result.feeds[0].url == "https://lwn.net/headlines/rss"
    assert result.warnings == ()


def test_category_attribute_and_attribute_case() -> None:
    data = opml(
        '<outline text="Folder">'
        '<outline xmlurl="https://a.example/feed" title="" category="tag one, tag_two,tag/three,,/"/>'
        '<outline xmlURL="https://b.example/feed" text="B" category="/Boston/Weather"/>'
        "</outline>"
    )
    feeds = by_url(parse_opml(data, source="x"))
    assert feeds["https://a.example/feed"].title is None
    assert feeds["https://a.example/feed"].tags == ("Folder", "tag one", "tag_two", "tag", "three")
    assert feeds["https://b.example/feed"].tags == ("Folder", "Boston", "Weather")


def test_duplicates_are_merged_with_tags_unioned() -> None:
    data = opml(
        '<outline text="A"><outline xmlUrl="https://x.example/f" title="First"/></outline>'
        '<outline text="B"><outline xmlUrl="https://x.example/f" title="Second"/></outline>'
    )
    result = parse_opml(data, source="x")
    assert result.feeds == (OPMLFeed("https://x.example/f", "First", ("A", "B")),)


def test_local_paths_and_file_urls_are_accepted() -> None:
    data = opml(
        '<outline xmlUrl="/srv/feeds/local.xml" title="abs"/>'
        '<outline xmlUrl="~/notes" title="home"/>'
        '<outline xmlUrl="file:///tmp/f.xml" title="file"/>'
        '<outline type="rss" url="https://u.example/feed" title="url attribute"/>'
    )
    result = parse_opml(data, source="x")
    assert [f.url for f in result.feeds] == [
        "/srv/feeds/local.xml",
        "~/notes",
        "file:///tmp/f.xml",
        "https://u.example/feed",
    ]
    assert result.warnings == ()


@pytest.mark.parametrize(
    "url",
    [
        "exec:~/bin/fetch.sh",
        "filter:~/bin/f.py:https://example.org/feed",
        "|~/fetch_tweets.py",
        "javascript:alert(1)",
        "query:Unread:unread = &quot;yes&quot;",
        "relative/feed.xml",
        "ftp://example.org/feed",
        "https://",
        "-oProxyCommand=x",
    ],
)
def test_unsafe_sources_are_skipped_with_a_warning(url: str) -> None:
    data = opml(f'<outline text="Bad one" xmlUrl="{url}"/><outline xmlUrl="https://ok.example/f"/>')
    result = parse_opml(data, source="subs.opml")
    assert [f.url for f in result.feeds] == ["https://ok.example/f"]
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert warning.startswith("subs.opml: skipped") and "Bad one" in warning
    assert "\n" not in warning and "\x1b" not in warning


def test_typed_outline_without_url_warns() -> None:
    result = parse_opml(opml('<outline type="rss" title="Nothing here"/>'), source="s")
    assert result.feeds == ()
    assert any("Nothing here" in w for w in result.warnings)


def test_hostile_text_is_cleaned() -> None:
    # C1 controls and bidi overrides are legal XML; C0 controls (ESC) are not, even as references,
    # and are dropped by the repair pass, which says so.
    title = "Evil&#x9d;52;c;ZXZpbA==&#x9c;Title&#x9b;31m red&#x202e;txt&#10;next&#9;tab"
    data = opml(
        '<outline text="Fol&#x1b;[2Jder&#x0d;x">'
        f'<outline title="{title}" xmlUrl="https://e.example/f" category="a&#x9b;1m,b"/>'
        '<outline title="raw\x1b[31mESC\x07" xmlUrl="https://e.example/g"/>'
        '<outline title="x" xmlUrl="exec:rm -rf /&#x9d;0;pwned&#x9c;"/>'
        "</outline>"
    )
    result = parse_opml(data, source="evil\x1b[2J.opml")
    feeds = by_url(result)
    feed = feeds["https://e.example/f"]
    assert feed.title == "EvilTitle redtxt next tab"
    assert feed.tags == ("Folder x", "a", "b")
    assert feeds["https://e.example/g"].title == "rawESC"
    assert len(result.warnings) == 2
    for text in (*result.warnings, feed.title, *feed.tags):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text), repr(text)
        assert "\u202e" not in text
    assert "pwned" not in result.warnings[1] and "exec:rm" in result.warnings[1]
    assert result.warnings[0].startswith("evil.opml: ")


def test_control_characters_in_urls_are_not_accepted() -> None:
    data = opml(
        '<outline xmlUrl="https://e.example/f&#x85;x"/><outline xmlUrl="https://ok.example/"/>'
    )
    result = parse_opml(data, source="s")
    assert [f.url for f in result.feeds] == ["https://ok.example/"]
    assert len(result.warnings) == 1


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "line 1"),
        (b"<opml><body><outline xmlUrl='https://a.example/f'>", "line 1"),
        (opml('<outline xmlUrl="https://a.example/f"/>')[:-10], "not well-formed"),
        (b'<?xml version="1.0"?>\n<rss><channel/></rss>', "not <opml>"),
        (b'<?xml version="1.0"?>\n<opml><head/></opml>', "no <body>"),
        (b"\xff\xfe\x00garbage", "line"),
        (b'<?xml version="1.0" encoding="no-such-codec"?><opml><body/></opml>', "no-such-codec"),
        (b'<?xml version="1.0" encoding="utf-16"?><opml><body/></opml>', "line"),
    ],
)
def test_malformed_raises_one_line_error_naming_source(data: bytes, fragment: str) -> None:
    with pytest.raises(OPMLError) as info:
        parse_opml(data, source="/tmp/broken.opml")
    message = str(info.value)
    assert message.startswith("/tmp/broken.opml: ") and "\n" not in message
    assert fragment in message


def test_error_after_good_outlines_yields_nothing(tmp_path: Path) -> None:
    """A late error after valid feeds: an exception, no partial result, nothing in the database."""
    good = "".join(f'<outline xmlUrl="https://e.example/{i}"/>' for i in range(50))
    data = opml(good + "<outline xmlUrl='https://e.example/late'><broken></outline>")
    with pytest.raises(OPMLError, match=r"line \d+, column \d+"):
        parse_opml(data, source="late.opml")
    path = tmp_path / "late.opml"
    path.write_bytes(data)
    proc = newstui(tmp_path, "import", str(path), check=False)
    assert proc.returncode != 0 and "late.opml" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(newstui(tmp_path, "feeds", "--json").stdout) == []


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<opml version="2.0"><body><outline title="&lol9;" xmlUrl="https://e.example/f"/></body></opml>
"""


def test_billion_laughs_is_refused_fast() -> None:
    start = time.monotonic()
    with pytest.raises(OPMLError, match="not allowed"):
        parse_opml(BILLION_LAUGHS, source="laughs.opml")
    assert time.monotonic() - start < 1.0


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE opml SYSTEM "file:///etc/passwd">\n',
        '<!DOCTYPE opml PUBLIC "-//x//y" "http://127.0.0.1:9/dtd">\n',
        '<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
        '<!DOCTYPE opml [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x"> %p;]>\n',
    ],
)
def test_external_entities_and_dtds_are_refused(prolog: str) -> None:
    data = opml('<outline title="&xxe;" xmlUrl="https://e.example/f"/>', prolog=prolog)
    with pytest.raises(OPMLError):
        parse_opml(data, source="xxe.opml")


def test_bare_doctype_is_harmless() -> None:
    result = parse_opml(
        opml('<outline xmlUrl="https://e.example/f"/>', prolog="<!DOCTYPE opml>\n"), source="x"
    )
    assert [f.url for f in result.feeds] == ["https://e.example/f"]


def test_unescaped_ampersand_is_mended_with_a_warning() -> None:
    data = opml(
        '<outline text="News & Views">'
        '<outline title="A & B" xmlUrl="https://e.example/f?a=1&b=2&amp;c=3"/></outline>'
    )
    result = parse_opml(data, source="amp.opml")
    assert result.feeds == (
        OPMLFeed("https://e.example/f?a=1&b=2&c=3", "A & B", ("News & Views",)),
    )
    assert any("&" in w for w in result.warnings)


def test_other_encodings() -> None:
    text = '<?xml version="1.0" encoding="windows-1252"?><opml><body><outline title="café €" xmlUrl="https://e.example/f"/></body></opml>'
    result = parse_opml(text.encode("cp1252"), source="x")
    assert result.feeds[0].title == "café €"
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><opml><body><outline title="ü" xmlUrl="https://e.example/f"/></body></opml>'
    assert parse_opml(utf16.encode("utf-16"), source="x").feeds[0].title == "ü"


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    depth = 5000
    data = opml('<outline text="x">' * depth + "</outline>" * depth)
    with pytest.raises(OPMLError):
        parse_opml(data, source="deep.opml")


def test_render_round_trip_keeps_urls_titles_and_all_tags() -> None:
    feeds = [
        ("https://a.example/feed?x=1&y=<2>", 'Title "quoted" & <b>', ["news", "world", "daily"]),
        ("https://b.example/feed", "B", ["news"]),
        ("https://c.example/feed", "No tags", []),
        ("/home/me/articles", "Local folder", ["local", "tag one"]),
        ("https://d.example/feed", "Ünïcødé – ✓", ["tech/linux"]),
    ]
    text = render_opml(feeds)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert '<opml version="2.0">' in text
    assert "<title>newstui subscriptions</title>" in text and "<dateCreated>" in text
    result = parse_opml(text.encode("utf-8"), source="export")
    assert result.warnings == ()
    assert [(f.url, f.title, list(f.tags)) for f in sorted(result.feeds, key=lambda f: f.url)] == (
        sorted(feeds)
    )


def test_render_groups_by_first_tag_and_strips_invalid_xml() -> None:
    text = render_opml(
        [
            ("https://a.example/1", "One\x00\x1b[31m", ["g1", "x"]),
            ("https://a.example/2", "Two", ["g2"]),
            ("https://a.example/3", "Three", ["g1"]),
        ]
    )
    assert "\x00" not in text and "\x1b" not in text
    assert text.count('<outline text="g1"') == 1 and text.count('<outline text="g2"') == 1
    feeds = by_url(parse_opml(text.encode(), source="x"))
    assert feeds["https://a.example/1"].title == "One"
    assert feeds["https://a.example/3"].tags == ("g1",)


def test_corpus_files_parse_or_raise_opml_error(corpus: Path) -> None:
    files = sorted(p for p in (corpus / "opml").rglob("*") if p.is_file())
    if not files:
        pytest.skip("no OPML files in the corpus")
    parsed = 0
    for path in files:
        try:
            result = parse_opml(path.read_bytes(), source=str(path))
        except OPMLError as exc:
            message = str(exc)
            assert message.startswith(str(path)) and "\n" not in message, message
            continue
        assert len(result.feeds) >= 1, path
        for warning in result.warnings:
            assert "\n" not in warning and "\x1b" not in warning
        # Everything parsed survives a render and re-parse unchanged.
        again = parse_opml(
            render_opml((f.url, f.title or "", f.tags) for f in result.feeds).encode(),
            source="again",
        )
        assert {f.url for f in again.feeds} == {f.url for f in result.feeds}, path
        parsed += 1
    assert parsed >= 1


def test_cli_import_then_export(tmp_path: Path) -> None:
    src = tmp_path / "in.opml"
    src.write_bytes(
        opml(
            '<outline text="Tech"><outline text="Linux">'
            '<outline type="rss" title="LWN" xmlUrl="https://lwn.example/rss"/>'
            "</outline></outline>"
            '<outline title="Plain" xmlUrl="https://plain.example/feed" category="misc"/>'
            '<outline title="Run me" xmlUrl="exec:~/bin/evil.sh"/>'
        )
    )
    db = tmp_path / "custom.sqlite"
    proc = newstui(tmp_path, "--db", str(db), "import", str(src))
    assert "2 feeds imported, 0 already subscribed" in proc.stdout
    assert "warning" in proc.stderr and "Run me" in proc.stderr
    assert db.exists()
    again = newstui(tmp_path, "--db", str(db), "import", str(src))
    assert "0 feeds imported, 2 already subscribed" in again.stdout
    feeds = json.loads(newstui(tmp_path, "--db", str(db), "feeds", "--json").stdout)
    assert {f["url"]: sorted(f["tags"]) for f in feeds} == {
        "https://lwn.example/rss": ["Linux", "Tech"],
        "https://plain.example/feed": ["misc"],
    }
    exported = newstui(tmp_path, "--db", str(db), "export").stdout
    assert "evil.sh" not in exported
    result = parse_opml(exported.encode(), source="export")
    assert {f.url: (f.title, sorted(f.tags)) for f in result.feeds} == {
        "https://lwn.example/rss": ("LWN", ["Linux", "Tech"]),
        "https://plain.example/feed": ("Plain", ["misc"]),
    }
    out = tmp_path / "out.opml"
    newstui(tmp_path, "--db", str(db), "export", "-o", str(out))
    assert parse_opml(out.read_bytes(), source=str(out)).feeds == result.feeds
