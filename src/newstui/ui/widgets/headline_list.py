"""The headline list: a line-API virtual list that renders rows on demand from paged queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, tzinfo
from typing import ClassVar, Protocol

from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from newstui.config import DEFAULT_HEADLINE_FORMAT
from newstui.domain.models import Headline, View
from newstui.library.facade import search_marks
from newstui.ui.off_loop import off_loop
from newstui.ui.widgets.focus_row import CursorRowFocus
from newstui.ui.widgets.headline_row import HeadlineRow
from newstui.ui.widgets.plain_lines import PlainLines
from newstui.ui.widgets.scrollbar import quick_vertical_scrollbar

PAGE_SIZE = 200
QUICK_VIEWS = frozenset({"all", "unread", "bookmarks", "feed"})
"""Views whose count and first page come from indexes or counters: read without a thread."""
MAX_PAGES = 64
"""Pages kept in memory; older ones are dropped (a page is re-read when scrolled back to)."""
_Drawn = tuple[int, date, list[tuple[Headline | None, bool]]]


class HeadlineSource(Protocol):
    """What the list reads from (the Library satisfies it); called from worker threads only."""

    def count(self, view: View) -> int: ...

    def headlines(
        self, view: View, offset: int = 0, limit: int = 100, *, total: int | None = None
    ) -> list[Headline]:
        """A page; `total` (the view's count) lets a page near the end be read from the end."""
        ...

    def position(self, view: View, article_id: int) -> int | None: ...


class HeadlineList(CursorRowFocus, PlainLines, ScrollView, can_focus=True, inherit_bindings=False):
    """Headlines of one view, newest first; only the visible rows are ever fetched or drawn.

    | Key | Action |
    | --- | --- |
    | `j`, `down` / `k`, `up` | Move the cursor |
    | `g`, `home` / `G`, `end` | First / last headline |
    | `space`, `pgdn` / `pgup` | Page down / up |
    | `enter` | Open the headline |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", id="cursor_down", show=False),
        Binding("k,up", "cursor_up", "Up", id="cursor_up", show=False),
        Binding("g,home", "first", "Top", id="first", show=False),
        Binding("G,end", "last", "Bottom", id="last", show=False),
        Binding("space,pagedown", "page_down", "Page down", id="page_down", show=False),
        Binding("pageup", "page_up", "Page up", id="page_up", show=False),
        Binding("enter", "open", "Open", id="open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "headline-list--cursor",
        "headline-list--cursor-blurred",
        "headline-list--unread",
        "headline-list--read",
        "headline-list--mark",
        "headline-list--meta",
        "headline-list--empty",
        "headline-list--match",
    }

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)
    """Index of the selected row in the view."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Drawn directly and kept per state: Textual repaints it on every focus change."""
        return quick_vertical_scrollbar(self)

    class Opened(Message):
        """The user opened a headline (enter or click)."""

        def __init__(self, headline_list: HeadlineList, headline: Headline) -> None:
            self.headline_list = headline_list
            self.headline = headline
            super().__init__()

        @property
        def control(self) -> HeadlineList:
            """The list it was opened from (for `@on(..., "#id")` selectors)."""
            return self.headline_list

    class Loaded(Message):
        """A view finished loading: its row count is known."""

        def __init__(self, headline_list: HeadlineList, view: View, count: int) -> None:
            self.headline_list = headline_list
            self.view = view
            self.count = count
            super().__init__()

        @property
        def control(self) -> HeadlineList:
            """The list that loaded (for `@on(..., "#id")` selectors)."""
            return self.headline_list

    def __init__(
        self,
        source: HeadlineSource,
        *,
        date_format: str = "%Y-%m-%d %H:%M",
        headline_format: str = DEFAULT_HEADLINE_FORMAT,
        tz: tzinfo | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.set_reactive(HeadlineList.auto_links, False)  # rows hold no links to highlight
        self.source = source
        self.row = HeadlineRow(headline_format, date_format, tz)
        """How a row is laid out and its date written."""
        self.view: View | None = None
        self.count = 0
        self.loaded = False
        self.empty_text = "Nothing here."
        self._pages: dict[int, list[Headline]] = {}
        self._pending: set[int] = set()
        self._generation = 0
        self._open_when_loaded: int | None = None
        self._view_drawn: View | None = None
        """The view whose rows are drawn (a read of another repaints every row)."""
        self._pass_style: Style | None = None
        self._pass_styles: dict[tuple[str, bool], Style] = {}
        self._pass_frame: tuple[int, int, date] | None = None
        self._lines: LRUCache[tuple[Headline, bool, bool, int, bool, date], Strip] = LRUCache(1024)
        self.marks: list[tuple[tuple[str, ...], bool]] = []
        """Words of the view's search to highlight in titles."""

    # ---- loading --------------------------------------------------------------------------

    def show(
        self,
        view: View,
        *,
        select_id: int | None = None,
        keep_cursor: bool = False,
        then: Callable[[], None] | None = None,
        at_once: bool = False,
    ) -> None:
        """Show `view`; keep the cursor on `select_id` (or on the same row) when given.

        `then` runs as soon as the view's first page is in place, in the same step (so whatever
        it changes on screen, the focus say, is drawn in the same frame as the new rows).
        `at_once`: read a quick view's count and first page here rather than in a thread, for
        a view the user asked for while nothing else competes for this thread (a refresh's
        writer holds the GIL for milliseconds at a time: reads then belong in a thread)."""
        self._generation += 1
        if self.view != view:
            keep_cursor = False
        self.view = view
        marks = search_marks(view, ("title",))
        if marks != self.marks:
            self.marks = marks
            self._lines.clear()
        fallback = self.cursor if keep_cursor else 0
        if at_once and select_id is None and view.kind in QUICK_VIEWS:
            # An indexed count and one page (~1 ms): read here, without a worker and a thread's
            # round trip, which took longer than the read itself. A load still in flight is
            # dropped when it lands (its generation is older).
            self._shown(self._generation, view, *self._read(view, None, fallback), then)
        else:
            self._load_view(self._generation, view, select_id, fallback, then)

    def reload(self, *, select_id: int | None = None) -> None:
        """Read the view again (after a refresh or a change), keeping the selected article."""
        if self.view is None:
            return
        current = self.selected
        self.show(
            self.view,
            select_id=select_id if select_id is not None else (current.id if current else None),
            keep_cursor=True,
        )

    @work(group="headline-view", exclusive=True)
    async def _load_view(
        self,
        generation: int,
        view: View,
        select_id: int | None,
        fallback: int,
        then: Callable[[], None] | None,
    ) -> None:
        loaded = await off_loop(self._read, view, select_id, fallback)
        self._shown(generation, view, *loaded, then)

    def _read(
        self, view: View, select_id: int | None, fallback: int
    ) -> tuple[int, int, dict[int, list[Headline]]]:
        """The view's count, the cursor's row (`select_id`'s, else `fallback`) and its page."""
        count = self.source.count(view)
        row = fallback
        if select_id is not None:
            found = self.source.position(view, select_id)
            if found is not None:
                row = found
        row = max(0, min(row, count - 1))
        page = row // PAGE_SIZE
        rows = self.source.headlines(view, page * PAGE_SIZE, PAGE_SIZE, total=count)
        return count, row, {page: rows}

    def _shown(
        self,
        generation: int,
        view: View,
        count: int,
        row: int,
        pages: dict[int, list[Headline]],
        then: Callable[[], None] | None,
    ) -> None:
        if generation != self._generation:
            return
        before = self._drawn() if self.loaded and view == self._view_drawn else None
        self._view_drawn = view
        self.count = count
        self._pages = pages
        self._pending.clear()
        self.loaded = True
        self._set_virtual_height(count)
        self.cursor = row
        self._repaint_changed(before)
        if then is not None:
            then()
        self.post_message(self.Loaded(self, view, count))

    def _drawn(self) -> _Drawn | None:
        """What the rows on screen show: the first row's number, the day their dates are
        written against, and each row's headline (None: not loaded) and whether the cursor is
        on it. None for an empty list (its text)."""
        if not self.count:
            return None
        top = self.scroll_offset.y
        rows = []
        for row in range(top, top + self.scrollable_content_region.height):
            page, index = divmod(row, PAGE_SIZE)
            loaded = self._pages.get(page) if row < self.count else None
            headline = loaded[index] if loaded is not None and index < len(loaded) else None
            rows.append((headline, row == self.cursor and row < self.count))
        return top, self.row.today(), rows

    def _repaint_changed(self, before: _Drawn | None) -> None:
        """Repaint the rows on screen that show something else than `before` (every row
        without it). A view read again while a refresh runs has a few rows changed, or none
        (a feed's list while others are refreshed): repainting the whole list each time was
        a good part of the frames of a refresh."""
        after = self._drawn()
        if before is None or after is None or before[:2] != after[:2]:
            self.refresh()
            return
        top = after[0]
        for y, (old, new) in enumerate(zip(before[2], after[2], strict=False), start=top):
            if old != new:
                self.refresh_line(y)

    def _set_virtual_height(self, rows: int) -> None:
        """Set the scrollable height without a relayout of the screen when the scrollbars stay
        as they are (switching views is otherwise a full layout and redraw of every pane);
        a scrollbar that appears or goes still asks for one."""
        size = Size(self.size.width, rows)
        if size == self.virtual_size:
            return
        self.set_reactive(HeadlineList.virtual_size, size)
        self._scroll_update(size)

    @work(group="headline-pages")
    async def _load_page(self, generation: int, view: View, page: int) -> None:
        try:
            rows = await off_loop(
                self.source.headlines, view, page * PAGE_SIZE, PAGE_SIZE, total=self.count
            )
        finally:  # a failed read (the app says why) is tried again when the rows are drawn
            self._pending.discard(page)
        if generation != self._generation:
            return
        if len(self._pages) >= MAX_PAGES:
            keep = self.cursor // PAGE_SIZE
            for old in sorted(self._pages, key=lambda p: abs(p - keep), reverse=True)[:8]:
                del self._pages[old]
        self._pages[page] = rows
        self.refresh()
        if self._open_when_loaded is not None and self._open_when_loaded // PAGE_SIZE == page:
            row, self._open_when_loaded = self._open_when_loaded, None
            self._post_open(row)

    def headline_at(self, row: int) -> Headline | None:
        """The headline on `row` if its page is loaded; starts loading the page otherwise."""
        if not 0 <= row < self.count or self.view is None:
            return None
        page, index = divmod(row, PAGE_SIZE)
        rows = self._pages.get(page)
        if rows is None:
            if page not in self._pending:
                self._pending.add(page)
                self._load_page(self._generation, self.view, page)
            return None
        return rows[index] if index < len(rows) else None

    @property
    def selected(self) -> Headline | None:
        """The headline under the cursor, when loaded."""
        return self.headline_at(self.cursor)

    def update_headline(
        self, article_id: int, *, read: bool | None = None, bookmarked: bool | None = None
    ) -> None:
        """Show new flags for one article without reading the view again."""
        for rows in self._pages.values():
            for i, h in enumerate(rows):
                if h.id == article_id:
                    rows[i] = replace(
                        h,
                        read=h.read if read is None else read,
                        bookmarked=h.bookmarked if bookmarked is None else bookmarked,
                    )
        self.refresh()

    def row_of(self, article_id: int) -> int | None:
        """The row of a loaded article, if it is in a loaded page."""
        for page, rows in self._pages.items():
            for i, h in enumerate(rows):
                if h.id == article_id:
                    return page * PAGE_SIZE + i
        return None

    # ---- cursor ---------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.count - 1)) if self.count else 0

    def watch_cursor(self, old: int, value: int) -> None:
        height = max(self.scrollable_content_region.height, 1)
        if value < self.scroll_offset.y:
            self.scroll_to(y=value, animate=False)
            self.refresh()
        elif value >= self.scroll_offset.y + height:
            self.scroll_to(y=value - height + 1, animate=False)
            self.refresh()
        elif old != value:  # only the rows that changed: a step repaints two lines, not the list
            self.refresh_line(old)
            self.refresh_line(value)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.count - 1

    def action_page_down(self) -> None:
        self.cursor += max(self.scrollable_content_region.height - 1, 1)

    def action_page_up(self) -> None:
        self.cursor -= max(self.scrollable_content_region.height - 1, 1)

    def open_next(self, article_id: int | None, step: int) -> bool:
        """Open the headline `step` rows from `article_id`'s (else from the cursor); False
        when that is past either end of the list."""
        row = self.row_of(article_id) if article_id is not None else None
        target = (self.cursor if row is None else row) + step
        if not 0 <= target < self.count:
            return False
        self.cursor = target
        self.action_open()
        return True

    def action_open(self) -> None:
        self._post_open(self.cursor)

    def _post_open(self, row: int) -> None:
        headline = self.headline_at(row)
        if headline is None:
            if 0 <= row < self.count:
                self._open_when_loaded = row
            return
        self.post_message(self.Opened(self, headline))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self.count:
            return
        row = self.scroll_offset.y + offset.y
        if row < self.count:
            self.cursor = row
            self._post_open(row)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.count)

    # ---- drawing --------------------------------------------------------------------------

    @property
    def shows_feed(self) -> bool:
        return self.view is not None and self.view.kind != "feed"

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style (~0.1 ms: through its ancestors), its scroll, width and today's
        # date (~15 µs a row) once a pass rather than once a row.
        self._pass_style = self.rich_style
        self._pass_styles.clear()
        self._pass_frame = self._frame()
        try:
            if self._plain():
                return self._render_plainly(crop)
            return super().render_lines(crop)
        finally:
            self._pass_style = self._pass_frame = None

    def _frame(self) -> tuple[int, int, date]:
        """The first row shown, the rows' width, and the day their dates are written against."""
        return self.scroll_offset.y, self.scrollable_content_region.width, self.row.today()

    def _style(self, component: str, is_cursor: bool = False) -> Style:
        """The base style plus a component's (and the cursor's), cached for one pass."""
        key = (component, is_cursor)
        style = self._pass_styles.get(key)
        if style is None:
            style = (self._pass_style or self.rich_style) + self.get_component_rich_style(component)
            if is_cursor:  # the cursor's look follows focus here, not through :focus styles
                cursor = (
                    "headline-list--cursor" if self.has_focus else "headline-list--cursor-blurred"
                )
                style += self.get_component_rich_style(cursor)
            self._pass_styles[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        scroll_y, width, today = self._pass_frame or self._frame()
        base = self._pass_style or self.rich_style
        row = scroll_y + y
        if not self.count:
            if self.loaded and y == 1:
                style = self._style("headline-list--empty")
                strip = Strip([Segment("  ", base), Segment(self.empty_text, style)])
                return strip.adjust_cell_length(width, base)
            return Strip.blank(width, base)
        if row >= self.count:
            return Strip.blank(width, base)
        headline = self.headline_at(row)
        if headline is None:
            meta = self._style("headline-list--meta")
            return Strip([Segment("  …", meta)]).adjust_cell_length(width, base)
        return self._render_headline(headline, row == self.cursor, width, base, today)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()  # drawn with the old styles (a theme, a class of the screen)

    def cursor_row_region(self) -> Region | None:
        if not self.count:
            return None
        return Region(0, self.cursor - self.scroll_offset.y, self.size.width, 1)

    def _render_headline(
        self, h: Headline, is_cursor: bool, width: int, base: Style, today: date
    ) -> Strip:
        """One row, drawn once: scrolling by a row draws the row that comes in, not the
        screenful (a frozen Headline is a new object whenever what it shows changes)."""
        key = (h, is_cursor and self.has_focus, is_cursor, width, self.shows_feed, today)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._draw_headline(h, is_cursor, width, base)
        return strip

    def _draw_headline(self, h: Headline, is_cursor: bool, width: int, base: Style) -> Strip:
        return self.row.draw(
            h,
            width=width,
            shows_feed=self.shows_feed,
            marks=self.marks,
            style=lambda component: self._style(component, is_cursor),
            match=self.get_component_rich_style("headline-list--match"),
            fill=None if is_cursor else base,
        )
