"""The one way a link leaves newstui: checked by `is_openable_url`, handed to `webbrowser`, never a shell."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from newstui.domain.text import clean_line, is_openable_url


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
    import webbrowser  # when a link is opened, not at the reader's start

    return bool(webbrowser.open(url))


def system_opener() -> list[str] | None:
    """The command that opens a file with the user's default application, or None."""
    if sys.platform == "darwin":
        return ["open"]
    found = shutil.which("xdg-open")
    return [found] if found else None


def open_file(path: str) -> str | None:
    """Open a local file with the system's opener: an argument list, never a shell.

    Blocks briefly (it starts a process): run it in a thread. Returns why it could not, or None.
    """
    if not os.path.isfile(path):
        return f"{clean_line(path, max_length=120)}: the file is gone"
    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined]
        return None
    opener = system_opener()
    if opener is None:
        return "No program to open files with (install xdg-utils)."
    return launch([*opener, os.path.abspath(path)])


def launch(argv: list[str]) -> str | None:
    """Start `argv` detached from the terminal newstui draws on; why it failed, or None."""
    try:
        subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        return f"Could not start {clean_line(argv[0], max_length=60)}: {exc.strerror or exc}"
    return None


def player_command(command: tuple[str, ...] | list[str], url: str) -> list[str]:
    """The configured argument list with `{url}` replaced: one argument, never shell text."""
    return [part.replace("{url}", url) for part in command]
