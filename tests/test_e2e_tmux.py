"""The installed `newstui` in a real terminal (tmux): open an article, bookmark it, quit, check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.feedgen import Item, rss

BIN = Path(sys.executable).parent / "newstui"
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSTUI_", "TMUX"))}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        HOME=str(tmp_path),
        TERM="xterm-256color",
    )
    (tmp_path / "config" / "newstui").mkdir(parents=True)
    (tmp_path / "config" / "newstui" / "config.toml").write_text(
        "[refresh]\nrefresh_on_start = false\n", encoding="utf-8"
    )
    return env


@pytest.fixture
def tmux(home: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Run commands in a private tmux server; yields a function returning the screen text."""
    socket = f"newstui-test-{uuid.uuid4().hex[:8]}"
    base = ["tmux", "-L", socket, "-f", os.devnull]
    started = False

    def screen(*keys: str, start: bool = False) -> str:
        nonlocal started
        if start:
            cmd = f"{BIN} ; echo EXIT=$? > {tmp_path / 'exit'} ; sleep 30"
            subprocess.run(
                [*base, "new-session", "-d", "-s", "t", "-x", "160", "-y", "45", cmd],
                env=home,
                check=True,
                timeout=10,
            )
            started = True
        for key in keys:
            subprocess.run([*base, "send-keys", "-t", "t", key], check=True, timeout=10)
            time.sleep(0.3)
        out = subprocess.run(
            [*base, "capture-pane", "-p", "-t", "t"], capture_output=True, text=True, timeout=10
        )
        return out.stdout

    yield screen
    if started:
        subprocess.run([*base, "kill-server"], capture_output=True, timeout=10)


def wait_for(screen: Callable[..., str], text: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen()
        if text in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{shown}")


def wait_exit(tmp_path: Path, timeout: float = 15.0) -> str:
    """The exit status the shell recorded after `newstui` ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = tmp_path / "exit"
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.1)
    raise AssertionError("newstui did not exit")


def test_fresh_start_opens_on_the_welcome_guide(tmux: Callable[..., str], tmp_path: Path) -> None:
    tmux(start=True)
    shown = wait_for(tmux, "Welcome to newstui")
    assert "All" in shown and "Bookmarks" in shown
    tmux("Q")
    assert wait_exit(tmp_path) == "EXIT=0"


def test_open_read_bookmark_quit_then_the_cli_lists_the_bookmark(
    tmux: Callable[..., str], home: dict[str, str], tmp_path: Path
) -> None:
    feed = tmp_path / "feed.xml"
    entries = [
        Item("Zebra crossings return", guid="z", body="<p>Stripes are back in town.</p>"),
        Item("Older story", guid="o", body="<p>Nothing to see.</p>"),
    ]
    feed.write_bytes(rss(entries, title="Town News"))
    subprocess.run([str(BIN), "add", str(feed)], env=home, check=True, timeout=60)
    tmux(start=True)
    wait_for(tmux, "Zebra crossings return")
    tmux("j", "Enter")
    shown = wait_for(tmux, "Stripes are back in town.")
    assert "Town News" in shown
    tmux("b")
    wait_for(tmux, "★")
    tmux("Q")  # quits from the article (q steps back)
    assert wait_exit(tmp_path) == "EXIT=0"
    out = subprocess.run(
        [str(BIN), "articles", "--bookmarked", "--json"],
        env=home,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert [a["title"] for a in json.loads(out.stdout)] == ["Zebra crossings return"]


def test_a_refresh_big_enough_for_the_parse_pool_keeps_the_reader_running(
    tmux: Callable[..., str], home: dict[str, str], tmp_path: Path, httpserver: HTTPServer
) -> None:
    """Ten feeds (past process_pool_threshold): the pool starts under Textual's captured stderr."""
    for i in range(10):
        httpserver.expect_request(f"/f{i}.xml").respond_with_data(
            rss([Item(f"Pooled story {i}", guid=f"p{i}")], title=f"Pool feed {i}"),
            content_type="application/rss+xml",
        )
        subprocess.run(
            [str(BIN), "add", httpserver.url_for(f"/f{i}.xml")], env=home, check=True, timeout=60
        )
    with open(tmp_path / "config" / "newstui" / "config.toml", "a", encoding="utf-8") as cfg:
        cfg.write("process_pool_threshold = 2\n")
    tmux(start=True)
    wait_for(tmux, "Pool feed 9")
    tmux("R")
    wait_for(tmux, "10 feeds checked", timeout=30)  # the refresh summary, app still alive
    tmux("Q")
    assert wait_exit(tmp_path) == "EXIT=0"
