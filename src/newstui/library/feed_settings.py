"""Per-feed settings as users write them (`key=value`): names, parsing, checks and how they show."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from newstui.domain.errors import NewstuiError
from newstui.domain.models import Feed
from newstui.domain.text import clean_line

MAX_REFRESH_MINUTES = 366 * 24 * 60
MAX_RETENTION_DAYS = 100 * 366
MAX_USER_AGENT_CHARS = 300
MAX_TITLE_CHARS = 1000

SETTING_NAMES = ("title", "refresh", "retention", "full_text", "user_agent", "paused")
"""The keys of `newstui feed set`, in the order help and messages list them."""

_ALIASES = {
    "refresh_interval": "refresh",
    "refresh_minutes": "refresh",
    "interval": "refresh",
    "retention_days": "retention",
    "fulltext": "full_text",
    "useragent": "user_agent",
    "ua": "user_agent",
    "pause": "paused",
}
_COLUMNS = {
    "title": "title",
    "refresh": "refresh_minutes",
    "retention": "retention_days",
    "full_text": "full_text",
    "user_agent": "user_agent",
    "paused": "paused",
}
_DEFAULT_WORDS = {"", "default", "none"}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_DURATION = re.compile(r"(\d{1,9})\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)?")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}
_HEADER_SAFE = re.compile(r"[\x20-\x7e]*")


class SettingError(NewstuiError):
    """A per-feed setting's name or value is not understood; the message names it."""


@dataclass(frozen=True, slots=True)
class SettingHelp:
    name: str
    values: str


SETTINGS_HELP = (
    SettingHelp("title", "any text; empty: the feed's own title"),
    SettingHelp("refresh", "minutes, or 30m, 2h, 1d, 1w; default: the config's interval"),
    SettingHelp("retention", "days read articles are kept; 0: for ever; default: the config's"),
    SettingHelp("full_text", "true or false: fetch each new article's web page"),
    SettingHelp("user_agent", "the User-Agent header for this feed; default: the config's"),
    SettingHelp("paused", "true or false: refreshing all feeds skips a paused one"),
)


def _known() -> str:
    return ", ".join(SETTING_NAMES)


def setting_name(raw: str) -> str:
    """The canonical name for what a user typed; SettingError for an unknown one."""
    name = raw.strip().lower().replace("-", "_")
    name = _ALIASES.get(name, name)
    if name not in _COLUMNS:
        shown = clean_line(raw, max_length=40)
        raise SettingError(f"unknown feed setting {shown!r} (known: {_known()})")
    return name


def _bool(name: str, value: str) -> bool:
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise SettingError(f"{name}: expected true or false, not {clean_line(value, max_length=40)!r}")


def parse_minutes(name: str, value: str) -> int | None:
    """A refresh interval in minutes ("90", "90m", "2h", "1d", "1w"); None for the default."""
    text = value.strip().lower()
    if text in _DEFAULT_WORDS:
        return None
    match = _DURATION.fullmatch(text)
    if match is None:
        raise SettingError(
            f"{name}: expected minutes, 30m, 2h, 1d, 1w or default, "
            f"not {clean_line(value, max_length=40)!r}"
        )
    minutes = int(match.group(1)) * _UNIT_MINUTES[(match.group(2) or "m")[0]]
    if minutes < 1 or minutes > MAX_REFRESH_MINUTES:
        raise SettingError(f"{name}: must be between 1 minute and a year, not {value.strip()!r}")
    return minutes


def parse_value(name: str, value: str) -> Any:
    """A setting's stored value from its text; SettingError naming the setting when it is bad."""
    if name == "title":
        if len(value) > MAX_TITLE_CHARS:
            raise SettingError(f"title: at most {MAX_TITLE_CHARS} characters")
        return clean_line(value).strip() or None
    if name == "refresh":
        return parse_minutes(name, value)
    if name == "retention":
        text = value.strip().lower()
        if text in _DEFAULT_WORDS:
            return None
        text = text.removesuffix("days").removesuffix("d").strip()
        if not text.isascii() or not text.isdigit() or int(text) > MAX_RETENTION_DAYS:
            raise SettingError(
                f"retention: expected a number of days (0: keep for ever) or default, "
                f"not {clean_line(value, max_length=40)!r}"
            )
        return int(text)
    if name in ("full_text", "paused"):
        return int(_bool(name, value))
    if name == "user_agent":
        text = value.strip()
        if text.lower() in _DEFAULT_WORDS:
            return None
        if len(text) > MAX_USER_AGENT_CHARS or not _HEADER_SAFE.fullmatch(text):
            raise SettingError(
                f"user_agent: printable ASCII only, at most {MAX_USER_AGENT_CHARS} characters"
            )
        return text
    raise SettingError(f"unknown feed setting {name!r} (known: {_known()})")


def parse_assignments(items: Iterable[str]) -> dict[str, Any]:
    """`key=value` words as {column: value}; SettingError naming every bad one."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            problems.append(f"{clean_line(item, max_length=40)!r}: expected key=value")
            continue
        try:
            name = setting_name(key)
            values[_COLUMNS[name]] = parse_value(name, value)
        except SettingError as exc:
            problems.append(str(exc))
    if problems:
        raise SettingError("; ".join(problems))
    if not values:
        raise SettingError(f"give at least one key=value (known: {_known()})")
    return values


def parse_fields(fields: Mapping[str, str]) -> dict[str, Any]:
    """{name: text} as a dialog collects them, as {column: value}; SettingError naming bad ones."""
    return parse_assignments(f"{name}={value}" for name, value in fields.items())


def settings_json(feed: Feed) -> dict[str, Any]:
    """A feed's own settings, as `feeds --json` shows them (None: the config's default)."""
    return {
        "refresh_minutes": feed.refresh_minutes,
        "retention_days": feed.retention_days,
        "full_text": feed.full_text,
        "user_agent": clean_line(feed.user_agent) if feed.user_agent else None,
        "paused": feed.paused,
    }


def minutes_text(minutes: int | None) -> str:
    """An interval as the dialog shows it: 90 -> "90m", 120 -> "2h", 1440 -> "1d"."""
    if minutes is None:
        return ""
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"
