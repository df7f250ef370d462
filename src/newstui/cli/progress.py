"""Progress on a terminal (rich): the refresh's bar, the sync's status line; nothing at all
anywhere else (a pipe, a file, cron)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from newstui.domain.models import RefreshProgress
from newstui.domain.text import clean_line

Progress = Callable[[RefreshProgress], None]
SyncProgress = Callable[[str, str], None]


@contextmanager
def refresh_bar(stream: TextIO, *, enabled: bool = True) -> Iterator[Progress | None]:
    """A progress callback that draws a bar on `stream` while the block runs, then erases it.

    None (no bar) when `stream` is not a terminal (a pipe, a file, cron) or `enabled` is false:
    rich is imported only when a bar is drawn, so a piped or scheduled run never loads it.
    """
    if not enabled or not _is_terminal(stream):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=stream)
    columns = (
        TextColumn("refreshing"),
        BarColumn(),
        MofNCompleteColumn(),
        # A feed's URL is untrusted text: shown as plain text, never read as rich markup.
        TextColumn("{task.fields[name]}", markup=False),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("refresh", total=None, name="")

        def update(event: RefreshProgress) -> None:
            name = clean_line(event.outcome.url if event.outcome else "", max_length=40)
            bar.update(task, total=max(event.total, 1), completed=event.done, name=name)

        yield update


@contextmanager
def sync_status(stream: TextIO, *, enabled: bool = True) -> Iterator[SyncProgress | None]:
    """A callback (account, step) that shows the sync's step on `stream` while the block runs,
    then erases it; None (nothing shown, rich never imported) off a terminal."""
    if not enabled or not _is_terminal(stream):
        yield None
        return
    from rich.console import Console
    from rich.text import Text

    # Text, never markup: an account's name comes from the config, a step from the sync.
    with Console(file=stream).status(Text("syncing")) as status:

        def update(account: str, step: str) -> None:
            status.update(Text(f"{clean_line(account)}: {clean_line(step)}..."))

        yield update


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # closed, or no file under it
        return False
