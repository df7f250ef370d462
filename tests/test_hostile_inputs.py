"""Hostile config files, local sources and OPML lists through the installed `newstui` command.

A bad config is exit 1 with one line naming the file; a bad local source is a clear message (or a
subscription whose error says what is wrong), never a traceback and never a hang.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newstui.cli.formats import feed_json
from newstui.config import Config
from newstui.library.facade import Library
from tests.feedgen import items, rss

BIN = Path(sys.executable).parent / "newstui"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00"
    b"\x00IEND\xaeB`\x82" + bytes(range(256)) * 8
)
MAX_FILE_BYTES = 16 * 1024 * 1024  # LimitsConfig.max_file_bytes

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def cli(
    tmp_path: Path,
    *args: str | bytes | Path,
    config: Path | bytes | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[bytes]:
    """Run the installed command; `config` is a path for NEWSTUI_CONFIG or the bytes to write."""
    env = dict(os.environ)
    env["NEWSTUI_DB"] = str(tmp_path / "db.sqlite")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env.pop("NEWSTUI_CONFIG", None)
    if isinstance(config, bytes):
        path = tmp_path / "config.toml"
        path.write_bytes(config)
        config = path
    if config is not None:
        env["NEWSTUI_CONFIG"] = str(config)
    exe = str(BIN) if BIN.exists() else shutil.which("newstui") or "newstui"
    argv = [exe, *(os.fspath(a) if isinstance(a, Path) else a for a in args)]
    return subprocess.run(argv, env=env, capture_output=True, timeout=timeout, cwd=tmp_path)


def err(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stderr.decode("utf-8", "replace")


def assert_clean_failure(proc: subprocess.CompletedProcess[bytes], name: str) -> str:
    """Exit 1, one line on stderr naming `name`, no traceback, no escape characters."""
    message = err(proc)
    assert proc.returncode == 1, (proc.returncode, message)
    assert "Traceback" not in message, message
    assert message.strip().count("\n") == 0, f"more than one line: {message!r}"
    assert name in message, message
    assert "\x1b" not in message and "\x07" not in message
    return message


def feeds(tmp_path: Path, *, through_cli: bool = False) -> list[dict[str, Any]]:
    """The subscriptions as `feeds --json` shows them (read in-process unless `through_cli`)."""
    if through_cli:
        proc = cli(tmp_path, "feeds", "--json")
        assert proc.returncode == 0, err(proc)
        result = json.loads(proc.stdout)
        assert isinstance(result, list)
        return result
    library = Library.open(Config(), tmp_path / "db.sqlite")
    try:
        return [feed_json(f) for f in library.feeds()]
    finally:
        library.close()


# ---- config files ------------------------------------------------------------------------------

BAD_CONFIGS = {
    "invalid_toml": b"a = [",
    "unclosed_table": b"[refresh\nconcurrency = 1\n",
    "duplicate_key": b"[refresh]\nconcurrency = 1\nconcurrency = 2\n",
    "invalid_utf8": b"[refresh]\n# caf\xe9\nconcurrency = 1\n",
    "invalid_utf8_bom16": b"\xff\xfe[\x00r\x00",
    "nul_bytes": b"[refresh]\x00\nconcurrency = 1\n",
    "deep_arrays": b"a = " + b"[" * 100_000,
    "deep_closed_arrays": b"a = " + b"[" * 5_000 + b"]" * 5_000,
    "deep_inline_tables": b"a = " + b"{b = " * 50_000,
    "deep_dotted_keys": b"a" + b".a" * 50_000 + b" = 1",
    "string_for_int": b'[refresh]\nconcurrency = "many"\n',
    "bool_for_int": b"[refresh]\nconcurrency = true\n",
    "float_for_int": b"[refresh]\nconcurrency = 2.5\n",
    "nan": b"[refresh]\ndeadline = nan\n",
    "negative": b"[limits]\nmax_file_bytes = -1\n",
    "section_not_table": b"refresh = 3\n",
    "feeds_not_array": b'feeds = "https://example.org/"\n',
    "feed_url_not_string": b"[[feeds]]\nurl = 5\n",
    "feed_tags_wrong": b'[[feeds]]\nurl = "https://example.org/"\ntags = [1, 2]\n',
    "keys_not_table": b'keys = "q"\n',
    "key_binding_empty": b'[keys]\nquit = ""\n',
    "images_bad_choice": b'[display]\nimages = "sixel\x1b]0;PWNED\x07"\n',
    "escape_in_value": b'[refresh]\nuser_agent = 5\n[display]\ntheme = "\\u001b]52;c;UFdORUQ=\\u0007"\n',
}


@pytest.mark.parametrize("content", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_config_is_one_clear_line(tmp_path: Path, content: bytes) -> None:
    proc = cli(tmp_path, "feeds", config=content)
    assert_clean_failure(proc, "config.toml")


def test_bad_config_named_with_the_config_option(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_bytes(b"a = [")
    assert_clean_failure(cli(tmp_path, "--config", path, "feeds"), "elsewhere.toml")


def test_unknown_keys_with_escapes_are_warnings_shown_clean(tmp_path: Path) -> None:
    content = b'"\\u001b]0;PWNED\\u0007x" = 1\n[refresh]\n"\\u009b6n" = 2\n'
    proc = cli(tmp_path, "feeds", config=content)
    assert proc.returncode == 0, err(proc)
    assert "warning" in err(proc) and "unknown key" in err(proc)
    assert b"\x1b" not in proc.stderr and b"PWNED" not in proc.stderr
    assert "\x9b" not in err(proc)


def test_config_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    assert_clean_failure(cli(tmp_path, "feeds", config=tmp_path / "conf.d"), "conf.d")


@needs_fifo
def test_config_that_is_a_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "config.fifo"
    os.mkfifo(fifo)
    message = assert_clean_failure(cli(tmp_path, "feeds", config=fifo, timeout=20), "config.fifo")
    assert "regular file" in message


def test_missing_config_named_explicitly(tmp_path: Path) -> None:
    message = assert_clean_failure(
        cli(tmp_path, "feeds", config=tmp_path / "missing.toml"), "missing.toml"
    )
    assert "not found" in message


def test_missing_config_in_the_default_place_is_fine(tmp_path: Path) -> None:
    proc = cli(tmp_path, "feeds")
    assert proc.returncode == 0, err(proc)


def test_config_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    assert_clean_failure(cli(tmp_path, "feeds", config=tmp_path / "a.toml"), "a.toml")


def test_huge_config(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with open(path, "wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: no disk used
    message = assert_clean_failure(cli(tmp_path, "feeds", config=path), "huge.toml")
    assert "too large" in message


def test_unreadable_config() -> None:
    """As a user without root's powers (`nobody` when the tests run as root), as in real use."""
    from tests.unprivileged import as_user, user_dir

    with user_dir() as home:
        path = home / "secret.toml"
        path.write_text("[refresh]\nconcurrency = 1\n")
        path.chmod(0)
        env = {
            **os.environ,
            "HOME": str(home),
            "NEWSTUI_DB": str(home / "db.sqlite"),
            "XDG_CONFIG_HOME": str(home / "xdg-config"),
            "NEWSTUI_CONFIG": str(path),
        }
        exe = str(BIN) if BIN.exists() else shutil.which("newstui") or "newstui"
        proc = subprocess.run(
            as_user([exe, "feeds"]), env=env, capture_output=True, timeout=30, cwd=home
        )
        message = assert_clean_failure(proc, "secret.toml")
        assert "ermission" in message


