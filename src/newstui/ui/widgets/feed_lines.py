"""The feeds pane's rows: views, tag folders and feeds as a line model, a few entries per
folder (not per feed), any line found by bisection."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from rich.text import Text

from newstui.domain.models import FeedOutline, FeedRow, SavedView, View
from newstui.domain.text import clean_line

VIRTUAL_VIEWS: tuple[tuple[str, str], ...] = (
    ("all", "All"),
    ("unread", "Unread"),
    ("bookmarks", "Bookmarks"),
)


class Line(NamedTuple):
    """One row of the pane: a view, a folder or a feed (in a folder, or not)."""

    view: View
    row: FeedRow | None = None
    """The feed, for a feed's row."""
    folder: str | None = None
    """The folder a feed's row sits in; for a folder's row, its tag."""
    last: bool = False
    """The last feed of its folder (its guide ends there)."""
    name: str = ""
    """A view's or a folder's name (a feed's comes from `row`)."""
    badge: int | None = None
    """A view's or a folder's count, None while it is not known."""
    is_open: bool = False
    """A folder that shows its feeds."""


def view_label(view: View, feeds: Mapping[int, FeedRow]) -> str:
    """A short plain name for a view (for the header)."""
    feed = feeds.get(view.feed_id) if view.kind == "feed" and view.feed_id is not None else None
    if feed is not None:
        return clean_line(feed.title, max_length=80)
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


def feed_label(feed: FeedRow) -> Text:
    """What a feed's row shows: a failure mark, its title, its unread count."""
    name, count = parts(Line(View("feed", feed_id=feed.id), feed))
    return name + count


def parts(line: Line) -> tuple[Text, Text]:
    """A row's label: its name (the part cut to the pane's width) and its count."""
    count = Text()
    feed = line.row
    if feed is not None:
        name = Text()
        if feed.failed:
            name.append("! ", style="bold red")
        name.append(clean_line(feed.title, max_length=200))
        if feed.unread:
            count.append(f" {feed.unread}", style="dim")
        return name, count
    if line.view.kind == "query":
        name = Text(clean_line(line.name, max_length=60), style="italic")
    elif line.view.kind == "tag":
        name = Text(clean_line(line.name, max_length=60))
    else:
        name = Text(line.name, style="bold")
    if line.badge is not None:
        count.append(f" {line.badge}", style="dim")
    return name, count


