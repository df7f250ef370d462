"""Output formats of the CLI: articles, feeds and refresh outcomes as JSON; bookmarks as Markdown,
JSON or a Netscape bookmark file; subscriptions as OPML; one article as Markdown, text or JSON."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from newstui.domain.display import describe_enclosure
from newstui.domain.models import Article, Feed, FeedOutcome
from newstui.domain.text import clean_line
from newstui.library.facade import export_url
from newstui.library.feed_settings import settings_json
from newstui.library.hooks import article_record
from newstui.library.show import ShownArticle, byline, markdown_to_text

BOOKMARK_FORMATS = ("markdown", "json", "netscape")


def article_json(a: Article) -> dict[str, Any]:
    """An article as `articles --json` prints it (and the `on_new` hook reads it)."""
    return article_record(a)


def feed_json(f: Feed) -> dict[str, Any]:
    """A feed as `feeds --json` prints it."""
    return {
        "id": f.id,
        "title": clean_line(f.display_title),
        "url": clean_line(f.url),
        "tags": [clean_line(t) for t in f.tags],
        "unread": f.unread,
        "total": f.total,
        "status": str(f.status),
        "error": clean_line(f.error) if f.error else None,
        "http_status": f.http_status,
        "last_checked": _iso(f.last_checked),
        "account": f.account,
        **settings_json(f),
    }


def outcome_json(o: FeedOutcome) -> dict[str, Any]:
    """A refresh outcome as `refresh --json` prints it."""
    return {
        "id": o.feed_id,
        "url": clean_line(o.url),
        "status": str(o.status),
        "http_status": o.http_status,
        "new": o.new,
        "updated": o.updated,
        "error": clean_line(o.error) if o.error else None,
    }


# ---- subscriptions and bookmarks ----------------------------------------------------------------


def opml_document(feeds: Iterable[Feed]) -> str:
    """Subscriptions as OPML 2.0; local sources as file:// URLs, as other readers expect."""
    from newstui.sources.opml import render_opml

    return render_opml((export_url(f.url), f.display_title, f.tags) for f in feeds)


def bookmarks_document(articles: Sequence[Article], fmt: str) -> str:
    """Bookmarked articles in one of BOOKMARK_FORMATS."""
    if fmt == "json":
        return json.dumps([article_json(a) for a in articles], indent=2, ensure_ascii=False)
    if fmt == "markdown":
        lines = ["# Bookmarks", ""]
        for a in articles:
            title = clean_line(a.title)
            date = a.published.strftime("%Y-%m-%d") if a.published else "undated"
            if a.url:
                link = f"[{md_escape(title)}](<{_md_url(clean_line(a.url))}>)"
            else:
                link = md_escape(title, starts_line=True)
            lines.append(f"- {link} · {md_escape(clean_line(a.feed_title))} · {date}")
        return "\n".join(lines) + "\n"
    if fmt == "netscape":
        lines = [
            "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
            '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
            "<TITLE>Bookmarks</TITLE>",
            "<H1>Bookmarks</H1>",
            "<DL><p>",
            "    <DT><H3>newstui</H3>",
            "    <DL><p>",
        ]
        for a in articles:
            if not a.url:
                continue
            added = int(a.published.timestamp()) if a.published else int(time.time())
            lines.append(
                f'        <DT><A HREF="{html.escape(a.url, quote=True)}" ADD_DATE="{added}">'
                f"{html.escape(clean_line(a.title))}</A>"
            )
        lines += ["    </DL><p>", "</DL><p>"]
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown bookmark format {fmt!r}")


# ---- one article, as the reader shows it ----------------------------------------------------------


def article_markdown(shown: ShownArticle) -> str:
    from newstui.sources.content import escape_markdown

    lines = [f"# {escape_markdown(shown.title)}", "", escape_markdown(byline(shown))]
    if shown.location:
        lines += ["", f"<{shown.location}>" if shown.url == shown.location else shown.location]
    if shown.enclosures:
        lines += ["", "**Enclosures**", ""]
        lines += [
            f"- {escape_markdown(describe_enclosure(e))}: <{clean_line(e.url)}>"
            for e in shown.enclosures
        ]
    lines += ["", "---", "", shown.body_markdown.strip()]
    return "\n".join(lines).rstrip() + "\n"


def article_text(shown: ShownArticle) -> str:
    lines = [shown.title, byline(shown)]
    if shown.location:
        lines.append(shown.location)
    if shown.enclosures:
        lines += ["", "Enclosures:"]
        lines += [f"  {describe_enclosure(e)}: {clean_line(e.url)}" for e in shown.enclosures]
    lines += ["", markdown_to_text(shown.body_markdown)]
    return "\n".join(lines).rstrip() + "\n"


def shown_json(shown: ShownArticle) -> dict[str, Any]:
    return {
        "id": shown.id,
        "title": shown.title,
        "site": shown.site,
        "author": shown.author,
        "published": _iso(shown.published),
        "url": shown.url,
        "body_markdown": shown.body_markdown,
        "links": [
            {"number": n, "text": clean_line(text), "url": url}
            for n, (text, url) in enumerate(shown.links, 1)
        ],
        "enclosures": [
            {"url": e.url, "type": e.type, "length": e.length, "duration": e.duration}
            for e in shown.enclosures
        ],
    }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# What Markdown (CommonMark, and GitHub's strikethrough) would read as markup in a title. The
# rest stays as typed: "4-Inch", "C# 12.0 (preview)", "AT&T", "a < b", "snake_case".
_MD_ALWAYS = re.compile(r"[\\`*\[\]~]")
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")  # not inside a word
_MD_ENTITY = re.compile(r"&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")  # an HTML tag or an autolink
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+>#=])|(\d{1,9})([.)]))")  # lists, quotes, headings


def md_escape(text: str, *, starts_line: bool = False) -> str:
    """`text` as Markdown that renders as exactly `text`, with as few backslashes as that takes.

    `starts_line`: the text opens a line (or a list item), where `-`, `1.`, `#`, `>` are markup.
    """
    text = _MD_ALWAYS.sub(lambda m: "\\" + m.group(), text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    text = _MD_TAG.sub(r"\\<", text)

    def line_start(m: re.Match[str]) -> str:
        if m.group(2):
            return f"{m.group(1)}\\{m.group(2)}"
        return f"{m.group(1)}{m.group(3)}\\{m.group(4)}"

    return _MD_LINE_START.sub(line_start, text) if starts_line else text


def _md_url(url: str) -> str:
    """A URL as a Markdown link destination in angle brackets."""
    return url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
