"""Panes whose focus shows in the cursor row alone, so a focus change repaints that row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Self

from textual import events
from textual.geometry import Region
from textual.widget import Widget

if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object  # a mixin: Textual takes CSS and component classes from the first widget base


class CursorRowFocus(_Base):
    """For the feeds and headlines panes, whose look differs with focus in the cursor row
    alone, and whose cursor picks its look (focused or not) when it is drawn.

    Textual restyles a widget when its focus changes, in case a style depends on :focus
    (~1.2 ms a pane: its styles, scrollbars and component classes), and repaints it whole
    (`focus()`, its focus and blur handlers). These panes have no style that depends on
    :focus (app.tcss keeps it so), so the restyle is skipped and those repaints become a
    repaint of the cursor row. Opening a feed had repainted both panes whole and restyled
    both: ~5.5 ms of the 20 ms it then took (in-process, the 10k-article feed)."""

    _in_focus_change = False

    def cursor_row_region(self) -> Region | None:
        """The cursor's row, in the widget's visible region; None when there is none."""
        raise NotImplementedError

    @contextmanager
    def _focus_change(self) -> Iterator[None]:
        self._in_focus_change = True
        try:
            yield
        finally:
            self._in_focus_change = False

    def focus(self, scroll_visible: bool = True) -> Self:
        with self._focus_change():  # Widget.focus() repaints the widget before focusing it
            return super().focus(scroll_visible)

    def watch_has_focus(self, has_focus: bool) -> None:
        """Textual restyles the widget here (its styles, scrollbars and component classes:
        ~1.2 ms a pane) in case a style depends on :focus. None of these panes' does (app.tcss;
        the cursor picks its look when drawn), so only the cursor's row is repainted."""
        self.refresh()  # within the focus guard: the cursor's row

    def _on_focus(self, event: events.Focus) -> None:
        event.prevent_default()  # Widget's handler runs here, inside the guard
        with self._focus_change():
            Widget._on_focus(self, event)

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        with self._focus_change():
            Widget._on_blur(self, event)

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._in_focus_change and not regions and repaint and not (layout or recompose):
            row = self.cursor_row_region()
            if row is None:
                return self
            regions = (row,)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
