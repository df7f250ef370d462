"""The `L` picker: the open article's numbered links; the chosen URL goes back to the screen."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from newstui.domain.display import describe_enclosure, shorten_url
from newstui.domain.models import Enclosure
from newstui.domain.text import clean_line

URL_WIDTH = 64
"""A longer address is shown as its host, "…" and its end: wrapped, it would break mid-word."""


class LinksScreen(ModalScreen[str | None]):
    """Links as the article numbers them; `enter` returns the URL to open, `escape` nothing.

    | Key | Action |
    | --- | --- |
    | `enter` | Open the highlighted link |
    | `escape` | Close |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="close_dialog"),
    ]

    def __init__(
        self,
        title: str,
        links: tuple[tuple[str, str], ...],
        enclosures: tuple[Enclosure, ...] = (),
    ) -> None:
        super().__init__()
        self.article_title = title
        self.links = links
        self.enclosures = enclosures
        self.urls = [e.url for e in enclosures] + [url for _, url in links]
        """What each option opens, in the list's order: the enclosures first."""

    def compose(self) -> ComposeResult:
        with Vertical(id="links-box", classes="dialog"):
            yield Static(
                Content.assemble(
                    Content.styled("Links in ", "bold"),
                    Content.styled(clean_line(self.article_title, max_length=100), "bold"),
                ),
                classes="dialog-title",
            )
            yield OptionList(
                *(self._enclosure(n, e) for n, e in enumerate(self.enclosures, 1)),
                *(self._option(n, text, url) for n, (text, url) in enumerate(self.links, 1)),
                id="links-list",
            )
            hint = "enter opens the link in your browser · escape closes"
            if self.enclosures:
                hint = "enter plays a file ▶ or opens a link · escape closes"
            yield Static(
                Content(hint),
                classes="dialog-hint",
            )

    @staticmethod
    def _option(number: int, text: str, url: str) -> Option:
        # Content(...) is plain text: a link's text is never read as markup.
        label = clean_line(text, max_length=200) or "(no text)"
        return Option(
            Content.assemble(
                Content.styled(f"{number:>3}  ", "$text-muted"),
                Content.styled(label, "bold"),
                "\n     ",
                Content.styled(shorten_url(url, URL_WIDTH), "$text-accent"),
            ),
            id=f"link-{number}",
        )

    @staticmethod
    def _enclosure(number: int, enclosure: Enclosure) -> Option:
        return Option(
            Content.assemble(
                Content.styled(f"{'▶' + str(number):>3}  ", "$text-success"),
                Content.styled(describe_enclosure(enclosure), "bold"),
                "\n     ",
                Content.styled(shorten_url(enclosure.url, URL_WIDTH), "$text-accent"),
            ),
            id=f"enclosure-{number}",
        )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.urls[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
