"""Edit a feed: its title, its tags (comma-separated) and whether to fetch full articles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from newstui.core.models import Feed
from newstui.core.text import clean_line


@dataclass(frozen=True, slots=True)
class FeedEdit:
    """What the dialog returns."""

    title: str | None
    tags: tuple[str, ...]
    full_text: bool


class EditFeedScreen(ModalScreen[FeedEdit | None]):
    """The feed's editable fields; `enter` in a field saves, `escape` cancels.

    | Key | Action |
    | --- | --- |
    | `ctrl+s` | Save |
    | `escape` | Cancel |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="close_dialog"),
        Binding("ctrl+s", "save", "Save", id="save_dialog"),
    ]

    def __init__(self, feed: Feed) -> None:
        super().__init__()
        self.feed = feed

    def compose(self) -> ComposeResult:
        feed = self.feed
        with Vertical(classes="dialog"):
            yield Static(
                Content.assemble(
                    Content.styled("Edit feed ", "bold"), clean_line(feed.url, max_length=200)
                ),
                classes="dialog-title",
            )
            yield Label("Title (empty: the feed's own)")
            yield Input(
                clean_line(feed.title or ""),
                placeholder=clean_line(feed.feed_title or feed.url),
                id="edit-title",
            )
            yield Label("Tags, comma-separated")
            yield Input(", ".join(clean_line(t) for t in feed.tags), id="edit-tags")
            yield Checkbox(
                "Fetch full articles from their web pages", feed.full_text, id="edit-full-text"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def _result(self) -> FeedEdit:
        title = self.query_one("#edit-title", Input).value.strip() or None
        tags = tuple(
            t.strip() for t in self.query_one("#edit-tags", Input).value.split(",") if t.strip()
        )
        full = self.query_one("#edit-full-text", Checkbox).value
        return FeedEdit(title, tags, full)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(self._result())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self._result() if event.button.id == "save" else None)

    def action_save(self) -> None:
        self.dismiss(self._result())

    def action_cancel(self) -> None:
        self.dismiss(None)
