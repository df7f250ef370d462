"""Small feed documents written for the tests (never copied from the corpus)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

BASE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@dataclass
class Item:
    title: str
    guid: str | None = None
    link: str | None = None
    body: str = "<p>Body text.</p>"
    when: datetime | None = None
    author: str | None = None


def items(n: int, prefix: str = "Item", start: int = 0) -> list[Item]:
    """`n` items, newest first, with distinct guids and dates an hour apart."""
    return [
        Item(
            title=f"{prefix} {i}",
            guid=f"{prefix.lower()}-{i}",
            link=f"https://example.org/{prefix.lower()}/{i}",
            body=f"<p>{prefix} {i} says <b>hello</b> about topic{i}.</p>",
            when=BASE - timedelta(hours=i),
        )
        for i in range(start, start + n)
    ]


def rss(
    entries: Sequence[Item], title: str = "Test Feed", link: str = "https://example.org/"
) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link>",
        "<description>A feed written for tests</description>",
    ]
    for it in entries:
        parts.append("<item>")
        parts.append(f"<title>{escape(it.title)}</title>")
        if it.guid:
            parts.append(f'<guid isPermaLink="false">{escape(it.guid)}</guid>')
        if it.link:
            parts.append(f"<link>{escape(it.link)}</link>")
        if it.when:
            parts.append(f"<pubDate>{format_datetime(it.when)}</pubDate>")
        if it.author:
            parts.append(f"<author>{escape(it.author)}</author>")
        parts.append(f"<description>{escape(it.body)}</description>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def atom(entries: Sequence[Item], title: str = "Atom Test") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:test:feed</id>",
        f"<updated>{BASE.isoformat()}</updated>",
    ]
    for it in entries:
        parts.append("<entry>")
        parts.append(f"<title>{escape(it.title)}</title>")
        parts.append(f"<id>{escape(it.guid or it.link or it.title)}</id>")
        if it.link:
            parts.append(f'<link href="{escape(it.link)}"/>')
        when = (it.when or BASE).isoformat()
        parts.append(f"<updated>{when}</updated><published>{when}</published>")
        parts.append(f'<content type="html">{escape(it.body)}</content>')
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


def jsonfeed(entries: Sequence[Item], title: str = "JSON Test") -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "items": [
                {
                    "id": it.guid or it.link,
                    "url": it.link,
                    "title": it.title,
                    "content_html": it.body,
                    "date_published": (it.when or BASE).isoformat(),
                }
                for it in entries
            ],
        }
    ).encode("utf-8")
