"""The reader's marks this session (read, unread, bookmark, a whole view read), newest last, for `u`."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

DEPTH = 100
"""Marks kept; the oldest are forgotten past this."""


@dataclass(frozen=True, slots=True)
class Mark:
    """One mark: which articles, which flag, and the value they all had before it."""

    flag: Literal["read", "bookmarked"]
    ids: tuple[int, ...]
    before: bool
    what: str
    """What it did, for the message when it is undone, e.g. "553 articles marked read"."""


class UndoStack:
    """Marks, newest last; `pop` gives the one to undo."""

    def __init__(self, depth: int = DEPTH) -> None:
        self._marks: deque[Mark] = deque(maxlen=depth)

    def push(self, mark: Mark) -> None:
        if mark.ids:  # a mark that changed nothing has nothing to undo
            self._marks.append(mark)

    def pop(self) -> Mark | None:
        return self._marks.pop() if self._marks else None

    def __len__(self) -> int:
        return len(self._marks)


def describe(flag: str, value: bool, count: int) -> str:
    """ "3 articles marked read", "1 article bookmarked"…"""
    noun = f"{count} article{'s' if count != 1 else ''}"
    if flag == "read":
        return f"{noun} marked {'read' if value else 'unread'}"
    return f"{noun} {'bookmarked' if value else 'unbookmarked'}"
