"""The project's exception types: every expected failure is one of these, with a one-line message."""

from __future__ import annotations


class NewstuiError(Exception):
    """Base of every error newstui reports to the user as a message (never a traceback)."""


class ConfigError(NewstuiError):
    """The configuration file is unreadable or invalid."""


class StorageError(NewstuiError):
    """The database cannot be opened, read or written."""


class StorageFailure(StorageError):
    """The database's storage failed (disk full, I/O error, read-only or corrupt file).

    Nothing more can be written, so whatever is under way (a refresh) stops at once; the
    transaction that failed was rolled back and everything committed before is kept.
    """


class SourceError(NewstuiError):
    """A feed or local source cannot be read."""


class FetchError(SourceError):
    """An HTTP fetch failed (network, status, size cap, deadline)."""


class ParseError(SourceError):
    """A document is not a feed, or is too broken to yield anything."""


class NotAFeedError(ParseError):
    """An HTML page was found where a feed was expected; it may advertise feeds."""

    def __init__(self, message: str, candidates: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        #: (url, title) pairs of the feeds the page links to, best first.
        self.candidates: list[tuple[str, str]] = candidates or []


class OPMLError(NewstuiError):
    """An OPML file is malformed."""


class NotFoundError(NewstuiError):
    """A feed or article named by the user does not exist."""


class ExtractionError(SourceError):
    """A web page has no main text that can be extracted (paywall, script-only, not HTML)."""
