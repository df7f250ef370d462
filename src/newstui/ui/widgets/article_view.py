"""The article pane: a header (title, feed, author, date, link), the Markdown body and its pictures."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.scrollbar import ScrollBar
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from newstui.domain.display import describe_enclosure, home_path, shorten_url
from newstui.domain.models import Article
from newstui.domain.text import clean_line
from newstui.library.facade import local_file, spans
from newstui.ui.article_body import ArticleBody, BodyImage, fit_links
from newstui.ui.widgets.article_image import ArticleImage
from newstui.ui.widgets.scrollbar import quick_vertical_scrollbar

if TYPE_CHECKING:
    from textual.widgets import Markdown

PLACEHOLDER = "Select a headline and press enter to read it here."
MAX_ENCLOSURE_LINES = 3
"""Enclosures listed in the header; `L` lists them all."""
DIGIT_WAIT = 0.8
"""Seconds to wait for a second digit when the article has 10 links or more."""


class ArticleView(VerticalScroll, can_focus=True, inherit_bindings=False):
    """One article at a comfortable width; link clicks bubble up as `Markdown.LinkClicked`,
    links chosen by number as `ArticleView.LinkChosen`.

    | Key | Action |
    | --- | --- |
    | `j`, `down` / `k`, `up` | Scroll a line |
    | `g`, `home` / `G`, `end` | Top / bottom |
    | `space`, `pgdn` / `pgup` | Page down / up |
    | `1`…`9`, `0` | Open link n (`1` then `2` quickly: link 12) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Down", id="cursor_down", show=False),
        Binding("k,up", "scroll_up", "Up", id="cursor_up", show=False),
        Binding("g,home", "scroll_home", "Top", id="first", show=False),
        Binding("G,end", "scroll_end", "Bottom", id="last", show=False),
        Binding("space,pagedown", "page_down", "Page down", id="page_down", show=False),
        Binding("pageup", "page_up", "Page up", id="page_up", show=False),
        # One binding for the ten digits: the action reads which one from the key event.
        Binding(
            "1,2,3,4,5,6,7,8,9,0",
            "link_digit",
            "Open link n (1 then 2 quickly: link 12)",
            id="link_number",
            show=False,
        ),
    ]

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Drawn directly and kept per state: Textual repaints it on every focus change."""
        return quick_vertical_scrollbar(self)

    class LinkChosen(Message):
        """The reader typed the number of one of the body's links."""

        def __init__(self, article_view: ArticleView, number: int, url: str) -> None:
            self.article_view = article_view
            self.number = number
            self.url = url
            super().__init__()

        @property
        def control(self) -> ArticleView:
            """The pane the link was chosen in (for `@on(..., "#id")` selectors)."""
            return self.article_view

    def __init__(
        self, *, reading_width: int = 80, date_format: str = "%Y-%m-%d %H:%M", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.reading_width = reading_width
        self.date_format = date_format
        self.article: Article | None = None
        self.body: ArticleBody | None = None
        """What the pane shows of `article`: set by `show`."""
        self.note = ""
        """A line under the header: which text this is, or that the full text is on its way."""
        self.marks: list[tuple[tuple[str, ...], bool]] = []
        """The words of the search that found the article, highlighted in its title and text."""
        self._date = ""
        self._header_width = self._body_width = 0
        """The widths the shown header and body were laid out for (addresses are cut to them)."""
        self._digits = 0
        self._digit_timer: Timer | None = None
        self._last_character: str | None = None

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """The shown body's numbered links, (text, url)."""
        return self.body.links if self.body is not None else ()

    def compose(self) -> ComposeResult:
        # The body (`#article-body`, Textual's Markdown) is mounted with the first article shown:
        # Markdown brings markdown-it and pygments, ~0.1 s of start-up before the first paint.
        with Vertical(id="article-column"):
            yield Static(Content(PLACEHOLDER), id="article-meta")

    async def _markdown(self) -> Markdown:
        """The body's widget, mounted under the header the first time it is needed."""
        from textual.widgets import Markdown

        from newstui.ui.article_body import markdown_parser

        found = self.query("#article-body")
        if found:
            return found.only_one(Markdown)
        markdown = Markdown("", id="article-body", open_links=False, parser_factory=markdown_parser)
        await self.query_one("#article-column").mount(markdown)
        return markdown

    def on_mount(self) -> None:
        self.query_one("#article-column").styles.max_width = self.reading_width + 4

    async def show(
        self,
        article: Article | None,
        body: ArticleBody | None,
        *,
        date: str = "",
        note: str = "",
        marks: Sequence[tuple[tuple[str, ...], bool]] = (),
    ) -> None:
        """Show `article` with its body already converted to safe Markdown; `marks` are the
        words of a search to highlight (see query's `spans`)."""
        self.article = article
        self.marks = list(marks)
        self.body = body if article is not None else None
        self.note = note
        self._digits = 0
        if self._digit_timer is not None:  # a number half typed belongs to the last article
            self._digit_timer.stop()
            self._digit_timer = None
        meta = self.query_one("#article-meta", Static)
        await self.query(ArticleImage).remove()
        if article is None or body is None:
            meta.update(Content(PLACEHOLDER))
            if self.query("#article-body"):
                await (await self._markdown()).update("")
            return
        self._date = date
        meta.update(self._header(article, date))
        await self._show_body(body)
        self.scroll_home(animate=False)

    async def _show_body(self, body: ArticleBody) -> None:
        """The body under the header, its Links list fitted to the pane's width."""
        self._body_width = self._text_width()
        text = fit_links(body.markdown, self._body_width)
        markdown = await self._markdown()
        await markdown.update(mark_markdown(text, self.marks) if self.marks else text)

    def set_flags(self, article: Article, date: str, *, note: str | None = None) -> None:
        """Show changed flags (or a new note) of the open article without re-rendering its body."""
        self.article = article
        if note is not None:
            self.note = note
        self._date = date
        self.query_one("#article-meta", Static).update(self._header(article, date))

    async def on_resize(self) -> None:
        # Addresses are cut to the pane's width: lay them out again for the new one (the pane
        # may also have had no size yet when the article was shown). The body is laid out again
        # only when its Links list changes, and not under pictures already drawn into it.
        if self.article is None or self.body is None:
            return
        width = self._text_width()
        if width != self._header_width:
            self.query_one("#article-meta", Static).update(self._header(self.article, self._date))
        body = self.body
        if (
            width != self._body_width
            and fit_links(body.markdown, width) != fit_links(body.markdown, self._body_width)
            and not self.query(ArticleImage)
        ):
            y = self.scroll_y
            await self._show_body(body)
            self.scroll_to(y=y, animate=False)

    def _text_width(self) -> int:
        """The columns a line of the header has: the pane's, less its padding, its border and a
        scrollbar (a long body brings one after the header is drawn), at most the column's."""
        inside = self.content_region.width or (self.app.size.width - 2)
        return max(20, min(inside - 1, self.reading_width + 4))

    async def add_image(self, image: BodyImage, picture: Any) -> bool:
        """Draw `picture` under the block of text holding `image`'s placeholder.

        False when the placeholder is not in the shown text (the body changed meanwhile).
        """
        if self.body is None or image not in self.body.images:
            return False
        markdown = await self._markdown()
        line = _marker_line(self.body.markdown, image.number)
        anchor: Widget | None = None
        for block in markdown.children:
            if isinstance(block, ArticleImage):
                if anchor is not None:
                    anchor = block  # after the pictures already under the same block
                continue
            if anchor is not None:
                break
            start, end = getattr(block, "source_range", (0, 0))
            if line is not None and start <= line < end:
                anchor = block
        if anchor is None:
            return False
        await markdown.mount(
            ArticleImage(picture, number=image.number, alt=image.alt), after=anchor
        )
        return True

    # ---- links by number --------------------------------------------------------------------

    def on_key(self, event: Key) -> None:
        # Seen before the App checks bindings: tells `action_link_digit` which digit it was.
        self._last_character = event.character

    def action_link_digit(self) -> None:
        character, self._last_character = self._last_character, None
        if character is None or not character.isdecimal() or len(character) != 1:
            return
        digit = int(character)
        links = self.links
        if not links:
            self.notify("This article has no numbered links.", markup=False, timeout=3)
            return
        if self._digit_timer is not None:
            self._digit_timer.stop()
            self._digit_timer = None
        number = self._digits * 10 + digit
        if number == 0:
            return
        if number * 10 <= len(links):
            # Another digit could still follow (1 then 2 for link 12): wait a moment for it.
            self._digits = number
            self._digit_timer = self.set_timer(DIGIT_WAIT, lambda: self._choose(number))
            return
        self._choose(number)

    def _choose(self, number: int) -> None:
        self._digits = 0
        self._digit_timer = None
        links = self.links
        if not 1 <= number <= len(links):
            count = len(links)
            self.notify(
                f"No link {number}: this article has {count} link{'s' if count != 1 else ''}.",
                markup=False,
                timeout=3,
            )
            return
        self.post_message(self.LinkChosen(self, number, links[number - 1][1]))

    def _header(self, article: Article, date: str) -> Content:
        title = clean_line(article.title, max_length=500) or "(untitled)"
        source = clean_line(article.site or article.feed_title, max_length=120)
        if article.site and clean_line(article.feed_title) not in ("", source):
            source = f"{source} · {clean_line(article.feed_title, max_length=120)}"
        byline = [source]
        if article.author:
            byline.append(f"by {clean_line(article.author, max_length=120)}")
        if date:
            byline.append(date)
        if article.also_in:
            shown = ", ".join(clean_line(t, max_length=60) for t in article.also_in[:5])
            more = len(article.also_in) - 5
            byline.append(f"also in: {shown}" + (f" and {more} more" if more > 0 else ""))
        heading = Content.styled(title, "bold $text")
        for start, end in spans(title, self.marks) if self.marks else []:
            heading = heading.stylize("underline reverse", start, end)
        parts: list[Content | tuple[str, str] | str] = [
            heading,
            "\n",
            Content.styled(" · ".join(p for p in byline if p), "$text-muted"),
        ]
        width = self._header_width = self._text_width()
        where = _location(article, width)
        if where:
            parts += ["\n", Content.styled(where, "underline $text-accent")]
        files = article.enclosures[:MAX_ENCLOSURE_LINES]
        for number, enclosure in enumerate(files, 1):
            label = "▶ " + describe_enclosure(enclosure)
            if len(article.enclosures) > 1:
                label = f"▶ {number}. " + describe_enclosure(enclosure)
            parts += ["\n", Content.styled(label, "bold $text-success")]
            # Beside its label when enough of the address fits there, else on a line of its own.
            room = width - len(label) - 3
            if room >= min(len(enclosure.url), MIN_ADDRESS):
                parts.append(
                    Content.styled(" · " + shorten_url(enclosure.url, room), "$text-muted")
                )
            else:
                parts += [
                    "\n",
                    Content.styled("  " + shorten_url(enclosure.url, width - 2), "$text-muted"),
                ]
        if len(article.enclosures) > MAX_ENCLOSURE_LINES:
            more = len(article.enclosures) - MAX_ENCLOSURE_LINES
            parts += ["\n", Content.styled(f"▶ {more} more in the links (L)", "$text-muted")]
        flags = []
        if article.bookmarked:
            flags.append("★ bookmarked")
        if flags:
            parts += ["\n", Content.styled("  ".join(flags), "$text-warning")]
        if self.note:
            parts += ["\n", Content.styled(self.note, "italic $text-secondary")]
        return Content.assemble(*parts)


#: An enclosure's address goes under its label when fewer columns than this are left beside it.
MIN_ADDRESS = 40


def _location(article: Article, width: int) -> str:
    """Where the article lives, on one line: a local file as `~/…`, a URL shortened with "…"."""
    path = local_file(article)
    if path is not None:
        text = home_path(path)
        return text if len(text) <= width else "…" + text[len(text) - width + 1 :]
    return shorten_url(article.url, width) if article.url else ""


_PROTECTED = re.compile(r"`[^`\n]*`|\]\([^)\n]*\)|<[^>\n]*>|\*\*|__")
"""What a highlight must not touch in a line of Markdown: code, link targets, autolinks, and
strong emphasis already there (a line holding some is left as it is)."""


def mark_markdown(markdown: str, marks: Sequence[tuple[tuple[str, ...], bool]]) -> str:
    """The Markdown with the searched words in strong emphasis, outside code blocks, inline
    code and link targets (the text is newstui's own safe Markdown, its own `*` escaped)."""
    out: list[str] = []
    fenced = False
    for line in markdown.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or stripped.startswith(("```", "~~~")) or line.startswith("    "):
            out.append(line)
            continue
        found = spans(line, marks)
        guarded = [m.span() for m in _PROTECTED.finditer(line)]
        if not found or any(line[a:b] in ("**", "__") for a, b in guarded):
            out.append(line)
            continue
        pieces: list[str] = []
        at = 0
        for start, end in found:
            if any(a < end and start < b for a, b in guarded):
                continue
            pieces += [line[at:start], "**", line[start:end], "**"]
            at = end
        pieces.append(line[at:])
        out.append("".join(pieces))
    return "\n".join(out)


def _marker_line(markdown: str, number: int) -> int | None:
    """The line of `markdown` holding the `[n]` link marker, 0-based."""
    at = markdown.find(f"[\\[{number}\\]](")
    return None if at < 0 else markdown.count("\n", 0, at)
