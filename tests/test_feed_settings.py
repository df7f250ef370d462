"""Per-feed settings: `newstui feed set`, the `e` dialog, and what a refresh makes of them."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from contextlib import closing
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newstui.config import Config, RefreshConfig
from newstui.library.facade import Library
from newstui.library.feed_settings import SettingError, parse_assignments
from newstui.ui.app import make_app
from newstui.ui.screens.edit_feed import EditFeedScreen
from newstui.ui.screens.main import MainScreen
from tests.feedgen import items, rss
from tests.sql_support import sql_all
from tests.test_cli import newstui
from tests.ui_support import make_library, screen_text, settle, ui_config


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


@pytest.fixture
def library(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = Config(refresh=RefreshConfig(deadline=5.0, connect_timeout=2.0, read_timeout=3.0))
    lib = Library.open(config, tmp_path / "lib.db")
    yield lib
    lib.close()


class Recorder:
    """A feed on the test server that counts its requests and keeps their User-Agents."""

    def __init__(self, httpserver: HTTPServer, path: str, body: bytes, **headers: str) -> None:
        self.agents: list[str] = []
        self.body = body

        def handler(request: Request) -> Response:
            self.agents.append(request.headers.get("User-Agent", ""))
            return Response(self.body, content_type="application/rss+xml", headers=headers)

        httpserver.expect_request(path).respond_with_handler(handler)
        self.url = httpserver.url_for(path)


# ---- parsing what users type ---------------------------------------------------------------


def test_assignments_parse_units_defaults_and_aliases() -> None:
    values = parse_assignments(
        ["refresh=2h", "retention=30", "full_text=yes", "user-agent=Bot/1.0", "paused=off"]
    )
    assert values == {
        "refresh_minutes": 120,
        "retention_days": 30,
        "full_text": 1,
        "user_agent": "Bot/1.0",
        "paused": 0,
    }
    assert parse_assignments(["refresh=default", "retention=", "title="]) == {
        "refresh_minutes": None,
        "retention_days": None,
        "title": None,
    }
    assert parse_assignments(["interval=90"]) == {"refresh_minutes": 90}


@pytest.mark.parametrize(
    ("item", "named"),
    [
        ("colour=red", "'colour'"),
        ("refresh=soon", "refresh"),
        ("refresh=0", "refresh"),
        ("retention=-3", "retention"),
        ("paused=maybe", "paused"),
        ("user_agent=bad\x1bagent", "user_agent"),
        ("refresh", "'refresh'"),
    ],
)
def test_bad_settings_are_named(item: str, named: str) -> None:
    with pytest.raises(SettingError, match=named):
        parse_assignments([item])


# ---- the command ---------------------------------------------------------------------------


def test_feed_set_shows_in_feeds_json_and_bad_keys_exit_2(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(items(2), title="Local"))
    newstui(tmp_path, "add", str(feed))
    before = json.loads(newstui(tmp_path, "feeds", "--json").stdout)[0]
    assert before["refresh_minutes"] is None and before["paused"] is False
    newstui(
        tmp_path,
        "feed",
        "set",
        "1",
        "refresh=45m",
        "retention=7",
        "full_text=true",
        "user_agent=Reader/2",
        "paused=true",
        "title=Renamed",
    )
    after = json.loads(newstui(tmp_path, "feeds", "--json").stdout)[0]
    assert after["title"] == "Renamed"
    assert after["refresh_minutes"] == 45 and after["retention_days"] == 7
    assert after["full_text"] is True and after["user_agent"] == "Reader/2"
    assert after["paused"] is True

    bad = newstui(tmp_path, "feed", "set", "1", "speed=11", "refresh=never", check=False)
    assert bad.returncode == 2
    assert "speed" in bad.stderr and "refresh" in bad.stderr and "Traceback" not in bad.stderr
    unchanged = json.loads(newstui(tmp_path, "feeds", "--json").stdout)[0]
    assert unchanged["refresh_minutes"] == 45  # nothing half-applied
    missing = newstui(tmp_path, "feed", "set", "99", "paused=false", check=False)
    assert missing.returncode == 1 and "99" in missing.stderr


# ---- what a refresh does with them ---------------------------------------------------------


def test_paused_feed_is_skipped_by_refresh_all_but_refreshed_by_name(
    library: Library, httpserver: HTTPServer
) -> None:
    feed = Recorder(httpserver, "/paused", rss(items(2)))
    other = Recorder(httpserver, "/other", rss(items(2, prefix="Other")))
    paused_id = run(library.add_feed(feed.url)).feed.id
    run(library.add_feed(other.url))
    library.set_feed_settings(paused_id, parse_assignments(["paused=true"]))
    seen, other_seen = len(feed.agents), len(other.agents)
    outcomes = run(library.refresh())
    assert [o.feed_id for o in outcomes] != [] and paused_id not in [o.feed_id for o in outcomes]
    assert len(feed.agents) == seen and len(other.agents) == other_seen + 1
    run(library.refresh([paused_id]))
    assert len(feed.agents) == seen + 1


def test_user_agent_of_a_feed_is_sent(library: Library, httpserver: HTTPServer) -> None:
    feed = Recorder(httpserver, "/ua", rss(items(1)))
    feed_id = run(library.add_feed(feed.url)).feed.id
    assert feed.agents[-1].startswith("newstui/")
    library.set_feed_settings(feed_id, parse_assignments(["user_agent=Special/9 (test)"]))
    run(library.refresh([feed_id]))
    assert feed.agents[-1] == "Special/9 (test)"


def test_feed_ttl_delays_automatic_refreshes_only(
    library: Library, httpserver: HTTPServer, tmp_path: Path
) -> None:
    body = rss(items(1)).replace(b"</channel>", b"<ttl>90</ttl></channel>")
    feed = Recorder(httpserver, "/ttl", body)
    feed_id = run(library.add_feed(feed.url)).feed.id
    with closing(sqlite3.connect(tmp_path / "lib.db")) as conn:  # its own look at the file
        (next_check,) = conn.execute(
            "SELECT next_check FROM feeds WHERE id = ?", (feed_id,)
        ).fetchone()
    assert next_check == pytest.approx(time.time() + 90 * 60, abs=60)
    seen = len(feed.agents)
    run(library.refresh(background=True))
    assert len(feed.agents) == seen  # the TTL has not run out
    run(library.refresh())
    assert len(feed.agents) == seen + 1  # asked for: checked anyway


def test_cache_control_max_age_delays_automatic_refreshes(
    library: Library, httpserver: HTTPServer
) -> None:
    feed = Recorder(httpserver, "/cc", rss(items(1)), **{"Cache-Control": "max-age=600"})
    run(library.add_feed(feed.url))
    seen = len(feed.agents)
    run(library.refresh(background=True))
    assert len(feed.agents) == seen


def test_due_feeds_follow_each_feeds_interval(library: Library, httpserver: HTTPServer) -> None:
    fast = Recorder(httpserver, "/fast", rss(items(1)))
    slow = Recorder(httpserver, "/slow", rss(items(1, prefix="Slow")))
    plain = Recorder(httpserver, "/plain", rss(items(1, prefix="Plain")))
    fast_id = run(library.add_feed(fast.url)).feed.id
    slow_id = run(library.add_feed(slow.url)).feed.id
    run(library.add_feed(plain.url))
    library.set_feed_settings(fast_id, parse_assignments(["refresh=5"]))
    library.set_feed_settings(slow_id, parse_assignments(["refresh=2h"]))
    now = time.time()
    assert library.due_feeds(now) == []  # all were checked just now
    assert library.due_feeds(now + 6 * 60) == [fast_id]  # no interval at all: never automatic
    assert library.due_feeds(now + 121 * 60) == [fast_id, slow_id]
    library.set_feed_settings(slow_id, parse_assignments(["paused=yes"]))
    assert library.due_feeds(now + 121 * 60) == [fast_id]


def test_retention_setting_drops_old_read_articles_at_refresh(
    library: Library, httpserver: HTTPServer
) -> None:
    state = {"body": rss(items(3))}
    httpserver.expect_request("/ret").respond_with_handler(lambda r: Response(state["body"]))
    feed_id = run(library.add_feed(httpserver.url_for("/ret"))).feed.id
    library.mark_view_read(library_view_all())
    library.set_feed_settings(feed_id, parse_assignments(["retention=1"]))
    state["body"] = rss(items(1, prefix="Fresh", start=0)).replace(b"2026", b"2030")
    run(library.refresh([feed_id]))
    titles = {h.title for h in library.headlines(library_view_all(), 0, 50)}
    assert titles == {"Fresh 0"}  # the old read items (dated 2026-11-01) are gone


def library_view_all() -> Any:
    from newstui.domain.models import View

    return View("all")


# ---- the reader ----------------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_e_dialog_sets_interval_and_refuses_bad_values_inline(tmp_path: Path) -> None:
    library = await make_library(tmp_path)
    app = make_app(library, ui_config(), tz=UTC)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("h", "G", "e")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, EditFeedScreen)
            dialog.query_one("#edit-refresh").value = "often"  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog  # still open, saying why
            assert "refresh: expected minutes" in screen_text(app)
            dialog.query_one("#edit-refresh").value = "3h"  # type: ignore[attr-defined]
            dialog.query_one("#edit-user-agent").value = "Mine/1"  # type: ignore[attr-defined]
            dialog.query_one("#edit-paused").value = True  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, EditFeedScreen)
        feed = next(f for f in library.feeds() if f.paused)
        assert feed.refresh_minutes == 180 and feed.user_agent == "Mine/1"
    finally:
        library.close()


@pytest.mark.anyio
async def test_reader_periodic_refresh_checks_due_feeds_only(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = Recorder(httpserver, "/due", rss(items(1)))
    idle = Recorder(httpserver, "/idle", rss(items(1, prefix="Idle")))
    library = await make_library(tmp_path, specs=[])
    try:
        due_id = (await library.add_feed(due.url)).feed.id
        await library.add_feed(idle.url)
        library.set_feed_settings(due_id, parse_assignments(["refresh=1"]))
        # Its last check was two minutes ago: due now. The other has no interval at all.
        sql_all(library.path, "UPDATE feeds SET last_checked = ? WHERE id = ?",
                (time.time() - 120, due_id))  # fmt: skip
        due_seen, idle_seen = len(due.agents), len(idle.agents)
        monkeypatch.setattr(MainScreen, "REFRESH_TICK", 0.2)
        app = make_app(library, ui_config(), tz=UTC)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(50):
                await pilot.pause(0.1)
                if len(due.agents) > due_seen:
                    break
            await settle(pilot)
        assert len(due.agents) == due_seen + 1 and len(idle.agents) == idle_seen
    finally:
        library.close()
