"""The header: one title over each pane, the focused pane's lit (no clock: nothing that ticks)."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.reactive import reactive
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
    columns_of: Callable[[], tuple[tuple[str, int, int], ...]] | None = None
    """Gives (pane, x, width) of each pane shown, left to right; set by the screen. Asked
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

    def render(self) -> Content:
        columns = (self.columns_of() if self.columns_of else ()) or (
            ("headlines", 0, self.size.width),
        )
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
