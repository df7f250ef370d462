"""The feeds pane: virtual views, tag folders and feeds with unread counts and failure marks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from newstui.domain.models import Feed, FeedStatus, SavedView, View
from newstui.domain.text import clean_line
from newstui.ui.widgets.focus_row import CursorRowFocus
from newstui.ui.widgets.scrollbar import quick_vertical_scrollbar

VIRTUAL_VIEWS: tuple[tuple[str, str], ...] = (
    ("all", "All"),
    ("unread", "Unread"),
    ("bookmarks", "Bookmarks"),
)


EAGER_ROWS = 150
"""Feed rows built before the first paint; the rest follow right after it."""
PENDING_DELAY = 0.15
"""Seconds before the remaining rows are built: a few frames, so the first paint is out."""


@dataclass(frozen=True, slots=True)
class FeedNode:
    """What a row of the tree stands for."""

    view: View
    feed: Feed | None = None


def view_label(view: View, feeds: dict[int, Feed]) -> str:
    """A short plain name for a view (for the header)."""
    if view.kind == "feed" and view.feed_id in feeds:
        return clean_line(feeds[view.feed_id].display_title, max_length=80)
    if view.kind == "tag":
        return f"#{clean_line(view.tag, max_length=60)}"
    if view.kind == "search":
        return f"Search: {clean_line(view.query, max_length=60)}"
    if view.kind == "query":
        return clean_line(view.name or view.query or "", max_length=60)
    return dict(VIRTUAL_VIEWS).get(view.kind, view.kind)


def saved_view(saved: SavedView) -> View:
    """The headline list's view of a saved view."""
    return View("query", query=saved.query, name=saved.name)


def _shown(feed: Feed) -> tuple[bool, str, int]:
    """What a feed's row shows of it (see `FeedTree._feed_label`)."""
    return (feed.status in (FeedStatus.ERROR, FeedStatus.GONE), feed.display_title, feed.unread)


def _set_label(node: TreeNode[FeedNode], label: Text) -> bool:
    """`node.set_label(label)` without its cost when a refresh relabels hundreds of rows: Tree's
    queues a callback per node that scans the pane's lines for it (500 feeds: ~30 ms of one step
    of the event loop, the worst stall of a refresh); here the node's label and its update count
    (part of the key of Tree's cached lines) change, and the caller repaints the pane once. A
    label equal to the shown one changes nothing. False when nothing changed."""
    if node._label == label:
        return False
    node._label = label  # our labels are one line already: Tree's process_label would split it
    node._updates += 1
    return True


def _key(view: View) -> str:
    if view.kind == "feed":
        return f"feed:{view.feed_id}"
    if view.kind == "tag":
        return f"tag:{view.tag}"
    if view.kind == "query":
        return f"view:{view.name}"
    return view.kind


