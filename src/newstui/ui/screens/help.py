"""The `?` help screen: every action with its id and current keys, from the live bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from newstui.ui.keys import KeyHelp


class HelpScreen(ModalScreen[None]):
    """All keys; `escape`, `?` or `q` close it.

    | Key | Action |
    | --- | --- |
    | `escape` | Close |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "dismiss", "Close", id="close_dialog"),
    ]

    def __init__(self, keys: list[KeyHelp], config_hint: str) -> None:
        super().__init__()
        self.keys = keys
        self.config_hint = config_hint

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Static(Content.styled("Keys", "bold"), classes="dialog-title")
            table: DataTable[Text] = DataTable(
                id="help-table", cursor_type="row", zebra_stripes=True
            )
            table.add_columns(Text("Keys"), Text("Action"), Text("Id (for [keys])"))
            for item in self.keys:
                table.add_row(Text(item.keys), Text(item.description), Text(item.id))
            yield table
            yield Static(Content(self.config_hint), classes="dialog-hint")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
