"""The `newstui` command: argparse entry point for the headless CLI; launches the TUI by default."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from newstui import __version__
from newstui.cli import commands
from newstui.config import Config, load_config
from newstui.domain.errors import NewstuiError
from newstui.domain.models import Article, FeedOutcome, RefreshProgress, View
from newstui.domain.text import clean_line
from newstui.library.facade import Library, article_json, feed_json, outcome_json
from newstui.paths import config_path, db_path
from newstui.query import QueryError

log = logging.getLogger("newstui")


class UsageError(Exception):
    """Bad command-line usage (exit status 2)."""


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

    p = sub.add_parser("add", help="subscribe to a feed URL, a web page's feed, or a local path")
    p.add_argument("source", metavar="URL_OR_PATH")
    p.add_argument("--title")
    p.add_argument("--tag", action="append", default=[], metavar="TAG")
    p.add_argument("--account", metavar="NAME", help="subscribe on this sync account's server")

    p = sub.add_parser("remove", help="unsubscribe (bookmarked articles are kept)")
    p.add_argument("feed", metavar="FEED", help="feed id or URL")

    p = sub.add_parser("feeds", help="list subscriptions")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("refresh", help="fetch feeds (all by default)")
    p.add_argument("feeds", nargs="*", metavar="FEED")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", "-q", action="store_true")

    p = sub.add_parser("sync", help="sync accounts (all by default) with their servers")
    p.add_argument("accounts", nargs="*", metavar="ACCOUNT")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("accounts", help="list sync accounts and their last sync")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("articles", help="list articles, newest first (or as --query sorts)")
    p.add_argument(
        "--query", "-Q", metavar="QUERY", help='a query, e.g. "is:unread #tech -sports newer:7d"'
    )
    p.add_argument("--feed", metavar="FEED")
    p.add_argument("--unread", action="store_true")
    p.add_argument("--bookmarked", action="store_true")
    p.add_argument("--search", metavar="QUERY")
    p.add_argument("--limit", type=int, metavar="N")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("mark-read", help="mark articles read")
    p.add_argument("articles", nargs="*", type=int, metavar="ARTICLE")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--feed", metavar="FEED")
    group.add_argument("--all", action="store_true")
    group.add_argument("--query", "-Q", metavar="QUERY", help="what a query selects")
    p.add_argument("--dry-run", action="store_true", help="list what would be marked, mark nothing")

    p = sub.add_parser("views", help="list saved views with their counts")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("view", help="add or remove a saved view")
    view_sub = p.add_subparsers(dest="view_command", metavar="ACTION", parser_class=Parser)
    view_sub.required = True
    q = view_sub.add_parser("add", help="save a query under a name")
    q.add_argument("name", metavar="NAME")
    q.add_argument("query", metavar="QUERY")
    q = view_sub.add_parser("remove", help="remove a saved view")
    q.add_argument("name", metavar="NAME")

    p = sub.add_parser("mark-unread", help="mark articles unread")
    p.add_argument("articles", nargs="+", type=int, metavar="ARTICLE")

    p = sub.add_parser("bookmark", help="bookmark articles")
    p.add_argument("articles", nargs="+", type=int, metavar="ARTICLE")
    p = sub.add_parser("unbookmark", help="remove bookmarks")
    p.add_argument("articles", nargs="+", type=int, metavar="ARTICLE")

    p = sub.add_parser("import", help="import subscriptions from OPML")
    p.add_argument("file", metavar="FILE.opml")

    p = sub.add_parser("export", help="export subscriptions as OPML 2.0")
    p.add_argument("--output", "-o", metavar="F")

    p = sub.add_parser("bookmarks", help="export bookmarks")
    p.add_argument("--format", choices=("markdown", "json", "netscape"), default="markdown")
    p.add_argument("--output", "-o", metavar="F")

    p = sub.add_parser("open", help="read a file, folder or feed without subscribing")
    p.add_argument("source", metavar="PATH_OR_URL")

    p = sub.add_parser("show", help="print an article as the reader shows it")
    p.add_argument("article", type=int, metavar="ARTICLE", help="article id (see `articles`)")
    p.add_argument("--format", choices=("markdown", "text", "json"), default="markdown")

    p = sub.add_parser("extract", help="print a web page's article text as Markdown")
    p.add_argument("source", metavar="PATH_OR_URL")

    commands.add_parsers(sub)
    return parser


def _write(text: str, output: str | None = None) -> None:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise NewstuiError(f"{output}: cannot write: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def _load(args: argparse.Namespace) -> tuple[Config, Path]:
    explicit = args.config or os.environ.get("NEWSTUI_CONFIG")
    config = load_config(config_path(args.config), required=bool(explicit))
    for warning in config.warnings:
        print(f"newstui: warning: {warning}", file=sys.stderr)
    return config, db_path(args.db)


def _fmt_date(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "(no date)      "


class ProgressBar:
    """A one-line progress display on a terminal (stderr)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, event: RefreshProgress) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * event.done / max(event.total, 1))
        name = clean_line(event.outcome.url if event.outcome else "", max_length=40)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {event.done}/{event.total} {name:<40}"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 90 + "\r")
            self.stream.flush()


