"""`Articles`: an article opened (enter, `n`/`p`), and its web page instead of the feed's text (`f`)."""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.message import Message

from newstui.config import Config
from newstui.domain.errors import NotFoundError
from newstui.domain.models import Article, Feed, View
from newstui.library.facade import Library, reads_as_page
from newstui.ui.article_body import ArticleBody, article_body
from newstui.ui.off_loop import off_loop
from newstui.ui.reader.part import Part

FETCHING_NOTE = "Fetching the full article…"


class Articles(Part):
    """Reads articles off the loop and says `Opened`; keeps the reader's choice of text per
    article and the pages on their way."""

    class Opened(Message):
        """An article read (and marked read, as configured) with its body: to show."""

        def __init__(
            self, part: Articles, article: Article, body: ArticleBody, *, focus: bool, follow: bool
        ) -> None:
            self.part = part
            self.article = article
            self.body = body
            self.focus = focus
            self.follow = follow
            """Found by `n`/`p`, maybe in the next feed: the list follows it there."""
            super().__init__()

        @property
        def control(self) -> Articles:
            return self.part

    class Note(Message):
        """The note under an article's title changes (e.g. while its page is fetched)."""

        def __init__(self, part: Articles, article_id: int, note: str) -> None:
            self.part = part
            self.article_id = article_id
            self.note = note
            super().__init__()

        @property
        def control(self) -> Articles:
            return self.part

    class Body(Message):
        """An article's body to show (its page fetched or its text chosen), if it is still open."""

        def __init__(
            self, part: Articles, article_id: int, body: ArticleBody, markdown: str | None
        ) -> None:
            self.part = part
            self.article_id = article_id
            self.body = body
            self.markdown = markdown
            """The page just fetched (the open article keeps it), else None."""
            super().__init__()

        @property
        def control(self) -> Articles:
            return self.part

    def __init__(self, library: Library, config: Config, *, id: str | None = None) -> None:
        super().__init__(library, config, id=id)
        self.choice: dict[int, bool] = {}
        """Per article, this session: show the fetched web page (True) or the feed's text."""
        self.fetching: set[int] = set()

    @work(group="article", exclusive=True)
    async def open(self, article_id: int, *, focus: bool, follow: bool = False) -> None:
        mark = self.config.display.mark_read_on_open

        def load() -> tuple[Article, ArticleBody]:
            article = self.library.article(article_id)
            if mark and not article.read:
                self.library.set_read([article_id], True)
                article = replace(article, read=True)
            # The feed's full-text setting counts only for an article with a stored page.
            feed = self._feed(article.feed_id) if article.full_text else None
            return article, article_body(self.library, article, full_text=self.wants(article, feed))

        article, body = await off_loop(load)
        self.post_message(self.Opened(self, article, body, focus=focus, follow=follow))

    @work(group="navigate", exclusive=True)
    async def open_next_unread(
        self, view: View, current: Article | None, *, backwards: bool, order: list[int] | None
    ) -> None:
        """`n`/`p`: the next (previous) unread article after `current`, across feeds in `order`."""
        after = current.id if current is not None else None
        if view.kind not in ("feed", "all", "unread", "tag", "bookmarks", "search"):
            after = None
        found = await off_loop(
            self.library.next_unread, view, after, backwards=backwards, order=order
        )
        if found is None:
            self.notify("No unread articles left.", markup=False)
            return
        self.open(found, focus=True, follow=True)

    def _feed(self, feed_id: int) -> Feed | None:
        """Blocking: the article's feed (its settings), None when it is gone."""
        try:
            return self.library.feed(feed_id)
        except NotFoundError:
            return None

    def wants(self, article: Article, feed: Feed | None) -> bool:
        """The reader's choice for this article, else the feed's full-text setting."""
        choice = self.choice.get(article.id)
        if choice is not None:
            return choice
        if reads_as_page(article):  # a local HTML file opens in reader mode
            return True
        return bool(feed is not None and feed.full_text and article.full_text)

    def toggle(self, article: Article, showing: ArticleBody | None) -> None:
        """`f` on the open article: its page, or back to the feed's text."""
        if article.id in self.fetching:
            # Still on its way: a second press means "never mind" (it is kept all the same).
            wanted = not self.choice.get(article.id, False)
            self.choice[article.id] = wanted
            self.post_message(self.Note(self, article.id, FETCHING_NOTE if wanted else ""))
            return
        if showing is not None and showing.full_text:
            self.choice[article.id] = False
            self._rerender(article, full_text=False)
        elif article.full_text:
            self.choice[article.id] = True
            self._rerender(article, full_text=True)
        else:
            self.choice[article.id] = True
            self.fetch(article)

    @work(group="article", exclusive=True)
    async def _rerender(self, article: Article, *, full_text: bool) -> None:
        body = await off_loop(article_body, self.library, article, full_text=full_text)
        self.post_message(self.Body(self, article.id, body, None))

    def fetch(self, article: Article) -> None:
        """The article's page fetched and extracted by the library (which keeps it)."""
        self.post_message(self.Note(self, article.id, FETCHING_NOTE))
        if article.id in self.fetching:
            return
        self.fetching.add(article.id)
        self.status(FETCHING_NOTE)
        self._fetch(article)

    @work(group="fulltext", name="Could not fetch the full article")
    async def _fetch(self, article: Article) -> None:
        try:
            markdown = await off_loop(self.library.fetch_full_text, article.id)
            updated = replace(article, full_text=markdown)
            body = await off_loop(article_body, self.library, updated, full_text=True)
        except BaseException:  # the feed's text stays (the App says why)
            self.choice[article.id] = False
            self.post_message(self.Note(self, article.id, ""))
            raise
        finally:
            self.fetching.discard(article.id)
            if not self.fetching:
                self.status("")
        if self.choice.get(article.id):
            self.post_message(self.Body(self, article.id, body, markdown))
        else:
            self.post_message(self.Note(self, article.id, ""))