class FeedTree(CursorRowFocus, Tree[FeedNode], inherit_bindings=False):
    """Views and subscriptions; `enter` opens one, `space` folds a tag folder.

    | Key | Action |
    | --- | --- |
    | `j`, `down` / `k`, `up` | Move the cursor |
    | `g`, `home` / `G`, `end` | First / last row |
    | `enter` | Open the view or feed |
    | `space` | Open or close a folder |
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

    COMPONENT_CLASSES: ClassVar[set[str]] = Tree.COMPONENT_CLASSES | {"feed-tree--cursor-blurred"}
    """Tree's, and the cursor's look without focus (see `get_component_rich_style`)."""

    _pass_style: Style | None = None
    """The widget's style while a pass of `render_lines` draws its lines."""

    def notify_style_update(self) -> None:
        """Tree drops its whole line model on any style change, a change of focus included, and
        measures every label again on the next idle (2,000 feeds: 50 ms of opening a feed).
        Styles here change colours, never a label's width, so the model stays; whether the
        rendered lines stay is decided when drawing (`render_lines`)."""
        ScrollView.notify_style_update(self)
        self.refresh()

    def get_component_rich_style(
        self, *names: str, partial: bool = False, default: Style | None = None
    ) -> Style:
        """Tree draws its cursor with `tree--cursor`, whose look depends on :focus in Tree's
        styles; here it follows the focus when drawn (`feed-tree--cursor-blurred` without it),
        so that a focus change needs no restyle of the pane (CursorRowFocus)."""
        if names == ("tree--cursor",) and not self.has_focus:
            names = ("feed-tree--cursor-blurred",)
        return super().get_component_rich_style(*names, partial=partial, default=default)

    def render_label(self, node: TreeNode[FeedNode], base_style: Style, style: Style) -> Text:
        """Tree's label, cut to the pane: a long name ends in "…" and its count still shows."""
        text = super().render_label(node, base_style, style)
        level, parent = 0, node.parent
        while parent is not None and parent is not self.root:
            level, parent = level + 1, parent.parent
        room = self.scrollable_content_region.width - self.guide_depth * level
        if room <= 0 or text.cell_len <= room:
            return text
        spans = node._label.spans
        count = ""
        if spans and spans[-1].style == "dim" and spans[-1].end == len(node._label.plain):
            count = node._label.plain[spans[-1].start :]
        keep = max(1, room - len(count))
        head = text[: len(text.plain) - len(count)] if count else text
        head.truncate(keep, overflow="ellipsis")
        if head.cell_len >= keep and not head.plain.endswith("…"):
            head = head[: max(0, keep - 1)] + Text("…")
        return head + text[len(text.plain) - len(count) :] if count else head

    def cursor_row_region(self) -> Region | None:
        if self.cursor_line < 0:
            return None
        return Region(0, self.cursor_line - self.scroll_offset.y, self.size.width, 1)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Rendered lines are cached per focus and hover state (Tree keys them so). They stay
        right across changes of focus unless a style of the state drawn now changed (a theme,
        a class of the screen): only then are they dropped. So leaving the pane redraws the
        lines the cursor left and reached, not the whole pane (7 ms of opening a feed).

        Checked here, not when the styles change: the component styles (the cursor's) are
        applied after the widget's own, so they are only all current by the time of drawing."""
        state = self.get_pseudo_class_state()
        look = (
            self.rich_style,
            *(self.get_component_rich_style(name) for name in sorted(self.COMPONENT_CLASSES)),
        )
        if self._looks.get(state, look) != look:
            self._looks.clear()
            self._line_cache.clear()  # not _clear_line_cache(): that drops the line model too
        self._looks[state] = look
        self._pass_style = look[0]
        try:
            return super().render_lines(crop)
        finally:
            self._pass_style = None

    def render_line(self, y: int) -> Strip:
        """Tree's, but with the widget's style worked out once a pass, not once a line (it
        walks the ancestors: ~0.1 ms, most of drawing a line that is already cached)."""
        scroll_x, scroll_y = self.scroll_offset
        style = self._pass_style or self.rich_style
        return self._render_line(y + scroll_y, scroll_x, scroll_x + self.size.width, style)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Drawn directly and kept per state: Textual repaints it on every focus change."""
        return quick_vertical_scrollbar(self)

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

        def __init__(self, feed_tree: FeedTree, feed: Feed | None) -> None:
            self.feed_tree = feed_tree
            self.feed = feed
            super().__init__()

        @property
        def control(self) -> FeedTree:
            """The pane whose cursor moved (for `@on(..., "#id")` selectors)."""
            return self.feed_tree

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Feeds", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self.feeds: dict[int, Feed] = {}
        self._closed_tags: set[str] = set()
        self._shape: tuple[tuple[tuple[int, tuple[str, ...]], ...], tuple[tuple[str, str], ...]]
        self._shape = ((), ())
        """The rows as built: (feed id, tags) in the order shown, and the saved views."""
        self._rows: dict[str, list[TreeNode[FeedNode]]] = {}
        self._pending: list[tuple[TreeNode[FeedNode], Feed]] = []
        self._order: list[tuple[str | None, int]] = []
        self._looks: dict[object, tuple[Style, ...]] = {}
        self.saved_views: list[SavedView] = []
        self._view_unread: dict[str, int] = {}

    # ---- content --------------------------------------------------------------------------

    def set_feeds(
        self,
        feeds: list[Feed],
        *,
        unread_total: int,
        bookmarks: int,
        total: int | None = None,
        views: list[SavedView] | None = None,
        reorder: bool = True,
    ) -> None:
        """Show `feeds`, keeping the cursor on the same view and folds as they were.

        When the same feeds sit in the same folders (every count update of a refresh), only the
        labels that changed are redrawn; the rows are rebuilt only when the subscriptions change
        or, with `reorder`, their order (new titles sort elsewhere). Without it (the reloads
        while a refresh runs) the rows keep their places until the refresh is over: rows do
        not jump about under the cursor, and 500 new subscriptions' titles arriving do not
        rebuild the pane every few tenths of a second (each rebuild left thousands of objects
        to Python's cycle collector: pauses of 50-200 ms, the worst stalls of a refresh).
        The first build adds the rows below the first screens after the first paint, so start-up
        does not grow with the number of feeds.
        """
        counts = {"all": unread_total, "unread": unread_total, "bookmarks": bookmarks}
        if views is not None:
            self.saved_views = views
        shape = (
            tuple((f.id, f.tags) for f in feeds),
            tuple((v.name, v.query) for v in self.saved_views),
        )
        same = shape == self._shape or (
            not reorder and shape[1] == self._shape[1] and set(shape[0]) == set(self._shape[0])
        )
        if same and self.root.children:
            self._relabel(feeds, counts)
            return
        first_build = not self.root.children
        self._shape = shape
        current = self.cursor_node.data.view if self.cursor_node and self.cursor_node.data else None
        for node in self.root.children:
            if node.data and node.data.view.kind == "tag" and not node.is_expanded:
                self._closed_tags.add(node.data.view.tag or "")
            elif node.data and node.data.view.kind == "tag":
                self._closed_tags.discard(node.data.view.tag or "")
        self.feeds = {f.id: f for f in feeds}
        self._pending = []
        self._rows = {}
        self.clear()
        for kind, name in VIRTUAL_VIEWS:
            self._remember(
                self.root.add_leaf(self._view_label(name, counts[kind]), FeedNode(View(kind)))
            )
        for saved in self.saved_views:
            view = saved_view(saved)
            label = self._saved_label(saved.name, self._view_unread.get(saved.name))
            self._remember(self.root.add_leaf(label, FeedNode(view)))
        leaves: list[tuple[TreeNode[FeedNode], Feed]] = []
        tags = sorted({t for f in feeds for t in f.tags}, key=str.casefold)
        for tag in tags:
            members = [f for f in feeds if tag in f.tags]
            label = self._tag_label(tag, sum(f.unread for f in members))
            folder = self.root.add(label, FeedNode(View("tag", tag=tag)))
            self._remember(folder)
            leaves += [(folder, feed) for feed in members]
            if tag not in self._closed_tags:
                folder.expand()
        leaves += [(self.root, feed) for feed in feeds if not feed.tags]
        self._order = [
            (parent.data.view.tag if parent.data is not None else None, feed.id)
            for parent, feed in leaves
        ]
        eager = EAGER_ROWS if first_build else len(leaves)
        for parent, feed in leaves[:eager]:
            self._add_feed(parent, feed)
        self._pending = leaves[eager:]
        if self._pending:
            self.set_timer(PENDING_DELAY, self._add_pending)
        self.select_view(current or View("all"), post=False)

    def _add_pending(self) -> None:
        pending, self._pending = self._pending, []
        for parent, feed in pending:
            self._add_feed(parent, feed)

    def _add_feed(self, parent: TreeNode[FeedNode], feed: Feed) -> None:
        node = parent.add_leaf(
            self._feed_label(feed), FeedNode(View("feed", feed_id=feed.id), feed)
        )
        self._remember(node)

    def _remember(self, node: TreeNode[FeedNode]) -> None:
        if node.data is not None:
            self._rows.setdefault(_key(node.data.view), []).append(node)

    def _relabel(self, feeds: list[Feed], counts: dict[str, int]) -> None:
        changed_rows = False
        for kind, name in VIRTUAL_VIEWS:
            for node in self._rows.get(kind, []):
                changed_rows |= _set_label(node, self._view_label(name, counts[kind]))
        previous = self.feeds
        changed = [f for f in feeds if previous.get(f.id) != f]
        self.feeds = {f.id: f for f in feeds}
        for feed in changed:
            old = previous.get(feed.id)
            # A refresh changes every feed it checks (times, validators); the label only when
            # what it shows changed: building it (cleaning the title) is then skipped.
            relabel = old is None or _shown(old) != _shown(feed)
            for node in self._rows.get(f"feed:{feed.id}", []):
                node.data = FeedNode(View("feed", feed_id=feed.id), feed)
                if relabel:
                    changed_rows |= _set_label(node, self._feed_label(feed))
        self._pending = [(p, self.feeds.get(f.id, f)) for p, f in self._pending]
        for tag in {t for f in changed for t in f.tags}:
            unread = sum(f.unread for f in feeds if tag in f.tags)
            for node in self._rows.get(f"tag:{tag}", []):
                changed_rows |= _set_label(node, self._tag_label(tag, unread))
        if changed_rows:
            # One repaint of the pane; the lines whose node did not change come from the cache.
            self.refresh()

    def set_view_counts(self, unread: dict[str, int]) -> None:
        """The saved views' unread counts, by name (computed off the UI loop)."""
        self._view_unread = dict(unread)
        changed_rows = False
        for saved in self.saved_views:
            for node in self._rows.get(f"view:{saved.name}", []):
                label = self._saved_label(saved.name, unread.get(saved.name))
                changed_rows |= _set_label(node, label)
        if changed_rows:
            self.refresh()

    @staticmethod
    def _saved_label(name: str, count: int | None) -> Text:
        label = Text(clean_line(name, max_length=60), style="italic")
        if count is not None:
            label.append(f" {count}", style="dim")
        return label

    @staticmethod
    def _view_label(name: str, count: int | None) -> Text:
        label = Text(name, style="bold")
        if count is not None:
            label.append(f" {count}", style="dim")
        return label

    @staticmethod
    def _tag_label(tag: str, unread: int) -> Text:
        label = Text(clean_line(tag, max_length=60))
        label.append(f" {unread}", style="dim")
        return label

    def _feed_label(self, feed: Feed) -> Text:
        """What a feed's row shows; it depends on `_shown(feed)` alone."""
        label = Text()
        if feed.status in (FeedStatus.ERROR, FeedStatus.GONE):
            label.append("! ", style="bold red")
        label.append(clean_line(feed.display_title, max_length=200))
        if feed.unread:
            label.append(f" {feed.unread}", style="dim")
        return label

    def _walk(self, node: TreeNode[FeedNode]) -> list[TreeNode[FeedNode]]:
        out: list[TreeNode[FeedNode]] = []
        for child in node.children:
            out.append(child)
            out.extend(self._walk(child))
        return out

    def select_view(self, view: View, *, post: bool = False) -> bool:
        """Put the cursor on the row for `view` (opening its folder); False when there is none."""
        for node in self._walk(self.root):
            if node.data is not None and node.data.view == view:
                if (
                    node.parent is not None
                    and not node.parent.is_expanded
                    and node.parent is not self.root
                ):
                    node.parent.expand()
                self.call_after_refresh(self._move_to, node)
                if post:
                    self.post_message(self.Chosen(self, view))
                return True
        return False

    def _move_to(self, node: TreeNode[FeedNode]) -> None:
        if node.line >= 0:
            self.cursor_line = node.line
            self.scroll_to_line(node.line, animate=False)

    def feed_order(self, feed_id: int | None) -> list[int]:
        """The feeds' ids in the order the pane draws them (folders and their feeds, then the
        feeds without a folder), starting at `feed_id`'s row: the one under the cursor when the
        feed sits in several folders, else its first. Each feed once."""
        rows = self._order
        start = 0
        cursor = self.cursor_node
        cursor_tag: str | None = None
        if cursor is not None and cursor.parent is not None and cursor.parent.data is not None:
            cursor_tag = cursor.parent.data.view.tag
        if feed_id is not None and (cursor_tag, feed_id) in rows:
            start = rows.index((cursor_tag, feed_id))
        else:
            start = next((i for i, (_, fid) in enumerate(rows) if fid == feed_id), 0)
        return list(dict.fromkeys(fid for _, fid in rows[start:] + rows[:start]))

    @property
    def highlighted_feed(self) -> Feed | None:
        node = self.cursor_node
        return node.data.feed if node is not None and node.data is not None else None

    @property
    def highlighted_view(self) -> View | None:
        node = self.cursor_node
        return node.data.view if node is not None and node.data is not None else None

    # ---- events ---------------------------------------------------------------------------

    def on_tree_node_selected(self, event: Tree.NodeSelected[FeedNode]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Chosen(self, event.node.data.view))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[FeedNode]) -> None:
        event.stop()
        self.post_message(
            self.FeedHighlighted(self, event.node.data.feed if event.node.data else None)
        )

    def action_page_down(self) -> None:
        self.cursor_line = min(self.cursor_line + max(self.size.height - 1, 1), self.last_line)

    def action_page_up(self) -> None:
        self.cursor_line = max(self.cursor_line - max(self.size.height - 1, 1), 0)
