"""`[hooks] on_new` and notifications: real commands, real files, what they receive."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from newstui.configfile import parse_config
from newstui.domain.errors import ConfigError
from newstui.library.hooks import notify
from tests.feedgen import items, rss
from tests.test_cli import newstui


def recorder(tmp_path: Path, name: str = "record") -> tuple[Path, Path]:
    """A script that appends its arguments and its stdin to a file: (script, that file)."""
    out = tmp_path / f"{name}.log"
    script = tmp_path / name
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"with open({str(out)!r}, 'a', encoding='utf-8') as f:\n"
        "    f.write(json.dumps({'argv': sys.argv[1:], 'stdin': sys.stdin.read()}) + '\\n')\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, out


def runs(log: Path) -> list[dict[str, object]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_on_new_gets_the_new_articles_as_json_lines(tmp_path: Path) -> None:
    script, log = recorder(tmp_path)
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(items(2), title="Hooked"))
    config = f'[hooks]\non_new = ["{script}", "--from", "newstui; rm -rf /tmp/x", "$HOME"]\n'
    newstui(tmp_path, "add", str(feed), config=config)
    first = runs(log)
    assert len(first) == 1
    assert first[0]["argv"] == ["--from", "newstui; rm -rf /tmp/x", "$HOME"]  # no shell
    lines = [json.loads(x) for x in str(first[0]["stdin"]).splitlines()]
    assert sorted(x["title"] for x in lines) == ["Item 0", "Item 1"]
    assert all(x["feed_title"] == "Hooked" and x["url"] for x in lines)

    newstui(tmp_path, "refresh", config=config)  # nothing new: no run
    assert len(runs(log)) == 1
    feed.write_bytes(rss(items(3), title="Hooked"))
    os.utime(feed, (1e9, 2e9))
    newstui(tmp_path, "refresh", config=config)
    later = runs(log)
    assert len(later) == 2
    assert [json.loads(x)["title"] for x in str(later[1]["stdin"]).splitlines()] == ["Item 2"]


def test_a_failing_hook_is_a_warning_not_a_failed_refresh(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(items(1)))
    missing = tmp_path / "no-such-command"
    config = f'[hooks]\non_new = ["{missing}"]\n'
    proc = newstui(tmp_path, "add", str(feed), config=config)
    assert proc.returncode == 0
    assert "no-such-command" in proc.stderr and "not found" in proc.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[hooks]\non_new = "notify-send hi"\n', "list of strings"),
        ("[hooks]\non_new = [1, 2]\n", "list of strings"),
        ('[hooks]\non_new = [""]\n', "start with a command"),
    ],
)
def test_bad_hooks_config_is_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text)


def test_notify_uses_notify_send_when_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _script, log = recorder(bin_dir, "notify-send")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert notify("Rule \x1b]0;pwned\x07 matched", "Big\x1b[2J news") == "desktop"
    (call,) = runs(log)
    argv = call["argv"]
    assert isinstance(argv, list) and "--app-name=newstui" in argv
    assert not any("\x1b" in a or "\x07" in a for a in argv)
    assert "Big" in argv[-1] and "news" in argv[-1]


def test_notify_falls_back_to_a_terminal_notification(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = io.StringIO()
    assert notify("Rule\x1b]0;x\x07", "Title\x9b31m here", terminal=out) == "terminal"
    text = out.getvalue()
    assert text.startswith("\x1b]9;") and text.endswith("\x07")
    inner = text[len("\x1b]9;") : -1]
    assert "\x1b" not in inner and "\x07" not in inner and "\x9b" not in inner
    assert "Title" in inner and "here" in inner
