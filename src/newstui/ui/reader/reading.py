"""`Reading`: the article open in the article pane, its notes and flags, its pictures as they come."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo

from textual import on
from textual.app import ComposeResult

from newstui.config import Config
from newstui.domain.display import UNDATED
from newstui.domain.models import Article, ContentType, Headline, View
from newstui.domain.text import clean_line
from newstui.library.facade import Library, is_text_file, local_file, search_marks
from newstui.ui.article_body import ArticleBody
from newstui.ui.reader.articles import Articles
from newstui.ui.reader.part import Part
from newstui.ui.reader.pictures import Pictures
from newstui.ui.widgets.article_view import ArticleView
from newstui.ui.widgets.view_header import ViewHeader

FULL_TEXT_NOTE = "Full article from its web page · {key}: the feed's text"
READER_NOTE = "Reader view of the page · {key}: the whole page"
WHOLE_PAGE_NOTE = "The whole page · {key}: the reader view"
AS_READ_NOTE = "{key}: the file as written"
AS_WRITTEN_NOTE = "The file as written · {key}: the article"


class Reading(Part):
    """Keeps the open article and sets the article pane to show it. Its children read
    articles (`Articles`) and pictures (`Pictures`); it shows what they find. `Opened` goes
    on up: where the list stands is the business of `Views`."""

    def __init__(
        self, library: Library, config: Config, *, tz: tzinfo | None, id: str | None = None
    ) -> None:
        super().__init__(library, config, id=id)
        self.tz = tz
        self.article: Article | None = None
        """The article open in the article pane."""
        self.view = View("all")
        """The view listed (set by `Views`): the words it searches are marked in the article."""
        self.articles = Articles(library, config, id="articles")
        self.pictures = Pictures(library, config, id="pictures")

    def compose(self) -> ComposeResult:
        yield self.articles
        yield self.pictures

    def attach(self, article_view: ArticleView, header: ViewHeader) -> None:
        """The panes this sets (given by the screen once they are composed)."""
        self.article_view, self.header = article_view, header

    def format_date(self, when: datetime | None) -> str:
        if when is None:
            return UNDATED
        local = when.astimezone(self.tz) if self.tz else when.astimezone()
        try:
            return clean_line(local.strftime(self.config.display.date_format), max_length=60)
        except ValueError:
            return local.strftime("%Y-%m-%d %H:%M")

    async def show(self, article: Article, body: ArticleBody) -> None:
        """`article` open with `body`; then its pictures, and its web page when the reader
        asked for it (`f` on a headline)."""
        self.article = article
        await self.show_body(article, body)
        if self.articles.choice.get(article.id) and not article.full_text:
            self.articles.fetch(article)

    def full_text(
        self, target: Headline | Article, showing: ArticleBody | None, *, focus: bool
    ) -> None:
        """`f`: the open article's web page, or its feed's text again; on a headline, that
        article opened on its page."""
        article = self.article
        if article is None or target.id != article.id:
            self.articles.choice[target.id] = True
            self.articles.open(target.id, focus=focus)
        else:
            self.articles.toggle(article, showing)

    async def show_body(self, article: Article, body: ArticleBody, *, note: str = "") -> None:
        """The body shown, the words searched marked, a note on which text it is."""
        key = self.key_for("full_text", "f")
        path = local_file(article)
        if path is not None and article.content_type == ContentType.HTML:
            note = (READER_NOTE if body.full_text else WHOLE_PAGE_NOTE).format(key=key)
        elif path is not None and is_text_file(path):
            note = (AS_WRITTEN_NOTE if body.full_text else AS_READ_NOTE).format(key=key)
        elif body.full_text:
            note = FULL_TEXT_NOTE.format(key=key)
        await self.article_view.show(
            article,
            body,
            date=self.format_date(article.published),
            note=note,
            marks=search_marks(self.view, ("title", "content")),
        )
        self.header.article_name = clean_line(article.feed_title, max_length=80)
        self.pictures.load_images(body)

    async def close(self) -> None:
        """No article open: the pane empties, its pictures stop loading."""
        self.article = None
        await self.article_view.show(None, None)
        self.pictures.load_images(None)

    def show_flags(
        self, ids: tuple[int, ...], *, read: bool | None, bookmarked: bool | None
    ) -> None:
        """The open article's new flags, if it is one of `ids`."""
        article = self.article
        if article is None or article.id not in ids:
            return
        if read is not None:
            article = replace(article, read=read)
        if bookmarked is not None:
            article = replace(article, bookmarked=bookmarked)
        self.article = article
        self.article_view.set_flags(article, self.format_date(article.published))

    @on(Articles.Body)
    async def _body(self, event: Articles.Body) -> None:
        """A body for the open article (its page fetched, or the other text chosen)."""
        event.stop()
        current = self.article
        if current is None or current.id != event.article_id:
            return  # a page is kept in the library for when the article is opened again
        if event.markdown is not None:
            self.article = current = replace(current, full_text=event.markdown)
        await self.show_body(current, event.body)

    @on(Articles.Note)
    def _note(self, event: Articles.Note) -> None:
        """The note under the open article's title (while its page is on its way, say)."""
        event.stop()
        article = self.article
        if article is not None and article.id == event.article_id:
            date = self.format_date(article.published)
            self.article_view.set_flags(article, date, note=event.note)

    @on(Pictures.Picture)
    async def _picture(self, event: Pictures.Picture) -> None:
        event.stop()
        if self.article_view.body is event.body:
            await self.article_view.add_image(event.image, event.picture)
