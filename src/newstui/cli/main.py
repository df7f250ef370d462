"""The `newstui` command: the table of subcommands, argparse built from it, dispatch, and how
errors become messages and exit statuses. With no subcommand it opens the reader."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from newstui import __version__
from newstui.cli import commands, reading, subscriptions
from newstui.cli.command import Command, Session, UsageError
from newstui.configfile import load_config
from newstui.domain.errors import NewstuiError
from newstui.domain.text import clean_line
from newstui.paths import config_path, db_path
from newstui.query import QueryError

log = logging.getLogger("newstui")

_ORDER = (
    "add", "remove", "feeds", "refresh", "sync", "accounts", "articles", "mark-read", "views",
    "view", "mark-unread", "bookmark", "unbookmark", "import", "export", "bookmarks", "open",
    "show", "extract", "feed", "rules", "hide", "unhide",
)  # fmt: skip
"""The order `newstui --help` lists the commands in."""

_ALL = {c.name: c for c in (*subscriptions.COMMANDS, *reading.COMMANDS, *commands.COMMANDS)}
COMMANDS: dict[str, Command] = {name: _ALL[name] for name in _ORDER}
"""Every subcommand by name: its arguments and its handler (a test checks none is left out)."""


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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS.values():
        command.arguments(sub.add_parser(command.name, help=command.help))
    return parser


def _session(args: argparse.Namespace) -> Session:
    explicit = args.config or os.environ.get("NEWSTUI_CONFIG")
    config = load_config(config_path(args.config), required=bool(explicit))
    for warning in config.warnings:
        print(f"newstui: warning: {warning}", file=sys.stderr)
    return Session(config, db_path(args.db))


def _reader(session: Session) -> int:
    """No command: the reader, on the Welcome guide while there are no subscriptions."""
    from newstui.ui.app import make_app

    library = session.library
    library.welcome = True
    make_app(library, session.config).run()
    return 0


def run(args: argparse.Namespace) -> int:
    session = _session(args)
    try:
        if args.command is None:
            return _reader(session)
        return COMMANDS[args.command].run(args, session)
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