# ---- local sources through `newstui add` -------------------------------------------------------


def add(tmp_path: Path, source: str | bytes | Path, timeout: float = 30) -> tuple[int, str, str]:
    proc = cli(tmp_path, "add", source, timeout=timeout)
    message = err(proc)
    assert "Traceback" not in message, message
    assert b"\x1b" not in proc.stdout + proc.stderr
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), message


def only_feed(tmp_path: Path, *, through_cli: bool = False) -> dict[str, Any]:
    listed = feeds(tmp_path, through_cli=through_cli)
    assert len(listed) == 1, listed
    return listed[0]


def test_add_a_folder_of_articles(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "one.txt").write_text("First | Site\n\nBody one.\n")
    (folder / "two.md").write_text("# Second\n\nBody two.\n")
    (folder / "three.html").write_text("<html><title>Third</title><body><p>Three</p></body>")
    (folder / ".hidden.txt").write_text("Hidden\n")
    (folder / "image.png").write_bytes(PNG)
    (folder / "binary.txt").write_bytes(PNG)  # skipped with a warning, not fatal
    (folder / "sub").mkdir()
    (folder / "sub" / "nested.txt").write_text("Nested\n")
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    code, _out, message = add(tmp_path, folder, timeout=20)
    assert code == 0, message
    proc = cli(tmp_path, "articles", "--json")
    titles = sorted(a["title"] for a in json.loads(proc.stdout))
    assert titles == ["First", "Second", "Third"]
    assert only_feed(tmp_path)["status"] == "ok"


