"""A one-line prompt dialog: search terms, a feed URL; returns the text or None on escape."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text.

    | Key | Action |
    | --- | --- |
    | `enter` | Accept |
    | `escape` | Cancel |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="close_dialog"),
    ]

    def __init__(
        self,
        title: str,
        *,
        placeholder: str = "",
        hint: str = "",
        value: str = "",
        check: Callable[[str], tuple[str, int] | None] | None = None,
    ) -> None:
        """`check` returns None for acceptable text, else (message, position): the dialog stays
        open, shows the message under the text and puts the cursor at the position."""
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.hint = hint
        self.value = value
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self.title_text, "bold"), classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error", classes="dialog-error")
            if self.hint:
                yield Static(Content(self.hint), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#prompt-error", Static).display = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        problem = self.check(value) if self.check is not None and value else None
        if problem is not None:
            message, position = problem
            lead = len(event.value) - len(event.value.lstrip())
            error = self.query_one("#prompt-error", Static)
            error.update(Content(message))
            error.display = True
            event.input.cursor_position = lead + position
            return
        self.dismiss(value or None)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#prompt-error", Static).display = False

    def action_cancel(self) -> None:
        self.dismiss(None)
