"""Odd but legal feeds are stored and listed sensibly, and CLI output never carries control codes."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from newstui.config import Config
from newstui.domain.models import View
from newstui.library.facade import Library
from tests.feedgen import Item, rss
from tests.test_cli import newstui

HOSTILE = (
    "\x1b]0;pwned\x07\x1b[31mRed\x1b[0m \u202eevil\u202c [bold]x[/] [/] :smile: \x9b31m\x07\x00"
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def test_missing_and_impossible_dates_sort_without_errors(tmp_path: Path) -> None:
    doc = rss([Item("dated", guid="1")]).replace(
        b"</channel>",
        b"""
<item><title>no date</title><guid>2</guid></item>
<item><title>year zero</title><guid>3</guid><pubDate>Mon, 01 Jan 0000 00:00:00 GMT</pubDate></item>
<item><title>nonsense</title><guid>4</guid><pubDate>the day after never</pubDate></item>
<item><guid>5</guid><description>An item without any title at all.</description></item>
</channel>""",
    )
    path = tmp_path / "dates.xml"
    path.write_bytes(doc)
    lib = Library.open(Config(), tmp_path / "d.db")
    try:
        asyncio.run(lib.add_feed(str(path)))
        heads = lib.headlines(View("all"))
        assert len(heads) == 5
        assert all(h.title for h in heads)  # untitled items get a title from their text
    finally:
        lib.close()


def test_huge_titles_bodies_and_many_items(tmp_path: Path) -> None:
    entries = [
        Item("T" * 100_000, guid="big-title"),
        Item("one line", guid="big-body", body="y" * 1_000_000),
    ]
    entries += [Item(f"n{i}", guid=f"n{i}") for i in range(20_000)]
    path = tmp_path / "big.xml"
    path.write_bytes(rss(entries))
    lib = Library.open(Config(), tmp_path / "b.db")
    try:
        result = asyncio.run(lib.add_feed(str(path)))
        assert result.feed.total == 20_002
        assert lib.count(View("all")) == 20_002
        titles = {h.title for h in lib.headlines(View("all"), 0, 20_002)}
        assert max(len(t) for t in titles) <= Config().limits.max_title_chars
        assert len(lib.headlines(View("all"), 19_990, 50)) == 12
    finally:
        lib.close()


def test_hostile_text_never_reaches_cli_output(tmp_path: Path) -> None:
    path = tmp_path / "hostile.xml"
    path.write_bytes(
        rss(
            [
                Item(
                    HOSTILE,
                    guid="h",
                    link="https://example.org/\x1b[2J",
                    author=HOSTILE,
                    body=HOSTILE,
                )
            ],
            title=HOSTILE,
        )
    )
    added = newstui(tmp_path, "add", str(path))
    for out in (
        added.stdout + added.stderr,
        newstui(tmp_path, "feeds").stdout,
        newstui(tmp_path, "feeds", "--json").stdout,
        newstui(tmp_path, "articles").stdout,
        newstui(tmp_path, "articles", "--json").stdout,
        newstui(tmp_path, "export").stdout,
    ):
        assert not CONTROL.search(out.replace("\n", "").replace("\t", "")), repr(out)
    arts = json.loads(newstui(tmp_path, "articles", "--json").stdout)
    assert "[bold]x[/]" in arts[0]["title"]  # shown literally, not interpreted
