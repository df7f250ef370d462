"""Tiny Tiny RSS categories that differ from a folder here only in case join it (tests/ttrss).

A module of its own: its tt-rss (built per module) holds categories no other test expects.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from newstui.domain.models import View
from newstui.library.facade import Library
from tests import feedgen
from tests.test_sync_ttrss import account_config
from tests.ttrss.fixtures import loopback_feeds, ttrss  # noqa: F401 (fixtures)
from tests.ttrss.harness import LoopbackFeeds, TtrssServer


def test_categories_in_another_case_join_the_librarys_folder(
    ttrss: TtrssServer,  # noqa: F811
    loopback_feeds: LoopbackFeeds,  # noqa: F811
    tmp_path: Path,
) -> None:
    loopback_feeds.docs["/case-a.xml"] = feedgen.rss(feedgen.items(2, "Kiwi"), title="Kiwis")
    loopback_feeds.docs["/case-b.xml"] = feedgen.rss(feedgen.items(3, "Lime"), title="Limes")
    lower = ttrss.add_category("fruit news")
    upper = ttrss.add_category("FRUIT NEWS")
    assert lower != upper  # two categories on the server
    ttrss.subscribe(loopback_feeds.url("/case-a.xml"), lower)
    ttrss.subscribe(loopback_feeds.url("/case-b.xml"), upper)
    ttrss.update_feeds()
    local = tmp_path / "local.xml"
    local.write_bytes(feedgen.rss(feedgen.items(1, "Here"), title="Here"))

    config = account_config(ttrss, tmp_path)
    library = Library.open(config, tmp_path / "lib.db")
    try:
        asyncio.run(library.add_feed(str(local), tags=["Fruit News"]))
        for _ in range(2):  # and the next sync keeps it so
            [outcome] = library.sync()
            assert outcome.status == "ok", outcome
            assert library.tags() == ["Fruit News"]
            tags = {f.display_title: f.tags for f in library.feeds()}
            assert tags == {
                "Here": ("Fruit News",),
                "Kiwis": ("Fruit News",),
                "Limes": ("Fruit News",),
            }
            assert library.count(View("tag", tag="Fruit News")) == 6
    finally:
        library.close()
