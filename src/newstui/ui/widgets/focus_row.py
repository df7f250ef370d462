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
    """Textual repaints a widget whole when its focus changes: its focus and blur handlers,
    and the restyle in between (a component style that differs under `:focus`, such as the
    cursor's, repaints the widget). For the feeds and headlines panes, whose look differs
    between the two states in the cursor row alone (app.tcss keeps it so: no tint, border or
    other style under `:focus` but the cursor's), those repaints become a repaint of the
    cursor row. Leaving the feeds pane for the headlines had repainted both panes whole
    (~2.5 ms of opening a feed)."""

    _in_focus_change = False

    def cursor_row_region(self) -> Region | None:
        """The cursor's row, in the widget's visible region; None when there is none."""
        raise NotImplementedError

    @property
    def in_focus_change(self) -> bool:
        """True while the widget restyles for a change of focus."""
        return self._in_focus_change

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
