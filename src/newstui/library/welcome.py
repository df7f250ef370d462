"""The Welcome guide: the pages bundled in `newstui/welcome/` as a read-only source of articles,
shown while there are no subscriptions, and `ArticleSource`, what it shares with the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from newstui.config import LimitsConfig
from newstui.domain.errors import NotFoundError
from newstui.domain.models import Article, Feed, FeedStatus, Headline, ParsedEntry, View

WELCOME_FEED_ID = -1
"""The guide's feed; its articles have negative ids, so no id is ever the database's too."""
PAGES = Path(__file__).resolve().parent.parent / "welcome"
"""The guide's pages in the package's folder, read from there when it is one (as installed)."""


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
    of the user's) on first use, in two steps: its pages' titles for the lists, then their
    text when one is opened (the first screen lists them before any is read). Read and
    bookmark marks are kept in memory only."""

    def __init__(self, limits: LimitsConfig) -> None:
        self._limits = limits
        self._pages: list[tuple[str, str]] | None = None
        """Each page's key and title, in key order: its id is -(index + 1)."""
        self._articles: dict[int, Article] | None = None
        """The pages read whole, by id (without their marks)."""
        self._read: set[int] = set()
        self._bookmarked: set[int] = set()

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

    def _listed(self) -> list[tuple[str, str]]:
        """The pages' keys and titles, each read from the page's head (see `article_title`)."""
        if self._pages is None:
            from newstui.sources.local import article_key, article_title, list_articles

            with _pages() as folder:
                found = list_articles(folder, self._limits)
                files = [Path(f) for f in found.files] if found is not None else []
                pages = [(article_key(f), article_title(f, self._limits)) for f in files]
            self._pages = sorted(pages)
        return self._pages

    def _read_whole(self) -> dict[int, Article]:
        if self._articles is None:
            from newstui.sources.local import read_local

            with _pages() as folder:
                parsed = read_local(folder, limits=self._limits)
            ids = {key: -(i + 1) for i, (key, _title) in enumerate(self._listed())}
            self._articles = {
                ids[e.key]: _article(ids[e.key], e) for e in parsed.entries if e.key in ids
            }
        return self._articles

    def _headlines(self) -> list[Headline]:
        return [
            Headline(
                -(i + 1),
                WELCOME_FEED_ID,
                FEED_TITLE,
                title,
                None,
                None,
                -(i + 1) in self._read,
                -(i + 1) in self._bookmarked,
            )
            for i, (_key, title) in enumerate(self._listed())
        ]

    def _feed(self) -> Feed:
        pages = self._listed()
        return Feed(
            id=WELCOME_FEED_ID,
            url="newstui:welcome",
            title="Welcome to newstui",
            status=FeedStatus.OK,
            unread=len(pages) - len(self._read),
            total=len(pages),
        )

    def feeds(self) -> list[Feed]:
        return [self._feed()]

    def feed(self, feed_id: int) -> Feed:
        if feed_id != WELCOME_FEED_ID:
            raise NotFoundError(f"no feed with id {feed_id}")
        return self._feed()

    def _shown(self, view: View) -> list[Headline]:
        headlines = self._headlines()
        if view.kind == "unread" or view.unread_only:
            return [h for h in headlines if not h.read]
        return headlines

    def count(self, view: View) -> int:
        return len(self._shown(view))

    def headlines(
        self, view: View, offset: int, limit: int, *, total: int | None = None
    ) -> list[Headline]:
        del total  # a handful of pages in memory: any page is as quick as the first
        return self._shown(view)[offset : offset + limit]

    def view_ids(self, view: View) -> list[int]:
        return [h.id for h in self._shown(view)]

    def position(self, view: View, article_id: int) -> int | None:
        ids = self.view_ids(view)
        return ids.index(article_id) if article_id in ids else None

    def article(self, article_id: int) -> Article:
        article = self._read_whole().get(article_id)
        if article is None:
            raise NotFoundError(f"no article with id {article_id}")
        return replace(
            article, read=article_id in self._read, bookmarked=article_id in self._bookmarked
        )

    def unread_count(self, view: View) -> int:
        return sum(1 for h in self._shown(view) if not h.read)

    def unread_total(self) -> int:
        return self._feed().unread

    def set_flag(self, column: str, article_ids: Sequence[int], value: bool) -> int:
        """Mark pages read or bookmarked (in memory); how many changed. Hiding is not offered:
        the guide is read-only."""
        if column not in ("read", "bookmarked"):
            raise ValueError(f"the Welcome guide keeps no {column!r} mark")
        marked = self._read if column == "read" else self._bookmarked
        pages = {h.id for h in self._headlines()}
        changed = {i for i in article_ids if i in pages and (i in marked) != value}
        if value:
            marked |= changed
        else:
            marked -= changed
        return len(changed)

    def mark_view_read(self, view: View) -> int:
        return len(self.mark_view_read_ids(view))

    def mark_view_read_ids(self, view: View) -> list[int]:
        ids = [h.id for h in self._shown(view) if not h.read]
        self.set_flag("read", ids, True)
        return ids


@contextmanager
def _pages() -> Iterator[Path]:
    """The folder of the guide's pages: the package's own, else (a package in a zip file) a
    copy `importlib.resources` makes. Its reader is not imported while the pages are files: it
    loads zipfile, ~3 ms of an empty library's first paint."""
    if PAGES.is_dir():
        yield PAGES
        return
    from importlib import resources

    with resources.as_file(resources.files("newstui") / "welcome") as folder:
        yield Path(folder)


FEED_TITLE = "Welcome guide"
"""The feed's name in the headlines and the article header."""


def _article(article_id: int, e: ParsedEntry) -> Article:
    return Article(
        id=article_id,
        feed_id=WELCOME_FEED_ID,
        # Bundled pages: no link to where the package happens to be installed.
        feed_title=FEED_TITLE,
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
