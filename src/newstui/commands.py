"""The `feed` and `rules` subcommands of `newstui`: their arguments and what they do."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from newstui.core.feed_settings import SETTINGS_HELP, SettingError, parse_assignments
from newstui.core.library import Library, feed_json
from newstui.core.text import clean_line


class CommandUsageError(Exception):
    """Bad arguments to one of these commands (the CLI exits with status 2)."""


def add_parsers(sub: Any) -> None:
    """Add `feed` (and its subcommands) to the CLI's subparsers."""
    keys = "\n".join(f"  {h.name:<11} {h.values}" for h in SETTINGS_HELP)
    p = sub.add_parser("feed", help="show or change one feed's settings")
    feed_sub = p.add_subparsers(dest="feed_command", metavar="ACTION", parser_class=type(p))
    s = feed_sub.add_parser(
        "set",
        help="change a feed's settings: KEY=VALUE ...",
        description=f"Change a feed's settings. Keys:\n{keys}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("feed", metavar="FEED", help="feed id or URL")
    s.add_argument("settings", nargs="+", metavar="KEY=VALUE")
    s = feed_sub.add_parser("show", help="a feed's settings as JSON")
    s.add_argument("feed", metavar="FEED", help="feed id or URL")


def run_feed(args: argparse.Namespace, library: Library) -> int:
    """`newstui feed set FEED key=value ...` and `newstui feed show FEED`."""
    if args.feed_command is None:
        raise CommandUsageError("give an action: feed set FEED KEY=VALUE ... or feed show FEED")
    if args.feed_command == "show":
        feed = library.find_feed(args.feed)
        sys.stdout.write(json.dumps(feed_json(feed), indent=2, ensure_ascii=False) + "\n")
        return 0
    try:
        values = parse_assignments(args.settings)
    except SettingError as exc:
        raise CommandUsageError(str(exc)) from None
    feed = library.find_feed(args.feed)
    feed = library.set_feed_settings(feed.id, values)
    print(f"{feed.id}\t{clean_line(feed.display_title)}: {', '.join(_shown(feed, values))}")
    return 0


def _shown(feed: Any, values: dict[str, Any]) -> list[str]:
    data = feed_json(feed)
    out = []
    for column in values:
        key = {"title": "title"}.get(column, column)
        value = data.get(key)
        out.append(f"{key}={'default' if value is None else json.dumps(value)}")
    return out
