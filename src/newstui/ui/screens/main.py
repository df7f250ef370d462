"""The main screen: feeds, headlines and the article side by side, and the reader's keys."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget

from newstui.config import Config
from newstui.domain.models import Article, FeedRow, Headline, View
from newstui.domain.text import clean_line
from newstui.library.facade import Library
from newstui.ui.reader.search import search_screen
from newstui.ui.reader.views import NARROW_WIDTH, Views
from newstui.ui.widgets.article_view import ArticleView
from newstui.ui.widgets.feed_tree import FeedTree, view_label
from newstui.ui.widgets.footer import Footer
from newstui.ui.widgets.headline_list import HeadlineList
from newstui.ui.widgets.status_line import StatusLine
from newstui.ui.widgets.view_header import ViewHeader

if TYPE_CHECKING:
    from textual.widgets import Markdown


class MainScreen(Screen[None]):
    """The reader. Keys here work from any pane; the work is done by the parts under `Views`.

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

    def __init__(
        self,
        library: Library,
        config: Config,
        *,
        open_source: str | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__()
        self.library, self.config, self.open_source = library, config, open_source
        display = config.display
        self.header = ViewHeader(id="header")
        self.feed_tree = FeedTree(id="feeds")
        self.headlines = HeadlineList(
            library,
            date_format=display.list_date_format,
            headline_format=display.headline_format,
            tz=tz,
            id="headlines",
        )
        self.article_view = ArticleView(
            reading_width=display.reading_width, date_format=display.date_format, id="article"
        )
        self.status = StatusLine(id="status")
        self.views = Views(
            library, config, tz=tz, open_source=open_source, tick=self.REFRESH_TICK, id="views"
        )

    def compose(self) -> ComposeResult:
        yield self.header
        with Horizontal(id="panes"):
            yield from self.panes
        yield self.status
        yield Footer()
        yield self.views

    @property
    def panes(self) -> list[Widget]:
        return [self.feed_tree, self.headlines, self.article_view]

    @property
    def view(self) -> View:
        """The view the headlines pane lists."""
        return self.views.view

    @property
    def open_article(self) -> Article | None:
        """The article in the article pane."""
        return self.views.open_article

    @property
    def feeds(self) -> dict[int, FeedRow]:
        """The library's feeds by id, as last read (their rows in the feeds pane)."""
        return self.views.feeds

    @property
    def refreshing(self) -> bool:
        return self.views.runner.refreshing

    def on_mount(self) -> None:
        self.views.attach(
            self.feed_tree, self.headlines, self.article_view, self.header, self.status
        )
        self.header.panes = self.panes
        if self.open_source:
            where = clean_line(self.open_source, max_length=80)
            self.header.hint = f"reading {where} (not subscribed)"
        self.headlines.focus()
        self.views.start()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        self.header.refresh()  # the panes moved: their titles follow (drawn after the layout)

    def on_descendant_focus(self) -> None:
        self.set_class(self.focused is self.article_view, "-reading")
        self.refresh_bindings()
        names = {id(self.feed_tree): "feeds", id(self.article_view): "article"}
        self.header.focused_pane = names.get(id(self.focused), "headlines")
        self.header.refresh()

    # ---- what the panes say -------------------------------------------------------------------

    @on(FeedTree.Chosen, "#feeds")
    def _feed_chosen(self, event: FeedTree.Chosen) -> None:
        self.views.show_view(event.view, focus=True)

    @on(FeedTree.FeedHighlighted, "#feeds")
    def _feed_highlighted(self, event: FeedTree.FeedHighlighted) -> None:
        self.views.describe_feed(event.feed)
        view = self.feed_tree.highlighted_view
        if self.focused is self.feed_tree and view is not None and view != self.view:
            # The cursor and the list agree: what the feeds pane points at is what is shown.
            self.views.show_view(view)
        self.refresh_bindings()

    @on(HeadlineList.Loaded, "#headlines")
    def _headlines_loaded(self) -> None:
        self.views.list_loaded()

    @on(HeadlineList.Opened, "#headlines")
    def _headline_opened(self, event: HeadlineList.Opened) -> None:
        self.views.reading.articles.open(event.headline.id, focus=True)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        # By its handler's name, not `@on(Markdown.LinkClicked)`: Textual's Markdown (with
        # markdown-it and pygments, ~0.1 s) is imported when the first article is shown.
        event.stop()
        event.prevent_default()
        self.views.links.open_link(event.href)

    @on(ArticleView.LinkChosen, "#article")
    def _link_chosen(self, event: ArticleView.LinkChosen) -> None:
        self.views.links.open_link(event.url)

    # ---- the keys -----------------------------------------------------------------------------

    def _target(self) -> Headline | Article | None:
        """The article an action applies to: the one being read, else the selected headline."""
        if self.focused is self.article_view and self.open_article is not None:
            return self.open_article
        selected = self.headlines.selected if self.headlines.count else None
        if (target := selected or self.open_article) is None:
            self.notify("Select an article first.", markup=False)
        return target

    def _opened(self) -> Article | None:
        if self.open_article is None:
            self.notify("Open an article first.", markup=False)
        return self.open_article

    def _selected_feed(self) -> FeedRow | None:
        feed = self.feed_tree.highlighted_feed if self.focused is self.feed_tree else None
        if feed is None and self.view.kind == "feed" and self.view.feed_id is not None:
            feed = self.views.feeds.get(self.view.feed_id)
        if (feed := feed or self.feed_tree.highlighted_feed) is None or feed.id < 0:
            self.notify("Select a feed in the feeds pane first.", markup=False)
            return None
        return feed

    def action_next_pane(self, step: int = 1) -> None:
        """The pane beside the focused one; nothing past either end (no wrapping round)."""
        panes, current = self.panes, self.focused
        target = (panes.index(current) if current in panes else 1) + step
        if not 0 <= target < len(panes):
            return
        if panes[target] is self.article_view and self.open_article is None:
            # Nothing to read yet: moving right opens the selected headline.
            if self.headlines.selected is not None:
                self.headlines.action_open()
            return
        panes[target].focus()

    def action_prev_pane(self) -> None:
        self.action_next_pane(-1)

    def action_back(self) -> None:
        """One level back, as in newsboat: the article to the headlines, a search to the view
        it left, the headlines to the feeds. At the top the key falls through to the app's."""
        if self.focused is self.article_view:
            self.headlines.focus()
        elif self.view.kind == "search":
            focus = self.focused is not self.feed_tree
            self.views.show_view(self.views.previous_view, focus=focus)
        elif self.focused is not self.feed_tree:
            self.feed_tree.focus()

    def action_next_unread(self, backwards: bool = False) -> None:
        view = self.view
        order = self.feed_tree.feed_order(view.feed_id) if view.kind == "feed" else None
        articles = self.views.reading.articles
        articles.open_next_unread(view, self.open_article, backwards=backwards, order=order)

    def action_prev_unread(self) -> None:
        self.action_next_unread(backwards=True)

    def action_next_article(self, step: int = 1) -> None:
        article = self.open_article
        if not self.headlines.open_next(article.id if article else None, step):
            last = "No more articles in this list." if step > 0 else "This is the first article."
            self.notify(last, markup=False)

    def action_prev_article(self) -> None:
        self.action_next_article(-1)

    def action_toggle_bookmark(self) -> None:
        if (target := self._target()) is not None:
            self.views.marks.set_flag(target.id, "bookmarked", not target.bookmarked)

    def action_toggle_read(self) -> None:
        if (target := self._target()) is not None:
            self.views.marks.set_flag(target.id, "read", not target.read)

    def action_show_bookmarks(self) -> None:
        self.views.show_view(View("bookmarks"), focus=True)

    def action_mark_all_read(self) -> None:
        self.views.marks.mark_view_read(self.view, view_label(self.view, self.views.feeds))

    def action_undo(self) -> None:
        self.views.marks.undo(self.view)

    def action_refresh(self) -> None:
        view = self.feed_tree.highlighted_view if self.focused is self.feed_tree else None
        self.views.runner.refresh_view(view or self.view, self.views.feeds)

    def action_refresh_all(self) -> None:
        self.views.runner.refresh_view(View("all"), self.views.feeds)

    def action_sync(self) -> None:
        self.views.runner.sync(background=False)

    def action_open_link(self) -> None:
        if (target := self._target()) is not None:
            self.views.links.open_target(target)

    def action_copy_link(self) -> None:
        if (target := self._target()) is not None:
            self.views.links.copy(target.url)

    def action_show_links(self) -> None:
        if (article := self._opened()) is not None:
            self.views.links.pick(article, self.article_view.links)

    def action_play_enclosure(self) -> None:
        if (article := self._opened()) is not None:
            self.views.links.play_one(article, self.article_view.links)

    def action_full_text(self) -> None:
        if (target := self._target()) is not None:
            focus = self.focused is self.article_view
            self.views.reading.full_text(target, self.article_view.body, focus=focus)

    def action_search(self) -> None:
        def done(query: str | None) -> None:
            if query:
                self.views.show_view(View("search", query=query))
                self.headlines.focus()

        current = self.view.query if self.view.kind == "search" else None
        self.app.push_screen(search_screen(current or ""), done)

    def action_save_view(self) -> None:
        self.views.feed_actions.save_view(self.view)

    def action_add_feed(self) -> None:
        self.views.feed_actions.add()

    def action_delete_feed(self) -> None:
        if (feed := self._selected_feed()) is not None:
            self.views.feed_actions.delete(feed)

    def action_edit_feed(self) -> None:
        if (feed := self._selected_feed()) is not None:
            self.views.feed_actions.edit(feed.id)

    def action_toggle_hide_read(self) -> None:
        self.views.toggle_hide_read()

    def action_toggle_hide_read_feeds(self) -> None:
        self.views.toggle_hide_read_feeds()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # at the top (the feeds pane, no search) `q` quits
            return not (self.focused is self.feed_tree and self.view.kind != "search")
        if action in ("next_article", "prev_article", "show_links", "play_enclosure"):
            return self.open_article is not None or None
        if action in ("delete_feed", "edit_feed"):
            feed = self.feed_tree.highlighted_feed
            return True if feed is None or feed.id >= 0 else None
        return True
