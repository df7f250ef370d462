"""Plain data shared by every layer: frozen dataclasses, UTC datetimes, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


class FeedStatus(StrEnum):
    """Outcome of a feed's last check, as shown by `feeds --json`."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"
    GONE = "gone"
    NEVER = "never"


class ContentType(StrEnum):
    """How an article body is written."""

    HTML = "html"
    TEXT = "text"
    MARKDOWN = "markdown"


@dataclass(frozen=True, slots=True)
class Enclosure:
    """An audio or video file attached to an entry (a podcast episode's mp3)."""

    url: str
    type: str | None = None
    """Its MIME type as the feed gives it (`audio/mpeg`), or None."""
    length: int | None = None
    """Its size in bytes, when the feed gives a plausible one."""
    duration: int | None = None
    """Seconds, from `itunes:duration` or Media RSS, when given."""

    @property
    def kind(self) -> str:
        """`audio`, `video` or `file`: which player opens it."""
        major = (self.type or "").split("/", 1)[0].lower()
        return major if major in ("audio", "video") else "file"


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry as a parser saw it: untrusted text, not yet stored."""

    key: str
    """Identity within its feed: guid, else link, else a hash of title and content."""
    title: str
    url: str | None = None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    content: str = ""
    content_type: ContentType = ContentType.HTML
    site: str | None = None
    enclosures: tuple[Enclosure, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a parser made of a document."""

    title: str | None
    site_url: str | None
    entries: tuple[ParsedEntry, ...]
    warning: str | None = None
    """Set when the document was broken but still yielded entries."""
    ttl_minutes: int | None = None
    """How long the feed says it may be cached (RSS `<ttl>`)."""


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription with its last outcome and counts."""

    id: int
    url: str
    title: str | None
    """The user's title; falls back to `feed_title`, then the URL."""
    feed_title: str | None = None
    site_url: str | None = None
    tags: tuple[str, ...] = ()
    status: FeedStatus = FeedStatus.NEVER
    error: str | None = None
    http_status: int | None = None
    last_checked: datetime | None = None
    retry_after: datetime | None = None
    full_text: bool = False
    unread: int = 0
    total: int = 0
    account: str | None = None
    """The sync account the feed belongs to (its articles come from that server), if any."""
    retention_days: int | None = None
    """Days read articles are kept; None: the config's `retention_days`, 0: for ever."""
    refresh_minutes: int | None = None
    """How often automatic refreshes check this feed; None: the config's interval."""
    user_agent: str | None = None
    """The User-Agent sent for this feed; None: the config's."""
    paused: bool = False
    """Refreshes of all feeds leave a paused feed alone."""

    @property
    def display_title(self) -> str:
        return self.title or self.feed_title or self.url


class FeedRow(NamedTuple):
    """A feed as the feeds pane lists it: what its row shows and the folders it sits in, read
    in one narrow query (a tuple, not a `Feed`: 20,000 of them cost what ~2,000 `Feed`s do).
    The whole `Feed` is read for the one a user acts on."""

    id: int
    title: str
    """`Feed.display_title`."""
    failed: bool
    """Its last check failed (`FeedStatus.ERROR` or `GONE`)."""
    unread: int
    tags: tuple[str, ...] = ()
    error: str | None = None
    """What the failed check said."""


class FeedOutline(NamedTuple):
    """The feeds pane's first screen, read without reading every feed: each folder's size, the
    number of feeds in none, and the first rows in the pane's order (each folder's, then the
    loose feeds', until a screen is full). The rest is read after the first paint."""

    folders: tuple[tuple[str, int, tuple[FeedRow, ...]], ...]
    """Each tag (in the pane's order) with the number of its feeds and its first rows."""
    loose: int
    """Feeds in no folder."""
    loose_rows: tuple[FeedRow, ...]
    """Their first rows."""


@dataclass(frozen=True, slots=True)
class Headline:
    """One row of the headline list: what the list shows, without the body."""

    id: int
    feed_id: int
    feed_title: str
    title: str
    url: str | None
    published: datetime | None
    read: bool
    bookmarked: bool


@dataclass(frozen=True, slots=True)
class Article:
    """A stored article with its body."""

    id: int
    feed_id: int
    feed_title: str
    key: str
    title: str
    url: str | None
    author: str | None
    site: str | None
    published: datetime | None
    updated: datetime | None
    content: str
    content_type: ContentType
    read: bool
    bookmarked: bool
    full_text: str | None = None
    """Extracted Markdown of the web page, when fetched (for a local HTML file: its reader text)."""
    enclosures: tuple[Enclosure, ...] = ()
    also_in: tuple[str, ...] = ()
    """The titles of the other feeds that carry the same story."""


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """The result of refreshing one feed, as `refresh --json` reports it."""

    feed_id: int
    url: str
    status: FeedStatus
    http_status: int | None = None
    new: int = 0
    updated: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshProgress:
    """A progress event from a running refresh."""

    done: int
    total: int
    outcome: FeedOutcome | None = None


class ViewKind(StrEnum):
    """What a View shows."""

    ALL = "all"
    UNREAD = "unread"
    BOOKMARKS = "bookmarks"
    FEED = "feed"
    TAG = "tag"
    SEARCH = "search"
    QUERY = "query"
    """A saved view."""


@dataclass(frozen=True, slots=True, init=False)
class View:
    """What the headline list shows: a virtual view, one feed, a tag, or a search."""

    kind: ViewKind
    feed_id: int | None
    tag: str | None
    query: str | None
    """A search's or saved view's query (query's language)."""
    name: str | None
    """A saved view's name."""
    unread_only: bool
    """Only the view's unread articles (the reader's "hide read articles")."""

    def __init__(  # a kind given as its value ("feed") is made a ViewKind, or refused here
        self,
        kind: ViewKind | str,
        feed_id: int | None = None,
        tag: str | None = None,
        query: str | None = None,
        name: str | None = None,
        unread_only: bool = False,
    ) -> None:
        try:
            checked = ViewKind(kind)
        except ValueError:
            raise ValueError(f"no kind of view {kind!r}") from None
        for field, value in (
            ("kind", checked),
            ("feed_id", feed_id),
            ("tag", tag),
            ("query", query),
            ("name", name),
            ("unread_only", unread_only),
        ):
            object.__setattr__(self, field, value)


@dataclass(frozen=True, slots=True)
class SavedView:
    """A named query shown under the built-in views, with its counts."""

    name: str
    query: str
    unread: int = 0
    total: int = 0
    origin: str = "user"
    """"config" for a view from the config file's [views], "user" for one added by newstui."""
