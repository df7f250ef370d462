"""`Marks`: read and bookmark flags (`m`, `b`), a whole view read (`A`), and undo (`u`)."""

from __future__ import annotations

from typing import Literal

from textual import work
from textual.content import Content
from textual.message import Message

from newstui.config import Config
from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.ui.off_loop import off_loop
from newstui.ui.reader.part import Part
from newstui.ui.undo import Mark, UndoStack, describe

Flag = Literal["read", "bookmarked"]


class Marks(Part):
    """Writes flags off the loop and keeps this session's marks for `u`; says `Marked`."""

    class Marked(Message):
        """Articles' flag changed: their rows, the open article and the counts show it."""

        def __init__(
            self, part: Marks, ids: tuple[int, ...], flag: Flag, value: bool, *, reload: bool
        ) -> None:
            self.part = part
            self.ids = ids
            self.flag = flag
            self.value = value
            self.reload = reload
            """The view's list is read again (articles may join or leave it)."""
            super().__init__()

        @property
        def control(self) -> Marks:
            return self.part

    def __init__(self, library: Library, config: Config, *, id: str | None = None) -> None:
        super().__init__(library, config, id=id)
        self.stack = UndoStack()
        """This session's marks, newest last."""

    def set_flag(self, article_id: int, flag: Flag, value: bool) -> None:
        """`m` and `b`: one article's flag set (and kept for `u`)."""
        self._set_flag(article_id, flag, value)

    @work(group="flags")
    async def _set_flag(self, article_id: int, flag: Flag, value: bool) -> None:
        await self._write((article_id,), flag, value)
        if flag == "bookmarked":
            self.notify("Bookmarked." if value else "Bookmark removed.", markup=False, timeout=2)

    async def _write(
        self, ids: tuple[int, ...], flag: Flag, value: bool, *, undo: bool = False
    ) -> None:
        """Write one flag of some articles, then say so; kept for `u` unless it is an undo."""
        setter = self.library.set_read if flag == "read" else self.library.set_bookmarked
        await off_loop(setter, list(ids), value)
        if not undo:
            self.stack.push(Mark(flag, ids, not value, describe(flag, value, len(ids))))
        self.post_message(self.Marked(self, ids, flag, value, reload=False))

    @work(group="flags")
    async def mark_view_read(self, view: View, label: str) -> None:
        """`A`: the view read; past `confirm_mark_over` articles, ask first (y/n)."""
        unread = await off_loop(self.library.unread_count, view)
        if unread == 0:
            self.notify("Nothing unread here.", markup=False, timeout=3)
            return
        if unread <= self.config.display.confirm_mark_over:
            self._mark_view_read(view)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._mark_view_read(view)

        question = Content.assemble(
            "Mark ",
            Content.styled(f"{unread} articles", "bold"),
            " in ",
            Content.styled(label, "bold"),
            " read?\n",
            Content.styled(f"{self.key_for('undo', 'u')} undoes it.", "$text-muted"),
        )
        from newstui.ui.screens.confirm import ConfirmScreen  # loaded when first asked for

        self.app.push_screen(ConfirmScreen(question), done)

    @work(group="flags")
    async def _mark_view_read(self, view: View) -> None:
        ids = tuple(await off_loop(self.library.mark_view_read_ids, view))
        what = describe("read", True, len(ids))
        self.stack.push(Mark("read", ids, False, what))
        self.notify(f"{what}. {self.key_for('undo', 'u')} undoes it.", markup=False, timeout=4)
        self.post_message(self.Marked(self, ids, "read", True, reload=True))

    def undo(self, view: View) -> None:
        """`u`: the last mark undone; again for the one before."""
        mark = self.stack.pop()
        if mark is None:
            self.notify("Nothing to undo.", markup=False, timeout=3)
            return
        self._undo(mark, view)

    @work(group="flags")
    async def _undo(self, mark: Mark, view: View) -> None:
        try:
            await self._write(mark.ids, mark.flag, mark.before, undo=True)
        except BaseException:
            self.stack.push(mark)  # not undone: still there to try again
            raise
        if view.kind in ("unread", "bookmarks", "search", "query"):
            # Articles come back into (or leave) the view.
            self.post_message(self.Marked(self, mark.ids, mark.flag, mark.before, reload=True))
        self.notify(f"Undone: {mark.what}.", markup=False, timeout=3)
