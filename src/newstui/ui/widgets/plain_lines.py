"""`PlainLines`: a borderless widget's rows framed as Textual's styles cache frames them, and
kept, as it keeps them, until a line is marked for a repaint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.widget import Widget

if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object  # a mixin: Textual takes CSS and component classes from the first widget base


class PlainLines(_Base):
    """For a line-API widget with no border, outline, padding, tint or opacity: Textual's
    framing of each row (its styles cache, ~30 µs a row) would only pad it to the width and
    apply the line filters, so the widget does that itself (`_render_plainly`).

    The screen asks a widget for all its rows whenever anything that shares its container is
    repainted (a count in the feeds pane asks the list beside it for its every row): the rows
    drawn before are handed back, as the styles cache hands back its lines, until Textual or
    the widget marks one dirty (`refresh`, a scroll, a restyle, a resize)."""

    _framed: dict[int, Strip] | None = None
    """Each line as last drawn (before the line filters), by its row in the widget."""
    _framing: tuple[object, ...] = ()
    """The width, height and background those lines were drawn for."""

    def _plain(self) -> bool:
        """Nothing but the rows to draw: no border, outline, padding, tint or opacity."""
        styles = self.styles
        return (
            not any(edge for edge, _ in styles.border)
            and not any(edge for edge, _ in styles.outline)
            and not any(styles.padding)
            and not styles.tint.a
            and styles.text_opacity == 1.0
            and self.opacity == 1.0
            and not (styles.has_rule("hatch") and styles.hatch != "none")
        )

    def _render_plainly(self, crop: Region) -> list[Strip]:
        """What Textual's styles cache makes of the rows of a plain widget (a test compares)."""
        base_background, background = self.background_colors
        inner = TextualStyle(background=base_background + background).rich_style
        content_width, content_height = self.content_region.size
        filters = self.get_line_filters()
        framing = (content_width, content_height, inner)
        if self._framed is None or framing != self._framing:
            self._framing, self._framed = framing, {}
        framed = self._framed
        dirty = self._styles_cache.is_dirty
        strips: list[Strip] = []
        for y in crop.line_range:
            line = framed.get(y)
            if line is None or dirty(y):
                if y < content_height:
                    line = self.render_line(y).adjust_cell_length(content_width, inner)
                else:
                    line = Strip.blank(content_width, inner)
                framed[y] = line
            for line_filter in filters:
                line = line.apply_filter(line_filter, background)
            strips.append(line)
        # What the styles cache does once it has drawn them: its set of dirty lines is the one
        # record of the lines Textual and the widget marked for a repaint.
        self._styles_cache._dirty_lines.difference_update(crop.line_range)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, self.region.width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips
