"""Subcommands about articles: list them, mark them, bookmark them, saved views, `show` one,
and the bookmarks export."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

from newstui.cli.command import (
    ARTICLE_IDS,
    Command,
    Session,
    UsageError,
    article_id,
    fmt_date,
    json_flag,
    print_json,
    write,
)
from newstui.cli.formats import (
    BOOKMARK_FORMATS,
    article_json,
    article_markdown,
    article_text,
    bookmarks_document,
    shown_json,
)
from newstui.domain.models import Article, View
from newstui.domain.text import clean_line


def _articles_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--query", "-Q", metavar="QUERY", help='a query, e.g. "is:unread #tech -sports newer:7d"'
    )
    p.add_argument("--feed", metavar="FEED")
    p.add_argument("--unread", action="store_true")
    p.add_argument("--bookmarked", action="store_true")
    p.add_argument("--search", metavar="QUERY")
    p.add_argument("--limit", type=int, metavar="N")
    p.add_argument("--json", action="store_true")


def _articles(args: argparse.Namespace, session: Session) -> int:
    library = session.library
    if args.limit is not None and args.limit < 0:
        raise UsageError("--limit must be zero or more")
    if args.query is not None:
        articles = library.query_articles(
            args.query,
            feed=session.feed_id(args.feed),
            unread=args.unread,
            bookmarked=args.bookmarked,
            search=args.search,
            limit=args.limit,
        )
    else:
        # Every filter is part of the query, and the limit applies to what they leave.
        articles = library.articles(
            _articles_view(session, args),
            args.limit,
            unread=args.unread,
            bookmarked=args.bookmarked,
            feed_id=session.feed_id(args.feed),
        )
    _print_articles(articles, args.json)
    return 0


def _articles_view(session: Session, args: argparse.Namespace) -> View:
    if args.search:
        return View("search", query=args.search)
    if args.feed:
        return View("feed", feed_id=session.feed_id(args.feed))
    if args.bookmarked:
        return View("bookmarks")
    if args.unread:
        return View("unread")
    return View("all")


def _print_articles(articles: Sequence[Article], as_json: bool) -> None:
    if as_json:
        print_json([article_json(a) for a in articles])
        return
    for a in articles:
        marks = ("N" if not a.read else " ") + ("*" if a.bookmarked else " ")
        print(
            f"{a.id:>7} {marks} {fmt_date(a.published)}  {clean_line(a.title)}"
            f"  ({clean_line(a.feed_title)})"
        )


def _mark_read_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("articles", nargs="*", type=article_id, metavar="ARTICLE")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--feed", metavar="FEED")
    group.add_argument("--all", action="store_true")
    group.add_argument("--query", "-Q", metavar="QUERY", help="what a query selects")
    p.add_argument("--dry-run", action="store_true", help="list what would be marked, mark nothing")


def _mark_read(args: argparse.Namespace, session: Session) -> int:
    library = session.library
    if args.dry_run and args.query is None:
        raise UsageError("--dry-run goes with --query")
    if args.query is not None:
        if args.dry_run:
            ids = library.unread_query_ids(args.query)
            for a in (library.article(i) for i in ids):
                print(f"{a.id:>7} {fmt_date(a.published)}  {clean_line(a.title)}")
            print(f"{len(ids)} would be marked read")
            return 0
        changed = library.mark_query_read(args.query)
    elif args.all:
        changed = library.mark_view_read(View("all"))
    elif args.feed:
        changed = library.mark_view_read(View("feed", feed_id=session.feed_id(args.feed)))
    elif args.articles:
        library.check_articles(args.articles)
        changed = library.set_read(args.articles, True)
    else:
        raise UsageError("give article ids, --feed FEED or --all")
    print(f"{changed} marked read")
    return 0


def _ids_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("articles", nargs="+", type=article_id, metavar="ARTICLE")


def _mark_unread(args: argparse.Namespace, session: Session) -> int:
    session.library.check_articles(args.articles)
    print(f"{session.library.set_read(args.articles, False)} changed")
    return 0


def _bookmark(args: argparse.Namespace, session: Session) -> int:
    session.library.check_articles(args.articles)
    print(f"{session.library.set_bookmarked(args.articles, True)} changed")
    return 0


def _unbookmark(args: argparse.Namespace, session: Session) -> int:
    session.library.check_articles(args.articles)
    print(f"{session.library.set_bookmarked(args.articles, False)} changed")
    return 0


def _views(args: argparse.Namespace, session: Session) -> int:
    views = session.library.saved_views()
    if args.json:
        print_json(
            [
                {"name": clean_line(v.name), "query": v.query, "unread": v.unread, "total": v.total}
                for v in views
            ]
        )
        return 0
    if not views:
        print('no saved views (add one: newstui view add NAME "QUERY")')
    for v in views:
        print(f"{v.unread:>6}/{v.total:<6} {clean_line(v.name)}  {clean_line(v.query)}")
    return 0


def _view_arguments(p: argparse.ArgumentParser) -> None:
    view_sub = p.add_subparsers(dest="view_command", metavar="ACTION", parser_class=type(p))
    view_sub.required = True
    q = view_sub.add_parser("add", help="save a query under a name")
    q.add_argument("name", metavar="NAME")
    q.add_argument("query", metavar="QUERY")
    q = view_sub.add_parser("remove", help="remove a saved view")
    q.add_argument("name", metavar="NAME")


def _view(args: argparse.Namespace, session: Session) -> int:
    library = session.library
    if args.view_command == "add":
        saved = library.add_view(args.name, args.query)
        unread, total = library.view_counts(saved.query)
        print(f"saved view {clean_line(saved.name)!r}: {unread} unread of {total}")
    else:
        library.remove_view(args.name)
        print(f"removed view {clean_line(args.name)!r}")
    return 0


def _bookmarks_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=BOOKMARK_FORMATS, default="markdown")
    p.add_argument("--output", "-o", metavar="F")


def _bookmarks(args: argparse.Namespace, session: Session) -> int:
    articles = session.library.articles(View("bookmarks"))
    write(bookmarks_document(articles, args.format), args.output)
    return 0


def _show_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "article",
        metavar="ARTICLE",
        help="the article's id (see `newstui articles`), its link, or its file's path",
    )
    p.add_argument("--format", choices=("markdown", "text", "json"), default="markdown")


def _show(args: argparse.Namespace, session: Session) -> int:
    from newstui.library.show import shown_article

    library = session.library
    shown = shown_article(library, _show_target(session, args.article))
    if args.format == "json":
        print_json(shown_json(shown))
    else:
        write(article_markdown(shown) if args.format == "markdown" else article_text(shown))
    return 0


def _show_target(session: Session, ref: str) -> Article:
    """The article an ARTICLE argument names: an id, a link, or a local article's file."""
    text = ref.strip()
    if re.fullmatch(r"-?\d+", text):
        return session.library.article(int(text))
    if (
        "://" in text
        or "/" in text
        or re.search(r"\.[^\W\d_]\w*$", text)
        or (text and Path(text).exists())
    ):
        return session.library.article_at(text)
    raise UsageError(
        f"ARTICLE is {ARTICLE_IDS}, its link or its file's path: {clean_line(ref)!r} is none "
        "of these"
    )


COMMANDS = (
    Command("articles", _articles_arguments, _articles),
    Command("mark-read", _mark_read_arguments, _mark_read),
    Command("views", json_flag, _views),
    Command("view", _view_arguments, _view),
    Command("mark-unread", _ids_arguments, _mark_unread),
    Command("bookmark", _ids_arguments, _bookmark),
    Command("unbookmark", _ids_arguments, _unbookmark),
    Command("bookmarks", _bookmarks_arguments, _bookmarks),
    Command("show", _show_arguments, _show),
)
