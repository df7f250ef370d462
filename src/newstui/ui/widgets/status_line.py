"""The status line: refresh progress, the selected feed's last error, short hints."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static


class StatusLine(Static):
    """One line under the panes; text set by the screen, always shown as plain text."""

    progress: reactive[str] = reactive("")
    """Refresh progress, e.g. "Refreshing 3/10"."""
    detail: reactive[str] = reactive("")
    """About the selection: a feed's error, an open-only hint."""

    def render(self) -> Content:
        if self.progress and self.detail:
            return Content.assemble(
                Content.styled(self.progress, "bold"), "  ·  ", Content(self.detail)
            )
        if self.progress:
            return Content.styled(self.progress, "bold")
        return Content(self.detail)
