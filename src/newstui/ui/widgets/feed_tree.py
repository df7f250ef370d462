"""The feeds pane: virtual views, tag folders and feeds with unread counts and failure marks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual._segment_tools import line_pad
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from newstui.domain.models import FeedOutline, FeedRow, SavedView, View
from newstui.ui.widgets.feed_lines import (
    VIRTUAL_VIEWS,
    FeedLines,
    Line,
    feed_label,
    parts,
    saved_view,
    view_label,
)
from newstui.ui.widgets.focus_row import CursorRowFocus
from newstui.ui.widgets.scrollbar import quick_vertical_scrollbar

__all__ = ["VIRTUAL_VIEWS", "FeedTree", "feed_label", "saved_view", "view_label"]

TOGGLE = Style.from_meta({"toggle": True})
"""The folder icon's meta: a click on it opens or closes the folder (as in Textual's Tree)."""
GUIDE_DEPTH = 2
"""Columns a feed in a folder is indented by (its guide, "├ " or "└ ")."""


class FeedTree(CursorRowFocus, ScrollView, can_focus=True, inherit_bindings=False):
    """Views and subscriptions; `enter` opens one, `space` folds a tag folder.

    A virtual list: the rows are a line model over the feeds as read (a folder is a range of
    lines), and only the rows on screen are ever labelled or drawn; 20,000 feeds cost what
    their rows take to read and sort, nothing per row until it is scrolled to.

    | Key | Action |
    | --- | --- |
    | `j`, `down` / `k`, `up` | Move the cursor |
    | `g`, `home` / `G`, `end` | First / last row |
    | `pgdn` / `pgup` | Page down / up |
    | `enter` | Open the view or feed |
    | `space` | Open or close a folder |
    """

    DEFAULT_CSS = """
    FeedTree {
        background: $surface;
        color: $foreground;
        & > .tree--guides { color: $surface-lighten-2; }
        & > .tree--cursor {
            text-style: $block-cursor-blurred-text-style;
            background: $block-cursor-blurred-background;
        }
        & > .tree--highlight-line { background: $block-hover-background; }
        &:light > .tree--guides { color: $surface-darken-1; }
    }
    FeedTree:ansi {
        color: ansi_default;
        & > .tree--guides { color: $ansi-background; }
        &:nocolor > .tree--cursor { text-style: reverse; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", id="cursor_down", show=False),
        Binding("k,up", "cursor_up", "Up", id="cursor_up", show=False),
        Binding("g,home", "scroll_home", "Top", id="first", show=False),
        Binding("G,end", "scroll_end", "Bottom", id="last", show=False),
        Binding("pagedown", "page_down", "Page down", id="page_down", show=False),
        Binding("pageup", "page_up", "Page up", id="page_up", show=False),
        Binding("enter", "select_cursor", "Open", id="open"),
        Binding("space", "toggle_node", "Fold", id="fold", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "tree--label",
        "tree--guides",
        "tree--cursor",
        "tree--highlight",
        "tree--highlight-line",
        "feed-tree--cursor-blurred",
    }
    """Textual Tree's names (app.tcss styles them), and the cursor's look without focus."""

    cursor_line: var[int] = var(0, always_update=True)
    """The row with the cursor."""
    hover_line: var[int] = var(-1)
    """The row under the mouse pointer, -1 for none."""

    class Chosen(Message):
        """The user opened a view or a feed."""

        def __init__(self, feed_tree: FeedTree, view: View) -> None:
            self.feed_tree = feed_tree
            self.view = view
            super().__init__()

        @property
        def control(self) -> FeedTree:
            """The pane it was chosen in (for `@on(..., "#id")` selectors)."""
            return self.feed_tree

    class FeedHighlighted(Message):
        """The cursor moved onto a row (a feed, or not: `feed` is then None)."""

        def __init__(self, feed_tree: FeedTree, feed: FeedRow | None) -> None:
            self.feed_tree = feed_tree
            self.feed = feed
            super().__init__()

        @property
        def control(self) -> FeedTree:
            """The pane whose cursor moved (for `@on(..., "#id")` selectors)."""
            return self.feed_tree

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines = FeedLines()
        """The rows, as a line model (only the lines drawn are ever made)."""
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(256)
        self._labels: LRUCache[Line, tuple[Text, Text]] = LRUCache(512)
        self._look: tuple[Style, ...] = ()
        self._pass: tuple[int, int, int, int, int] | None = None
        self._labels_made = 0
        """Feed labels built (for the tests: only the rows drawn are labelled)."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Drawn directly and kept per state: Textual repaints it on every focus change."""
        return quick_vertical_scrollbar(self)

    # ---- content --------------------------------------------------------------------------

    def set_feeds(
        self,
        feeds: Sequence[FeedRow],
        *,
        unread_total: int,
        bookmarks: int | None,
        views: list[SavedView] | None = None,
        reorder: bool = True,
    ) -> None:
        """Show `feeds` (in their order), keeping the cursor on the same view and the folds.

        Without `reorder` (the reloads while a refresh runs) the same feeds keep their places:
        each row shows its feed's new state, rows do not jump about under the cursor; the
        order waits for a reload with `reorder` (the refresh's last). Only the lines on
        screen are drawn again."""
        current = self.highlighted_view
        shown = self._shown_lines()
        counts = self.lines.counts
        counts["all"] = counts["unread"] = unread_total
        if bookmarks is not None:
            counts["bookmarks"] = bookmarks
        if views is not None:
            self.lines.saved_views = views
        self.lines.set_feeds(feeds, reorder=reorder)
        self._laid_out(shown)
        if current is not None:
            self.select_view(current)

    def set_outline(
        self, outline: FeedOutline, *, unread_total: int, views: list[SavedView] | None = None
    ) -> None:
        """The first screen before every feed is read: its rows, and every folder's size for
        the lines below (blank until `set_feeds` gives all the feeds)."""
        counts = self.lines.counts
        counts["all"] = counts["unread"] = unread_total
        if views is not None:
            self.lines.saved_views = views
        self.lines.set_outline(outline)
        self._laid_out()

    def set_bookmarks(self, count: int) -> None:
        """The Bookmarks row's count (read after the first paint: it counts articles)."""
        shown = self._shown_lines()
        self.lines.counts["bookmarks"] = count
        self.lines.layout()
        self._laid_out(shown)

    def set_view_counts(self, unread: dict[str, int]) -> None:
        """The saved views' unread counts, by name (computed off the UI loop)."""
        shown = self._shown_lines()
        self.lines.view_unread = dict(unread)
        self.lines.layout()
        self._laid_out(shown)

    def _shown_lines(self) -> tuple[int, list[Line | None]]:
        """The first line on screen and the rows from there: what is drawn now."""
        top = self.scroll_offset.y
        return top, [self.line(y) for y in range(top, top + self.scrollable_content_region.height)]

    def _laid_out(self, shown: tuple[int, list[Line | None]] | None = None) -> None:
        """After the lines changed: the new length, and a repaint of the rows on screen that
        show something else than `shown` (all of them without it). A reload of the counts
        while a refresh runs changes a few rows on screen: repainting the pane whole took
        most of a frame's ~8 ms (and the frame came every 0.3 s of the refresh)."""
        total = self.lines.total
        self.virtual_size = Size(self.scrollable_content_region.width, total)
        if self.cursor_line >= total:
            self.cursor_line = max(0, total - 1)
        self._say_highlighted()
        now = self._shown_lines() if shown is not None else None
        if now is None or shown is None or now[0] != shown[0] or len(now[1]) != len(shown[1]):
            self.refresh()
            return
        top = now[0]
        for y, (before, after) in enumerate(zip(shown[1], now[1], strict=True), start=top):
            if before != after:
                self._refresh_line(y)

    def line(self, y: int) -> Line | None:
        """The row at line `y` (0 is the first); None past the end, and for an outline's
        rows not read yet."""
        return self.lines.line(y)

    @property
    def last_line(self) -> int:
        return self.lines.total - 1

    def select_view(self, view: View, *, post: bool = False) -> bool:
        """Put the cursor on the row for `view` (opening its folder); False when there is none."""
        y, folder = self.lines.find(view)
        if y is None and folder is not None:
            self.lines.closed.discard(folder)
            self.lines.layout()
            self._laid_out()
            y, _ = self.lines.find(view)
        if y is None:
            return False
        self.cursor_line = y
        self.call_after_refresh(self.scroll_to_line, y)
        if post:
            self.post_message(self.Chosen(self, view))
        return True

    def feed_order(self, feed_id: int | None) -> list[int]:
        """The feeds' ids in the order the pane draws them (folders and their feeds, then the
        feeds without a folder), starting at `feed_id`'s row: the one under the cursor when the
        feed sits in several folders, else its first. Each feed once."""
        cursor = self.line(self.cursor_line)
        folder = cursor.folder if cursor is not None and cursor.row is not None else None
        return self.lines.feed_order(feed_id, folder)

    @property
    def highlighted_feed(self) -> FeedRow | None:
        line = self.line(self.cursor_line)
        return line.row if line is not None else None

    @property
    def highlighted_view(self) -> View | None:
        line = self.line(self.cursor_line)
        return line.view if line is not None else None

    # ---- drawing --------------------------------------------------------------------------

    def cursor_row_region(self) -> Region | None:
        return Region(0, self.cursor_line - self.scroll_offset.y, self.size.width, 1)

    def get_component_rich_style(
        self, *names: str, partial: bool = False, default: Style | None = None
    ) -> Style:
        """The cursor's look follows the focus when drawn (`feed-tree--cursor-blurred` without
        it), so that a focus change needs no restyle of the pane (CursorRowFocus)."""
        if names == ("tree--cursor",) and not self.has_focus:
            names = ("feed-tree--cursor-blurred",)
        return super().get_component_rich_style(*names, partial=partial, default=default)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        """The styles are worked out once a pass; a line drawn before in the same look and
        state comes from the cache (the cursor's move repaints two lines)."""
        self._look = (
            self.rich_style,
            self.get_component_rich_style("tree--guides", partial=True),
            self.get_component_rich_style("tree--label", partial=True),
            self.get_component_rich_style("tree--highlight", partial=True),
            self.get_component_rich_style("tree--highlight-line"),
            self.get_component_rich_style("tree--cursor", partial=False),
        )
        # So are the scroll, the width, the cursor and the pointer (~10 µs a row).
        self._pass = self._frame()
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def _frame(self) -> tuple[int, int, int, int, int]:
        scroll_x, scroll_y = self.scroll_offset
        return scroll_x, scroll_y, self.size.width, self.cursor_line, self.hover_line

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y, width, cursor_line, hover_line = self._pass or self._frame()
        number = y + scroll_y
        look = self._look or (self.rich_style,)
        line = self.line(number)
        if line is None:
            return Strip.blank(width, look[0])
        cursor, hover = number == cursor_line, number == hover_line
        key = (line, number, cursor, hover, width, look)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._draw(line, number, cursor, hover, width)
            self._strips[key] = strip
        return strip.crop(scroll_x, scroll_x + width)

    def _draw(self, line: Line, number: int, cursor: bool, hover: bool, width: int) -> Strip:
        """A row as Textual's Tree draws it: its guide, the folder's icon, the label."""
        base, guide, label_style, highlight, highlight_line, cursor_style = self._look
        line_style = (highlight_line if hover else base) + Style(meta={"line": number})
        text = Text(style=line_style)
        room = width
        if line.row is not None and line.folder is not None:
            text.append("└ " if line.last else "├ ", style=guide)
            room -= GUIDE_DEPTH
        made = self._labels.get(line)
        if made is None:
            made = parts(line)  # kept apart from the strips: a new look needs no new label
            self._labels[line] = made
            self._labels_made += line.row is not None
        name, count = made[0].copy(), made[1].copy()
        icon = ("▼ " if line.is_open else "▶ ") if line.view.kind == "tag" else ""
        room -= len(icon) + count.cell_len
        if name.cell_len > room:
            name.truncate(max(room, 1), overflow="ellipsis")
            if name.cell_len >= room and not name.plain.endswith("…"):
                name = name[: max(0, room - 1)] + Text("…")
        label = name + count
        style = label_style
        if hover:
            style += highlight
        if cursor:
            style += cursor_style
        label.stylize(style)
        if icon:
            text.append(icon, style=line_style + TOGGLE)
        text.append_text(label)
        segments = list(text.render(self.app.console))
        return Strip(line_pad(segments, 0, width - text.cell_len, line_style))

    def scroll_to_line(self, line: int, animate: bool = False) -> None:
        self.scroll_to_region(
            Region(0, line, 1, 1), animate=animate, force=True, origin_visible=False, x_axis=False
        )

    def watch_cursor_line(self, previous: int, line: int) -> None:
        if previous != line:  # the cursor put back where it is (a reload) changes no row
            self._refresh_line(previous)
            self._refresh_line(line)
        self._say_highlighted()

    def _say_highlighted(self) -> None:
        """FeedHighlighted when the cursor is on another view's row (moved, or the rows
        changed under it)."""
        row = self.line(self.cursor_line)
        view = row.view if row is not None else None
        if view != self._highlighted or not self._said:
            self._highlighted, self._said = view, True
            self.post_message(self.FeedHighlighted(self, row.row if row is not None else None))

    _highlighted: View | None = None
    _said = False

    def watch_hover_line(self, previous: int, line: int) -> None:
        self._refresh_line(previous)
        self._refresh_line(line)

    def _refresh_line(self, line: int) -> None:
        if line >= 0:
            self.refresh(Region(0, line - self.scroll_offset.y, self.size.width, 1))

    # ---- events and actions ---------------------------------------------------------------

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        meta = event.style.meta
        self.hover_line = meta["line"] if meta and "line" in meta else -1

    def _on_leave(self, _: events.Leave) -> None:
        self.hover_line = -1

    async def _on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        if "line" not in meta:
            return
        if meta.get("toggle", False):
            self._toggle(meta["line"])
        else:
            self.cursor_line = meta["line"]
            self.action_select_cursor()

    def _on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, self.lines.total)

    def _toggle(self, y: int) -> None:
        line = self.line(y)
        if line is None or line.view.kind != "tag" or line.folder is None:
            return
        if line.is_open:
            self.lines.closed.add(line.folder)
        else:
            self.lines.closed.discard(line.folder)
        self.lines.layout()
        self._laid_out()

    def action_cursor_down(self) -> None:
        self._move(self.cursor_line + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor_line - 1)

    def action_page_down(self) -> None:
        self._move(min(self.cursor_line + max(self.size.height - 1, 1), self.last_line))

    def action_page_up(self) -> None:
        self._move(max(self.cursor_line - max(self.size.height - 1, 1), 0))

    def action_scroll_home(self) -> None:
        self._move(0)

    def action_scroll_end(self) -> None:
        self._move(self.last_line)

    def _move(self, line: int) -> None:
        self.cursor_line = max(0, min(line, self.last_line))
        self.scroll_to_line(self.cursor_line)

    def action_toggle_node(self) -> None:
        self._toggle(self.cursor_line)

    def action_select_cursor(self) -> None:
        view = self.highlighted_view
        if view is not None:
            self.post_message(self.Chosen(self, view))
