"""`RefreshRunner`: refreshes (`r`, `R`, on start, every tick for feeds due) and account syncs (`S`)."""

from __future__ import annotations

from collections.abc import Mapping

from textual import work

from newstui.config import Config
from newstui.domain.models import FeedOutcome, FeedRow, FeedStatus, RefreshProgress, View
from newstui.domain.text import clean_line
from newstui.library.facade import Library
from newstui.ui import off_loop
from newstui.ui.reader.part import Part


class RefreshRunner(Part):
    """Runs one refresh at a time off the UI's loop; says how it goes in `Status` and
    `Changed` (`soon` while it runs: counts follow a few times a second)."""

    def __init__(
        self,
        library: Library,
        config: Config,
        *,
        tick: float,
        automatic: bool,
        id: str | None = None,
    ) -> None:
        super().__init__(library, config, id=id)
        self.tick = tick
        """Seconds between checks for feeds due an automatic refresh (see Library.due_feeds)."""
        self.automatic = automatic
        """Feeds due by their interval are refreshed each tick (not while reading one file)."""
        self.refreshing = False

    def on_mount(self) -> None:
        # Each tick refreshes the feeds whose interval (their own or the config's) has gone by.
        self.set_interval(self.tick, self._periodic_refresh)

    @work(group="periodic", exclusive=True)
    async def _periodic_refresh(self) -> None:
        if self.refreshing or not self.automatic:
            return
        due = await off_loop.off_loop(self.library.due_feeds)
        if due and not self.refreshing:
            self.refresh_feeds(due, background=True)

    def refresh_view(self, view: View, feeds: Mapping[int, FeedRow]) -> None:
        """`r`: the feeds `view` lists (a feed, a folder's; anything else: all of them)."""
        if not any(feed_id >= 0 for feed_id in feeds):
            self.notify("No feeds to refresh: press a to add one.", markup=False)
            return
        ids: list[int] | None = None
        if view.kind == "feed" and view.feed_id is not None and view.feed_id >= 0:
            ids = [view.feed_id]
        elif view.kind == "tag":
            ids = [f.id for f in feeds.values() if view.tag in f.tags]
        self.refresh_feeds(ids, background=False)

    @work(group="refresh", name="Refresh failed")
    async def refresh_feeds(self, feed_ids: list[int] | None, *, background: bool) -> None:
        """Refresh `feed_ids` (all when None); `background`: quietly, feeds due only."""
        if self.refreshing:
            self.notify("A refresh is already running.", markup=False, timeout=2)
            return
        self.refreshing = True
        self.status("Refreshing…")

        def progress(event: RefreshProgress) -> None:  # called from another thread
            self.post_message(self.Status(self, f"Refreshing {event.done}/{event.total}"))
            outcome = event.outcome
            if outcome is not None and (outcome.new or outcome.updated or outcome.error):
                self.post_message(self.Changed(self, soon=True))

        try:
            outcomes = await off_loop.refresh(
                self.library, feed_ids, progress=progress, background=background
            )
        finally:
            self.refreshing = False
            self.status("")
        # The summary once the panes show the refresh's result: a toast's layout in the same
        # frame as the feeds put in order and the list read again was the end's long frame.
        self.post_message(self.Changed(self, then=lambda: self._say(outcomes, background)))

    def _say(self, outcomes: list[FeedOutcome], background: bool) -> None:
        new = sum(o.new for o in outcomes)
        failed = [o for o in outcomes if o.status in (FeedStatus.ERROR, FeedStatus.GONE)]
        text = f"{len(outcomes)} feed{'s' if len(outcomes) != 1 else ''} checked: {new} new"
        if failed:
            text += f", {len(failed)} failed"
        if outcomes or not background:
            self.notify(
                text, severity="warning" if failed else "information", markup=False, timeout=4
            )

    def sync(self, *, background: bool) -> None:
        """Sync the configured accounts (`S`; on start with `refresh_on_start`)."""
        if not self.config.accounts:
            if not background:
                self.notify("No sync accounts in the config ([[accounts]]).", markup=False)
            return
        self._sync()

    @work(group="sync", exclusive=True, name="Sync failed")
    async def _sync(self) -> None:
        self.notify("Syncing accounts…", markup=False, timeout=2)
        outcomes = await off_loop.off_loop(self.library.sync)
        failed = [o for o in outcomes if o.status != "ok"]
        for o in failed:  # like a feed's error: the account's feeds show it too
            self.notify(
                f"{clean_line(o.account)}: {o.status}: {clean_line(o.error, max_length=200)}",
                severity="warning",
                markup=False,
                timeout=8,
            )
        if not failed:
            new = sum(o.new for o in outcomes)
            self.notify(f"Synced: {new} new", markup=False, timeout=3)
        self.post_message(self.Changed(self))
