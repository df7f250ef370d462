"""The key bar: the keys that work now, drawn as one line of text."""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class _Key(NamedTuple):
    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
    action: str = ""


PINNED_ACTIONS = ("back", "quit", "help")
"""Always shown, at the end of the keys: the way out and the way to every other key."""


class Footer(Widget, can_focus=False):
    """The keys of the focused pane and of the screen, like Textual's Footer (click a key to
    press it, ^p for the command palette on the right) but one widget drawing one line.

    Textual's Footer recomposes a widget per key on every change of focus: mounting and styling
    them and a relayout of the screen were most of the time it took to open a feed. Here a change
    of keys is a repaint of this line, and a focus change that keeps the keys changes nothing."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "footer--key",
        "footer--description",
        "footer--hover",
        "footer--separator",
    }
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    Footer > .footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    Footer > .footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    Footer > .footer--hover {
        background: $block-hover-background;
    }
    Footer > .footer--separator {
        color: $foreground 20%;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple[_Key, ...] = ()
        self._palette: _Key | None = None
        self._spans: list[tuple[int, int, _Key]] = []
        self._hover: _Key | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if not self.is_attached or screen is not self.screen or not screen.app.app_focus:
            return
        app = self.app
        active = screen.active_bindings
        keys: list[_Key] = []
        actions: set[str] = set()
        for _node, binding, enabled, tooltip in active.values():
            # One key per action, as Textual's footer does ("j,down" shows j).
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            display = app.get_key_display(binding)
            keys.append(
                _Key(binding.key, display, binding.description, enabled, tooltip, binding.action)
            )
        palette: _Key | None = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = _Key(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                enabled,
                binding.tooltip or binding.description,
            )
            keys = [k for k in keys if k.key != palette.key]
        if tuple(keys) != self._keys or palette != self._palette:
            self._keys, self._palette = tuple(keys), palette
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("footer--key")
        description_style = self.get_component_rich_style("footer--description")
        hover_style = self.get_component_rich_style("footer--hover", partial=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, _Key]] = []

        def add(key: _Key, key_text: str, description: str) -> None:
            start = line.cell_len
            extra = hover_style if key == self._hover else Style()
            if not key.enabled:
                extra += Style(dim=True)
            line.append(key_text, key_style + extra)
            if description:
                line.append(description, description_style + extra)
            spans.append((start, line.cell_len, key))

        palette = self._palette
        tail = 1 + len(palette.display) + len(palette.description) + 2 if palette else 0
        room = max(0, self.size.width - tail)
        for key in self._fitting(room):
            add(key, f" {key.display} ", f"{key.description} " if key.description else "")
        if palette is not None:
            # On the right after a rule, as Textual's footer has it ("▏^p Commands ").
            if line.cell_len > room:
                line.truncate(room)
                spans = [(a, min(b, room), k) for a, b, k in spans if a < room]
            line.append(" " * (room - line.cell_len))
            line.append("▏", self.get_component_rich_style("footer--separator"))
            add(palette, palette.display, f" {palette.description}")
            line.append(" ")
        line.stylize_before(self.rich_style)
        self._spans = spans
        return line

    def _fitting(self, room: int) -> list[_Key]:
        """The keys that fit in `room` cells: the pinned ones (help, back or quit) always, at
        the end; of the others, those declared last (the less common) are dropped first."""
        pinned = [k for k in self._keys if k.action in PINNED_ACTIONS]
        pinned.sort(key=lambda k: PINNED_ACTIONS.index(k.action))
        others = [k for k in self._keys if k.action not in PINNED_ACTIONS]

        def width(key: _Key) -> int:
            return len(key.display) + 2 + (len(key.description) + 1 if key.description else 0)

        used = sum(width(k) for k in pinned)
        kept: list[_Key] = []
        for key in others:
            if used + width(key) > room:
                break
            kept.append(key)
            used += width(key)
        return kept + pinned

    def _key_at(self, x: int) -> _Key | None:
        for start, end, key in self._spans:
            if start <= x < end:
                return key
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        event.stop()
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        if key != self._hover:
            self._hover = key
            self.tooltip = key.tooltip if key is not None and key.tooltip else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()
