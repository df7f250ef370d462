"""What a subcommand is (its name, its arguments, its handler), the session it runs in, and the
small output helpers every handler shares."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newstui.config import Config
from newstui.domain.errors import NewstuiError
from newstui.domain.text import clean_line
from newstui.library.facade import Library


class UsageError(Exception):
    """Bad command-line usage (exit status 2)."""


class Session:
    """What a command runs with: the config, the database's path, and the Library on that file,
    opened on first use (a command that needs no database never creates one)."""

    def __init__(self, config: Config, database: Path) -> None:
        self.config = config
        self.database = database
        self._library: Library | None = None

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = Library.open(self.config, self.database)
        return self._library

    def feed_id(self, ref: str | None) -> int | None:
        """The id of the feed a FEED argument names (id or URL), None when it was not given."""
        return None if ref is None else self.library.find_feed(ref).id

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None


Handler = Callable[[argparse.Namespace, Session], int]
"""Runs a command; returns the exit status."""


@dataclass(frozen=True, slots=True)
class Command:
    """One subcommand: its argparse setup beside the code that runs it (its line in the help
    is main.py's table's)."""

    name: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Handler


ARTICLE_IDS = "an article's id (a number, as `newstui articles` lists them)"


def article_id(text: str) -> int:
    """An ARTICLE argument that must be an id (argparse's `type`): a clear line when it is not."""
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{clean_line(text)!r} is not {ARTICLE_IDS}") from None


def json_flag(p: argparse.ArgumentParser) -> None:
    """A command's `--json` switch (its output as JSON for scripts)."""
    p.add_argument("--json", action="store_true")


def print_json(value: Any) -> None:
    import json  # not imported by the reader, which prints none

    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def write(text: str, output: str | None = None) -> None:
    """`text` to the file `output`, else to standard output (ending in a newline)."""
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise NewstuiError(f"{output}: cannot write: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")


def count(n: int, noun: str) -> str:
    """'1 feed', '2 feeds', '0 feeds'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def fmt_date(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "(no date)      "
