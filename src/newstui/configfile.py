"""The configuration file: TOML read once into a typed, frozen `Config` (`newstui.config`); errors
name the file, the key and what was expected; unknown keys are warnings, not errors."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newstui.config import (
    ACCOUNT_TYPES,
    RULE_ACTIONS,
    AccountConfig,
    Config,
    DisplayConfig,
    FeedConfig,
    HooksConfig,
    LimitsConfig,
    OpenConfig,
    RefreshConfig,
    RuleConfig,
)
from newstui.domain.errors import ConfigError
from newstui.domain.headline_format import parse_headline_format
from newstui.domain.text import clean_line, is_feed_url

__all__ = ["load_config", "parse_config"]

MAX_CONFIG_BYTES = 1024 * 1024
MAX_LINE_DOTS = 2000
_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

_CHOICES: dict[str, tuple[str, ...]] = {"images": ("auto", "off")}
_MINIMUM: dict[str, float] = {
    "concurrency": 1,
    "per_host": 1,
    "connect_timeout": 0.1,
    "read_timeout": 0.1,
    "deadline": 0.5,
    "max_bytes": 1024,
    "max_redirects": 0,
    "retention_days": 0,
    "refresh_interval_minutes": 0,
    "parse_processes": 0,
    "process_pool_threshold": 1,
    "reading_width": 20,
    "confirm_mark_over": 0,
    "max_file_bytes": 1024,
    "max_opml_bytes": 1024,
    "max_folder_files": 1,
    "max_title_chars": 10,
    "max_body_chars": 1000,
    "max_html_depth": 10,
    "parse_timeout": 1,
    "max_images": 0,
    "max_image_bytes": 1024,
}


def _type_name(kind: Any) -> str:
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(
        kind, str(kind)
    )


def _check_value(where: str, key: str, value: Any, kind: Any) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind in (int, float) and isinstance(value, bool):
        raise ConfigError(f"{where}: `{key}` must be {_type_name(kind)}, not {value!r}")
    if not isinstance(value, kind):
        shown = clean_line(repr(value), max_length=60)
        raise ConfigError(f"{where}: `{key}` must be {_type_name(kind)}, not {shown}")
    if kind is float and value != value:  # nan passes every comparison below
        raise ConfigError(f"{where}: `{key}` must be a number, not nan")
    if key in _MINIMUM and value < _MINIMUM[key]:
        raise ConfigError(f"{where}: `{key}` must be at least {_MINIMUM[key]:g}, not {value!r}")
    if key in _CHOICES and value not in _CHOICES[key]:
        choices = " or ".join(repr(c) for c in _CHOICES[key])
        raise ConfigError(f"{where}: `{key}` must be {choices}, not {clean_line(repr(value))}")
    return value


def _section(
    where: str, name: str, raw: Any, cls: Any, warnings: list[str]
) -> Any:  # -> instance of cls
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    kinds = {f.name: f.type for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in kinds:
            warnings.append(f"{where}: unknown key `{clean_line(key)}` in [{name}] ignored")
            continue
        kind = {"int": int, "float": float, "bool": bool, "str": str}[str(kinds[key])]
        values[key] = _check_value(f"{where} [{name}]", key, value, kind)
    return cls(**values)


def _feed(where: str, index: int, raw: Any, warnings: list[str]) -> FeedConfig:
    place = f"{where} [[feeds]] #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{place}: each [[feeds]] entry must be a table")
    url = raw.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{place}: `url` is required and must be a non-empty string")
    title = raw.get("title")
    if title is not None and not isinstance(title, str):
        raise ConfigError(f"{place}: `title` must be a string")
    tags = raw.get("tags", [])
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError(f"{place}: `tags` must be a list of strings")
    retention = raw.get("retention_days")
    if retention is not None:
        retention = _check_value(place, "retention_days", retention, int)
    full_text = _check_value(place, "full_text", raw.get("full_text", False), bool)
    for key in raw:
        if key not in {"url", "title", "tags", "retention_days", "full_text"}:
            warnings.append(f"{place}: unknown key `{clean_line(key)}` ignored")
    clean_tags = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
    return FeedConfig(url.strip(), title, clean_tags, retention, full_text)


def _rule(where: str, index: int, raw: Any, warnings: list[str]) -> RuleConfig:
    place = f"{where} [[rules]] #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{place}: each [[rules]] entry must be a table")
    name = raw.get("name", f"rule {index + 1}")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{place}: `name` must be a non-empty string")
    place = f"{where} [[rules]] {clean_line(name, max_length=60)!r}"
    query = raw.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ConfigError(f"{place}: `query` is required and must be a non-empty string")
    actions = raw.get("actions", [])
    if isinstance(actions, str):
        actions = [actions]
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) for a in actions):
        raise ConfigError(f"{place}: `actions` must be a non-empty list of strings")
    clean: list[str] = []
    for action in actions:
        action = action.strip()
        kind, sep, tag = action.partition(":")
        if sep and kind.strip().lower() == "tag" and tag.strip():
            clean.append(f"tag:{clean_line(tag).strip()}")
        elif not sep and action.lower() in RULE_ACTIONS:
            clean.append(action.lower())
        else:
            known = ", ".join((*RULE_ACTIONS, "tag:NAME"))
            raise ConfigError(
                f"{place}: unknown action {clean_line(action, max_length=40)!r} (known: {known})"
            )
    for key in raw:
        if key not in {"name", "query", "actions"}:
            warnings.append(f"{place}: unknown key `{clean_line(key)}` ignored")
    return RuleConfig(name.strip(), query.strip(), tuple(dict.fromkeys(clean)))


def _hooks(where: str, raw: Any, warnings: list[str]) -> HooksConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [hooks] must be a table")
    on_new = raw.get("on_new", [])
    if not isinstance(on_new, list) or not all(isinstance(a, str) for a in on_new):
        raise ConfigError(
            f'{where} [hooks]: `on_new` must be a list of strings: ["command", "argument", ...]'
        )
    if on_new and not on_new[0].strip():
        raise ConfigError(f"{where} [hooks]: `on_new` must start with a command")
    if any("\x00" in a for a in on_new):
        raise ConfigError(f"{where} [hooks]: `on_new` must not contain NUL characters")
    for key in raw:
        if key != "on_new":
            warnings.append(f"{where}: unknown key `{clean_line(key)}` in [hooks] ignored")
    return HooksConfig(on_new=tuple(on_new))


def _account(
    where: str, index: int, raw: Any, owner_only: bool, warnings: list[str]
) -> AccountConfig:
    place = f"{where} [[accounts]] #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{place}: each [[accounts]] entry must be a table")
    values: dict[str, str] = {}
    for key in ("name", "type", "url", "username"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{place}: `{key}` is required and must be a non-empty string")
        values[key] = value.strip()
    name = values["name"]
    if not _ACCOUNT_NAME.fullmatch(name):
        raise ConfigError(
            f"{place}: `name` must be letters, digits, '.', '_' or '-' (up to 64), "
            f"not {clean_line(repr(name), max_length=70)}"
        )
    place = f"{where} [[accounts]] {name!r}"
    if values["type"] not in ACCOUNT_TYPES:
        choices = " or ".join(repr(c) for c in ACCOUNT_TYPES)
        raise ConfigError(
            f"{place}: `type` must be {choices}, not {clean_line(repr(values['type']))}"
        )
    url = values["url"]
    if not is_feed_url(url):
        raise ConfigError(f"{place}: `url` must be an http:// or https:// address")
    if url.lower().startswith("http://") and not _is_loopback(url):
        warnings.append(
            f"{place}: `url` is plain http: the password crosses the network unencrypted"
        )
    command = raw.get("password_command")
    if command is not None and (
        not isinstance(command, list)
        or not command
        or not all(isinstance(c, str) and c for c in command)
    ):
        # An argument list, never a shell string: nothing in it is interpreted.
        raise ConfigError(
            f'{place}: `password_command` must be a list of strings, e.g. ["pass", "show", "rss"]'
        )
    password = raw.get("password")
    if password is not None:
        if not isinstance(password, str) or not password:
            raise ConfigError(f"{place}: `password` must be a non-empty string")  # not echoed
        if not owner_only:
            raise ConfigError(
                f"{place}: holds a plain `password` but the file is readable by other users: "
                "make it readable by its owner only (chmod 600) or use `password_command` or "
                "the system keyring"
            )
        if command is not None:
            raise ConfigError(f"{place}: give `password` or `password_command`, not both")
    for key in raw:
        if key not in {"name", "type", "url", "username", "password_command", "password"}:
            warnings.append(f"{place}: unknown key `{clean_line(key)}` ignored")
    return AccountConfig(
        name, values["type"], url, values["username"], tuple(command or ()), password
    )


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def parse_config(text: str, path: Path | None = None, *, owner_only: bool = False) -> Config:
    """Build a `Config` from TOML text; raises `ConfigError` naming the line or key.

    `owner_only` says the file is readable by its owner only: only then may an account hold a
    plain `password`.
    """
    where = str(path) if path else "config"
    for number, line in enumerate(text.splitlines(), 1):
        if line.count(".") > MAX_LINE_DOTS:  # tomllib is quadratic in the parts of a dotted key
            raise ConfigError(f"{where}: line {number}: invalid TOML: nested too deeply")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {clean_line(exc)}") from None
    except RecursionError:
        raise ConfigError(f"{where}: invalid TOML: nested too deeply") from None
    warnings: list[str] = []
    sections = {
        "refresh": RefreshConfig,
        "limits": LimitsConfig,
        "display": DisplayConfig,
    }
    built: dict[str, Any] = {}
    for name, cls in sections.items():
        if name in data:
            built[name] = _section(where, name, data[name], cls, warnings)
    if "display" in built:
        try:
            parse_headline_format(built["display"].headline_format)
        except ValueError as exc:
            raise ConfigError(
                f"{where} [display]: `headline_format`: {clean_line(exc)}"
                f" (got {clean_line(repr(built['display'].headline_format))})"
            ) from None
    feeds_raw = data.get("feeds", [])
    if not isinstance(feeds_raw, list):
        raise ConfigError(f"{where}: `feeds` must be an array of tables ([[feeds]])")
    feeds = tuple(_feed(where, i, raw, warnings) for i, raw in enumerate(feeds_raw))
    accounts_raw = data.get("accounts", [])
    if not isinstance(accounts_raw, list):
        raise ConfigError(f"{where}: `accounts` must be an array of tables ([[accounts]])")
    accounts = tuple(
        _account(where, i, raw, owner_only, warnings) for i, raw in enumerate(accounts_raw)
    )
    names = [a.name for a in accounts]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"{where}: two [[accounts]] are named {name!r}")
    keys_raw = data.get("keys", {})
    if not isinstance(keys_raw, dict):
        raise ConfigError(f'{where}: [keys] must be a table of action = "key"')
    keys: dict[str, str] = {}
    for action, value in keys_raw.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where} [keys]: `{clean_line(action)}` must be a key name string")
        keys[action] = value.replace(" ", "")
    rules_raw = data.get("rules", [])
    if not isinstance(rules_raw, list):
        raise ConfigError(f"{where}: `rules` must be an array of tables ([[rules]])")
    rules = tuple(_rule(where, i, raw, warnings) for i, raw in enumerate(rules_raw))
    hooks = _hooks(where, data.get("hooks", {}), warnings)
    opener = _open_section(where, data.get("open", {}), warnings)
    views = _views(where, data.get("views", {}))
    for key in data:
        if key not in {*sections, "feeds", "accounts", "keys", "rules", "hooks", "open", "views"}:
            warnings.append(f"{where}: unknown key `{clean_line(key)}` ignored")
    return Config(
        path=path,
        feeds=feeds,
        accounts=accounts,
        keys=keys,
        rules=rules,
        hooks=hooks,
        open=opener,
        views=views,
        warnings=tuple(warnings),
        **built,
    )


def _open_section(where: str, raw: Any, warnings: list[str]) -> OpenConfig:
    """[open]: `audio = ["mpv", "{url}"]`, each an argument list with `{url}` in it."""
    if not isinstance(raw, dict):
        raise ConfigError(f'{where}: [open] must be a table of kind = ["program", "{{url}}"]')
    values: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        if key not in ("audio", "video"):
            warnings.append(f"{where}: unknown key `{clean_line(key)}` in [open] ignored")
            continue
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v for v in value)
        ):
            raise ConfigError(
                f'{where} [open]: `{key}` must be a list of strings, like ["mpv", "{{url}}"]'
            )
        if not any("{url}" in v for v in value[1:]):
            raise ConfigError(f"{where} [open]: `{key}` must pass the file as {{url}}")
        values[key] = tuple(value)
    return OpenConfig(**values)


def _views(where: str, raw: Any) -> tuple[tuple[str, str], ...]:
    """[views]: name = "query", each query checked now, so a typo is reported at start-up."""
    from newstui.query.errors import QueryError

    if not isinstance(raw, dict):
        raise ConfigError(f'{where}: [views] must be a table of name = "query"')
    views: list[tuple[str, str]] = []
    for name, query in raw.items():
        shown = clean_line(name, max_length=60)
        if not isinstance(query, str):
            raise ConfigError(f"{where} [views]: `{shown}` must be a query string")
        if not clean_line(name).strip():
            raise ConfigError(f"{where} [views]: a view needs a name")
        from newstui.query import parse  # the parser: with the first view, not before

        try:
            parse(query)
        except QueryError as exc:
            raise ConfigError(
                f"{where} [views]: `{shown}`: {exc.message} at character {exc.position + 1} "
                f"of {clean_line(query, max_length=200)!r}"
            ) from None
        views.append((clean_line(name).strip(), query))
    return tuple(views)


def load_config(path: Path, *, required: bool = False) -> Config:
    """Read the config at `path`; a missing file gives the defaults unless `required`."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: config file not found") from None
        return Config(path=None)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path}: not a regular file")
    if info.st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: config file is too large ({info.st_size} bytes)")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: not valid UTF-8") from None
    return parse_config(text, path, owner_only=info.st_mode & 0o077 == 0)