class FeedLines:
    """The rows of the feeds pane: the views, then each folder (a tag) with its feeds unless
    it is closed, then the feeds in no folder. Setting the feeds groups them by folder (one
    pass); the lines are blocks (the views, a folder's row, its feeds, the loose feeds), so a
    line is found by bisection and nothing is made per feed until its line is asked for."""

    def __init__(self) -> None:
        self.saved_views: list[SavedView] = []
        self.counts: dict[str, int] = {}
        """The built-in views' counts by kind (one not known yet is missing)."""
        self.view_unread: dict[str, int] = {}
        """The saved views' unread counts by name."""
        self.feeds: list[FeedRow] = []
        self.closed: set[str] = set()
        """The folders closed (their feeds not shown)."""
        self._folders: list[tuple[str, list[FeedRow], int | None]] = []
        """Each tag (in the order shown) with its feeds and their unread sum."""
        self._sizes: list[int] | None = None
        """With an outline (the first screen, before every feed is read): each folder's size,
        then the loose feeds' (the feeds known are each block's first)."""
        self._loose: list[FeedRow] = []
        self._head: list[Line] = []
        self._starts: list[int] = [0]
        """The first line of each block of `_blocks`: for finding a line's block by bisection."""
        self._blocks: list[tuple[str, int]] = [("head", 0)]
        """("head", 0), ("folder", i), ("members", i), ("loose", 0) in the order shown."""
        self.total = 0
        self._places: dict[int, list[tuple[str | None, int]]] | None = None
        """Each feed's rows as (folder, index in it): made when first needed, not per read."""

    def set_feeds(self, feeds: Sequence[FeedRow], *, reorder: bool = True) -> None:
        """The feeds in their order; without `reorder`, when they are the same feeds in the
        same folders, each keeps its place and shows its new state."""
        if not reorder and self.feeds:
            fresh = {f.id: f for f in feeds}
            if {(f.id, f.tags) for f in self.feeds} == {(f.id, f.tags) for f in feeds}:
                feeds = [fresh[f.id] for f in self.feeds]
        self.feeds = list(feeds)
        folders: dict[str, list[FeedRow]] = {}
        self._loose = []
        for feed in self.feeds:
            for tag in feed.tags:
                folders.setdefault(tag, []).append(feed)
            if not feed.tags:
                self._loose.append(feed)
        self._folders = [
            (tag, folders[tag], sum(f.unread for f in folders[tag]))
            for tag in sorted(folders, key=str.casefold)
        ]
        self._places = None
        self._sizes = None
        self.layout()

    def set_outline(self, outline: FeedOutline) -> None:
        """The first screen's rows and every block's size (`FeedOutline`): the lines past the
        rows known are blank until `set_feeds` gives them all; folders show no count yet."""
        self._folders = [(tag, list(rows), None) for tag, _size, rows in outline.folders]
        self._loose = list(outline.loose_rows)
        self._sizes = [size for _tag, size, _rows in outline.folders] + [outline.loose]
        self.feeds = [*(r for _t, _s, rows in outline.folders for r in rows), *self._loose]
        self._places = None
        self.layout()

    @property
    def complete(self) -> bool:
        """Every feed is read (not an outline)."""
        return self._sizes is None

    def layout(self) -> None:
        """The blocks of lines, from the feeds as set and the folds."""
        head = [
            Line(View(kind), name=name, badge=self.counts.get(kind)) for kind, name in VIRTUAL_VIEWS
        ]
        head += [
            Line(saved_view(s), name=s.name, badge=self.view_unread.get(s.name))
            for s in self.saved_views
        ]
        self._head = head
        starts, blocks = [0], [("head", 0)]
        line = len(head)
        for i, (tag, members, _) in enumerate(self._folders):
            starts.append(line)
            blocks.append(("folder", i))
            line += 1
            if tag not in self.closed:
                starts.append(line)
                blocks.append(("members", i))
                line += self._sizes[i] if self._sizes else len(members)
        starts.append(line)
        blocks.append(("loose", 0))
        line += self._sizes[-1] if self._sizes else len(self._loose)
        self._starts, self._blocks, self.total = starts, blocks, line

    def line(self, y: int) -> Line | None:
        """The row at line `y` (0 is the first); None past the end, and for an outline's
        rows not read yet."""
        if not 0 <= y < self.total:
            return None
        block = bisect_right(self._starts, y) - 1
        kind, i = self._blocks[block]
        offset = y - self._starts[block]
        if kind == "head":
            return self._head[offset]
        if kind == "folder":
            tag, _members, unread = self._folders[i]
            return Line(View("tag", tag=tag), None, tag, False, tag, unread, tag not in self.closed)
        if kind == "members":
            tag, members, _ = self._folders[i]
            if offset >= len(members):
                return None  # an outline's: not read yet
            feed = members[offset]
            size = self._sizes[i] if self._sizes else len(members)
            return Line(View("feed", feed_id=feed.id), feed, tag, offset == size - 1)
        if offset >= len(self._loose):
            return None
        feed = self._loose[offset]
        return Line(View("feed", feed_id=feed.id), feed)

    def _feed_places(self) -> dict[int, list[tuple[str | None, int]]]:
        if self._places is None:
            places: dict[int, list[tuple[str | None, int]]] = {}
            for tag, members, _ in self._folders:
                for i, feed in enumerate(members):
                    places.setdefault(feed.id, []).append((tag, i))
            for i, feed in enumerate(self._loose):
                places.setdefault(feed.id, []).append((None, i))
            self._places = places
        return self._places

    def _line_of(self, folder: str | None, index: int) -> int | None:
        """The line of the `index`th feed of `folder` (None: the feeds in no folder)."""
        for block, (kind, i) in enumerate(self._blocks):
            if (kind == "loose" and folder is None) or (
                kind == "members" and self._folders[i][0] == folder
            ):
                return self._starts[block] + index
        return None

    def find(self, view: View) -> tuple[int | None, str | None]:
        """The line showing `view` (None when none does) and, for a feed in closed folders
        only, the folder to open to show it."""
        for y, line in enumerate(self._head):
            if line.view == view:
                return y, None
        if view.kind == "tag":
            for block, (kind, i) in enumerate(self._blocks):
                if kind == "folder" and self._folders[i][0] == view.tag:
                    return self._starts[block], None
            return None, None
        if view.kind == "feed" and view.feed_id is not None:
            places = self._feed_places().get(view.feed_id, [])
            for folder, index in places:
                if folder is None or folder not in self.closed:
                    return self._line_of(folder, index), None
            if places:
                return None, places[0][0]
        return None, None

    def feed_order(self, feed_id: int | None, cursor_folder: str | None) -> list[int]:
        """The feeds' ids in the order they are drawn (folders and their feeds, then the feeds
        without a folder), starting at `feed_id`'s row in `cursor_folder` when it is there,
        else at its first. Each feed once."""
        rows: list[tuple[str | None, int]] = [
            (tag, f.id) for tag, members, _ in self._folders for f in members
        ]
        rows += [(None, f.id) for f in self._loose]
        if feed_id is not None and (cursor_folder, feed_id) in rows:
            start = rows.index((cursor_folder, feed_id))
        else:
            start = next((i for i, (_, fid) in enumerate(rows) if fid == feed_id), 0)
        return list(dict.fromkeys(fid for _, fid in rows[start:] + rows[:start]))
