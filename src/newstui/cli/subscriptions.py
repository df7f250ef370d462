"""Subcommands about subscriptions: add, remove, feeds, refresh, sync, accounts, import, export,
and reading a source without subscribing (open, extract)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from newstui.cli.command import Command, Session, count, json_flag, print_json, write
from newstui.cli.formats import feed_json, opml_document, outcome_json
from newstui.cli.progress import refresh_bar, sync_status
from newstui.domain.errors import NewstuiError
from newstui.domain.models import FeedOutcome
from newstui.domain.text import clean_line
from newstui.library.facade import Library


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="URL_OR_PATH")
    p.add_argument("--title")
    p.add_argument("--tag", action="append", default=[], metavar="TAG")
    p.add_argument("--account", metavar="NAME", help="subscribe on this sync account's server")


def _add(args: argparse.Namespace, session: Session) -> int:
    library = session.library
    if args.account:
        feed = library.add_account_feed(
            args.account, args.source, args.tag[0] if args.tag else None
        )
        print(f"{feed.id}\t{clean_line(args.source)} (on {args.account}'s server at the next sync)")
        return 0
    result = asyncio.run(library.add_feed(args.source, title=args.title, tags=args.tag))
    feed = result.feed
    print(f"{feed.id}\t{clean_line(feed.display_title)}")
    if len(result.candidates) > 1:
        print("the page links to several feeds; subscribed to the first:", file=sys.stderr)
        for url, title in result.candidates:
            mark = "*" if url == feed.url else " "
            print(f" {mark} {clean_line(url)}  {clean_line(title)}", file=sys.stderr)
    if feed.error:
        print(f"newstui: warning: {clean_line(feed.error)}", file=sys.stderr)
    return 0


def _remove_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("feed", metavar="FEED", help="feed id or URL")


def _remove(args: argparse.Namespace, session: Session) -> int:
    feed = session.library.find_feed(args.feed)
    session.library.remove_feed(feed.id)
    print(f"removed {feed.id}\t{clean_line(feed.display_title)}")
    return 0


def _feeds(args: argparse.Namespace, session: Session) -> int:
    feeds = session.library.feeds()
    if args.json:
        print_json([feed_json(f) for f in feeds])
        return 0
    for f in feeds:
        flag = {"error": "!", "gone": "x", "never": "?"}.get(str(f.status), " ")
        tags = f" [{', '.join(clean_line(t) for t in f.tags)}]" if f.tags else ""
        print(f"{f.id:>5} {flag} {f.unread:>5}/{f.total:<5} {clean_line(f.display_title)}{tags}")
        if f.error:
            print(f"        {clean_line(f.error)}")
    return 0


def _refresh_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("feeds", nargs="*", metavar="FEED")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", "-q", action="store_true")


def _refresh(args: argparse.Namespace, session: Session) -> int:
    library = session.library
    ids = [library.find_feed(ref).id for ref in args.feeds] or None
    with refresh_bar(sys.stderr, enabled=not (args.quiet or args.json)) as progress:
        # The command runs nothing but the refresh: its parse workers may be forked from it.
        outcomes = asyncio.run(library.refresh(ids, progress=progress, fork_workers=True))
    if args.json:
        print_json([outcome_json(o) for o in outcomes])
    elif not args.quiet:
        _summary(outcomes)
    return 0


def _summary(outcomes: Sequence[FeedOutcome]) -> None:
    new = sum(o.new for o in outcomes)
    updated = sum(o.updated for o in outcomes)
    failed = [o for o in outcomes if o.status in ("error", "gone")]
    print(
        f"{count(len(outcomes), 'feed')} checked: {new} new, {updated} updated, "
        f"{len(failed)} failed",
    )
    for o in failed:
        print(f"  ! {clean_line(o.url)}: {clean_line(o.error or o.status)}")


def _sync_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("accounts", nargs="*", metavar="ACCOUNT")
    p.add_argument("--json", action="store_true")


def _sync(args: argparse.Namespace, session: Session) -> int:
    with sync_status(sys.stderr, enabled=not args.json) as progress:
        outcomes = session.library.sync(args.accounts or None, progress=progress)
    if args.json:
        print_json([o.as_json() for o in outcomes])
    else:
        if not outcomes:
            print("no accounts in the config ([[accounts]])")
        for o in outcomes:
            if o.status == "ok":
                print(
                    f"{clean_line(o.account)}: {o.new} new, {o.updated} updated, {o.pushed} pushed, "
                    f"{o.state_changes} state changes ({o.seconds:.1f} s)"
                )
            else:
                print(f"{clean_line(o.account)}: ! {o.status}: {clean_line(o.error)}")
    return 0 if all(o.status == "ok" for o in outcomes) else 1


def _accounts(args: argparse.Namespace, session: Session) -> int:
    states = session.library.accounts()
    if args.json:
        print_json(states)
        return 0
    for state in states:
        problem = f": {state['error']}" if state["error"] else ""
        print(f"{state['name']}\t{state['type']}\t{state['url']}\t{state['status']}{problem}")
    return 0


def _import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE.opml")


def _import(args: argparse.Namespace, session: Session) -> int:
    report = session.library.import_opml(Path(args.file))
    for warning in report.warnings:
        print(f"newstui: warning: {clean_line(warning)}", file=sys.stderr)
    print(f"{count(report.added, 'feed')} imported, {report.existing} already subscribed")
    return 0


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", "-o", metavar="F")


def _export(args: argparse.Namespace, session: Session) -> int:
    write(opml_document(session.library.feeds()), args.output)
    return 0


def _source_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="PATH_OR_URL")


def _open(args: argparse.Namespace, session: Session) -> int:
    from newstui.ui import graphics  # the standard library only

    graphics.start(session.config.display.images)  # asked while the UI loads
    from newstui.ui.app import make_app

    library = Library.open(session.config, ":memory:")
    try:
        result = asyncio.run(library.add_feed(args.source))
        if result.feed.error and result.feed.total == 0:
            raise NewstuiError(f"{clean_line(args.source)}: {clean_line(result.feed.error)}")
        app = make_app(library, session.config, open_source=args.source)
        app.run()
    finally:
        library.close()
    return 0


#: What `extract` says on stderr when the text is not an article the readers found.
_FALLBACKS = {
    "listing": "the page lists articles rather than holding one; shown: the block of them a"
    " reader view picks",
    "candidate": "the readers found no article text; shown: the page's block with the most text",
    "page": "the readers found no article text; shown: the page's visible text",
}


def _extract(args: argparse.Namespace, session: Session) -> int:
    library = Library.in_memory(session.config)  # reads a page: the user's library is untouched
    try:
        extracted = asyncio.run(library.extract(args.source))
    finally:
        library.close()
    write(extracted.markdown)
    if extracted.method in _FALLBACKS:
        print(f"newstui: note: {_FALLBACKS[extracted.method]}", file=sys.stderr)
    return 0


COMMANDS = (
    Command("add", _add_arguments, _add),
    Command("remove", _remove_arguments, _remove),
    Command("feeds", json_flag, _feeds),
    Command("refresh", _refresh_arguments, _refresh),
    Command("sync", _sync_arguments, _sync),
    Command("accounts", json_flag, _accounts),
    Command("import", _import_arguments, _import),
    Command("export", _export_arguments, _export),
    Command("open", _source_argument, _open),
    Command("extract", _source_argument, _extract),
)
