"""The main screen: feeds, headlines and the article side by side; owns the reader's actions."""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import suppress
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Markdown

from newstui.config import Config
from newstui.domain.display import UNDATED
from newstui.domain.errors import NewstuiError
from newstui.domain.models import (
    Article,
    ContentType,
    Enclosure,
    Feed,
    FeedOutcome,
    FeedStatus,
    Headline,
    RefreshProgress,
    SavedView,
    View,
)
from newstui.domain.text import clean_line
from newstui.library.facade import (
    WELCOME_FEED_ID,
    Library,
    QueryError,
    local_file,
    parse,
    reads_as_page,
    search_marks,
)
from newstui.ui.article_body import ArticleBody, article_body
from newstui.ui.opener import check_link, launch, open_file, open_in_browser, player_command
from newstui.ui.screens.confirm import ConfirmScreen
from newstui.ui.screens.edit_feed import EditFeedScreen, FeedEdit
from newstui.ui.screens.links import LinksScreen
from newstui.ui.screens.prompt import PromptScreen
from newstui.ui.threads import run_in_thread_loop
from newstui.ui.undo import Mark, UndoStack, describe
from newstui.ui.widgets import article_image
from newstui.ui.widgets.article_image import ImageCache, decode_image
from newstui.ui.widgets.article_view import ArticleView
from newstui.ui.widgets.feed_tree import FeedTree, view_label
from newstui.ui.widgets.footer import Footer
from newstui.ui.widgets.headline_list import PAGE_SIZE, HeadlineList
from newstui.ui.widgets.status_line import StatusLine
from newstui.ui.widgets.view_header import ViewHeader

log = logging.getLogger(__name__)

NARROW_WIDTH = 120
"""Below this many columns the article takes the whole width while it is being read."""
FULL_TEXT_NOTE = "Full article from its web page · {key}: the feed's text"
FETCHING_NOTE = "Fetching the full article…"
READER_NOTE = "Reader view of the page · {key}: the whole page"
WHOLE_PAGE_NOTE = "The whole page · {key}: the reader view"


