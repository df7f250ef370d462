"""The facade: the one API that the CLI and the TUI use (feeds, articles, refresh, import/export)."""

from __future__ import annotations

# API CONTRACT (implementation in progress). Thread-safe: every method may be called from any
# thread; calls are serialised on one SQLite connection. Blocking methods must not be called on the
# Textual event loop for unbounded work (use thread workers); paged reads are cheap (indexed).
#
# class Library:
#     @classmethod
#     def open(cls, config: Config, db_path: Path | str) -> Library     # ":memory:" allowed
#     def close(self) -> None
#     welcome: bool   # UI sets True: while there are no feeds, a bundled read-only Welcome feed
#                     # (id -1, articles with negative ids) shows in feeds()/headlines()/article().
#
#   settings
#     def get_setting(self, key: str) -> str | None ; def set_setting(self, key: str, value: str) -> None
#
#   feeds
#     def feeds(self) -> list[Feed]                       # sorted by display title, casefold
#     def feed(self, feed_id: int) -> Feed                # NotFoundError
#     def find_feed(self, ref: str) -> Feed               # id or exact URL
#     async def add_feed(self, url_or_path: str, *, title: str | None = None,
#                        tags: Sequence[str] = ()) -> Feed   # autodiscovery; SourceError/NotAFeedError
#     def remove_feed(self, feed_id: int) -> None
#     def edit_feed(self, feed_id: int, *, title: str | None, tags: Sequence[str],
#                   full_text: bool | None = None) -> Feed
#     def tags(self) -> list[str]
#
#   articles (View from core.models: kind all|unread|bookmarks|feed|tag|search)
#     def count(self, view: View) -> int
#     def headlines(self, view: View, offset: int = 0, limit: int = 100) -> list[Headline]  # newest first
#     def position(self, view: View, article_id: int) -> int | None   # row index of an article in view
#     def article(self, article_id: int) -> Article
#     def set_read(self, article_ids: Sequence[int], read: bool = True) -> None
#     def mark_view_read(self, view: View) -> int
#     def set_bookmarked(self, article_ids: Sequence[int], bookmarked: bool = True) -> None
#     def next_unread(self, view: View, after: int | None, *, backwards: bool = False) -> int | None
#         # newsboat-like: first unread after `after` in this view's order, then following feeds,
#         # wrapping; returns an article id or None
#     def unread_total(self) -> int ; def bookmark_count(self) -> int
#
#   refresh
#     async def refresh(self, feed_ids: Sequence[int] | None = None, *,
#                       progress: Callable[[RefreshProgress], None] | None = None,
#                       background: bool = False) -> list[FeedOutcome]
#         # background=True: used by the TUI, parse processes run at lower priority and
#         # Cache-Control/TTL hints may skip feeds.
#
#   full text
#     async def fetch_full_text(self, article_id: int) -> str   # Markdown; cached in the database
#
#   import / export
#     def import_opml(self, path: Path) -> ImportReport (added, skipped, warnings)
#     def export_opml(self) -> str
#     def export_bookmarks(self, fmt: str) -> str   # markdown | json | netscape
