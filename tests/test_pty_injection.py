"""The real reader in a real pseudo-terminal: hostile text in feeds never reaches the terminal.

Feed titles, article titles, authors, bodies, links and refresh errors carry terminal escape
sequences (OSC 0 title, OSC 52 clipboard, OSC 8 hyperlinks, CSI with unique parameters, a device
status report, 8-bit CSI, DCS), bidi overrides, Rich markup and emoji codes. The installed
`newstui` is driven with keys in a pty and every byte it writes is checked for the payloads'
unique markers. Two ways in: through the parsers (JSON Feed, RSS, a folder of article files) and
straight into the database, so the UI's own cleaning is tested as well as the parsers'.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")
fcntl = pytest.importorskip("fcntl")
termios = pytest.importorskip("termios")

from newstui.config import Config, RefreshConfig  # noqa: E402
from newstui.domain.update import StoredEntry  # noqa: E402
from newstui.library.facade import Library  # noqa: E402
from newstui.storage.db import Database  # noqa: E402
from tests.storage_support import apply_refresh  # noqa: E402

pytestmark = pytest.mark.skipif(
    not hasattr(os, "openpty") or sys.platform == "win32", reason="needs a pseudo-terminal"
)

BIN = Path(sys.executable).parent / "newstui"
ROWS, COLS = 40, 120
TOTAL_SECONDS = 60.0  # a safety net; the run takes about 10 s

OSC_TITLE = "\x1b]0;PWNED-TITLE\x07"
OSC_CLIPBOARD = "\x1b]52;c;UFdORUQ=\x07"
OSC_LINK = "\x1b]8;;https://evil.example/OSC8MARK\x1b\\click\x1b]8;;\x1b\\"
CSI_COLOUR = "\x1b[38;5;123;4;53m"
CSI_REPORT = "\x1b[6n"
CSI_MOVE = "\x1b[999;888H"
CSI_8BIT = "\x9b38;5;124;4;53m"
DCS = "\x1bP+q544e\x1b\\\x1bPqDCSMARK\x1b\\"
BIDI = "\u202eRTLMARK\u202c\u2066iso\u2069"
MARKUP = "[bold red]MARKUPMARK[/]"
EMOJI = ":smile:"

# Byte strings that must never appear in anything the app writes.
FORBIDDEN = [
    b"PWNED-TITLE",
    b"]0;PWNED",
    b"]52;",
    b"UFdORUQ=",
    b"OSC8MARK",
    b"]8;;https://evil",
    b"38;5;123;4;53",
    # The 8-bit CSI itself; its parameters may show as text (feedparser maps U+009B to "›").
    b"\x9b38;5;124",
    "\x9b38;5;124".encode(),
    b"\x1b[6n",
    b"\x1b[999;888H",
    b"DCSMARK",
    b"\x1bP+q",
    b"\x1bPq",
    "\u202e".encode(),
    "\u2066".encode(),
    "\u2069".encode(),
    "\u202c".encode(),
    "\U0001f604".encode(),  # what :smile: would turn into
]


def hostile(tag: str) -> str:
    """Visible `tag` first (so the test can tell the text was shown), then every payload."""
    return (
        f"{tag} {OSC_TITLE}{OSC_CLIPBOARD}{CSI_COLOUR}{CSI_REPORT}{CSI_MOVE}{CSI_8BIT}"
        f"{DCS}{BIDI} {MARKUP} {EMOJI} {OSC_LINK}"
    )


def hostile_html(tag: str) -> str:
    payload = hostile(tag)
    return (
        f"<h2>{payload}</h2><p>{payload}</p>"
        f'<p><a href="https://example.org/{CSI_REPORT}x">{payload} link</a> '
        f'<a href="javascript:{OSC_CLIPBOARD}">js</a></p>'
        f"<pre><code>{payload}</code></pre><ul><li>{payload}</li></ul>"
        f'<img src="https://example.org/i.png" alt="{OSC_TITLE}alt">'
    )


def write_sources(tmp_path: Path) -> list[Path]:
    when = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    json_feed = tmp_path / "evil.json"
    json_feed.write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": hostile("JSONFEED"),
                "home_page_url": "https://json.example.org/",
                "authors": [{"name": hostile("JSONAUTHOR")}],
                "items": [
                    {
                        "id": f"json-{i}",
                        "url": f"https://json.example.org/{i}{OSC_CLIPBOARD}",
                        "title": hostile(f"JSONTITLE{i}"),
                        "content_html": hostile_html(f"JSONBODY{i}"),
                        "date_published": (when - timedelta(hours=i)).isoformat(),
                    }
                    for i in range(2)
                ],
            }
        ),
        encoding="utf-8",
    )
    from xml.sax.saxutils import escape

    rss = tmp_path / "evil.xml"
    rss.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(hostile('RSSFEED'))}</title><link>https://rss.example.org/</link>"
        "<item>"
        f"<title>{escape(hostile('RSSTITLE'))}</title><guid>rss-1</guid>"
        f"<link>https://rss.example.org/1{escape(CSI_REPORT)}</link>"
        f"<author>{escape(hostile('RSSAUTHOR'))}</author>"
        "<pubDate>Sun, 01 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>{escape(hostile_html('RSSBODY'))}</description>"
        "</item></channel></rss>",
        encoding="utf-8",
    )
    folder = tmp_path / f"folder{BIDI}"
    folder.mkdir()
    (folder / "a.txt").write_text(
        f"{hostile('TXTTITLE')} | {hostile('TXTSITE')}\n\n{hostile('TXTBODY')}\n", "utf-8"
    )
    (folder / "b.md").write_text(
        f"# {hostile('MDTITLE')}\n\n{hostile('MDBODY')}\n\n```\n{hostile('MDCODE')}\n```\n"
        f"[{hostile('MDLINK')}](https://example.org/{CSI_REPORT})\n",
        "utf-8",
    )
    (folder / "c.html").write_text(
        f"<html><head><title>{hostile('HTMLTITLE')}</title>"
        f'<meta name="author" content="{hostile("HTMLAUTHOR")}"></head>'
        f"<body>{hostile_html('HTMLBODY')}</body></html>",
        "utf-8",
    )
    return [json_feed, rss, folder]


def raw_entry(i: int) -> StoredEntry:
    """An entry as it could sit in a database written by anything: nothing cleaned."""
    body = hostile_html(f"RAWBODY{i}")
    return StoredEntry(
        key=f"raw-{i}",
        title=hostile(f"RAWTITLE{i}"),
        url=f"https://raw.example.org/{i}{OSC_TITLE}",
        author=hostile(f"RAWAUTHOR{i}"),
        site=hostile(f"RAWSITE{i}"),
        published=datetime(2026, 11, 2, 12 - i, tzinfo=UTC).timestamp(),
        updated=None,
        content=body if i % 2 == 0 else hostile(f"RAWTEXT{i}"),
        content_type="html" if i % 2 == 0 else "text",
        digest=hashlib.sha256(body.encode()).hexdigest(),
    )


def build_library(tmp_path: Path, db: Path) -> None:
    config = Config(refresh=RefreshConfig(refresh_on_start=False, deadline=10.0))
    library = Library.open(config, db)
    try:
        for source in write_sources(tmp_path):
            asyncio.run(library.add_feed(str(source), tags=[hostile("TAG")]))
        feed_id = library.subscribe(
            "https://raw.example.org/feed", title=None, tags=(hostile("RAWTAG"),)
        ).id
        with closing(Database(db)) as own:  # the test's own connection to the file
            apply_refresh(
                own,
                feed_id,
                status="error",
                error=hostile("RAWERROR"),
                http_status=500,
                entries=[raw_entry(i) for i in range(3)],
                feed_title=hostile("RAWFEED"),
                site_url=f"https://raw.example.org/{OSC_CLIPBOARD}",
            )
    finally:
        library.close()


# Makes the pty the child's controlling terminal, then runs the installed command.
SHIM = (
    "import fcntl, os, sys, termios\n"
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0)\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


class Terminal:
    """The app on the slave side of a pty; everything it writes is collected in `output`."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.master = master
        self.output = bytearray()
        self.closed = False
        self.deadline = time.monotonic() + TOTAL_SECONDS
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", SHIM, *argv],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                start_new_session=True,
                close_fds=True,
            )
        finally:
            os.close(slave)

    def pump(self, seconds: float, until: bytes | None = None, start: int = 0) -> bool:
        """Read for up to `seconds` (never past the overall deadline); True once `until` is seen
        in the output from offset `start` on."""
        end = min(time.monotonic() + seconds, self.deadline)
        while not self.closed and time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed its side
                data = b""
            if not data:
                self.closed = True
                break
            self.output.extend(data)
            if until is not None and self.output.find(until, start) >= 0:
                return True
        return until is not None and self.output.find(until, start) >= 0

    def press(self, key: str, pause: float = 0.25, until: bytes | None = None) -> None:
        """Type `key`; then read for `pause` seconds, or until `until` is drawn (up to 10 s)."""
        if self.closed or time.monotonic() > self.deadline:
            return
        start = len(self.output)
        try:
            os.write(self.master, key.encode())
        except OSError:
            self.closed = True
            return
        if until is None:
            self.pump(pause)
        elif self.pump(10.0, until, start):
            self.pump(0.1)

    def finish(self) -> int | None:
        """Drain until the app exits; its status, or None if it did not exit in time."""
        while not self.closed and time.monotonic() < self.deadline:
            self.pump(0.2)
            if self.proc.poll() is not None:
                self.pump(0.2)
                break
        try:
            return self.proc.wait(timeout=max(0.1, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        os.close(self.master)


@pytest.fixture
def app_output(tmp_path: Path) -> tuple[bytes, int | None]:
    if not BIN.exists():
        pytest.skip(f"{BIN} is not installed")
    db = tmp_path / "lib.db"
    build_library(tmp_path, db)
    config = tmp_path / "config.toml"
    config.write_text("[refresh]\nrefresh_on_start = false\n", encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEWSTUI_", "TEXTUAL", "XDG_")) and key not in ("COLORTERM",)
    }
    env.update(
        TERM="xterm-256color",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        NEWSTUI_DB=str(db),
        NEWSTUI_CONFIG=str(config),
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
        BROWSER="/bin/false",
    )
    term = Terminal([str(BIN)], env)
    try:
        # The first paint shows the headlines; the newest is the raw database entry.
        term.pump(12.0, until=b"RAWTITLE0")
        term.pump(0.3)
        # Every article in turn, each body waited for: newest first, as the headlines list them.
        bodies = [b"HTMLBODY", b"MDBODY", b"TXTBODY", b"RAWBODY0", b"RAWTEXT1", b"RAWBODY2"]
        bodies += [b"JSONBODY0", b"JSONBODY1", b"RSSBODY"]
        for key, body in zip(["\r"] + ["J"] * 8, bodies, strict=True):
            term.press(key, until=body)
        for key in ["h", "h", "j", "j", "j"]:  # to the feed tree
            term.press(key)
        term.press("j", until=b"RAWERROR")  # the failing raw feed: its error in the status line
        keys = ["\r", "j", "j", "j", "\r", "l", "n", "b", "m", "\t", "G"]
        keys += ["?", "\x1b", "/", *"MARKUPMARK", "\r", "\r", "\x1b", "\x1b", "Q"]
        for key in keys:
            term.press(key)
        status = term.finish()
    finally:
        term.kill()
    return bytes(term.output), status


def test_hostile_text_never_reaches_the_terminal(app_output: tuple[bytes, int | None]) -> None:
    output, status = app_output
    assert status == 0, f"the app did not exit cleanly on Q (status {status})"
    # The hostile articles were shown: titles in the list, bodies in the article pane.
    shown = [b"RAWTITLE0", b"RAWBODY0", b"RAWTEXT1", b"RAWAUTHOR0", b"RAWERROR", b"JSONTITLE0"]
    shown += [b"JSONBODY1", b"JSONAUTHOR", b"RSSBODY", b"HTMLBODY", b"MDCODE", b"TXTBODY"]
    for visible in shown:
        assert visible in output, f"{visible!r} was never drawn"
    leaked = [marker for marker in FORBIDDEN if marker in output]
    assert not leaked, f"payloads reached the terminal: {leaked}"
    text = output.decode("utf-8", "replace")
    c1 = sorted({hex(ord(c)) for c in text if 0x80 <= ord(c) <= 0x9F})
    assert not c1, f"C1 control characters written: {c1}"
    # Markup-looking text is shown literally, never interpreted.
    assert b"[bold red]MARKUPMARK[/]" in output
    assert b":smile:" in output