@needs_fifo
def test_add_a_fifo_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "feed.xml")
    code, _out, message = add(tmp_path, tmp_path / "feed.xml", timeout=20)
    assert "not a regular file" in message
    if code == 0:
        assert only_feed(tmp_path)["status"] == "error"


@pytest.mark.parametrize("name", ["image.png", "image.xml", "image.txt", "image.html"])
def test_add_a_binary_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(PNG)
    code, _out, message = add(tmp_path, tmp_path / name)
    assert "binary" in message, message
    if code == 0:
        feed = only_feed(tmp_path)
        assert feed["status"] == "error" and "binary" in str(feed["error"])
        assert feed["total"] == 0


@pytest.mark.parametrize("name", ["huge.xml", "huge.md"])
def test_add_a_file_larger_than_the_limit_is_refused_before_reading(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: reading it would be 16 MB of NULs
    code, _out, message = add(tmp_path, path)
    assert "too large" in message, message
    if code == 0:
        feed = only_feed(tmp_path)
        assert feed["status"] == "error" and "too large" in str(feed["error"])


def test_add_a_file_larger_than_a_configured_limit(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(rss(items(200)))
    proc = cli(tmp_path, "add", path, config=b"[limits]\nmax_file_bytes = 2048\n")
    assert "Traceback" not in err(proc) and "too large" in err(proc), err(proc)


def test_add_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.xml").symlink_to(tmp_path / "b.xml")
    (tmp_path / "b.xml").symlink_to(tmp_path / "a.xml")
    code, _out, message = add(tmp_path, tmp_path / "a.xml")
    assert code == 1 and "a.xml" in message and "symbolic link" in message.lower(), message
    assert feeds(tmp_path) == []


def test_add_a_missing_file(tmp_path: Path) -> None:
    code, _out, message = add(tmp_path, tmp_path / "nowhere.xml")
    assert code == 1 and "nowhere.xml" in message, message
    assert feeds(tmp_path) == []


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse such names")
def test_add_a_file_whose_name_is_not_utf8(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/bad\xff\xfename.xml"
    with open(raw, "wb") as handle:
        handle.write(rss(items(2)))
    code, _out, message = add(tmp_path, raw)
    assert code == 1 and "bad" in message and "UTF-8" in message, message
    assert message.strip().count("\n") == 0
    assert feeds(tmp_path) == []


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse such names")
def test_add_a_folder_holding_a_file_whose_name_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(b"Cafe title\n\nbody\n")
    with open(os.fsencode(folder) + b"/\x1b]0;PWNED\x07.txt", "wb") as handle:
        handle.write(b"\n\n")  # no title line: the file name is the title
    code, _out, message = add(tmp_path, folder)
    assert code == 0, message
    proc = cli(tmp_path, "articles")
    assert proc.returncode == 0 and b"Cafe title" in proc.stdout, err(proc)
    assert b"\x1b" not in proc.stdout and b"PWNED" not in proc.stdout
    listed = json.loads(cli(tmp_path, "articles", "--json").stdout)
    assert len(listed) == 2


def test_add_a_file_whose_name_has_escape_sequences(tmp_path: Path) -> None:
    path = tmp_path / "feed\x1b]0;PWNED\x07\u202e.xml"
    path.write_bytes(rss(items(1), title=""))
    code, out, message = add(tmp_path, path)
    assert code == 0, message
    assert "PWNED" not in out and "\u202e" not in out
    proc = cli(tmp_path, "feeds")
    assert b"\x1b" not in proc.stdout and "\u202e".encode() not in proc.stdout


@pytest.mark.parametrize("name", ["empty.xml", "empty.txt", "empty.md", "empty.html", "empty"])
def test_add_an_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    code, _out, message = add(tmp_path, tmp_path / name)
    assert code in (0, 1), message
    if code == 0:
        feed = only_feed(tmp_path)
        if name.endswith(".xml") or name == "empty":
            assert feed["status"] == "error" and "empty" in str(feed["error"]), feed


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a feed",
        b"<rss><channel><item><title>broken",
        b"<html><body>a web page</body></html>",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": 5}',
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>&#x110000;</title></entry></feed>",
        b"\xff\xfe\x00\x00garbage",
    ],
    ids=["text", "truncated", "html", "json_items_not_list", "bad_char_ref", "utf32_bom"],
)
def test_a_feed_file_that_fails_to_parse_is_subscribed_with_its_error(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(content)
    code, _out, message = add(tmp_path, path)
    assert code == 0, message
    feed = only_feed(tmp_path, through_cli=True)
    if feed["total"] == 0:
        assert feed["status"] == "error", feed
        assert feed["error"] and "feed.xml" in str(feed["error"]), feed
        assert "warning" in message
    listing = cli(tmp_path, "feeds")
    assert listing.returncode == 0 and b"Traceback" not in listing.stderr


def test_refreshing_a_source_that_turned_hostile(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(rss(items(2)))
    assert add(tmp_path, path)[0] == 0
    path.unlink()
    if hasattr(os, "mkfifo"):
        os.mkfifo(path)
    proc = cli(tmp_path, "refresh", timeout=20)
    assert proc.returncode == 0 and "Traceback" not in err(proc), err(proc)
    feed = only_feed(tmp_path)
    assert feed["status"] == "error" and feed["total"] == 2  # the articles are kept


# ---- OPML --------------------------------------------------------------------------------------

EVIL_OPML = """<?xml version="1.0"?>
<opml version="2.0"><body>
<outline text="exec" type="rss" xmlUrl="exec:touch {marker}"/>
<outline text="filter" type="rss" xmlUrl="filter:/bin/sh -c id:https://example.org/feed"/>
<outline text="pipe" type="rss" xmlUrl="|touch {marker}"/>
<outline text="js" type="rss" xmlUrl="javascript:alert(1)"/>
<outline text="data" type="rss" xmlUrl="data:text/xml,&lt;rss/&gt;"/>
<outline text="dash" type="rss" xmlUrl="-oProxyCommand=x"/>
<outline text="ftp" type="rss" xmlUrl="ftp://example.org/feed"/>
<outline text="query" type="rss" xmlUrl="query:select * from x"/>
<outline text="esc &#x1b;]0;PWNED&#7;" type="rss" xmlUrl="https://example.org/&#x1b;[6n"/>
<outline text="ok http" type="rss" xmlUrl="http://example.org/a.xml"/>
<outline text="ok https" type="rss" xmlUrl="https://example.org/b.xml"/>
<outline text="ok file" type="rss" xmlUrl="file:///tmp/feed.xml"/>
<outline text="ok path" type="rss" xmlUrl="/tmp/x/feed.xml"/>
</body></opml>
"""


def test_opml_with_command_and_script_urls_imports_only_feeds(tmp_path: Path) -> None:
    path = tmp_path / "evil.opml"
    marker = tmp_path / "pwned"
    path.write_text(EVIL_OPML.format(marker=marker))
    proc = cli(tmp_path, "import", path)
    message = err(proc)
    assert proc.returncode == 0, message
    assert "Traceback" not in message and b"\x1b" not in proc.stderr and "PWNED" not in message
    for text in ("exec", "filter", "pipe", "js", "data", "dash", "ftp", "query"):
        assert f'skipped "{text}"' in message, (text, message)
    urls = sorted(str(f["url"]) for f in feeds(tmp_path))
    assert urls == [  # a file:// URL is stored as the path it names, as `add PATH` stores it
        "/tmp/feed.xml",
        "/tmp/x/feed.xml",
        "http://example.org/a.xml",
        "https://example.org/b.xml",
    ]
    assert not marker.exists()


@pytest.mark.parametrize(
    "content",
    [
        b'<opml><body><outline xmlUrl="https://example.org/x"/>',
        b"<notopml><body/></notopml>",
        b"",
        b"\x89PNG\r\n",
        b'<!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body><outline xmlUrl="https://x.org/&a;"/>'
        b"</body></opml>",
        b'<!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml><body/></opml>',
        b'<?xml version="1.0" encoding="utf-7"?><opml><body>+ADw-',
        b'<?xml version="1.0" encoding="undefined"?><opml><body/></opml>',
        b'<?xml version="1.0" encoding="no-such-codec"?><opml><body/></opml>',
        b"<opml><body>" + b"<outline>" * 10_000,
    ],
    ids=[
        "unclosed",
        "not_opml",
        "empty",
        "png",
        "entities",
        "external_dtd",
        "utf7_broken",
        "undefined_codec",
        "unknown_codec",
        "deep",
    ],
)
def test_malformed_opml_is_exit_1_and_adds_nothing(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "subs.opml"
    path.write_bytes(content)
    assert_clean_failure(cli(tmp_path, "import", path), "subs.opml")
    assert feeds(tmp_path) == []


@pytest.mark.parametrize("kind", ["directory", "fifo", "huge", "missing"])
def test_opml_that_is_not_a_readable_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "subs.opml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("needs FIFOs")
        os.mkfifo(path)
    elif kind == "huge":
        with open(path, "wb") as handle:
            handle.truncate(64 * 1024 * 1024)
    assert_clean_failure(cli(tmp_path, "import", path, timeout=20), "subs.opml")
    assert feeds(tmp_path) == []
