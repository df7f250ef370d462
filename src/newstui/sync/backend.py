"""The one typed interface every sync server speaks (`Backend`), and the plain data it returns.

Everything a backend returns is untrusted: the engine cleans and caps every string before it is
stored (domain.text is the boundary), whatever the backend did.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RemoteCategory:
    """A folder on the server."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class RemoteFeed:
    """A subscription on the server."""

    id: str
    title: str
    url: str
    site_url: str | None = None
    category_id: str | None = None
    unread: int | None = None
    """The server's count of this feed's unread articles, when it says (lets a sync skip
    re-reading the read state of a feed whose count did not move)."""


@dataclass(frozen=True, slots=True)
class RemoteArticle:
    """An article as the server serves it."""

    id: str
    feed_id: str
    title: str
    url: str | None
    author: str | None
    published: datetime | None
    updated: datetime | None
    content: str
    read: bool
    starred: bool


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """One page of new articles and the cursor to store once it is stored."""

    articles: Sequence[RemoteArticle]
    cursor: str | None
    """Where the next sync starts, or None while the pull is not finished (only the last page's
    cursor is stored: a sync killed midway starts the pull again, which stores nothing twice)."""


class Backend(Protocol):
    """A sync server's API, as the engine uses it. Every method raises `SyncError` on failure.

    After `login`, two reads may run at once from two threads (categories with feeds, starred
    with recently read): a backend keeps its session state safe for that."""

    #: Largest batch of ids `set_flag` takes in one request.
    max_batch: int

    def login(self) -> None:
        """Authenticate (again); `SyncError(kind="auth")` when refused."""

    def categories(self) -> list[RemoteCategory]: ...

    def feeds(self) -> list[RemoteFeed]: ...

    def new_articles(
        self, cursor: str | None, stored: Callable[[Sequence[str]], set[str]]
    ) -> Iterator[ArticlePage]:
        """Articles new since `cursor` (everything when None), page by page. `stored(ids)` says
        which of these ids are already here, for a server that lists ids before contents."""

    def unread_ids(self, feed_ids: Collection[str] | None) -> set[str]:
        """Ids of the unread articles of these feeds (of all feeds when None)."""

    def starred_ids(self) -> set[str]: ...

    def recently_read_ids(self) -> set[str]:
        """Ids of articles read lately (a hint that catches read-here-unread-there swaps that
        leave a feed's unread count unchanged); empty when the server cannot say."""

    def set_flag(self, article_ids: Sequence[str], flag: str, value: bool) -> None:
        """Set "read" or "starred" on these articles (idempotent)."""

    def subscribe(self, url: str, category: str | None) -> str:
        """Subscribe to `url`, in the folder titled `category` where the server can; the new (or
        existing) feed's id."""

    def unsubscribe(self, feed_id: str) -> None: ...

    def close(self) -> None: ...
