"""The configuration as the program sees it: typed, frozen `Config` sections with their defaults.

Read from the TOML file by `newstui.configfile` (`load_config`, `parse_config`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from newstui import __version__
from newstui.domain.headline_format import DEFAULT_HEADLINE_FORMAT as DEFAULT_HEADLINE_FORMAT
from newstui.domain.headline_format import Field as Field  # the headline list's (ui/) way in
from newstui.domain.headline_format import parse_headline_format as parse_headline_format
from newstui.domain.headline_format import without_feed as without_feed

DEFAULT_USER_AGENT = f"newstui/{__version__} (terminal news reader)"


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """A subscription declared in the config file."""

    url: str
    title: str | None = None
    tags: tuple[str, ...] = ()
    retention_days: int | None = None
    full_text: bool = False


ACCOUNT_TYPES = ("ttrss", "greader")


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """A sync account ([[accounts]]): a server some feeds belong to. Its password is never stored
    by newstui: it comes from `password_command`, the system keyring, or (in a file only its
    owner can read) `password`."""

    name: str
    type: str
    """"ttrss" (Tiny Tiny RSS's JSON API) or "greader" (the Google Reader API)."""
    url: str
    username: str
    password_command: tuple[str, ...] = ()
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class RefreshConfig:
    """How feeds are fetched."""

    concurrency: int = 32
    per_host: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0
    max_bytes: int = 16 * 1024 * 1024
    max_redirects: int = 10
    user_agent: str = DEFAULT_USER_AGENT
    retention_days: int = 0
    refresh_on_start: bool = True
    refresh_interval_minutes: int = 0
    parse_processes: int = 0
    """Parse worker processes for large refreshes; 0 means one per core but one (the refresh's
    own process, fetching and storing, keeps that one busy), and one per core for a folder of
    local article files."""
    process_pool_threshold: int = 100
    """Refreshes with at least this many feeds to fetch parse in the process pool; smaller ones
    parse in threads: a pool's start (a forkserver, a resource tracker, its workers' imports)
    costs ~0.25 CPU s and ~40 MB, more than parsing 100 typical feeds takes
    (benchmarks/RESULTS.md, row 3). Local article files use a pool from 8 (refresh.pool)."""


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    """Bounds on untrusted input."""

    max_file_bytes: int = 16 * 1024 * 1024
    max_opml_bytes: int = 8 * 1024 * 1024
    max_folder_files: int = 5000
    max_title_chars: int = 1000
    max_body_chars: int = 2 * 1024 * 1024
    max_html_depth: int = 100
    parse_timeout: float = 30.0
    max_images: int = 20
    max_image_bytes: int = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class DisplayConfig:
    """How articles are shown."""

    reading_width: int = 80
    mark_read_on_open: bool = True
    images: str = "auto"
    date_format: str = "%Y-%m-%d %H:%M"
    list_date_format: str = "%Y-%m-%d"
    """Dates in the headline list: short, so the titles get the room."""
    theme: str = ""
    """Empty: the theme last chosen in the app (default textual-dark)."""
    dedupe: bool = True
    """A story in several feeds shows once outside its feeds; reading it reads every copy."""
    confirm_mark_over: int = 20
    """Marking a view read asks first when it would mark more articles than this."""
    headline_format: str = DEFAULT_HEADLINE_FORMAT
    """A headline row: %F flags, %D date, %T feed, %t title (see domain/headline_format.py)."""


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """A `[[rules]]` entry: what a query matches among new articles gets the actions."""

    name: str
    query: str
    actions: tuple[str, ...]
    """Each one of `read`, `bookmark`, `hide`, `notify` or `tag:NAME`."""


@dataclass(frozen=True, slots=True)
class HooksConfig:
    """Commands run on events: an argument list, never a shell; only ever from this file."""

    on_new: tuple[str, ...] = ()
    """Run after a refresh that stored new articles, with them as JSON lines on its stdin."""


RULE_ACTIONS = ("read", "bookmark", "hide", "notify")
"""Rule actions without an argument; `tag:NAME` is the other kind."""


@dataclass(frozen=True, slots=True)
class OpenConfig:
    """Programs that open an article's enclosures: argument lists, never a shell command."""

    audio: tuple[str, ...] = ()
    """e.g. ("mpv", "{url}"); empty: the browser opens the file."""
    video: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    """Everything the config file can say."""

    path: Path | None = None
    feeds: tuple[FeedConfig, ...] = ()
    accounts: tuple[AccountConfig, ...] = ()
    refresh: RefreshConfig = field(default_factory=RefreshConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    keys: dict[str, str] = field(default_factory=dict)
    """Action id -> comma-separated keys, passed to Textual's keymap."""
    rules: tuple[RuleConfig, ...] = ()
    hooks: HooksConfig = field(default_factory=HooksConfig)
    open: OpenConfig = field(default_factory=OpenConfig)
    views: tuple[tuple[str, str], ...] = ()
    """Saved views ([views]): (name, query) in the file's order."""
    warnings: tuple[str, ...] = ()
