"""The article pane: a header (title, feed, author, date, link) and the Markdown body, scrollable."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static

from newstui.core.models import Article
from newstui.core.text import clean_line

PLACEHOLDER = "Select a headline and press enter to read it here."


class ArticleView(VerticalScroll, can_focus=True, inherit_bindings=False):
    """One article at a comfortable width; link clicks bubble up as `Markdown.LinkClicked`.

    | Key | Action |
    | --- | --- |
    | `j`, `down` / `k`, `up` | Scroll a line |
    | `g`, `home` / `G`, `end` | Top / bottom |
    | `space`, `pgdn` / `pgup` | Page down / up |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Down", id="cursor_down", show=False),
        Binding("k,up", "scroll_up", "Up", id="cursor_up", show=False),
        Binding("g,home", "scroll_home", "Top", id="first", show=False),
        Binding("G,end", "scroll_end", "Bottom", id="last", show=False),
        Binding("space,pagedown", "page_down", "Page down", id="page_down", show=False),
        Binding("pageup", "page_up", "Page up", id="page_up", show=False),
    ]

    def __init__(
        self, *, reading_width: int = 80, date_format: str = "%Y-%m-%d %H:%M", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.reading_width = reading_width
        self.date_format = date_format
        self.article: Article | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="article-column"):
            yield Static(Content(PLACEHOLDER), id="article-meta")
            yield Markdown("", id="article-body", open_links=False)

    def on_mount(self) -> None:
        self.query_one("#article-column").styles.max_width = self.reading_width + 4

    async def show(self, article: Article | None, body: str, *, date: str = "") -> None:
        """Show `article` with its body already converted to safe Markdown."""
        self.article = article
        meta = self.query_one("#article-meta", Static)
        if article is None:
            meta.update(Content(PLACEHOLDER))
            await self.query_one("#article-body", Markdown).update("")
            return
        meta.update(self._header(article, date))
        await self.query_one("#article-body", Markdown).update(body)
        self.scroll_home(animate=False)

    def set_flags(self, article: Article, date: str) -> None:
        """Show changed read/bookmark flags of the open article without re-rendering its body."""
        self.article = article
        self.query_one("#article-meta", Static).update(self._header(article, date))

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
        parts: list[Content | tuple[str, str] | str] = [
            Content.styled(title, "bold $text"),
            "\n",
            Content.styled(" · ".join(p for p in byline if p), "$text-muted"),
        ]
        if article.url:
            parts += [
                "\n",
                Content.styled(clean_line(article.url, max_length=500), "underline $text-accent"),
            ]
        flags = []
        if article.bookmarked:
            flags.append("★ bookmarked")
        if flags:
            parts += ["\n", Content.styled("  ".join(flags), "$text-warning")]
        return Content.assemble(*parts)
