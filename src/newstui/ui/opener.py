"""The one way a link leaves newstui: checked by `is_openable_url`, handed to `webbrowser`, never a shell."""

from __future__ import annotations

import webbrowser

from newstui.core.text import clean_line, is_openable_url


def check_link(url: str | None) -> str | None:
    """Why `url` may not be opened, or None when it may."""
    if not url:
        return "This article has no link."
    if not is_openable_url(url):
        return f"Refused to open {clean_line(url, max_length=120)!r}: only http, https and mailto links open."
    return None


def open_in_browser(url: str) -> bool:
    """Open a checked link with Python's `webbrowser` (honours $BROWSER); may block, so run in a thread."""
    if not is_openable_url(url):  # checked again: this is the boundary
        return False
    return bool(webbrowser.open(url))
