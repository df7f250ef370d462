"""A vertical scrollbar that draws its rows directly, keeping them for its state."""

from __future__ import annotations

from typing import Any

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget


class QuickScrollBar(ScrollBar):
    """Textual's vertical ScrollBar, drawn without going through Rich's console.

    Textual repaints a widget's scrollbars on every restyle (a change of focus included), on
    every scroll and when the list changes length; drawing a 42-row bar through Rich cost 0.6 to
    1.6 ms, two bars were an eighth of opening a feed. Here the bar's segments come from
    Textual's own `ScrollBarRender.render_bar` and get the widget's base style and line filters
    as Textual's drawing gives them (a test compares both), and the rows are kept for the
    bar's state (size, thumb, colours), so a repaint that changed nothing costs nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._drawn: LRUCache[tuple[object, ...], list[Strip]] = LRUCache(32)

    def render_lines(self, crop: Region) -> list[Strip]:
        renderable = self.render()
        style = getattr(renderable, "style", None)
        if (
            not self.vertical
            or type(renderable) is not ScrollBarRender
            or not isinstance(style, Style)
        ):
            return super().render_lines(crop)
        width, height = self.size
        base = self.rich_style
        filters = tuple(self.get_line_filters())
        key = (
            width,
            height,
            renderable.virtual_size,
            renderable.window_size,
            renderable.position,
            style,
            base,
            filters,
        )
        strips = self._drawn.get(key)
        if strips is None:
            strips = self._draw(renderable, style, base, filters)
            self._drawn[key] = strips
        x1, x2 = crop.column_span
        lines = strips[crop.y : crop.bottom]
        if (x1, x2) != (0, width):
            lines = [line.crop(x1, x2) for line in lines]
        return lines

    def _draw(
        self,
        bar: ScrollBarRender,
        style: Style,
        base: Style,
        filters: tuple[Any, ...],
    ) -> list[Strip]:
        """As ScrollBarRender.__rich_console__ and Textual's widget drawing make them."""
        width, height = self.size
        segments = bar.render_bar(
            size=height,
            virtual_size=bar.virtual_size,
            window_size=bar.window_size,
            position=bar.position,
            thickness=width,
            vertical=True,
            back_color=style.bgcolor or Color.parse("#555555"),
            bar_color=style.color or Color.parse("bright_magenta"),
        )
        _, background = self.background_colors
        made: dict[Segment, Strip] = {}
        strips: list[Strip] = []
        for segment in segments.segments:
            strip = made.get(segment)
            if strip is None:
                text, segment_style, _ = segment
                styled = base + segment_style if segment_style else base
                strip = Strip([Segment(text, styled)], width)
                for line_filter in filters:
                    strip = strip.apply_filter(line_filter, background)
                made[segment] = strip
            strips.append(strip)
        return strips


def quick_vertical_scrollbar(widget: Widget) -> ScrollBar:
    """The body of a widget's `vertical_scrollbar` property, making a QuickScrollBar (as
    Textual's property does for its ScrollBar)."""
    if widget._vertical_scrollbar is None:
        bar = QuickScrollBar(
            vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical
        )
        bar.display = False
        widget._vertical_scrollbar = bar
        widget.app._start_widget(widget, bar)
    return widget._vertical_scrollbar
