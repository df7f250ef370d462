"""`FeedActions`: add (`a`), delete (`d`) and edit (`e`) a feed; save a search as a view (`V`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.content import Content
from textual.message import Message

from newstui.domain.models import Feed, FeedRow, View
from newstui.domain.text import clean_line
from newstui.ui.off_loop import off_loop
from newstui.ui.reader.part import Part

if TYPE_CHECKING:
    from newstui.ui.screens.edit_feed import FeedEdit


class FeedActions(Part):
    """Asks (a prompt, a dialog, a confirmation), writes off the loop, then says `Done`."""

    class Done(Message):
        """The feeds changed: read them again; `show` the view to go to, `gone` a removed feed."""

        def __init__(
            self, part: FeedActions, *, show: View | None = None, gone: int | None = None
        ) -> None:
            self.part = part
            self.show = show
            self.gone = gone
            super().__init__()

        @property
        def control(self) -> FeedActions:
            return self.part

    def add(self) -> None:
        from newstui.ui.screens.prompt import PromptScreen  # the dialogs load when first used

        def done(source: str | None) -> None:
            if source:
                self._add(source)

        self.app.push_screen(
            PromptScreen(
                "Add a feed",
                placeholder="https://example.org/ or ~/articles/",
                hint="A feed URL, a web page that links to its feed, a feed file, an article file or a folder.",
            ),
            done,
        )

    @work(group="add", name="Could not add the feed")
    async def _add(self, source: str) -> None:
        self.status(f"Adding {clean_line(source, max_length=60)}…")
        try:
            result = await off_loop(self.library.add_feed, source)
        finally:
            self.status("")
        feed = result.feed
        message = f"Added {clean_line(feed.display_title, max_length=80)}: {feed.total} articles"
        if feed.error:
            message += f" ({clean_line(feed.error, max_length=120)})"
        self.notify(message, severity="warning" if feed.error else "information", markup=False)
        self.post_message(self.Done(self, show=View("feed", feed_id=feed.id)))

    def delete(self, feed: FeedRow) -> None:
        from newstui.ui.screens.confirm import ConfirmScreen

        def done(yes: bool | None) -> None:
            if yes:
                self._delete(feed)

        question = Content.assemble(
            "Delete ",
            Content.styled(clean_line(feed.title, max_length=100), "bold"),
            "?\n",
            Content.styled("Its articles go too, except bookmarked ones.", "$text-muted"),
        )
        self.app.push_screen(ConfirmScreen(question), done)

    @work(group="feeds")
    async def _delete(self, feed: FeedRow) -> None:
        await off_loop(self.library.remove_feed, feed.id)
        self.notify(f"Deleted {clean_line(feed.title, max_length=80)}", markup=False)
        self.post_message(self.Done(self, gone=feed.id))

    @work(group="edit-feed", exclusive=True, name="Could not read the feed")
    async def edit(self, feed_id: int) -> None:
        """`e`: the feed's dialog, its settings read as they are now (off the loop)."""
        from newstui.ui.screens.edit_feed import EditFeedScreen

        feed = await off_loop(self.library.feed, feed_id)

        def done(edit: FeedEdit | None) -> None:
            if edit is not None:
                self._edit(feed.id, edit)

        self.app.push_screen(EditFeedScreen(feed), done)

    @work(group="feeds", name="Could not save the feed")
    async def _edit(self, feed_id: int, edit: FeedEdit) -> None:
        def write() -> Feed:
            feed = self.library.edit_feed(
                feed_id, title=edit.title, tags=edit.tags, full_text=edit.full_text
            )
            if edit.settings:
                feed = self.library.set_feed_settings(feed_id, edit.settings)
            return feed

        feed = await off_loop(write)
        self.notify(
            f"Saved {clean_line(feed.display_title, max_length=80)}", markup=False, timeout=3
        )
        self.post_message(self.Done(self))

    def save_view(self, view: View) -> None:
        """`V`: the search shown saved under a name, listed under the built-in views."""
        if view.kind != "search" or not view.query:
            self.notify("Search first (/), then V saves the search as a view.", markup=False)
            return
        from newstui.ui.screens.prompt import PromptScreen

        query = view.query

        def done(name: str | None) -> None:
            if name:
                self._save_view(name, query)

        self.app.push_screen(
            PromptScreen(
                "Save the search as a view",
                placeholder="a name for the view",
                hint=f"query: {clean_line(query, max_length=60)}",
            ),
            done,
        )

    @work(group="views", name="Could not save the view")
    async def _save_view(self, name: str, query: str) -> None:
        saved = await off_loop(self.library.add_view, name, query)
        self.post_message(self.Done(self))
        self.notify(f"Saved the view {clean_line(saved.name)!r}.", markup=False, timeout=3)
