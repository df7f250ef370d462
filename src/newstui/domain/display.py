"""How dates, paths, sizes and URLs read on screen: small pure helpers for every layer that shows them."""

from __future__ import annotations

import os
import re
from datetime import datetime

from newstui.domain.models import Enclosure
from newstui.domain.text import clean_line

UNDATED = "—"
"""What an article without a date of its own shows where the date would be."""


def home_path(path: os.PathLike[str] | str) -> str:
    """A path as a person writes it: under the home folder as `~/…`."""
    text = os.fspath(path)
    home = os.path.expanduser("~")
    if home not in ("", "/") and (text == home or text.startswith(home.rstrip("/") + "/")):
        text = "~" + text[len(home.rstrip("/")) :]
    return clean_line(text, max_length=2000)


def format_date(when: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A date for the header, in local time; "—" when the article has none."""
    if when is None:
        return UNDATED
    try:
        return clean_line(when.astimezone().strftime(fmt), max_length=60)
    except ValueError:
        return when.astimezone().strftime("%Y-%m-%d %H:%M")


def describe_enclosure(enclosure: Enclosure) -> str:
    """`audio/mpeg · 24.1 MB · 1:02:03`: what the feed says about an attached file."""
    parts = [clean_line(enclosure.type, max_length=60) if enclosure.type else enclosure.kind]
    if enclosure.length:
        parts.append(human_bytes(enclosure.length))
    if enclosure.duration:
        parts.append(human_duration(enclosure.duration))
    return " · ".join(parts)


def human_bytes(n: int) -> str:
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def human_duration(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def shorten_url(url: str, width: int) -> str:
    """`url` in at most `width` characters: its host and its end kept, "…" between."""
    text = clean_line(url, max_length=4000)
    if len(text) <= width or width < 12:
        return text
    match = re.match(r"^([a-z][a-z0-9+.-]*://[^/?#]*)(.*)$", text, re.I)
    head = match.group(1) if match else text[: width // 2]
    room = width - len(head) - 1
    if room < 8:
        return text[: width - 1] + "…"
    return head + "…" + text[len(text) - room :]
