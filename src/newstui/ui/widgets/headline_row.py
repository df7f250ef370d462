"""One headline row as [display] headline_format lays it out: flags, date, feed, the title in the room left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from newstui.config import Field, parse_headline_format, without_feed
from newstui.domain.models import Headline
from newstui.domain.text import clean_line
from newstui.library.facade import spans


class HeadlineRow:
    """Draws rows of one list: the format parsed once, dates in the list's time zone."""

    def __init__(self, headline_format: str, date_format: str, tz: tzinfo | None) -> None:
        self.date_format = date_format
        self.tz = tz
        sample = datetime(2000, 9, 28, 23, 59, tzinfo=UTC)  # the longest month name
        try:
            self.date_width = min(len(clean_line(sample.strftime(date_format))), 40)
        except ValueError:
            self.date_width = 16
        self.format = parse_headline_format(headline_format)
        self.format_no_feed = without_feed(self.format)

    def date_text(self, headline: Headline) -> str:
        if headline.published is None:
            return "—"  # undated: it sorts by its file's time (local) or when it was first seen
        when = (
            headline.published.astimezone(self.tz) if self.tz else headline.published.astimezone()
        )
        if when.date() == self.today():  # today's many read apart by their time of day
            return when.strftime("%H:%M")
        try:
            return clean_line(when.strftime(self.date_format), max_length=40)
        except ValueError:
            return when.strftime("%Y-%m-%d %H:%M")

    def today(self) -> date:
        return datetime.now(self.tz).date() if self.tz else datetime.now().astimezone().date()

    def draw(
        self,
        h: Headline,
        *,
        width: int,
        shows_feed: bool,
        marks: list[tuple[tuple[str, ...], bool]],
        style: Callable[[str], Style],
        match: Style,
        fill: Style | None,
    ) -> Strip:
        """The row `width` cells wide; `style` gives a component's style, `match` a searched
        word's; `fill` pads the row (None: the title's style, as the cursor's row is drawn)."""
        text_style = style("headline-list--read" if h.read else "headline-list--unread")
        mark = style("headline-list--mark")
        meta = style("headline-list--meta")
        parts = self.format if shows_feed and width >= 60 else self.format_no_feed
        segments: list[Segment] = []
        title_at = 0
        for part in parts:
            if isinstance(part, str):
                segments.append(Segment(part, meta))
            elif part.letter == "t":
                title_at = len(segments)
            elif part.letter == "F":
                flags = ("●" if not h.read else " ") + ("★" if h.bookmarked else " ")
                segments.append(Segment(_fit(flags, part), mark))
            elif part.letter == "D":
                date = self.date_text(h)
                if part.width is None:  # a fixed column: undated rows keep the titles aligned
                    date = _fit(date, Field("D", self.date_width, right=False))
                segments.append(Segment(_fit(date, part), meta))
            elif part.letter == "T":
                feed = clean_line(h.feed_title, max_length=200)
                segments.append(Segment(_fit(feed, part), meta))
        used = sum(segment.cell_length for segment in segments)
        title = clean_line(h.title, max_length=500) or "(untitled)"
        room = width - used - 1
        if room > 0 and cell_len(title) > room:  # cut where the row ends, and say so
            title = set_cell_size(title, room - 1) + "…"
        elif room <= 0:
            title = ""
        elif title_at < len(segments):  # columns after the title stay aligned
            title = set_cell_size(title, room)
        at = 0
        pieces: list[Segment] = []
        for start, end in spans(title, marks) if marks else []:  # searched words stand out
            pieces.append(Segment(title[at:start], text_style))
            pieces.append(Segment(title[start:end], text_style + match))
            at = end
        pieces.append(Segment(title[at:], text_style))
        segments[title_at:title_at] = pieces
        padding = text_style if fill is None else fill
        return Strip(segments).adjust_cell_length(width, padding).crop(0, width)


def _fit(text: str, field: Field) -> str:
    """`text` cut or padded to the field's width (as it is without one)."""
    if field.width is None:
        return text
    if cell_len(text) > field.width:
        return set_cell_size(text, field.width)
    pad = " " * (field.width - cell_len(text))
    return pad + text if field.right else text + pad
