"""`Views`: what the panes list: the feeds and their counts, the view shown; the reader's parts."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import replace
from datetime import tzinfo

from textual import on, work
from textual.app import ComposeResult
from textual.timer import Timer

from newstui.config import Config
from newstui.domain.models import Article, FeedRow, SavedView, View
from newstui.domain.text import clean_line
from newstui.library.facade import WELCOME_FEED_ID, Library
from newstui.ui.off_loop import off_loop
from newstui.ui.reader.articles import Articles
from newstui.ui.reader.feed_actions import FeedActions
from newstui.ui.reader.feeds_read import read_feeds
from newstui.ui.reader.links import Links
from newstui.ui.reader.marks import Marks
from newstui.ui.reader.part import Part
from newstui.ui.reader.reading import Reading
from newstui.ui.reader.refresh_runner import RefreshRunner
from newstui.ui.widgets.article_view import ArticleView
from newstui.ui.widgets.feed_tree import FeedTree, view_label
from newstui.ui.widgets.headline_list import PAGE_SIZE, HeadlineList
from newstui.ui.widgets.status_line import StatusLine
from newstui.ui.widgets.view_header import ViewHeader

NARROW_WIDTH = 120
"""Below this many columns the article takes the whole width while it is being read."""
EMPTY = {
    "all": "No articles yet: press R to refresh your feeds.",
    "unread": "Nothing unread. R refreshes; B shows your bookmarks.",
    "bookmarks": "No bookmarks yet: press b on an article to keep it here.",
    "tag": "No articles with this tag yet: press R to refresh.",
    "search": "No matches. Press / to search again, escape to go back.",
}


def _after_first_paint() -> None:
    gc.freeze()
    gc.enable()


class Views(Part):
    """Keeps the view listed and sets the feeds and headlines panes to show it. Its children
    (`Reading`, `RefreshRunner`, `Marks`, `FeedActions`, `Links`) do the work; what they say
    comes here, where the panes are set to show it."""

    def __init__(
        self,
        library: Library,
        config: Config,
        *,
        tz: tzinfo | None,
        open_source: str | None,
        tick: float,
        id: str | None = None,
    ) -> None:
        super().__init__(library, config, id=id)
        self.open_source = open_source
        self.view = View("all")
        self.previous_view = View("all")
        """The last view that is not a search: `escape` on a search goes back to it."""
        self.feeds: dict[int, FeedRow] = {}
        """The feeds as last read, by id (their rows: what the feeds pane shows)."""
        self.hide_read = False
        """The list shows unread articles only (`H`)."""
        self.hide_read_feeds = False
        """The feeds pane leaves out feeds with nothing unread (`U`)."""
        self._reload_pending: Timer | None = None
        self._after_reload: list[tuple[set[str], Callable[[], None]]] = []
        """What is to run once the counts and the list read again are on screen
        (`Changed.then`), each with what it still waits for ("counts", "list")."""
        self._progress: dict[str, str] = {}
        self.reading = Reading(library, config, tz=tz, id="reading")
        automatic = not open_source
        self.runner = RefreshRunner(library, config, tick=tick, automatic=automatic, id="refresher")
        self.marks = Marks(library, config, id="marks")
        self.feed_actions = FeedActions(library, config, id="feed-actions")
        self.links = Links(library, config, id="links")

    def compose(self) -> ComposeResult:
        yield from (self.reading, self.runner, self.marks, self.feed_actions, self.links)

    def attach(
        self,
        feed_tree: FeedTree,
        headlines: HeadlineList,
        article_view: ArticleView,
        header: ViewHeader,
        status: StatusLine,
    ) -> None:
        """The panes this sets (given by the screen once they are composed)."""
        self.feed_tree, self.headlines, self.header = feed_tree, headlines, header
        self.article_view, self.status_line = article_view, status
        self.reading.attach(article_view, header)

    @property
    def open_article(self) -> Article | None:
        return self.reading.article

    @work(group="startup", exclusive=True)
    async def start(self) -> None:
        """The library as it is at once; the Welcome guide or the file opened; the network later."""
        try:
            feeds = await self.reload_feeds(first=True)
            self.show_view(View("all"))
            self.call_after_refresh(self.reload_counts)  # every feed, after the first paint
        finally:
            # What exists after the first paint (modules, widgets, styles) lives as long as the
            # app: frozen, the collector no longer walks it. Unfrozen, each full collection
            # during a refresh walked all of it on the UI thread: 45 ms pauses, the worst
            # stalls of a refresh. The command paused the collector for start-up (newstui.cli).
            self.call_after_refresh(_after_first_paint)
        articles, refresh = self.reading.articles, self.config.refresh.refresh_on_start
        if len(feeds) == 1 and feeds[0].id == WELCOME_FEED_ID:
            welcome = View("feed", feed_id=WELCOME_FEED_ID)
            first = await off_loop(self.library.headlines, welcome, 0, 1)
            if first:
                # Narrow, only the focused pane shows: the guide itself is the first screen.
                articles.open(first[0].id, focus=self.screen.size.width < NARROW_WIDTH)
        elif self.open_source:
            # `newstui open FILE` of one article: the reader shows that article, not a list of one.
            first = await off_loop(self.library.headlines, View("all"), 0, 2)
            if len(first) == 1:
                articles.open(first[0].id, focus=True)
        elif refresh and feeds:
            # After the first paint: the cached library shows at once, the network comes later.
            self.call_after_refresh(self.runner.refresh_feeds, None, background=True)
        if refresh and not self.open_source and self.config.accounts:
            self.call_after_refresh(self.runner.sync, background=True)

    # ---- the feeds ----------------------------------------------------------------------------

    async def reload_feeds(self, *, first: bool = False, reorder: bool = True) -> list[FeedRow]:
        """The feeds and their counts read again and shown; without `reorder` (the reloads
        during a refresh) rows stay where they are (see `FeedTree.set_feeds`)."""
        # Before the first paint, on the loop: the first screen's rows, the folders' sizes and
        # the unread total (~10 ms at 20,000 feeds, where every row took ~65 ms) run faster
        # there than in a thread fighting Textual's start-up for the GIL. Every feed, and the
        # bookmarks' count (it counts articles), come right after the first paint.
        if first:
            lines = max(self.screen.size.height, 24)
            state = read_feeds(self.library, first_screen=lines)
        else:
            state = await off_loop(read_feeds, self.library)
        self.feeds = {f.id: f for f in state.feeds}
        shown = state.feeds
        if self.hide_read_feeds:  # with `U`, those with something unread (and the one open)
            keep = self.view.feed_id if self.view.kind == "feed" else None
            shown = [f for f in shown if f.unread or f.id == keep]
        if state.outline is not None:
            self.feed_tree.set_outline(state.outline, unread_total=state.unread, views=state.views)
        else:
            self.feed_tree.set_feeds(
                shown,
                unread_total=state.unread,
                bookmarks=state.bookmarks,
                views=state.views,
                reorder=reorder,
            )
        if state.views:
            self._count_views(state.views)
        self.update_header()
        highlighted = self.feed_tree.highlighted_feed
        if highlighted is not None:
            self.describe_feed(self.feeds.get(highlighted.id))
        self._reloaded("counts")
        return state.feeds

    def _reloaded(self, part: str) -> None:
        """`part` is shown read again: what waited for it alone runs after the next frame."""
        for waiting, then in self._after_reload:
            waiting.discard(part)
            if not waiting:
                self.call_after_refresh(then)
        self._after_reload = [entry for entry in self._after_reload if entry[0]]

    def list_loaded(self) -> None:
        """The headlines pane shows a view read (again): its count in the header."""
        self.update_header()
        self._reloaded("list")

    @work(group="view-counts", exclusive=True)
    async def _count_views(self, views: list[SavedView]) -> None:
        """The saved views' unread counts, off the loop: each is a query of its own."""
        unread = self.library.view_unread
        counts = await off_loop(lambda: {v.name: unread(v.query) for v in views})
        self.feed_tree.set_view_counts(counts)

    @work(group="counts", exclusive=True)
    async def reload_counts(self, *, reorder: bool = True) -> None:
        await self.reload_feeds(reorder=reorder)

    def describe_feed(self, feed: FeedRow | None) -> None:
        """The status line names the last refresh's failure of the feed under the cursor."""
        if feed is not None and feed.failed and feed.error:
            title = clean_line(feed.title, max_length=60)
            error = clean_line(feed.error, max_length=300)
            self.status_line.detail = f"! {title}: last refresh failed: {error}"
        else:
            self.status_line.detail = ""

    # ---- the view -----------------------------------------------------------------------------

    def show_view(self, view: View, *, select_id: int | None = None, focus: bool = False) -> None:
        """Show `view` in the headlines pane; with `focus`, move the focus there once it is
        loaded: the header, the rows and the focus change in one frame (opening a feed used to
        draw the old list focused, then the new one)."""
        if view.kind != "search":
            self.previous_view = view
            if self.feed_tree.highlighted_view != view:
                self.feed_tree.select_view(view)
        self.view = self.reading.view = view
        self.headlines.empty_text = self._empty_text(view)

        def shown() -> None:
            self.update_header()
            if focus:
                self.screen.set_focus(self.headlines)
                self.screen.refresh_bindings()  # the footer's keys in the same frame too
            article = self.open_article
            if article is not None and (
                view.kind in ("search", "query") or self.article_view.marks
            ):
                self._recheck_article(view, article)

        listed = replace(view, unread_only=True) if self.hide_read else view
        at_once = not self.runner.refreshing
        self.headlines.show(listed, select_id=select_id, then=shown, at_once=at_once)
        self.screen.refresh_bindings()

    def _empty_text(self, view: View) -> str:
        if view.kind in ("all", "unread") and not any(f != WELCOME_FEED_ID for f in self.feeds):
            return "No feeds yet: press a to add one (a URL, a web page, a file or a folder)."
        if self.hide_read and view.kind not in ("search", "query"):
            key = self.key_for("hide_read", "H")
            return f"Nothing unread here. {key} shows the read articles too."
        return EMPTY.get(view.kind, "This feed has no articles yet: press r to refresh it.")

    @work(group="article-check", exclusive=True)
    async def _recheck_article(self, view: View, article: Article) -> None:
        """After the results changed: the open article goes when the new results lack it, and
        keeps the new search's highlights when they hold it, so nothing stale stays in view."""
        if article.id < 0:
            inside = True
        else:
            inside = await off_loop(self.library.position, view, article.id) is not None
        if self.view != view or self.open_article is not article:
            return  # the user moved on meanwhile
        body = self.article_view.body
        if not inside or body is None:
            await self.reading.close()
            self.screen.refresh_bindings()
        else:
            await self.reading.show_body(article, body, note=self.article_view.note)

    def update_header(self) -> None:
        name = view_label(self.view, self.feeds)
        self.header.view_name = f"{name} · unread only" if self.hide_read else name
        if self.headlines.loaded:
            n = self.headlines.count
            self.header.counts = f"{n} article{'s' if n != 1 else ''}"

    def toggle_hide_read(self) -> None:
        """`H`: the list shows unread articles only, or all of them again."""
        self.hide_read = not self.hide_read
        selected = self.headlines.selected
        self.show_view(self.view, select_id=selected.id if selected else None)
        text = "Read articles hidden" if self.hide_read else "Read articles shown"
        self.notify(text, markup=False, timeout=2)

    def toggle_hide_read_feeds(self) -> None:
        """`U`: the feeds pane lists feeds with something unread only, or all again."""
        self.hide_read_feeds = not self.hide_read_feeds
        self.reload_counts()
        text = "Feeds with nothing unread hidden" if self.hide_read_feeds else "All feeds shown"
        self.notify(text, markup=False, timeout=2)

    # ---- what the parts say -------------------------------------------------------------------

    @on(Part.Status)
    def _status(self, event: Part.Status) -> None:
        """A part's progress under the panes; a refresh's shows before the others'."""
        event.stop()
        name = event.part.id or ""
        self._progress.pop(name, None)
        if event.text:
            self._progress[name] = event.text
        texts = list(self._progress.values())
        self.status_line.progress = self._progress.get("refresher") or (texts[-1] if texts else "")

    @on(Part.Changed)
    def _changed(self, event: Part.Changed) -> None:
        event.stop()
        if not event.soon:
            if self._reload_pending is not None:  # this reload stands for it (and is not
                self._reload_pending.stop()  # cancelled by it: the order at a refresh's end)
                self._reload_pending = None
            if event.then is not None:
                self._after_reload.append(({"counts", "list"}, event.then))
            self.reload_counts()
            self.headlines.reload()
        elif self._reload_pending is None:  # at most a few times a second during a refresh

            def run() -> None:
                self._reload_pending = None
                # Counts and titles as they come; the order once, when the refresh is over.
                self.reload_counts(reorder=False)
                self.headlines.reload()

            self._reload_pending = self.set_timer(0.3, run)

    @on(FeedActions.Done)
    async def _feeds_changed(self, event: FeedActions.Done) -> None:
        event.stop()
        if event.gone is not None and self.view.kind == "feed" and self.view.feed_id == event.gone:
            self.show_view(View("all"))
        await self.reload_feeds()
        if event.show is not None:
            self.show_view(event.show)
        elif event.gone is not None:
            self.headlines.reload()

    @on(Marks.Marked)
    def _marked(self, event: Marks.Marked) -> None:
        """Articles' new flag shown in their rows and the open article; the counts again."""
        event.stop()
        read = event.value if event.flag == "read" else None
        bookmarked = event.value if event.flag == "bookmarked" else None
        for article_id in event.ids[:PAGE_SIZE]:
            self.headlines.update_headline(article_id, read=read, bookmarked=bookmarked)
        if event.reload or len(event.ids) > PAGE_SIZE:
            self.headlines.reload()
        self.reading.show_flags(event.ids, read=read, bookmarked=bookmarked)
        self.reload_counts()

    @on(Articles.Opened)
    async def _opened(self, event: Articles.Opened) -> None:
        """An article read: the list's cursor on it, its body in the article pane."""
        event.stop()
        article = event.article
        if event.follow and self.view.kind == "feed" and article.feed_id != self.view.feed_id:
            # `n` went on to the next feed: show that feed's list, like newsboat does.
            self.show_view(View("feed", feed_id=article.feed_id), select_id=article.id)
        else:
            row = self.headlines.row_of(article.id)
            if row is not None:
                self.headlines.cursor = row
            else:
                self.headlines.reload(select_id=article.id)
        self.headlines.update_headline(article.id, read=article.read)
        await self.reading.show(article, event.body)
        if event.focus:
            self.article_view.focus()
        self.screen.refresh_bindings()
        self.reload_counts()
