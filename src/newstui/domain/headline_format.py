"""`[display] headline_format`: what a row of the headline list shows, like newsboat's
`articlelist-format`.

Placeholders: `%F` the flags (● unread, ★ bookmarked: two cells), `%D` the date (the time of day
for today's articles), `%T` the feed's name (left out, with the spaces after it, in a feed's own
list), `%t` the title, which takes the room left and ends in "…" when cut, `%%` a percent sign.
A width goes between `%` and the letter, as in printf: `%-16T` is cut or padded to 16 cells and
left-aligned, `%16T` right-aligned. `%D` without a width is as wide as the longest date of
`list_date_format`, so the titles stay aligned. Any other text is shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_HEADLINE_FORMAT = " %F %D  %-16T  %t"
FIELDS = {"F": "flags", "D": "date", "T": "feed", "t": "title"}
_TOKEN = re.compile(r"%(-?)(\d*)(.?)")


@dataclass(frozen=True, slots=True)
class Field:
    letter: str
    width: int | None = None
    right: bool = False


Part = str | Field


def parse_headline_format(text: str) -> tuple[Part, ...]:
    """The format's parts; ValueError saying what is wrong (an unknown placeholder, no `%t`)."""
    parts: list[Part] = []
    literal: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        literal.append(text[pos : match.start()])
        pos = match.end()
        dash, digits, letter = match.groups()
        if letter == "%" and not dash and not digits:
            literal.append("%")
            continue
        if letter not in FIELDS:
            shown = match.group(0) if letter else "% at the end"
            known = ", ".join(f"%{k} ({v})" for k, v in FIELDS.items())
            raise ValueError(f"unknown placeholder {shown!r}; use {known} or %% for a percent sign")
        if letter == "t" and digits:
            raise ValueError("%t takes the room left: it has no width")
        width = int(digits) if digits else None
        if width is not None and not 1 <= width <= 200:
            raise ValueError(f"the width of {match.group(0)!r} must be between 1 and 200")
        if "".join(literal):
            parts.append("".join(literal))
        literal = []
        parts.append(Field(letter, width, right=not dash))
    literal.append(text[pos:])
    if "".join(literal):
        parts.append("".join(literal))
    titles = sum(1 for p in parts if isinstance(p, Field) and p.letter == "t")
    if titles != 1:
        raise ValueError("it must hold %t (the title) exactly once")
    if any(ch in "".join(p for p in parts if isinstance(p, str)) for ch in "\n\r\t\x1b"):
        raise ValueError("it must be one line of plain text")
    return tuple(parts)


def without_feed(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """The format for a feed's own list: `%T` and the blank text right after it left out."""
    out: list[Part] = []
    skip_blank = False
    for part in parts:
        if isinstance(part, Field) and part.letter == "T":
            skip_blank = True
            continue
        if skip_blank and isinstance(part, str) and not part.strip():
            skip_blank = False
            continue
        skip_blank = False
        out.append(part)
    return tuple(out)
