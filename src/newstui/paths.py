"""Where newstui keeps its files: XDG locations through platformdirs, overridable."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "newstui"


def config_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The config file: `--config`, else `$NEWSTUI_CONFIG`, else the XDG config dir."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("NEWSTUI_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def db_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The database: `--db`, else `$NEWSTUI_DB`, else the XDG data dir."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("NEWSTUI_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP)) / "newstui.db"


def cache_dir() -> Path:
    """Cache for images and other disposable data."""
    return Path(platformdirs.user_cache_dir(APP))