class MainScreen(Screen[None]):
    """The reader. Keys here work from any pane.

    | Key | Action |
    | --- | --- |
    | `tab`/`l`/`right`, `shift+tab`/`h`/`left` | Next / previous pane |
    | `n` / `p` | Next / previous unread article (across feeds) |
    | `J` / `K` | Next / previous article |
    | `b` / `B` | Toggle bookmark / go to Bookmarks |
    | `m` / `A` | Toggle read / mark the view read (asks first past `confirm_mark_over`) |
    | `u` | Undo the last mark (read, unread, view read, bookmark), again for the one before |
    | `r` / `R` | Refresh the selected feed / all feeds |
    | `o` / `y` | Open the link in the browser / copy it |
    | `f` | Full article from its web page / back to the feed's text |
    | `L` | Pick one of the article's links (or audio/video files) to open |
    | `E` | Play the article's audio or video file ([open] in the config) |
    | `/` | Search |
    | `q`, `escape` | Back one level: article, headlines (or the search), feeds |
    | `V` | Save the search as a view (shown under the built-in views) |
    | `a`, `d`, `e` | Add, delete, edit a feed |
    | `H` / `U` | Hide read articles in the list / feeds with nothing unread (toggles) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab,l,right", "next_pane", "Next pane", id="next_pane", show=False),
        Binding("shift+tab,h,left", "prev_pane", "Previous pane", id="prev_pane", show=False),
        Binding("n", "next_unread", "Next unread", id="next_unread"),
        Binding("p", "prev_unread", "Prev unread", id="prev_unread", show=False),
        Binding("J", "next_article", "Next article", id="next_article", show=False),
        Binding("K", "prev_article", "Previous article", id="prev_article", show=False),
        Binding("b", "toggle_bookmark", "Bookmark", id="toggle_bookmark"),
        Binding("B", "show_bookmarks", "Bookmarks", id="show_bookmarks", show=False),
        Binding("m", "toggle_read", "Read/unread", id="toggle_read"),
        Binding("A", "mark_all_read", "Mark view read", id="mark_all_read", show=False),
        Binding("u", "undo", "Undo the last mark", id="undo", show=False),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("R", "refresh_all", "Refresh all", id="refresh_all", show=False),
        Binding("S", "sync", "Sync accounts", id="sync", show=False),
        Binding("o", "open_link", "Open link", id="open_link"),
        Binding("y", "copy_link", "Copy link", id="copy_link", show=False),
        Binding("f", "full_text", "Full text", id="full_text", show=False),
        Binding("L", "show_links", "Links", id="show_links", show=False),
        Binding("E", "play_enclosure", "Play audio/video", id="play_enclosure", show=False),
        Binding("slash", "search", "Search", id="search"),
        Binding("q,escape", "back", "Back", id="back"),
        Binding("V", "save_view", "Save as a view", id="save_view", show=False),
        Binding("a", "add_feed", "Add feed", id="add_feed", show=False),
        Binding("d", "delete_feed", "Delete feed", id="delete_feed", show=False),
        Binding("e", "edit_feed", "Edit feed", id="edit_feed", show=False),
        Binding("H", "toggle_hide_read", "Hide read", id="hide_read", show=False),
        Binding(
            "U",
            "toggle_hide_read_feeds",
            "Hide read feeds",
            id="hide_read_feeds",
            show=False,
        ),
    ]

    REFRESH_TICK = 60.0
    """Seconds between checks for feeds due an automatic refresh (see Library.due_feeds)."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """Textual's Screen redraws the whole screen on every focus change (opening a feed was a
    full redraw of all three panes); each pane repaints what its focus changes itself (the
    lists their cursor row, see CursorRowFocus; the article pane its border and tint)."""

    class RefreshTick(Message):
        """A progress event from a running refresh (posted from the refresh thread)."""

        def __init__(self, progress: RefreshProgress) -> None:
            self.progress = progress
            super().__init__()

    def __init__(
        self,
        library: Library,
        config: Config,
        *,
        open_source: str | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.config = config
        self.open_source = open_source
        self.tz = tz
        self.view = View("all")
        self.previous_view = View("all")
        self.open_article: Article | None = None
        self.feeds: dict[int, Feed] = {}
        self.refreshing = False
        self.hide_read = False
        """The list shows unread articles only (`H`)."""
        self.hide_read_feeds = False
        """The feeds pane leaves out feeds with nothing unread (`U`)."""
        self._reload_pending = False
        self.full_text_choice: dict[int, bool] = {}
        """Per article, this session: show the fetched web page (True) or the feed's text."""
        self._fetching: set[int] = set()
        self.image_cache = ImageCache()
        """Pictures decoded this session, by URL."""
        self._header_retries = 0
        self.marks = UndoStack()
        """This session's marks, for `u`."""

    # ---- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        display = self.config.display
        yield ViewHeader(id="header")
        with Horizontal(id="panes"):
            yield FeedTree(id="feeds")
            yield HeadlineList(
                self.library,
                date_format=display.list_date_format,
                headline_format=display.headline_format,
                tz=self.tz,
                id="headlines",
            )
            yield ArticleView(
                reading_width=display.reading_width, date_format=display.date_format, id="article"
            )
        yield StatusLine(id="status")
        yield Footer()

    @property
    def feed_tree(self) -> FeedTree:
        return self.query_one(FeedTree)

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one(HeadlineList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def header(self) -> ViewHeader:
        return self.query_one(ViewHeader)

    @property
    def panes(self) -> list[Widget]:
        return [self.feed_tree, self.headlines, self.article_view]

    def on_mount(self) -> None:
        self.header.columns_of = self._pane_columns
        if self.open_source:
            self.header.hint = (
                f"reading {clean_line(self.open_source, max_length=80)} (not subscribed)"
            )
        self.headlines.focus()
        self._start()
        # Each tick refreshes the feeds whose interval (their own or the config's) has gone by.
        self.set_interval(self.REFRESH_TICK, self._periodic_refresh)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        self.header.refresh()  # the panes moved: their titles follow (drawn after the layout)

    def on_descendant_focus(self) -> None:
        self.set_class(self.focused is self.article_view, "-reading")
        self.refresh_bindings()
        names = {id(self.feed_tree): "feeds", id(self.article_view): "article"}
        self.header.focused_pane = names.get(id(self.focused), "headlines")
        self.header.refresh()

    def _pane_columns(self) -> tuple[tuple[str, int, int], ...]:
        """Where the panes are now: the header draws a title over each."""
        names = ("feeds", "headlines", "article")
        shown = [(n, p.region) for n, p in zip(names, self.panes, strict=True) if p.display]
        if any(not r.width for _, r in shown) or sum(r.width for _, r in shown) != self.size.width:
            # A pane shown or hidden, or the screen resized, and not laid out yet: draw the
            # titles again once it is (a few tries at most).
            if self._header_retries < 5:
                self._header_retries += 1
                self.call_after_refresh(self.header.refresh)
        else:
            self._header_retries = 0
        return tuple((n, r.x, r.width) for n, r in shown if r.width)

    # ---- start-up -----------------------------------------------------------------------------

    @work(group="startup", exclusive=True)
    async def _start(self) -> None:
        feeds = await self._reload_feeds(first=True)
        self._show_view(View("all"))
        # What exists after the first paint (modules, widgets, styles) lives as long as the app:
        # frozen, the collector no longer walks it. Unfrozen, each full collection during a
        # refresh walked all of it on the UI thread: 45 ms pauses, the worst stalls of a refresh.
        self.call_after_refresh(gc.freeze)
        if len(feeds) == 1 and feeds[0].id == WELCOME_FEED_ID:
            first = await asyncio.to_thread(
                self.library.headlines, View("feed", feed_id=WELCOME_FEED_ID), 0, 1
            )
            if first:
                # Narrow, only the focused pane shows: the guide itself is the first screen.
                self._open(first[0].id, focus=self.size.width < NARROW_WIDTH)
        elif self.open_source:
            # `newstui open FILE` of one article: the reader shows that article, not a list of one.
            first = await asyncio.to_thread(self.library.headlines, View("all"), 0, 2)
            if len(first) == 1:
                self._open(first[0].id, focus=True)
        elif self.config.refresh.refresh_on_start and feeds:
            # After the first paint: the cached library shows at once, the network comes later.
            self.call_after_refresh(self._refresh, None, True)
        if self.config.refresh.refresh_on_start and not self.open_source and self.config.accounts:
            self.call_after_refresh(self._sync, True)

    @work(group="periodic", exclusive=True)
    async def _periodic_refresh(self) -> None:
        if self.refreshing or self.open_source:
            return
        due = await asyncio.to_thread(self.library.due_feeds)
        if due and not self.refreshing:
            self._refresh(due, True)

    # ---- loading ------------------------------------------------------------------------------

    async def _reload_feeds(self, *, first: bool = False) -> list[Feed]:
        def load() -> tuple[list[Feed], int, int, int, list[SavedView]]:
            lib = self.library
            return (
                lib.feeds(),
                lib.unread_total(),
                lib.bookmark_count(),
                lib.count(View("all")),
                lib.saved_views(counts=False),
            )

        if first:
            # Before the first paint, on the loop: four indexed queries (~20 ms for 2,000 feeds)
            # run faster here than in a thread fighting Textual's start-up for the GIL.
            feeds, unread, bookmarks, total, views = load()
        else:
            feeds, unread, bookmarks, total, views = await asyncio.to_thread(load)
        self.feeds = {f.id: f for f in feeds}
        self.feed_tree.set_feeds(
            self._shown_feeds(feeds),
            unread_total=unread,
            bookmarks=bookmarks,
            total=total,
            views=views,
        )
        if views:
            self._count_views(views)
        self._update_header()
        highlighted = self.feed_tree.highlighted_feed
        if highlighted is not None:
            self._describe_feed(self.feeds.get(highlighted.id))
        return feeds

    def _shown_feeds(self, feeds: list[Feed]) -> list[Feed]:
        """The feeds the pane lists: with `U`, those with something unread (and the one open)."""
        if not self.hide_read_feeds:
            return feeds
        keep = self.view.feed_id if self.view.kind == "feed" else None
        return [f for f in feeds if f.unread or f.id == keep]

    def action_toggle_hide_read(self) -> None:
        self.hide_read = not self.hide_read
        selected = self.headlines.selected
        self._show_view(self.view, select_id=selected.id if selected else None)
        self.notify(
            "Read articles hidden" if self.hide_read else "Read articles shown",
            markup=False,
            timeout=2,
        )

    def action_toggle_hide_read_feeds(self) -> None:
        self.hide_read_feeds = not self.hide_read_feeds
        self._reload_counts()
        self.notify(
            "Feeds with nothing unread hidden" if self.hide_read_feeds else "All feeds shown",
            markup=False,
            timeout=2,
        )

    @work(group="view-counts", exclusive=True)
    async def _count_views(self, views: list[SavedView]) -> None:
        """The saved views' unread counts, off the loop: each is a query of its own."""
        counts = await asyncio.to_thread(
            lambda: {v.name: self.library.view_unread(v.query) for v in views}
        )
        self.feed_tree.set_view_counts(counts)

    @work(group="counts", exclusive=True)
    async def _reload_counts(self) -> None:
        await self._reload_feeds()

    def _schedule_reload(self) -> None:
        """Counts and the list again, at most a few times a second during a refresh."""
        if self._reload_pending:
            return
        self._reload_pending = True

        def run() -> None:
            self._reload_pending = False
            self._reload_counts()
            self.headlines.reload()

        self.set_timer(0.3, run)

    def _empty_text(self, view: View) -> str:
        real_feeds = [f for f in self.feeds if f != WELCOME_FEED_ID]
        if view.kind in ("all", "unread") and not real_feeds:
            return "No feeds yet: press a to add one (a URL, a web page, a file or a folder)."
        if self.hide_read and view.kind not in ("search", "query"):
            key = self._key_for("hide_read", "H")
            return f"Nothing unread here. {key} shows the read articles too."
        return {
            "all": "No articles yet: press R to refresh your feeds.",
            "unread": "Nothing unread. R refreshes; B shows your bookmarks.",
            "bookmarks": "No bookmarks yet: press b on an article to keep it here.",
            "tag": "No articles with this tag yet: press R to refresh.",
            "search": "No matches. Press / to search again, escape to go back.",
        }.get(view.kind, "This feed has no articles yet: press r to refresh it.")

    def _show_view(self, view: View, *, select_id: int | None = None, focus: bool = False) -> None:
        """Show `view` in the headlines pane; with `focus`, move the focus there once it is
        loaded: the header, the rows and the focus change in one frame (opening a feed used to
        draw the old list focused, then the new one)."""
        if view.kind != "search":
            self.previous_view = view
            if self.feed_tree.highlighted_view != view:
                self.feed_tree.select_view(view)
        self.view = view
        self.headlines.empty_text = self._empty_text(view)

        def shown() -> None:
            self._update_header()
            if focus:
                self.set_focus(self.headlines)
                self.refresh_bindings()  # the footer's keys in the same frame too
            if self.open_article is not None and (
                view.kind in ("search", "query") or self.article_view.marks
            ):
                self._recheck_article(view, self.open_article)

        listed = replace(view, unread_only=True) if self.hide_read else view
        self.headlines.show(listed, select_id=select_id, then=shown, at_once=not self.refreshing)
        self.refresh_bindings()

    @work(group="article-check", exclusive=True)
    async def _recheck_article(self, view: View, article: Article) -> None:
        """After the results changed: the open article goes when the new results lack it, and
        keeps the new search's highlights when they hold it, so nothing stale stays in view."""
        if article.id < 0:
            inside = True
        else:
            inside = await asyncio.to_thread(self.library.position, view, article.id) is not None
        if self.view != view or self.open_article is not article:
            return  # the user moved on meanwhile
        body = self.article_view.body
        if not inside or body is None:
            self.open_article = None
            await self.article_view.show(None, None)
            self.refresh_bindings()
        else:
            await self._show_body(article, body, note=self.article_view.note)

    def _update_header(self) -> None:
        name = view_label(self.view, self.feeds)
        self.header.view_name = f"{name} · unread only" if self.hide_read else name
        if self.headlines.loaded:
            n = self.headlines.count
            self.header.counts = f"{n} article{'s' if n != 1 else ''}"

    # ---- messages from the panes --------------------------------------------------------------

    def on_feed_tree_chosen(self, event: FeedTree.Chosen) -> None:
        self._show_view(event.view, focus=True)

    def on_feed_tree_feed_highlighted(self, event: FeedTree.FeedHighlighted) -> None:
        self._describe_feed(event.feed)
        view = self.feed_tree.highlighted_view
        if self.focused is self.feed_tree and view is not None and view != self.view:
            # The cursor and the list agree: what the feeds pane points at is what is shown.
            self._show_view(view)
        self.refresh_bindings()

    def _describe_feed(self, feed: Feed | None) -> None:
        if feed is not None and feed.status in (FeedStatus.ERROR, FeedStatus.GONE) and feed.error:
            title = clean_line(feed.display_title, max_length=60)
            self.status.detail = (
                f"! {title}: last refresh failed: {clean_line(feed.error, max_length=300)}"
            )
        else:
            self.status.detail = ""

    def on_headline_list_loaded(self, event: HeadlineList.Loaded) -> None:
        self._update_header()

    def on_headline_list_opened(self, event: HeadlineList.Opened) -> None:
        self._open(event.headline.id, focus=True)

    @on(Markdown.LinkClicked)
    def on_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        event.prevent_default()
        self.open_link(event.href)

    # ---- opening articles ---------------------------------------------------------------------

    def _format_date(self, when: datetime | None) -> str:
        if when is None:
            return UNDATED
        local = when.astimezone(self.tz) if self.tz else when.astimezone()
        try:
            return clean_line(local.strftime(self.config.display.date_format), max_length=60)
        except ValueError:
            return local.strftime("%Y-%m-%d %H:%M")

    @work(group="article", exclusive=True)
    async def _open(self, article_id: int, *, focus: bool, follow: bool = False) -> None:
        mark = self.config.display.mark_read_on_open

        def load() -> tuple[Article, ArticleBody]:
            article = self.library.article(article_id)
            if mark and not article.read:
                self.library.set_read([article_id], True)
                article = replace(article, read=True)
            return article, article_body(
                self.library, article, full_text=self._wants_full_text(article)
            )

        try:
            article, body = await asyncio.to_thread(load)
        except NewstuiError as exc:
            self.notify(clean_line(exc), severity="error", markup=False)
            return
        if follow and self.view.kind == "feed" and article.feed_id != self.view.feed_id:
            # `n` went on to the next feed: show that feed's list, like newsboat does.
            view = View("feed", feed_id=article.feed_id)
            self._show_view(view, select_id=article.id)
        else:
            row = self.headlines.row_of(article.id)
            if row is not None:
                self.headlines.cursor = row
            else:
                self.headlines.reload(select_id=article.id)
        self.open_article = article
        self.headlines.update_headline(article.id, read=article.read)
        await self._show_body(article, body)
        if focus:
            self.article_view.focus()
        self.refresh_bindings()
        self._reload_counts()
        if self.full_text_choice.get(article.id) and not article.full_text:
            self._fetch_full_text(article)

    def action_next_unread(self) -> None:
        self._jump_unread(backwards=False)

    def action_prev_unread(self) -> None:
        self._jump_unread(backwards=True)

    @work(group="navigate", exclusive=True)
    async def _jump_unread(self, *, backwards: bool) -> None:
        after = self.open_article.id if self.open_article else None
        if after is not None and self.view.kind not in (
            "feed",
            "all",
            "unread",
            "tag",
            "bookmarks",
            "search",
        ):
            after = None
        order = self.feed_tree.feed_order(self.view.feed_id) if self.view.kind == "feed" else None
        found = await asyncio.to_thread(
            self.library.next_unread, self.view, after, backwards=backwards, order=order
        )
        if found is None:
            self.notify("No unread articles left.", markup=False)
            return
        self._open(found, focus=True, follow=True)

    def _step_article(self, step: int) -> None:
        start = self.headlines.cursor
        if self.open_article is not None:
            row = self.headlines.row_of(self.open_article.id)
            if row is not None:
                start = row
        target = start + step
        if not 0 <= target < self.headlines.count:
            self.notify(
                "No more articles in this list." if step > 0 else "This is the first article.",
                markup=False,
            )
            return
        self.headlines.cursor = target
        self.headlines.action_open()

    def action_next_article(self) -> None:
        self._step_article(1)

    def action_prev_article(self) -> None:
        self._step_article(-1)

    # ---- flags --------------------------------------------------------------------------------

    def _target(self) -> Headline | Article | None:
        """The article an action applies to: the one being read, else the selected headline."""
        if self.focused is self.article_view and self.open_article is not None:
            return self.open_article
        selected = self.headlines.selected if self.headlines.count else None
        return selected or self.open_article

    def action_toggle_bookmark(self) -> None:
        target = self._target()
        if target is None:
            self.notify("Select an article first.", markup=False)
            return
        self._set_flags(target.id, bookmarked=not target.bookmarked)

    def action_toggle_read(self) -> None:
        target = self._target()
        if target is None:
            self.notify("Select an article first.", markup=False)
            return
        self._set_flags(target.id, read=not target.read)

    @work(group="flags")
    async def _set_flags(
        self, article_id: int, *, read: bool | None = None, bookmarked: bool | None = None
    ) -> None:
        flag: Literal["read", "bookmarked"] = "read" if read is not None else "bookmarked"
        value = read if read is not None else bool(bookmarked)
        await self._write_flag([article_id], flag, value)
        if flag == "bookmarked":
            self.notify("Bookmarked." if value else "Bookmark removed.", markup=False, timeout=2)

    async def _write_flag(
        self,
        ids: list[int],
        flag: Literal["read", "bookmarked"],
        value: bool,
        *,
        undo: bool = False,
    ) -> None:
        """Write one flag of some articles, then show it; kept for `u` unless it is an undo."""
        setter = self.library.set_read if flag == "read" else self.library.set_bookmarked
        await asyncio.to_thread(setter, ids, value)
        if not undo:
            self.marks.push(Mark(flag, tuple(ids), not value, describe(flag, value, len(ids))))
        read = value if flag == "read" else None
        bookmarked = value if flag == "bookmarked" else None
        for article_id in ids[:PAGE_SIZE]:
            self.headlines.update_headline(article_id, read=read, bookmarked=bookmarked)
        if len(ids) > PAGE_SIZE:
            self.headlines.reload()
        article = self.open_article
        if article is not None and article.id in ids:
            if read is not None:
                article = replace(article, read=read)
            if bookmarked is not None:
                article = replace(article, bookmarked=bookmarked)
            self.open_article = article
            self.article_view.set_flags(self.open_article, self._format_date(article.published))
        self._reload_counts()

    def action_show_bookmarks(self) -> None:
        view = View("bookmarks")
        self._show_view(view, focus=True)

    def action_mark_all_read(self) -> None:
        self._ask_mark_view_read(self.view)

    @work(group="flags")
    async def _ask_mark_view_read(self, view: View) -> None:
        """Mark the view read; past `confirm_mark_over` articles, ask first (y/n)."""
        unread = await asyncio.to_thread(self.library.unread_count, view)
        if unread == 0:
            self.notify("Nothing unread here.", markup=False, timeout=3)
            return
        if unread <= self.config.display.confirm_mark_over:
            self._mark_view_read(view)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._mark_view_read(view)

        question = Content.assemble(
            "Mark ",
            Content.styled(f"{unread} articles", "bold"),
            " in ",
            Content.styled(view_label(view, self.feeds), "bold"),
            " read?\n",
            Content.styled(f"{self._key_for('undo', 'u')} undoes it.", "$text-muted"),
        )
        self.app.push_screen(ConfirmScreen(question), done)

    @work(group="flags")
    async def _mark_view_read(self, view: View) -> None:
        ids = await asyncio.to_thread(self.library.mark_view_read_ids, view)
        what = describe("read", True, len(ids))
        self.marks.push(Mark("read", tuple(ids), False, what))
        undo_key = self._key_for("undo", "u")
        self.notify(f"{what}. {undo_key} undoes it.", markup=False, timeout=4)
        self.headlines.reload()
        self._reload_counts()

    def action_undo(self) -> None:
        mark = self.marks.pop()
        if mark is None:
            self.notify("Nothing to undo.", markup=False, timeout=3)
            return
        self._undo(mark)

    @work(group="flags")
    async def _undo(self, mark: Mark) -> None:
        try:
            await self._write_flag(list(mark.ids), mark.flag, mark.before, undo=True)
        except BaseException:
            self.marks.push(mark)  # not undone: still there to try again
            raise
        if self.view.kind in ("unread", "bookmarks", "search", "query"):
            self.headlines.reload()  # articles come back into (or leave) the view
        self.notify(f"Undone: {mark.what}.", markup=False, timeout=3)

    # ---- panes --------------------------------------------------------------------------------

    def _focus_pane(self, step: int) -> None:
        """The pane beside the focused one; nothing past either end (no wrapping round)."""
        panes = self.panes
        current = self.focused
        index = panes.index(current) if current in panes else 1
        target = index + step
        if not 0 <= target < len(panes):
            return
        if panes[target] is self.article_view and self.open_article is None:
            # Nothing to read yet: moving right opens the selected headline.
            if self.headlines.selected is not None:
                self.headlines.action_open()
            return
        panes[target].focus()

    def action_next_pane(self) -> None:
        self._focus_pane(1)

    def action_prev_pane(self) -> None:
        self._focus_pane(-1)

    # ---- links --------------------------------------------------------------------------------

    def _link_target(self) -> str | None:
        target = self._target()
        return target.url if target is not None else None

    def action_open_link(self) -> None:
        target = self._target()
        if target is None:
            self.notify("Select an article first.", markup=False)
            return
        path = local_file(target)
        if path is not None:
            self._open_file(str(path))
            return
        self.open_link(target.url)

    @work(group="browser", thread=True)
    def _open_file(self, path: str) -> None:
        """A local article's own file, handed to the system's opener (an argument list)."""
        problem = open_file(path)
        if problem is not None:
            self.app.call_from_thread(self.notify, problem, severity="warning", markup=False)

    def open_link(self, url: str | None) -> None:
        """The one place a link is opened: checked, then `webbrowser` in a thread."""
        problem = check_link(url)
        if problem is not None or url is None:
            self.notify(problem or "No link.", severity="warning", markup=False)
            return
        self._browse(url)

    @work(group="browser", thread=True)
    def _browse(self, url: str) -> None:
        opened = open_in_browser(url)
        if not opened:
            self.app.call_from_thread(
                self.notify,
                "No browser could be started (set $BROWSER).",
                severity="warning",
                markup=False,
            )

    def action_copy_link(self) -> None:
        url = self._link_target()
        if not url:
            self.notify("This article has no link.", markup=False)
            return
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {clean_line(url, max_length=100)}", markup=False, timeout=3)

    def action_show_links(self) -> None:
        article = self.open_article
        if article is None:
            self.notify("Open an article first.", markup=False)
            return
        links = self.article_view.links
        if not links and not article.enclosures:
            self.notify("This article has no links.", markup=False, timeout=3)
            return

        def done(url: str | None) -> None:
            for enclosure in article.enclosures:
                if enclosure.url == url:
                    self._play(enclosure)
                    return
            if url:
                self.open_link(url)

        self.app.push_screen(LinksScreen(article.title, links, article.enclosures), done)

    def action_play_enclosure(self) -> None:
        article = self.open_article
        if article is None:
            self.notify("Open an article first.", markup=False)
            return
        if not article.enclosures:
            self.notify("This article has no audio or video file.", markup=False, timeout=3)
            return
        if len(article.enclosures) > 1:
            self.action_show_links()  # several: the reader picks one
            return
        self._play(article.enclosures[0])

    def _play(self, enclosure: Enclosure) -> None:
        """An enclosure opened with the player set in [open] for its kind, else the browser."""
        problem = check_link(enclosure.url)
        if problem is not None:
            self.notify(problem, severity="warning", markup=False)
            return
        command = getattr(self.config.open, enclosure.kind, ()) if enclosure.kind != "file" else ()
        if not command:
            self._browse(enclosure.url)
            return
        self.notify(
            f"Playing with {clean_line(command[0], max_length=40)}…", markup=False, timeout=3
        )
        self._launch(player_command(command, enclosure.url))

    @work(group="browser", thread=True)
    def _launch(self, argv: list[str]) -> None:
        problem = launch(argv)
        if problem is not None:
            self.app.call_from_thread(self.notify, problem, severity="warning", markup=False)

    def on_article_view_link_chosen(self, event: ArticleView.LinkChosen) -> None:
        self.open_link(event.url)

    # ---- full text and pictures ---------------------------------------------------------------

    def _wants_full_text(self, article: Article) -> bool:
        """The reader's choice for this article, else the feed's full-text setting."""
        choice = self.full_text_choice.get(article.id)
        if choice is not None:
            return choice
        if reads_as_page(article):  # a local HTML file opens in reader mode
            return True
        feed = self.feeds.get(article.feed_id)
        return bool(feed is not None and feed.full_text and article.full_text)

    def _key_for(self, action_id: str, default: str) -> str:
        """The key that runs `action_id` now (the user may have remapped it)."""
        for item in getattr(self.app, "key_help", list)():
            if item.id == action_id:
                return str(item.keys).split(",")[0]
        return default

    async def _show_body(self, article: Article, body: ArticleBody, *, note: str = "") -> None:
        key = self._key_for("full_text", "f")
        if local_file(article) is not None and article.content_type == ContentType.HTML:
            note = (READER_NOTE if body.full_text else WHOLE_PAGE_NOTE).format(key=key)
        elif body.full_text:
            note = FULL_TEXT_NOTE.format(key=key)
        await self.article_view.show(
            article,
            body,
            date=self._format_date(article.published),
            note=note,
            marks=search_marks(self.view, ("title", "content")),
        )
        self.header.article_name = clean_line(article.feed_title, max_length=80)
        self._load_images(article.id, body)

    def action_full_text(self) -> None:
        target = self._target()
        if target is None:
            self.notify("Select an article first.", markup=False)
            return
        article = self.open_article
        if article is None or target.id != article.id:
            # `f` on a headline: open it and go straight to its web page.
            self.full_text_choice[target.id] = True
            self._open(target.id, focus=self.focused is self.article_view)
            return
        if article.id in self._fetching:
            # Still on its way: a second press means "never mind" (it is kept all the same).
            wanted = not self.full_text_choice.get(article.id, False)
            self.full_text_choice[article.id] = wanted
            self.article_view.set_flags(
                article, self._format_date(article.published), note=FETCHING_NOTE if wanted else ""
            )
            return
        showing = self.article_view.body
        if showing is not None and showing.full_text:
            self.full_text_choice[article.id] = False
            self._rerender(article, full_text=False)
        elif article.full_text:
            self.full_text_choice[article.id] = True
            self._rerender(article, full_text=True)
        else:
            self.full_text_choice[article.id] = True
            self._fetch_full_text(article)

    @work(group="article", exclusive=True)
    async def _rerender(self, article: Article, *, full_text: bool) -> None:
        body = await asyncio.to_thread(article_body, self.library, article, full_text=full_text)
        if self.open_article is not None and self.open_article.id == article.id:
            await self._show_body(self.open_article, body)

    def _fetch_full_text(self, article: Article) -> None:
        if self.open_article is not None and self.open_article.id == article.id:
            self.article_view.set_flags(
                self.open_article, self._format_date(article.published), note=FETCHING_NOTE
            )
        if article.id in self._fetching:
            return
        self._fetching.add(article.id)
        if not self.refreshing:
            self.status.progress = FETCHING_NOTE
        self._full_text_worker(article)

    @work(group="fulltext")
    async def _full_text_worker(self, article: Article) -> None:
        """The page fetched and extracted by the library (which keeps it), then shown."""
        try:
            markdown = await run_in_thread_loop(
                lambda: self.library.fetch_full_text(article.id), name="newstui-fulltext"
            )
            updated = replace(article, full_text=markdown)
            body = await asyncio.to_thread(article_body, self.library, updated, full_text=True)
        except Exception as exc:  # the network, the page or the extractor: the feed text stays
            problem = clean_line(exc) if isinstance(exc, NewstuiError) else repr(exc)
            if not isinstance(exc, NewstuiError):
                log.debug("full text of article %s", article.id, exc_info=True)
            self.full_text_choice[article.id] = False
            self.notify(
                f"Could not fetch the full article: {clean_line(problem, max_length=300)}",
                title="Full text",
                severity="error",
                markup=False,
            )
            if self.open_article is not None and self.open_article.id == article.id:
                self.article_view.set_flags(
                    self.open_article, self._format_date(article.published), note=""
                )
            return
        finally:
            self._fetching.discard(article.id)
            if self.is_attached and self.status.progress == FETCHING_NOTE and not self._fetching:
                self.status.progress = ""
        current = self.open_article
        if current is None or current.id != article.id:
            return  # kept in the library for when it is opened again
        self.open_article = replace(current, full_text=markdown)
        if self.full_text_choice.get(article.id):
            await self._show_body(self.open_article, body)
        else:
            self.article_view.set_flags(
                self.open_article, self._format_date(article.published), note=""
            )

    @work(group="images", exclusive=True)
    async def _load_images(self, article_id: int, body: ArticleBody) -> None:
        """The body's pictures within the limits: fetched together, drawn in order under their text."""
        if self.config.display.images == "off" or article_image.GRAPHICS is None or not body.images:
            return
        limits = self.config.limits
        wanted = body.images[: limits.max_images]
        missing = list(dict.fromkeys(im.src for im in wanted if im.src not in self.image_cache))
        fetched = await self._fetch_images(missing) if missing else {}
        for image in wanted:
            if self.article_view.body is not body:
                return
            if image.src not in self.image_cache:
                data = fetched.get(image.src)
                picture = None
                if data:
                    try:
                        picture = await asyncio.to_thread(decode_image, data)
                    except ValueError as exc:
                        log.debug("image %s: %s", image.src, exc)
                self.image_cache.put(image.src, picture)
            picture = self.image_cache.get(image.src)
            if picture is not None and self.article_view.body is body:
                await self.article_view.add_image(image, picture)

    async def _fetch_images(self, urls: list[str]) -> dict[str, bytes | None]:
        """Image bytes by URL (None: failed or too large), fetched off the UI loop."""

        async def one(url: str) -> bytes | None:
            try:
                return await self.library.fetch_image(
                    url, max_bytes=self.config.limits.max_image_bytes
                )
            except NewstuiError as exc:
                log.debug("image %s: %s", url, exc)
                return None

        async def get_all() -> dict[str, bytes | None]:
            results = await asyncio.gather(*(one(u) for u in urls))
            return dict(zip(urls, results, strict=True))

        try:
            return await run_in_thread_loop(get_all, name="newstui-images")
        except Exception as exc:  # pictures are a nicety: the placeholders stay
            log.debug("images: %s", exc)
            return {}

    # ---- search -------------------------------------------------------------------------------

    def action_search(self) -> None:
        def done(query: str | None) -> None:
            if query:
                self._show_view(View("search", query=query))
                self.headlines.focus()

        def check(text: str) -> tuple[str, int] | None:
            try:
                parse(text)
            except QueryError as exc:
                return f"{exc.message} (at character {exc.position + 1})", exc.position
            return None

        current = self.view.query if self.view.kind == "search" else ""
        self.app.push_screen(
            PromptScreen(
                "Search",
                placeholder='words, "a phrase", prefix*, title:, #tag, is:unread, newer:7d',
                hint="enter searches, escape cancels; V saves a search as a view",
                value=current or "",
                check=check,
            ),
            done,
        )

    def _at_top(self) -> bool:
        """The feeds pane has the keys and no search is shown: `q` quits from here."""
        return self.focused is self.feed_tree and self.view.kind != "search"

    def action_back(self) -> None:
        """One level back, as in newsboat: the article to the headlines, a search to the view
        it left, the headlines to the feeds. At the top the key falls through to the app's."""
        if self.focused is self.article_view:
            self.headlines.focus()
        elif self.view.kind == "search":
            self._show_view(self.previous_view, focus=self.focused is not self.feed_tree)
        elif self.focused is not self.feed_tree:
            self.feed_tree.focus()

    def action_save_view(self) -> None:
        if self.view.kind != "search" or not self.view.query:
            self.notify("Search first (/), then V saves the search as a view.", markup=False)
            return
        query = self.view.query

        def done(name: str | None) -> None:
            if name:
                self._save_view(name, query)

        self.app.push_screen(
            PromptScreen(
                "Save the search as a view",
                placeholder="a name for the view",
                hint=f"query: {clean_line(query, max_length=60)}",
            ),
            done,
        )

    @work(group="views")
    async def _save_view(self, name: str, query: str) -> None:
        try:
            saved = await asyncio.to_thread(self.library.add_view, name, query)
        except NewstuiError as exc:
            self.notify(clean_line(exc), severity="error", markup=False)
            return
        await self._reload_feeds()
        self.notify(f"Saved the view {clean_line(saved.name)!r}.", markup=False, timeout=3)

    # ---- refresh ------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        view = self.feed_tree.highlighted_view if self.focused is self.feed_tree else self.view
        if view is None:
            view = self.view
        if view.kind == "feed" and view.feed_id is not None and view.feed_id >= 0:
            self._refresh([view.feed_id], False)
        elif view.kind == "tag":
            ids = [f.id for f in self.feeds.values() if view.tag in f.tags]
            self._refresh(ids, False)
        else:
            self._refresh(None, False)

    def action_refresh_all(self) -> None:
        self._refresh(None, False)

    @work(group="refresh")
    async def _refresh(self, feed_ids: list[int] | None, background: bool) -> None:
        if self.refreshing:
            self.notify("A refresh is already running.", markup=False, timeout=2)
            return
        real = [f for f in self.feeds if f >= 0]
        if not real:
            if not background:
                self.notify("No feeds to refresh: press a to add one.", markup=False)
            return
        self.refreshing = True
        self.status.progress = "Refreshing…"

        def progress(event: RefreshProgress) -> None:
            self.post_message(self.RefreshTick(event))

        try:
            if self.library.can_refresh_in_child:
                # A child process: the refresh's CPU, GIL and garbage stay out of the UI's.
                outcomes = await self.library.refresh_in_child(
                    feed_ids, progress=progress, background=background
                )
            else:
                outcomes = await run_in_thread_loop(
                    lambda: self.library.refresh(
                        feed_ids, progress=progress, background=background
                    ),
                    name="newstui-refresh",
                )
        except NewstuiError as exc:
            self.notify(f"Refresh failed: {clean_line(exc)}", severity="error", markup=False)
            return
        finally:
            self.refreshing = False
            with suppress(NoMatches):  # a quit during the refresh: the widgets are going
                self.status.progress = ""
        if not self.is_attached:
            return
        with suppress(NoMatches):
            await self._show_refresh_result(outcomes, background)

    async def _show_refresh_result(self, outcomes: list[FeedOutcome], background: bool) -> None:
        new = sum(o.new for o in outcomes)
        failed = [o for o in outcomes if o.status in (FeedStatus.ERROR, FeedStatus.GONE)]
        text = f"{len(outcomes)} feed{'s' if len(outcomes) != 1 else ''} checked: {new} new"
        if failed:
            text += f", {len(failed)} failed"
        if outcomes or not background:
            self.notify(
                text, severity="warning" if failed else "information", markup=False, timeout=4
            )
        await self._reload_feeds()
        self.headlines.reload()

    def on_main_screen_refresh_tick(self, event: MainScreen.RefreshTick) -> None:
        p = event.progress
        self.status.progress = f"Refreshing {p.done}/{p.total}"
        if p.outcome is not None and (p.outcome.new or p.outcome.updated or p.outcome.error):
            self._schedule_reload()

    # ---- sync accounts --------------------------------------------------------------------------

    def action_sync(self) -> None:
        if not self.config.accounts:
            self.notify("No sync accounts in the config ([[accounts]]).", markup=False)
            return
        self._sync(False)

    @work(group="sync", exclusive=True)
    async def _sync(self, background: bool) -> None:
        self.notify("Syncing accounts…", markup=False, timeout=2)
        try:
            outcomes = await asyncio.to_thread(self.library.sync)
        except NewstuiError as exc:
            self.notify(f"Sync failed: {clean_line(exc)}", severity="error", markup=False)
            return
        if not self.is_attached:
            return
        failed = [o for o in outcomes if o.status != "ok"]
        for o in failed:  # like a feed's error: the account's feeds show it too
            self.notify(
                f"{clean_line(o.account)}: {o.status}: {clean_line(o.error, max_length=200)}",
                severity="warning",
                markup=False,
                timeout=8,
            )
        if not failed:
            new = sum(o.new for o in outcomes)
            self.notify(f"Synced: {new} new", markup=False, timeout=3)
        with suppress(NoMatches):
            await self._reload_feeds()
            self.headlines.reload()

    # ---- feeds --------------------------------------------------------------------------------

    def _selected_feed(self) -> Feed | None:
        feed = self.feed_tree.highlighted_feed if self.focused is self.feed_tree else None
        if feed is None and self.view.kind == "feed" and self.view.feed_id is not None:
            feed = self.feeds.get(self.view.feed_id)
        if feed is None:
            feed = self.feed_tree.highlighted_feed
        if feed is None or feed.id < 0:
            self.notify("Select a feed in the feeds pane first.", markup=False)
            return None
        return feed

    def action_add_feed(self) -> None:
        def done(source: str | None) -> None:
            if source:
                self._add(source)

        self.app.push_screen(
            PromptScreen(
                "Add a feed",
                placeholder="https://example.org/ or ~/articles/",
                hint="A feed URL, a web page that links to its feed, a feed file, an article file or a folder.",
            ),
            done,
        )

    @work(group="add")
    async def _add(self, source: str) -> None:
        self.status.progress = f"Adding {clean_line(source, max_length=60)}…"
        try:
            result = await run_in_thread_loop(
                lambda: self.library.add_feed(source), name="newstui-add"
            )
        except NewstuiError as exc:
            self.notify(
                clean_line(exc), title="Could not add the feed", severity="error", markup=False
            )
            return
        finally:
            self.status.progress = ""
        feed = result.feed
        message = f"Added {clean_line(feed.display_title, max_length=80)}: {feed.total} articles"
        if feed.error:
            message += f" ({clean_line(feed.error, max_length=120)})"
        self.notify(message, severity="warning" if feed.error else "information", markup=False)
        await self._reload_feeds()
        view = View("feed", feed_id=feed.id)
        self._show_view(view)

    def action_delete_feed(self) -> None:
        feed = self._selected_feed()
        if feed is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._delete(feed)

        question = Content.assemble(
            "Delete ",
            Content.styled(clean_line(feed.display_title, max_length=100), "bold"),
            "?\n",
            Content.styled("Its articles go too, except bookmarked ones.", "$text-muted"),
        )
        self.app.push_screen(ConfirmScreen(question), done)

    @work(group="feeds")
    async def _delete(self, feed: Feed) -> None:
        await asyncio.to_thread(self.library.remove_feed, feed.id)
        self.notify(f"Deleted {clean_line(feed.display_title, max_length=80)}", markup=False)
        if self.view.kind == "feed" and self.view.feed_id == feed.id:
            self._show_view(View("all"))
        await self._reload_feeds()
        self.headlines.reload()

    def action_edit_feed(self) -> None:
        feed = self._selected_feed()
        if feed is None:
            return

        def done(edit: FeedEdit | None) -> None:
            if edit is not None:
                self._edit(feed.id, edit)

        self.app.push_screen(EditFeedScreen(feed), done)

    @work(group="feeds")
    async def _edit(self, feed_id: int, edit: FeedEdit) -> None:
        def write() -> Feed:
            feed = self.library.edit_feed(
                feed_id, title=edit.title, tags=edit.tags, full_text=edit.full_text
            )
            if edit.settings:
                feed = self.library.set_feed_settings(feed_id, edit.settings)
            return feed

        try:
            feed = await asyncio.to_thread(write)
        except NewstuiError as exc:
            self.notify(clean_line(exc), severity="error", markup=False)
            return
        self.notify(
            f"Saved {clean_line(feed.display_title, max_length=80)}", markup=False, timeout=3
        )
        await self._reload_feeds()
        self._update_header()

    # ---- which keys apply now -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return not self._at_top()
        if action in ("next_article", "prev_article", "show_links", "play_enclosure"):
            return self.open_article is not None or None
        if action in ("delete_feed", "edit_feed"):
            feed = self.feed_tree.highlighted_feed
            return True if feed is None or feed.id >= 0 else None
        return True
