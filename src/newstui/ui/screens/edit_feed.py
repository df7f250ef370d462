"""Edit a feed: its title, tags, full articles, refresh interval, retention, User-Agent, pause."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from newstui.domain.models import Feed
from newstui.domain.text import clean_line
from newstui.library.facade import SettingError, minutes_text, parse_fields


@dataclass(frozen=True, slots=True)
class FeedEdit:
    """What the dialog returns."""

    title: str | None
    tags: tuple[str, ...]
    full_text: bool
    settings: dict[str, Any] = field(default_factory=dict)
    """Refresh interval, retention, User-Agent and pause, as `Library.set_feed_settings` takes."""


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
            with Vertical(id="edit-settings"):
                with Horizontal(classes="setting-row"):
                    yield Label("Title", classes="setting-label")
                    # Empty means the feed's own title: only a title the user chose is filled in.
                    own = feed.title if feed.title and feed.title != feed.feed_title else ""
                    yield Input(
                        clean_line(own),
                        placeholder=clean_line(feed.feed_title or feed.url),
                        compact=True,
                        id="edit-title",
                    )
                with Horizontal(classes="setting-row"):
                    yield Label("Tags", classes="setting-label")
                    yield Input(
                        ", ".join(clean_line(t) for t in feed.tags),
                        placeholder="comma-separated",
                        compact=True,
                        id="edit-tags",
                    )
                with Horizontal(classes="setting-row"):
                    yield Label("Refresh every", classes="setting-label")
                    yield Input(
                        minutes_text(feed.refresh_minutes),
                        placeholder="default (e.g. 30m, 2h, 1d)",
                        compact=True,
                        id="edit-refresh",
                    )
                with Horizontal(classes="setting-row"):
                    yield Label("Keep read (days)", classes="setting-label")
                    yield Input(
                        "" if feed.retention_days is None else str(feed.retention_days),
                        placeholder="default (0: for ever)",
                        compact=True,
                        id="edit-retention",
                    )
                with Horizontal(classes="setting-row"):
                    yield Label("User agent", classes="setting-label")
                    yield Input(
                        clean_line(feed.user_agent or ""),
                        placeholder="default",
                        compact=True,
                        id="edit-user-agent",
                    )
                yield Checkbox(
                    "Fetch full articles from their web pages",
                    feed.full_text,
                    compact=True,
                    id="edit-full-text",
                )
                yield Checkbox(
                    "Paused: refreshing all feeds skips this one",
                    feed.paused,
                    compact=True,
                    id="edit-paused",
                )
            yield Static("", id="edit-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def _result(self) -> FeedEdit | None:
        """What was entered; None (and the reason shown in the dialog) when a value is bad."""
        title = self.query_one("#edit-title", Input).value.strip() or None
        tags = tuple(
            t.strip() for t in self.query_one("#edit-tags", Input).value.split(",") if t.strip()
        )
        full = self.query_one("#edit-full-text", Checkbox).value
        try:
            settings = parse_fields(
                {
                    "refresh": self.query_one("#edit-refresh", Input).value,
                    "retention": self.query_one("#edit-retention", Input).value,
                    "user_agent": self.query_one("#edit-user-agent", Input).value,
                    "paused": str(self.query_one("#edit-paused", Checkbox).value),
                }
            )
        except SettingError as exc:
            self.query_one("#edit-error", Static).update(Content(clean_line(exc)))
            return None
        return FeedEdit(title, tags, full, settings)

    def _save(self) -> None:
        result = self._result()
        if result is not None:
            self.dismiss(result)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self._save()
        else:
            self.dismiss(None)

    def action_save(self) -> None:
        self._save()

    def action_cancel(self) -> None:
        self.dismiss(None)
