"""Subcommands about settings and rules: `feed set|show`, `rules list|test|apply`, `hide`, `unhide`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from newstui.cli.command import Command, Session, UsageError, article_id, print_json
from newstui.cli.formats import article_json, feed_json
from newstui.domain.models import Feed
from newstui.domain.text import clean_line
from newstui.library.feed_settings import SETTINGS_HELP, SettingError, parse_assignments


def _feed_arguments(p: argparse.ArgumentParser) -> None:
    keys = "\n".join(f"  {h.name:<11} {h.values}" for h in SETTINGS_HELP)
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


def _rules_arguments(p: argparse.ArgumentParser) -> None:
    rules_sub = p.add_subparsers(dest="rules_command", metavar="ACTION", parser_class=type(p))
    rules_sub.add_parser("list", help="the rules in the config")
    s = rules_sub.add_parser("test", help="the articles a query (a rule's) would match")
    s.add_argument("query", metavar="QUERY")
    s.add_argument("--limit", type=int, metavar="N")
    s.add_argument("--json", action="store_true")
    s = rules_sub.add_parser("apply", help="apply the rules to every article in the library")
    s.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    s.add_argument("--json", action="store_true")


def _hide_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("articles", nargs="+", type=article_id, metavar="ARTICLE")


def _unhide_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("articles", nargs="*", type=article_id, metavar="ARTICLE")
    p.add_argument("--all", action="store_true", help="every hidden article")


def _feed(args: argparse.Namespace, session: Session) -> int:
    """`newstui feed set FEED key=value ...` and `newstui feed show FEED`."""
    library = session.library
    if args.feed_command is None:
        raise UsageError("give an action: feed set FEED KEY=VALUE ... or feed show FEED")
    if args.feed_command == "show":
        feed = library.find_feed(args.feed)
        print_json(feed_json(feed))
        return 0
    try:
        values = parse_assignments(args.settings)
    except SettingError as exc:
        raise UsageError(str(exc)) from None
    feed = library.find_feed(args.feed)
    feed = library.set_feed_settings(feed.id, values)
    print(f"{feed.id}\t{clean_line(feed.display_title)}: {', '.join(_shown(feed, values))}")
    return 0


def _shown(feed: Feed, values: dict[str, Any]) -> list[str]:
    data = feed_json(feed)
    out = []
    for column in values:
        key = {"title": "title"}.get(column, column)
        value = data.get(key)
        out.append(f"{key}={'default' if value is None else json.dumps(value)}")
    return out


def _rules(args: argparse.Namespace, session: Session) -> int:
    """`newstui rules [list|test QUERY|apply [--dry-run]]`."""
    from newstui.query import QueryError

    library = session.library
    command = args.rules_command or "list"
    try:
        if command == "list":
            for rule in library.rules():
                print(
                    f"{clean_line(rule.name)}\t{clean_line(rule.query)}\t{' '.join(rule.actions)}"
                )
            return 0
        if command == "test":
            if args.limit is not None and args.limit < 0:
                raise UsageError("--limit must be zero or more")
            articles = library.rule_matches(args.query, args.limit)
            if args.json:
                print_json([article_json(a) for a in articles])
            else:
                for a in articles:
                    print(f"{a.id:>7}  {clean_line(a.title)}  ({clean_line(a.feed_title)})")
                print(f"{len(articles)} matching", file=sys.stderr)
            return 0
    except QueryError as exc:
        for line in exc.pointer().splitlines():
            print(f"  {clean_line(line)}", file=sys.stderr)
        raise UsageError(f"bad query: {exc}") from None
    report = library.apply_rules(dry_run=args.dry_run)
    if args.json:
        print_json([{"rule": name, "matched": n, "changed": c} for name, n, c in report])
    else:
        verb = "would change" if args.dry_run else "changed"
        for name, matched, changed in report:
            print(f"{clean_line(name)}: {matched} matching, {changed} {verb}")
    return 0


def _hide(args: argparse.Namespace, session: Session) -> int:
    """`newstui hide ARTICLE...` and `newstui unhide ARTICLE... | --all`."""
    library = session.library
    hide = args.command == "hide"
    if not hide and not args.articles and not args.all:
        raise UsageError("give article ids or --all")
    if args.articles:
        library.check_articles(args.articles)
    count = library.set_hidden(None if not hide and args.all else args.articles, hide)
    print(f"{count} {'hidden' if hide else 'shown again'}")
    return 0


COMMANDS = (
    Command("feed", _feed_arguments, _feed),
    Command("rules", _rules_arguments, _rules),
    Command("hide", _hide_arguments, _hide),
    Command("unhide", _unhide_arguments, _hide),
)
