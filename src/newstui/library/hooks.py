"""Running the user's commands: `[hooks] on_new` after a refresh, and desktop notifications."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Any, TextIO

from newstui.domain.models import Article
from newstui.domain.text import clean_line

log = logging.getLogger(__name__)

HOOK_TIMEOUT = 60.0
"""Seconds a hook may run before it is stopped (a refresh waits for it)."""
NOTIFY_TIMEOUT = 5.0
MAX_NOTIFY_CHARS = 300


def article_record(a: Article) -> dict[str, Any]:
    """An article as a hook reads it: the shape `articles --json` prints (one shape for both)."""
    published = (
        a.published.astimezone(UTC).isoformat().replace("+00:00", "Z") if a.published else None
    )
    return {
        "id": a.id,
        "feed_id": a.feed_id,
        "feed_title": clean_line(a.feed_title),
        "site": clean_line(a.site) if a.site else None,
        "title": clean_line(a.title),
        "url": clean_line(a.url) if a.url else None,
        "author": clean_line(a.author) if a.author else None,
        "published": published,
        "read": a.read,
        "bookmarked": a.bookmarked,
    }


def run_hook(command: Sequence[str], records: Iterable[dict[str, Any]]) -> str | None:
    """Run `command` (an argument list from the config file, never a shell) with `records` as
    JSON lines on its standard input; None when it ran and exited 0, else what went wrong.

    Its output goes nowhere: under the reader it would draw over the screen.
    """
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    try:
        proc = subprocess.run(
            list(command),
            input=data,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=HOOK_TIMEOUT,
            shell=False,
            check=False,
            start_new_session=True,  # a ctrl+c in the terminal is newstui's, not the hook's
        )
    except FileNotFoundError:
        return f"hook {clean_line(command[0])!r}: command not found"
    except PermissionError:
        return f"hook {clean_line(command[0])!r}: not executable"
    except subprocess.TimeoutExpired:
        return f"hook {clean_line(command[0])!r}: stopped after {HOOK_TIMEOUT:g} s"
    except OSError as exc:
        return f"hook {clean_line(command[0])!r}: {clean_line(exc.strerror or exc)}"
    if proc.returncode != 0:
        return f"hook {clean_line(command[0])!r} exited with status {proc.returncode}"
    return None


def notify(title: str, body: str, *, terminal: TextIO | None = None) -> str:
    """A desktop notification through notify-send where there is one, else a terminal
    notification (OSC 9, which most terminals show; BEL for the rest). Feed text is cleaned
    first: it can never carry an escape sequence of its own. Returns which way it went."""
    title = clean_line(title, max_length=MAX_NOTIFY_CHARS)
    body = clean_line(body, max_length=MAX_NOTIFY_CHARS)
    program = shutil.which("notify-send")
    if program is not None:
        try:
            subprocess.run(
                [program, "--app-name=newstui", "--", title, body],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=NOTIFY_TIMEOUT,
                check=True,
            )
            return "desktop"
        except (OSError, subprocess.SubprocessError):
            log.info("notify-send failed; notifying in the terminal", exc_info=True)
    text = f"{title}: {body}" if body else title
    sequence = f"\x1b]9;{text}\x07"
    try:
        if terminal is not None:
            terminal.write(sequence)
            terminal.flush()
        else:
            fd = os.open("/dev/tty", os.O_WRONLY | os.O_NOCTTY)
            try:
                os.write(fd, sequence.encode("utf-8", "replace"))
            finally:
                os.close(fd)
    except OSError:
        return "none"
    return "terminal"
