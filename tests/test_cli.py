"""The installed `newstui` command: contract of names, JSON shapes and exit statuses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.feedgen import items, rss

BIN = Path(sys.executable).parent / "newstui"


def newstui(
    tmp_path: Path, *args: str, check: bool = True, config: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["NEWSTUI_DB"] = str(tmp_path / "db.sqlite")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env.pop("NEWSTUI_CONFIG", None)
    if config is not None:
        cfg = tmp_path / "config.toml"
        cfg.write_text(config, encoding="utf-8")
        env["NEWSTUI_CONFIG"] = str(cfg)
    exe = str(BIN) if BIN.exists() else shutil.which("newstui") or "newstui"
    proc = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc


@pytest.fixture
def feed_file(tmp_path: Path) -> Path:
    path = tmp_path / "feed.xml"
    path.write_bytes(rss(items(3), title="Local Feed"))
    return path


def test_add_feeds_articles_json(tmp_path: Path, feed_file: Path) -> None:
    out = newstui(tmp_path, "add", str(feed_file), "--tag", "local", "--title", "Mine").stdout
    feed_id, title = out.strip().split("\t")
    assert title == "Mine"
    feeds = json.loads(newstui(tmp_path, "feeds", "--json").stdout)
    assert isinstance(feeds, list) and len(feeds) == 1
    f = feeds[0]
    assert {
        "id",
        "title",
        "url",
        "tags",
        "unread",
        "total",
        "status",
        "error",
        "last_checked",
    } <= set(f)
    assert (str(f["id"]), f["tags"], f["unread"], f["total"], f["status"]) == (
        feed_id,
        ["local"],
        3,
        3,
        "ok",
    )
    arts = json.loads(newstui(tmp_path, "articles", "--json").stdout)
    assert [a["title"] for a in arts] == ["Item 0", "Item 1", "Item 2"]
    keys = {
        "id",
        "feed_id",
        "feed_title",
        "site",
        "title",
        "url",
        "author",
        "published",
        "read",
        "bookmarked",
    }
    assert keys <= set(arts[0])
    assert arts[0]["feed_id"] == f["id"]
    assert arts[0]["published"].startswith("2026-11-01T12:00:00")


def test_read_and_bookmark_commands(tmp_path: Path, feed_file: Path) -> None:
    newstui(tmp_path, "add", str(feed_file))
    arts = json.loads(newstui(tmp_path, "articles", "--json").stdout)
    first, second = arts[0]["id"], arts[1]["id"]
    newstui(tmp_path, "mark-read", str(first))
    newstui(tmp_path, "bookmark", str(second))
    unread = json.loads(newstui(tmp_path, "articles", "--unread", "--json").stdout)
    assert first not in [a["id"] for a in unread]
    marked = json.loads(newstui(tmp_path, "articles", "--bookmarked", "--json").stdout)
    assert [a["id"] for a in marked] == [second]
    exported = json.loads(newstui(tmp_path, "bookmarks", "--format", "json").stdout)
    assert [a["id"] for a in exported] == [second]
    html = newstui(tmp_path, "bookmarks", "--format", "netscape").stdout
    assert (
        html.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
        and "https://example.org/item/1" in html
    )
    md = newstui(tmp_path, "bookmarks").stdout
    assert "Item 1" in md
    newstui(tmp_path, "mark-unread", str(first))
    newstui(tmp_path, "unbookmark", str(second))
    assert json.loads(newstui(tmp_path, "articles", "--bookmarked", "--json").stdout) == []
    newstui(tmp_path, "mark-read", "--all")
    assert json.loads(newstui(tmp_path, "articles", "--unread", "--json").stdout) == []
    missing = newstui(tmp_path, "bookmark", "999999", check=False)
    assert missing.returncode == 1 and "999999" in missing.stderr


def test_refresh_json_and_limit_and_search(tmp_path: Path, feed_file: Path) -> None:
    newstui(tmp_path, "add", str(feed_file))
    out = json.loads(newstui(tmp_path, "refresh", "--json").stdout)
    assert isinstance(out, list) and len(out) == 1
    assert set(out[0]) >= {"id", "url", "status", "http_status", "new", "updated", "error"}
    assert out[0]["status"] == "not_modified"
    assert len(json.loads(newstui(tmp_path, "articles", "--limit", "2", "--json").stdout)) == 2
    found = json.loads(newstui(tmp_path, "articles", "--search", "topic1", "--json").stdout)
    assert [a["title"] for a in found] == ["Item 1"]


def test_exit_statuses(tmp_path: Path) -> None:
    usage = newstui(tmp_path, "articles", "--limit", "x", check=False)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    bad = newstui(tmp_path, "remove", "12345", check=False)
    assert bad.returncode == 1 and "12345" in bad.stderr and "Traceback" not in bad.stderr
    missing = newstui(tmp_path, "add", str(tmp_path / "nope.xml"), check=False)
    assert missing.returncode == 1 and "nope.xml" in missing.stderr
    assert newstui(tmp_path, "--version").stdout.startswith("newstui ")


def test_bad_config_is_one_clear_message(tmp_path: Path) -> None:
    proc = newstui(tmp_path, "feeds", config="[refresh]\nconcurrency = 'many'\n", check=False)
    assert proc.returncode == 1
    assert (
        "config.toml" in proc.stderr and "concurrency" in proc.stderr and "integer" in proc.stderr
    )
    assert "Traceback" not in proc.stderr
    proc = newstui(tmp_path, "feeds", config="[refresh\n", check=False)
    assert proc.returncode == 1 and "line 1" in proc.stderr
    proc = newstui(tmp_path, "feeds", config="[display]\nwidth = 3\n", check=True)
    assert "unknown key" in proc.stderr and "width" in proc.stderr


def test_config_feeds_and_cli_feeds_without_duplicates(tmp_path: Path, feed_file: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_bytes(rss(items(1), title="Other"))
    config = f'[[feeds]]\nurl = "{feed_file}"\ntags = ["cfg"]\n'
    newstui(tmp_path, "add", str(feed_file), config=config)
    newstui(tmp_path, "add", str(other), config=config)
    feeds = json.loads(newstui(tmp_path, "feeds", "--json", config=config).stdout)
    assert sorted(f["url"] for f in feeds) == sorted([str(feed_file), str(other)])


def test_opml_export_import_round_trip(tmp_path: Path, feed_file: Path) -> None:
    newstui(tmp_path, "add", str(feed_file), "--tag", "a & b", "--title", "Tom & <Jerry>")
    out = tmp_path / "subs.opml"
    newstui(tmp_path, "export", "--output", str(out))
    other = tmp_path / "other"
    other.mkdir()
    newstui(other, "import", str(out))
    feeds = json.loads(newstui(other, "feeds", "--json").stdout)
    assert [(f["url"], f["title"], f["tags"]) for f in feeds] == [
        (str(feed_file), "Tom & <Jerry>", ["a & b"])
    ]


def test_seed_article(tmp_path: Path, corpus: Path) -> None:
    seed = corpus / "articles" / "text" / "000_8c6f306b990f33ba.txt"
    newstui(tmp_path, "add", str(seed))
    arts = json.loads(newstui(tmp_path, "articles", "--json").stdout)
    assert len(arts) == 1
    assert (
        arts[0]["title"]
        == "Ukraine war: White House accuses North Korea of sending artillery to Russia"
    )
    assert arts[0]["site"] == "DayDayNews World News"


def test_folder_source(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("First | Site\n\nPara one.\n\nPara two.\n", encoding="utf-8")
    (folder / "b.md").write_text("# Second\n\nSome *markdown*.\n", encoding="utf-8")
    (folder / "c.html").write_text(
        "<html><head><title>Third</title></head><body><p>x</p></body></html>"
    )
    os.utime(folder / "a.txt", (1_700_000_000, 1_700_000_000))
    newstui(tmp_path, "add", str(folder))
    titles = [a["title"] for a in json.loads(newstui(tmp_path, "articles", "--json").stdout)]
    assert sorted(titles) == ["First", "Second", "Third"]
    assert titles[-1] == "First"  # oldest mtime last