def _summary(outcomes: Sequence[FeedOutcome]) -> None:
    new = sum(o.new for o in outcomes)
    updated = sum(o.updated for o in outcomes)
    failed = [o for o in outcomes if o.status in ("error", "gone")]
    print(
        f"{_count(len(outcomes), 'feed')} checked: {new} new, {updated} updated, "
        f"{len(failed)} failed",
    )
    for o in failed:
        print(f"  ! {clean_line(o.url)}: {clean_line(o.error or o.status)}")


def _count(n: int, noun: str) -> str:
    """'1 feed', '2 feeds', '0 feeds'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _feed_arg(library: Library, ref: str | None) -> int | None:
    return None if ref is None else library.find_feed(ref).id


def run(args: argparse.Namespace) -> int:
    config, database = _load(args)
    command = args.command
    if command == "extract":
        return _extract(args, config)
    if command == "open":
        return _open(args, config)
    library = Library.open(config, database)
    if command == "show":
        try:
            return _show(args, library)
        finally:
            library.close()
    try:
        return _dispatch(args, library, config)
    finally:
        library.close()


def _dispatch(args: argparse.Namespace, library: Library, config: Config) -> int:
    command = args.command
    if command is None:
        from newstui.ui.app import make_app

        library.welcome = True
        app = make_app(library, config)
        app.run()
        return 0
    if command == "add" and args.account:
        feed = library.add_account_feed(
            args.account, args.source, args.tag[0] if args.tag else None
        )
        print(f"{feed.id}\t{clean_line(args.source)} (on {args.account}'s server at the next sync)")
        return 0
    if command == "sync":
        return _sync(args, library)
    if command == "accounts":
        states = library.accounts()
        if args.json:
            _print_json(states)
        for state in [] if args.json else states:
            problem = f": {state['error']}" if state["error"] else ""
            print(f"{state['name']}\t{state['type']}\t{state['url']}\t{state['status']}{problem}")
        return 0
    if command == "add":
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
    if command == "remove":
        feed = library.find_feed(args.feed)
        library.remove_feed(feed.id)
        print(f"removed {feed.id}\t{clean_line(feed.display_title)}")
        return 0
    if command == "feeds":
        feeds = library.feeds()
        if args.json:
            _print_json([feed_json(f) for f in feeds])
        else:
            for f in feeds:
                flag = {"error": "!", "gone": "x", "never": "?"}.get(str(f.status), " ")
                tags = f" [{', '.join(clean_line(t) for t in f.tags)}]" if f.tags else ""
                print(
                    f"{f.id:>5} {flag} {f.unread:>5}/{f.total:<5} {clean_line(f.display_title)}{tags}"
                )
                if f.error:
                    print(f"        {clean_line(f.error)}")
        return 0
    if command == "refresh":
        ids = [library.find_feed(ref).id for ref in args.feeds] or None
        bar = ProgressBar(sys.stderr)
        if args.quiet or args.json:
            bar.enabled = False
        try:
            outcomes = asyncio.run(library.refresh(ids, progress=bar))
        finally:
            bar.close()
        if args.json:
            _print_json([outcome_json(o) for o in outcomes])
        elif not args.quiet:
            _summary(outcomes)
        return 0
    if command == "articles":
        if args.limit is not None and args.limit < 0:
            raise UsageError("--limit must be zero or more")
        if args.query is not None:
            articles = library.query_articles(
                args.query,
                feed=_feed_arg(library, args.feed),
                unread=args.unread,
                bookmarked=args.bookmarked,
                search=args.search,
                limit=args.limit,
            )
            _print_articles(articles, args.json)
            return 0
        view = _articles_view(library, args)
        # Every filter is part of the query, and the limit applies to what they leave.
        articles = library.articles(
            view,
            args.limit,
            unread=args.unread,
            bookmarked=args.bookmarked,
            feed_id=_feed_arg(library, args.feed),
        )
        _print_articles(articles, args.json)
        return 0
    if command == "mark-read":
        if args.dry_run and args.query is None:
            raise UsageError("--dry-run goes with --query")
        if args.query is not None:
            if args.dry_run:
                ids = library.unread_query_ids(args.query)
                for a in (library.article(i) for i in ids):
                    print(f"{a.id:>7} {_fmt_date(a.published)}  {clean_line(a.title)}")
                print(f"{len(ids)} would be marked read")
                return 0
            count = library.mark_query_read(args.query)
        elif args.all:
            count = library.mark_view_read(View("all"))
        elif args.feed:
            count = library.mark_view_read(View("feed", feed_id=_feed_arg(library, args.feed)))
        elif args.articles:
            library.check_articles(args.articles)
            count = library.set_read(args.articles, True)
        else:
            raise UsageError("give article ids, --feed FEED or --all")
        print(f"{count} marked read")
        return 0
    if command in ("mark-unread", "bookmark", "unbookmark"):
        library.check_articles(args.articles)
        if command == "mark-unread":
            count = library.set_read(args.articles, False)
        else:
            count = library.set_bookmarked(args.articles, command == "bookmark")
        print(f"{count} changed")
        return 0
    if command == "views":
        views = library.saved_views()
        if args.json:
            _print_json(
                [
                    {"name": clean_line(v.name), "query": v.query, "unread": v.unread,
                     "total": v.total}
                    for v in views
                ]
            )  # fmt: skip
        else:
            if not views:
                print('no saved views (add one: newstui view add NAME "QUERY")')
            for v in views:
                print(f"{v.unread:>6}/{v.total:<6} {clean_line(v.name)}  {clean_line(v.query)}")
        return 0
    if command == "view":
        if args.view_command == "add":
            saved = library.add_view(args.name, args.query)
            unread, total = library.view_counts(saved.query)
            print(f"saved view {clean_line(saved.name)!r}: {unread} unread of {total}")
        else:
            library.remove_view(args.name)
            print(f"removed view {clean_line(args.name)!r}")
        return 0
    if command == "import":
        report = library.import_opml(Path(args.file))
        for warning in report.warnings:
            print(f"newstui: warning: {clean_line(warning)}", file=sys.stderr)
        print(f"{_count(report.added, 'feed')} imported, {report.existing} already subscribed")
        return 0
    if command == "export":
        _write(library.export_opml(), args.output)
        return 0
    if command == "bookmarks":
        _write(library.export_bookmarks(args.format), args.output)
        return 0
    if command in ("feed", "rules", "hide", "unhide"):
        handler = {
            "feed": commands.run_feed,
            "rules": commands.run_rules,
            "hide": commands.run_hide,
            "unhide": commands.run_hide,
        }[command]
        try:
            return handler(args, library)
        except commands.CommandUsageError as exc:
            raise UsageError(str(exc)) from None
    raise UsageError(f"unknown command {command!r}")


def _sync(args: argparse.Namespace, library: Library) -> int:
    def progress(account: str, step: str) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{clean_line(account)}: {step}...".ljust(60), end="", file=sys.stderr)

    outcomes = library.sync(args.accounts or None, progress=progress)
    if not args.json and sys.stderr.isatty():
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
    if args.json:
        _print_json([o.as_json() for o in outcomes])
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


def _print_articles(articles: Sequence[Article], as_json: bool) -> None:
    if as_json:
        _print_json([article_json(a) for a in articles])
        return
    for a in articles:
        marks = ("N" if not a.read else " ") + ("*" if a.bookmarked else " ")
        print(
            f"{a.id:>7} {marks} {_fmt_date(a.published)}  {clean_line(a.title)}"
            f"  ({clean_line(a.feed_title)})"
        )


def _articles_view(library: Library, args: argparse.Namespace) -> View:
    if args.search:
        return View("search", query=args.search)
    if args.feed:
        return View("feed", feed_id=_feed_arg(library, args.feed))
    if args.bookmarked:
        return View("bookmarks")
    if args.unread:
        return View("unread")
    return View("all")


def _open(args: argparse.Namespace, config: Config) -> int:
    from newstui.ui.app import make_app

    library = Library.open(config, ":memory:")
    try:
        result = asyncio.run(library.add_feed(args.source))
        if result.feed.error and result.feed.total == 0:
            raise NewstuiError(f"{clean_line(args.source)}: {clean_line(result.feed.error)}")
        app = make_app(library, config, open_source=args.source)
        app.run()
    finally:
        library.close()
    return 0


def _show(args: argparse.Namespace, library: Library) -> int:
    from newstui.library.show import as_json, as_markdown, as_text, shown_article

    shown = shown_article(library, library.article(args.article))
    if args.format == "json":
        _print_json(as_json(shown))
    else:
        _write(as_markdown(shown) if args.format == "markdown" else as_text(shown))
    return 0


def _extract(args: argparse.Namespace, config: Config) -> int:
    from newstui.refresh.pipeline import local_path
    from newstui.sources.extract import extract_article

    source = args.source
    path = local_path(source)
    if path is not None:
        from newstui.sources.local import read_file

        data = read_file(path, config.limits.max_file_bytes)
        url = None
    else:
        from newstui.sources.fetch import Fetcher

        async def get() -> Any:
            async with Fetcher(config.refresh) as fetcher:
                return await fetcher.get_page(source)

        result = asyncio.run(get())
        if result.status != "ok":
            raise NewstuiError(f"{clean_line(source)}: {clean_line(result.error or result.status)}")
        data, url = result.body, result.final_url or source
    extracted = extract_article(data, url=url)
    _write(extracted.markdown)
    return 0


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
