"""`Part`: a piece of the reader with workers and state but nothing to draw, and its messages."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.widget import Widget

from newstui.config import Config
from newstui.library.facade import Library


class Part(Widget, can_focus=False):
    """A hidden child of the main screen that owns one area of the reader's work.

    The screen calls its methods ("attributes down"); it answers with messages the screen
    handles ("messages up"), each with the part as its `control`, so `@on(Msg, "#id")` works.
    Its workers fail through the App's one handler (a notification, never a crash).
    """

    DEFAULT_CSS = "Part { display: none; }"

    class Status(Message):
        """The part's line of progress under the panes ("" when it is done)."""

        def __init__(self, part: Part, text: str) -> None:
            self.part = part
            self.text = text
            super().__init__()

        @property
        def control(self) -> Part:
            return self.part

        def can_replace(self, message: Message) -> bool:
            # A newer line of the same part waiting in the queue supersedes this one: a refresh
            # finishing hundreds of feeds at once is one update of the line, not hundreds.
            return isinstance(message, Part.Status) and message.part is self.part

    class Changed(Message):
        """The part changed the library: the feeds' counts and the list are read again."""

        def __init__(
            self, part: Part, *, soon: bool = False, then: Callable[[], None] | None = None
        ) -> None:
            self.part = part
            self.soon = soon
            """During a refresh: at most a few times a second, not at once."""
            self.then = then
            """Run once the counts and the list read again are on screen, in a later frame (a
            refresh's summary: its toast is laid out apart from the frames that redraw the
            panes)."""
            super().__init__()

        @property
        def control(self) -> Part:
            return self.part

        def can_replace(self, message: Message) -> bool:
            # The same news again from the same part supersedes this one, but a `soon` never
            # stands in for a reload wanted at once, and what is to follow one is never lost.
            return (
                isinstance(message, Part.Changed)
                and message.part is self.part
                and (self.soon or not message.soon)
                and self.then is None
            )

    def __init__(self, library: Library, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self.config = config

    def status(self, text: str) -> None:
        self.post_message(self.Status(self, text))

    def key_for(self, action_id: str, default: str) -> str:
        """The key that runs `action_id` now (the user may have remapped it)."""
        return key_for(self, action_id, default)


def key_for(node: Widget, action_id: str, default: str) -> str:
    """The key that runs `action_id` in `node`'s app now (the user may have remapped it)."""
    for item in getattr(node.app, "key_help", list)():
        if item.id == action_id:
            return str(item.keys).split(",")[0]
    return default
