"""Textual's footer, recomposed only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual's Footer recomposes (a widget per key, each styled) on every focus change:
    ~50 ms of a feed's opening. Moving between panes whose keys are the same changes nothing
    here, so that recompose is skipped."""

    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = tuple(
                (binding.key, binding.action, binding.description, binding.show, enabled, tooltip)
                for _node, binding, enabled, tooltip in screen.active_bindings.values()
            )
            if self._bindings_ready and shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
