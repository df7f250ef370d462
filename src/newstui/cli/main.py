"""The `newstui` command: the table of subcommands, argparse built from it, dispatch, and how
errors become messages and exit statuses. With no subcommand it opens the reader."""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from newstui import __version__
from newstui.cli.command import Command, Session, UsageError
from newstui.configfile import load_config
from newstui.domain.errors import NewstuiError
from newstui.domain.text import clean_line
from newstui.paths import config_path, db_path
from newstui.query.errors import QueryError

log = logging.getLogger("newstui")

_TABLE: tuple[tuple[str, str, str], ...] = (
    ("add", "subscriptions", "subscribe to a feed URL, a web page's feed, or a local path"),
    ("remove", "subscriptions", "unsubscribe (bookmarked articles are kept)"),
    ("feeds", "subscriptions", "list subscriptions"),
    ("refresh", "subscriptions", "fetch feeds (all by default)"),
    ("sync", "subscriptions", "sync accounts (all by default) with their servers"),
    ("accounts", "subscriptions", "list sync accounts and their last sync"),
    ("articles", "reading", "list articles, newest first (or as --query sorts)"),
    ("mark-read", "reading", "mark articles read"),
    ("views", "reading", "list saved views with their counts"),
    ("view", "reading", "add or remove a saved view"),
    ("mark-unread", "reading", "mark articles unread"),
    ("bookmark", "reading", "bookmark articles"),
    ("unbookmark", "reading", "remove bookmarks"),
    ("import", "subscriptions", "import subscriptions from OPML"),
    ("export", "subscriptions", "export subscriptions as OPML 2.0"),
    ("bookmarks", "reading", "export bookmarks"),
    ("open", "subscriptions", "read a file, folder or feed without subscribing"),
    ("show", "reading", "print an article as the reader shows it"),
    ("extract", "subscriptions", "print a web page's article text as Markdown"),
    ("feed", "commands", "show or change one feed's settings"),
    ("rules", "commands", "list the config's [[rules]], test a query, apply them"),
    ("hide", "commands", "hide articles from every view but is:hidden"),
    ("unhide", "commands", "bring hidden articles back"),
)
"""Every subcommand, in the order `newstui --help` lists them: its name, the module of
`newstui.cli` that defines it (imported only when the command is named: the reader, `newstui`
alone, loads none of them), and its line in the help."""

HELP = {name: text for name, _module, text in _TABLE}
"""Each subcommand's line in `newstui --help`, by name."""


def command(name: str) -> Command:
    """The subcommand `name` (its arguments and its handler), its module imported now."""
    module = next(module for command, module, _ in _TABLE if command == name)
    found: tuple[Command, ...] = importlib.import_module(f"newstui.cli.{module}").COMMANDS
    return next(c for c in found if c.name == name)


def all_commands() -> dict[str, Command]:
    """Every subcommand by name, every module imported (for the tests: none is left out)."""
    return {name: command(name) for name in HELP}


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """The subcommands' parsers, each given its arguments only when its command is named:
    `newstui` alone (the reader) builds none and imports no command's module; `--help` lists
    them all from the table."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built: set[str] = set()

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        name = values[0] if isinstance(values, list) and values else None
        if isinstance(name, str) and name in self._name_parser_map and name not in self._built:
            self._built.add(name)
            command(name).arguments(self._name_parser_map[name])
        super().__call__(parser, namespace, values, option_string)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {clean_line(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="newstui",
        description="A fast, safe terminal news reader. With no command, opens the reader.",
    )
    parser.add_argument("--config", metavar="PATH", help="config file (default: XDG config dir)")
    parser.add_argument("--db", metavar="PATH", help="database file (default: XDG data dir)")
    parser.add_argument("--version", action="version", version=f"newstui {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=Parser, action=_Commands
    )
    for name, text in HELP.items():
        sub.add_parser(name, help=text)
    return parser


def _session(args: argparse.Namespace) -> Session:
    explicit = args.config or os.environ.get("NEWSTUI_CONFIG")
    config = load_config(config_path(args.config), required=bool(explicit))
    for warning in config.warnings:
        print(f"newstui: warning: {warning}", file=sys.stderr)
    return Session(config, db_path(args.db))


def _reader(session: Session) -> int:
    """No command: the reader, on the Welcome guide while there are no subscriptions.

    Its start-up (the UI's modules, its widgets, its first screen's data) runs with the cycle
    collector paused: all of it lives as long as the reader, which freezes it after its first
    paint and turns the collector on again (ui/reader/views.py); see also `newstui.cli`."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        from newstui.ui import graphics  # the standard library only

        # The terminal is asked what it can draw (in a thread) while the UI's modules load.
        graphics.start(session.config.display.images)
        from newstui.ui.app import make_app

        library = session.library
        library.welcome = True
        make_app(library, session.config).run()
        return 0
    finally:
        if collecting:
            gc.enable()


def run(args: argparse.Namespace) -> int:
    session = _session(args)
    try:
        if args.command is None:
            return _reader(session)
        return command(args.command).run(args, session)
    finally:
        session.close()


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("NEWSTUI_LOG", "WARNING").upper(), format="%(message)s"
    )
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = run(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"newstui: error: {clean_line(exc)}", file=sys.stderr)
        code = 2
    except QueryError as exc:
        shown = clean_line(exc.text)
        # the caret is shown where it lines up under the query as typed
        aligned = len(shown) == len(exc.text)
        where = f"\n  {shown}\n  {' ' * exc.position}^" if aligned else ""
        print(
            f"newstui: error in the query at character {exc.position + 1}: "
            f"{clean_line(exc.message)}{where}",
            file=sys.stderr,
        )
        code = 2
    except NewstuiError as exc:
        print(f"newstui: {clean_line(exc)}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print("newstui: interrupted", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    return code
