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

URL_INDENT = 5
"""An address sits under its link's text, after the number's columns."""
BOX_CHROME = 6 + URL_INDENT + 2
"""The columns of the box around an address: its border and padding (app.tcss's `.dialog`),
the indent, the list's scrollbar."""


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
        self._url_width = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="links-box", classes="dialog"):
            yield Static(
                Content.assemble(
                    Content.styled("Links in ", "bold"),
                    Content.styled(clean_line(self.article_title, max_length=100), "bold"),
                ),
                classes="dialog-title",
            )
            yield OptionList(*self._options(), id="links-list")
            hint = "enter opens the link in your browser · escape closes"
            if self.enclosures:
                hint = "enter plays a file ▶ or opens a link · escape closes"
            yield Static(
                Content(hint),
                classes="dialog-hint",
            )

    def _options(self) -> list[Option]:
        """The list's options, each address cut to the columns the box has at this size: a
        longer one is its host, "…" and its end (wrapped, it would break mid-word)."""
        self._url_width = width = url_width(self.app.size.width)
        return [
            *(self._enclosure(n, e, width) for n, e in enumerate(self.enclosures, 1)),
            *(self._option(n, text, url, width) for n, (text, url) in enumerate(self.links, 1)),
        ]

    def on_resize(self) -> None:
        if url_width(self.app.size.width) == self._url_width:
            return
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(self._options())
        options.highlighted = highlighted

    @staticmethod
    def _option(number: int, text: str, url: str, width: int) -> Option:
        # Content(...) is plain text: a link's text is never read as markup.
        label = clean_line(text, max_length=200) or "(no text)"
        return Option(
            Content.assemble(
                Content.styled(f"{number:>3}  ", "$text-muted"),
                Content.styled(label, "bold"),
                "\n" + " " * URL_INDENT,
                Content.styled(shorten_url(url, width), "$text-accent"),
            ),
            id=f"link-{number}",
        )

    @staticmethod
    def _enclosure(number: int, enclosure: Enclosure, width: int) -> Option:
        return Option(
            Content.assemble(
                Content.styled(f"{'▶' + str(number):>3}  ", "$text-success"),
                Content.styled(describe_enclosure(enclosure), "bold"),
                "\n" + " " * URL_INDENT,
                Content.styled(shorten_url(enclosure.url, width), "$text-accent"),
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


def url_width(screen_width: int) -> int:
    """The columns an address has in the box on a screen this wide (`#links-box`: 100 columns,
    at most 95% of the screen)."""
    return max(20, min(100, screen_width * 95 // 100) - BOX_CHROME)
