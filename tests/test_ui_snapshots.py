"""Snapshots of the reader at 160x45 and 80x24 and of the help screen: fixed data, UTC, no clock."""

from __future__ import annotations

import asyncio
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from newstui.ui.app import NewstuiApp, make_app
from tests.ui_support import make_library, settle, ui_config


def reader(tmp_path: Path) -> NewstuiApp:
    library = asyncio.run(make_library(tmp_path))
    return make_app(library, ui_config(), tz=UTC)


async def _settled(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_main_screen_wide_with_an_article_open(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(
        reader(tmp_path), press=["j", "enter"], terminal_size=(160, 45), run_before=_settled
    )


def test_main_screen_narrow_lists(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(reader(tmp_path), terminal_size=(80, 24), run_before=_settled)


def test_main_screen_narrow_reading(snap_compare: Any, tmp_path: Path) -> None:
    async def open_article(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)

    assert snap_compare(reader(tmp_path), terminal_size=(80, 24), run_before=open_article)


def test_help_screen(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The files it names are under the (temporary) home: shown as ~/…, the same every run.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.delenv("NEWSTUI_CONFIG", raising=False)
    assert snap_compare(
        reader(tmp_path), press=["question_mark"], terminal_size=(160, 45), run_before=_settled
    )
