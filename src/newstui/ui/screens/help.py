"""The `?` help screen: every action with its keys and id, by pane, and the files in use."""

from __future__ import annotations

import textwrap
from itertools import groupby
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from newstui.ui.keys import KeyHelp

SECTIONS = {
    "reader": "Anywhere in the reader",
    "lists": "Headlines",
    "feeds": "Feeds",
    "article": "Article",
    "app": "The app",
    "dialogs": "Dialogs",
}
KEYS_WIDTH = 20
ID_WIDTH = 20


def _short_keys(keys: str) -> str:
    """ "1, 2, …, 0" as "0-9": the one long key list would take a column's room alone."""
    parts = [k.strip() for k in keys.split(",")]
    if len(parts) > 3 and all(len(p) == 1 and p.isdigit() for p in parts):
        return f"{min(parts)}-{max(parts)}"
    return keys


def help_lines(keys: list[KeyHelp], width: int) -> list[Content]:
    """The table as lines of `width` cells at most: keys, what they do (wrapped), the id."""
    action_width = max(12, width - KEYS_WIDTH - ID_WIDTH - 2)
    lines: list[Content] = []
    for where, items in groupby(keys, key=lambda k: k.where):
        if lines:
            lines.append(Content(""))
        lines.append(Content.styled(SECTIONS.get(where, where), "bold $text-accent"))
        for item in items:
            wrapped = textwrap.wrap(item.description, action_width) or [""]
            shown = _short_keys(item.keys)
            key_cell = Content.styled(shown, "bold").truncate(KEYS_WIDTH - 1, ellipsis=True)
            for n, text in enumerate(wrapped):
                row: list[Content | str] = [
                    (key_cell if n == 0 else Content("")).truncate(KEYS_WIDTH, pad=True),
                    Content(text).truncate(action_width, pad=True),
                    "  ",
                    Content.styled(item.id if n == 0 else "", "$text-muted").truncate(
                        ID_WIDTH, ellipsis=True
                    ),
                ]
                lines.append(Content.assemble(*row))
    return lines


class HelpTable(Static):
    """The keys, drawn to the width they are given."""

    def __init__(self, keys: list[KeyHelp], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys = keys

    def render(self) -> Content:
        width = max(self.size.width, 40)
        header = Content.assemble(
            Content.styled("Keys".ljust(KEYS_WIDTH), "bold $text-muted"),
            Content.styled(
                "Action".ljust(max(12, width - KEYS_WIDTH - ID_WIDTH - 2) + 2), "bold $text-muted"
            ),
            Content.styled("Id (for [keys])", "bold $text-muted"),
        )
        return Content("\n").join([header, *help_lines(self.keys, width)])


class HelpScreen(ModalScreen[None]):
    """All keys; `escape`, `?` or `q` close it, `j`/`k` and the page keys scroll.

    | Key | Action |
    | --- | --- |
    | `escape`, `?`, `q` | Close |
    | `j`, `down` / `k`, `up` | Scroll a line |
    | `space`, `pgdn` / `pgup` | Scroll a page |
    | `g`, `home` / `G`, `end` | Top / bottom |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="close_dialog"),
        Binding("j,down", "scroll('down')", "Down", show=False),
        Binding("k,up", "scroll('up')", "Up", show=False),
        Binding("space,pagedown", "scroll('page_down')", "Page down", show=False),
        Binding("pageup", "scroll('page_up')", "Page up", show=False),
        Binding("g,home", "scroll('home')", "Top", show=False),
        Binding("G,end", "scroll('end')", "Bottom", show=False),
    ]

    def __init__(self, keys: list[KeyHelp], files: str) -> None:
        super().__init__()
        self.keys = keys
        self.files = files

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Static(
                Content.assemble(
                    Content.styled("Keys", "bold"),
                    Content.styled("   j/k scroll · escape closes", "$text-muted"),
                ),
                classes="dialog-title",
            )
            with VerticalScroll(id="help-scroll"):
                yield HelpTable(self.keys, id="help-table")
            yield Static(Content(self.files), classes="dialog-hint", id="help-files")

    def on_mount(self) -> None:
        self.query_one("#help-scroll", VerticalScroll).focus()

    def action_scroll(self, where: str) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        {
            "down": scroll.scroll_down,
            "up": scroll.scroll_up,
            "page_down": scroll.scroll_page_down,
            "page_up": scroll.scroll_page_up,
            "home": scroll.scroll_home,
            "end": scroll.scroll_end,
        }[where](animate=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
