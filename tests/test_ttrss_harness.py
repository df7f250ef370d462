"""The tt-rss test harness itself: a real tt-rss on loopback fetches our feeds and serves them."""

from __future__ import annotations

import pytest

from tests import feedgen
from tests.ttrss.fixtures import loopback_feeds, ttrss  # noqa: F401 (fixtures)
from tests.ttrss.harness import HarnessError, LoopbackFeeds, TtrssServer, patched_urlhelper


def test_ttrss_fetches_a_loopback_feed_and_serves_it_through_its_api(
    ttrss: TtrssServer,  # noqa: F811
    loopback_feeds: LoopbackFeeds,  # noqa: F811
) -> None:
    loopback_feeds.docs["/harness.xml"] = feedgen.rss(feedgen.items(3, "Harness"), title="H")
    category = ttrss.add_category("Harness news")
    feed_id = ttrss.subscribe(loopback_feeds.url("/harness.xml"), category)
    ttrss.update_feeds()
    titles = {
        h["title"] for h in ttrss.call("getHeadlines", feed_id=feed_id, view_mode="all_articles")
    }
    assert titles == {"Harness 0", "Harness 1", "Harness 2"}
    feeds = ttrss.call("getFeeds", cat_id=category)
    # The port survives (stock tt-rss drops it).
    assert [f["feed_url"] for f in feeds] == [loopback_feeds.url("/harness.xml")]

    # A new item appears after the next one-shot update (tt-rss's 30 s reuse is cleared).
    loopback_feeds.docs["/harness.xml"] = feedgen.rss(feedgen.items(4, "Harness"), title="H")
    ttrss.update_feeds()
    headlines = ttrss.call("getHeadlines", feed_id=feed_id, view_mode="all_articles")
    assert len(headlines) == 4


def test_the_harness_ttrss_refuses_hosts_other_than_loopback(ttrss: TtrssServer) -> None:  # noqa: F811
    reply = ttrss.api(
        {
            "op": "subscribeToFeed",
            "sid": ttrss.session(),
            "feed_url": "http://192.0.2.1/feed.xml",
            "category_id": 0,
        }
    )
    assert reply["status"] == 0
    # Refused before any connection is tried (stock tt-rss would try to fetch it).
    status = reply["content"]["status"]
    assert status["code"] == 5 and "extended validation" in status["message"], reply


def test_the_urlhelper_patch_refuses_an_unknown_source() -> None:
    with pytest.raises(HarnessError, match=r"urlhelper\.php changed"):
        patched_urlhelper("<?php class UrlHelper {}")
