"""The header: the app name, the current view and its counts (no clock: nothing that ticks)."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static


class ViewHeader(Static):
    """One line naming what the headline list shows."""

    view_name: reactive[str] = reactive("")
    """Plain name of the current view (feed titles are untrusted text, shown literally)."""
    counts: reactive[str] = reactive("")
    """e.g. "12 articles · 3 unread"."""
    hint: reactive[str] = reactive("")
    """e.g. "reading ./notes (not subscribed)"."""

    def render(self) -> Content:
        parts: list[Content | str] = [Content.styled(" newstui ", "bold reverse"), " "]
        parts.append(Content.styled(self.view_name, "bold"))
        if self.counts:
            parts += ["  ", Content.styled(self.counts, "$text-muted")]
        if self.hint:
            parts += ["  ", Content.styled(self.hint, "italic $text-warning")]
        return Content.assemble(*parts)
