"""The Welcome guide: the pages bundled in `newstui/welcome/` as a read-only source of articles,
shown while there are no subscriptions, and `ArticleSource`, what it shares with the database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Protocol

from newstui.config import LimitsConfig
from newstui.domain.errors import NotFoundError
from newstui.domain.models import Article, Feed, FeedStatus, Headline, ParsedFeed, View

WELCOME_FEED_ID = -1
"""The guide's feed; its articles have negative ids, so no id is ever the database's too."""


class ArticleSource(Protocol):
    """Where the Library reads a view's articles and keeps their marks: the database, or the
    Welcome guide. The Library picks one per view (or per article id), then asks it."""

    def feeds(self) -> list[Feed]: ...
    def feed(self, feed_id: int) -> Feed: ...
    def count(self, view: View) -> int: ...
    def headlines(
        self, view: View, offset: int, limit: int, *, total: int | None = None
    ) -> list[Headline]: ...
    def position(self, view: View, article_id: int) -> int | None: ...
    def view_ids(self, view: View) -> list[int]: ...
    def article(self, article_id: int) -> Article: ...
    def unread_count(self, view: View) -> int: ...
    def unread_total(self) -> int: ...
    def set_flag(self, column: str, article_ids: Sequence[int], value: bool) -> int: ...
    def mark_view_read(self, view: View) -> int: ...
    def mark_view_read_ids(self, view: View) -> list[int]: ...


class WelcomeGuide:
    """The bundled guide as one feed of articles. Read from the package (no network, no file
    of the user's), on first use; read and bookmark marks are kept in memory only."""

    def __init__(self, limits: LimitsConfig) -> None:
        self._limits = limits
        self._loaded: tuple[Feed, list[Article]] | None = None

    @staticmethod
    def holds(view: View, has_feeds: Callable[[], bool]) -> bool:
        """Whether `view` shows the guide: its own feed, or everything while there is nothing
        else (`has_feeds` is asked only then)."""
        if view.feed_id == WELCOME_FEED_ID:
            return True
        return view.kind in ("all", "unread") and not has_feeds()

    @staticmethod
    def owns(article_id: int) -> bool:
        return article_id < 0

    def _guide(self) -> tuple[Feed, list[Article]]:
        if self._loaded is None:
            from newstui.sources.local import read_local

            folder = resources.files("newstui") / "welcome"
            with resources.as_file(folder) as path:
                parsed = read_local(Path(path), limits=self._limits)
            self._loaded = _guide_from(parsed)
        return self._loaded

    def feeds(self) -> list[Feed]:
        return [self._guide()[0]]

    def feed(self, feed_id: int) -> Feed:
        if feed_id != WELCOME_FEED_ID:
            raise NotFoundError(f"no feed with id {feed_id}")
        return self._guide()[0]

    def _shown(self, view: View) -> list[Article]:
        articles = self._guide()[1]
        if view.kind == "unread" or view.unread_only:
            return [a for a in articles if not a.read]
        return list(articles)

    def count(self, view: View) -> int:
        return len(self._shown(view))

    def headlines(
        self, view: View, offset: int, limit: int, *, total: int | None = None
    ) -> list[Headline]:
        del total  # a handful of pages in memory: any page is as quick as the first
        return [
            Headline(
                a.id, a.feed_id, a.feed_title, a.title, a.url, a.published, a.read, a.bookmarked
            )
            for a in self._shown(view)[offset : offset + limit]
        ]

    def view_ids(self, view: View) -> list[int]:
        return [a.id for a in self._shown(view)]

    def position(self, view: View, article_id: int) -> int | None:
        ids = self.view_ids(view)
        return ids.index(article_id) if article_id in ids else None

    def article(self, article_id: int) -> Article:
        for article in self._guide()[1]:
            if article.id == article_id:
                return article
        raise NotFoundError(f"no article with id {article_id}")

    def unread_count(self, view: View) -> int:
        return sum(1 for a in self._shown(view) if not a.read)

    def unread_total(self) -> int:
        return sum(1 for a in self._guide()[1] if not a.read)

    def set_flag(self, column: str, article_ids: Sequence[int], value: bool) -> int:
        """Mark pages read or bookmarked (in memory); how many changed. Hiding is not offered:
        the guide is read-only."""
        if column not in ("read", "bookmarked"):
            raise ValueError(f"the Welcome guide keeps no {column!r} mark")
        feed, articles = self._guide()
        wanted = set(article_ids)
        changed = [a.id for a in articles if a.id in wanted and getattr(a, column) != value]
        if changed:
            articles = [
                (replace(a, read=value) if column == "read" else replace(a, bookmarked=value))
                if a.id in changed
                else a
                for a in articles
            ]
            unread = sum(1 for a in articles if not a.read)
            self._loaded = (replace(feed, unread=unread), articles)
        return len(changed)

    def mark_view_read(self, view: View) -> int:
        return len(self.mark_view_read_ids(view))

    def mark_view_read_ids(self, view: View) -> list[int]:
        ids = [a.id for a in self._shown(view) if not a.read]
        self.set_flag("read", ids, True)
        return ids


def _guide_from(parsed: ParsedFeed) -> tuple[Feed, list[Article]]:
    articles = [
        Article(
            id=-(i + 1),
            feed_id=WELCOME_FEED_ID,
            # Bundled pages: no link to where the package happens to be installed.
            feed_title="Welcome guide",
            key=e.key,
            title=e.title,
            url=None,
            author=e.author,
            site="newstui",
            published=None,
            updated=None,
            content=e.content,
            content_type=e.content_type,
            read=False,
            bookmarked=False,
        )
        for i, e in enumerate(sorted(parsed.entries, key=lambda e: e.key))
    ]
    feed = Feed(
        id=WELCOME_FEED_ID,
        url="newstui:welcome",
        title="Welcome to newstui",
        status=FeedStatus.OK,
        unread=len(articles),
        total=len(articles),
    )
    return feed, articles
