"""The header: one title over each pane, the focused pane's lit (no clock: nothing that ticks)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

PANE_NAMES = ("feeds", "headlines", "article")


class ViewHeader(Static):
    """One line: "Feeds" over the feeds pane, the view and its counts over the headlines, the
    article's feed over the article. The title over the pane that has the keys is drawn lit,
    so the focused pane is plain to see whatever the theme."""

    view_name: reactive[str] = reactive("")
    """Plain name of the current view (feed titles are untrusted text, shown literally)."""
    counts: reactive[str] = reactive("")
    """e.g. "12 articles"."""
    hint: reactive[str] = reactive("")
    """e.g. "reading ./notes (not subscribed)"."""
    article_name: reactive[str] = reactive("")
    """What the article pane shows (its feed's title), plain text."""
    panes: Sequence[Widget] = ()
    """The panes under PANE_NAMES, left to right (set by the screen). Their places are read
    when drawing, so the titles sit over the panes of the same frame's layout."""
    focused_pane: reactive[str] = reactive("headlines")
    """Which of PANE_NAMES has the keys."""

    def _title(self, pane: str) -> Content:
        if pane == "feeds":
            return Content("Feeds")
        if pane == "article":
            return Content(self.article_name or "Article")
        parts: list[Content | str] = [Content(self.view_name)]
        if self.counts:
            parts += ["  ", Content.styled(self.counts, "$text-muted")]
        if self.hint:
            parts += ["  ", Content.styled(self.hint, "italic $text-warning")]
        return Content.assemble(*parts)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._retries = 0

    def _columns(self) -> tuple[tuple[str, int, int], ...]:
        """(pane, x, width) of each pane shown, left to right."""
        shown = [(n, p.region) for n, p in zip(PANE_NAMES, self.panes, strict=False) if p.display]
        total = self.screen.size.width
        if any(not r.width for _, r in shown) or sum(r.width for _, r in shown) != total:
            # A pane shown or hidden, or the screen resized, and not laid out yet: draw the
            # titles again once it is (a few tries at most).
            if self._retries < 5:
                self._retries += 1
                self.call_after_refresh(self.refresh)
        else:
            self._retries = 0
        return tuple((n, r.x, r.width) for n, r in shown if r.width)

    def render(self) -> Content:
        columns = self._columns() or (("headlines", 0, self.size.width),)
        out: list[Content | str] = []
        at = 0
        for pane, x, width in columns:
            if x > at:
                out.append(" " * (x - at))
                at = x
            if width <= 2:
                continue
            title = Content.assemble(" ", self._title(pane)).truncate(width - 1, ellipsis=True)
            cell = Content.assemble(title, " ").truncate(width, pad=True)
            if pane == self.focused_pane:
                cell = cell.stylize_before(
                    "bold $block-cursor-foreground on $block-cursor-background"
                )
            else:
                cell = cell.stylize_before("$text-muted")
            out.append(cell)
            at = x + width
        return Content.assemble(*out)
