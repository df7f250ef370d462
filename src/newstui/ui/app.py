"""The Textual application and `make_app`, the factory the CLI and the tests share."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import NoActiveWorker, WorkerFailed, get_current_worker

from newstui.config import Config
from newstui.domain.errors import NewstuiError
from newstui.domain.text import clean_line
from newstui.library.facade import Library
from newstui.paths import config_path
from newstui.ui import graphics
from newstui.ui.off_loop import off_loop
from newstui.ui.screens.main import MainScreen
from newstui.ui.widgets.article_view import ArticleView
from newstui.ui.widgets.feed_tree import FeedTree
from newstui.ui.widgets.headline_list import HeadlineList

if TYPE_CHECKING:
    from newstui.ui.keys import KeyHelp

DEFAULT_THEME = "textual-dark"
log = logging.getLogger(__name__)


class NewstuiApp(App[None]):
    """The reader: one main screen over a Library; theme and keymap come from config and settings.

    | Key | Action |
    | --- | --- |
    | `?` | Help: every key |
    | `ctrl+p` | Command palette |
    | `q` | Quit (from the feeds pane; elsewhere `q` steps back) |
    | `Q` | Quit from anywhere |
    """

    CSS_PATH = "app.tcss"
    TITLE = "newstui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("Q", "quit", "Quit from anywhere", id="quit_anywhere", show=False),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("ctrl+p", "command_palette", "Commands", id="command_palette", show=False),
    ]

    def __init__(
        self,
        library: Library,
        config: Config,
        *,
        open_source: str | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.config = config
        self.open_source = open_source
        self.tz = tz
        self._theme_loaded = False

    async def run_async(self, *args: Any, **kwargs: Any) -> None:
        # The terminal's answer about pictures must be in before Textual takes the terminal.
        graphics.settle()
        return await super().run_async(*args, **kwargs)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.library, self.config, open_source=self.open_source, tz=self.tz)

    def on_mount(self) -> None:
        if self.config.keys:
            known = {k.id for k in self.key_help()}
            unknown = sorted(set(self.config.keys) - known)
            self.set_keymap({k: v for k, v in self.config.keys.items() if k in known})
            if unknown:
                self.notify(
                    "Unknown action ids in [keys]: " + ", ".join(unknown) + " (see ? for the list)",
                    severity="warning",
                    markup=False,
                )
        self._load_theme()
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _handle_exception(self, error: Exception) -> None:
        """The one place a worker's failure is met: a notification, never the end of the session.

        A storage, source or OS failure (a full disk, a spoiled database, a vanished file, a
        server gone) is the user's to know about; the notification names it. Anything else is
        a bug: it is logged with its traceback and named too, and the reader stays. Each worker
        writes first and changes the screen after, so a failed one leaves the screen as it was.
        A worker whose `name` is a phrase ("Could not add the feed") leads the message with it.
        An exception outside a worker (in a handler of the UI itself) still ends the app."""
        if not isinstance(error, WorkerFailed):
            super()._handle_exception(error)
            return
        cause = error.error
        try:
            name = get_current_worker().name
        except NoActiveWorker:
            name = ""
        if isinstance(cause, NewstuiError | OSError):
            log.warning("worker %s failed: %r", name, cause)
            problem = clean_line(cause) if isinstance(cause, NewstuiError) else repr(cause)
        else:
            log.error("worker %s failed", name, exc_info=cause)
            self._report_bug(cause)
            problem = f"{cause!r} (a bug: the log has the details)"
        if name and not name.isidentifier():  # a phrase, not the method's own name
            problem = f"{name}: {problem}"
        self.notify(
            clean_line(problem, max_length=400),
            title="That did not work",
            severity="error",
            markup=False,
            timeout=8,
        )

    def _report_bug(self, error: BaseException) -> None:
        """A worker failed in a way no input explains (the tests fail on it; see conftest)."""

    def _load_theme(self) -> None:
        wanted = self.config.display.theme
        if not wanted:
            try:
                wanted = self.library.get_setting("theme") or ""
            except Exception:  # a locked or odd database must not stop the reader opening
                wanted = ""
        if wanted and wanted in self.available_themes:
            self.theme = wanted
        elif wanted:
            self.notify(
                f"Unknown theme {wanted!r}; using {DEFAULT_THEME}", severity="warning", markup=False
            )
        self._theme_loaded = True

    def _theme_changed(self, theme: object) -> None:
        if self._theme_loaded:
            name = self.theme
            self.run_worker(off_loop(self.library.set_setting, "theme", name), group="theme")

    def key_help(self) -> list[KeyHelp]:
        """Every remappable action, with the keys as currently mapped."""
        from newstui.ui.keys import describe  # with Help or a [keys] table, not before
        from newstui.ui.screens.confirm import ConfirmScreen  # the dialogs load when used
        from newstui.ui.screens.edit_feed import EditFeedScreen

        owners = [
            ("reader", MainScreen.BINDINGS),
            ("lists", HeadlineList.BINDINGS),
            ("feeds", FeedTree.BINDINGS),
            ("article", ArticleView.BINDINGS),
            ("app", NewstuiApp.BINDINGS),
            ("dialogs", [*EditFeedScreen.BINDINGS, *ConfirmScreen.BINDINGS]),
        ]
        return describe(owners, self._keymap)

    def action_help(self) -> None:
        from newstui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        config = self.config.path or config_path()
        state = "" if config.exists() else " (not created yet)"
        files = (
            f"Config: {_short(config)}{state}\nDatabase: {_short(Path(self.library.path))}\n"
            'Remap a key by its id in [keys] of the config, e.g. next_unread = "n,N".'
        )
        self.push_screen(HelpScreen(self.key_help(), files))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.screen_stack[0] if self.screen_stack else None
        if not isinstance(main, MainScreen):
            return
        for item in self.key_help():
            if item.where != "reader":
                continue
            action = next(
                b.action for b in MainScreen.BINDINGS if isinstance(b, Binding) and b.id == item.id
            )
            if main.check_action(action, ()) is not True:
                continue
            yield SystemCommand(
                item.description,
                f"{item.keys}",
                lambda a=action: main.run_action(a),
            )
        yield SystemCommand("Help", "? Show every key", self.action_help)


def _short(path: Path) -> str:
    """`path` made absolute, with the home folder written `~`."""
    path = path.expanduser().absolute()
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def make_app(
    library: Library,
    config: Config,
    *,
    open_source: str | None = None,
    tz: tzinfo | None = None,
) -> NewstuiApp:
    """The reader over `library`; `tz` fixes the time zone of shown dates (tests use UTC)."""
    graphics.start(config.display.images)  # the command has started it, as a rule
    return NewstuiApp(library, config, open_source=open_source, tz=tz)
