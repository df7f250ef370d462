"""Sync accounts in the config: where the password comes from, and where it never goes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newstui.configfile import load_config, parse_config
from newstui.domain.errors import ConfigError
from newstui.sync.secrets import SecretError, account_password

SECRET = "hunter2-Sekr3t"

ACCOUNT = """
[[accounts]]
name = "home"
type = "ttrss"
url = "http://127.0.0.1:9/tt-rss/"
username = "me"
"""


def write(path: Path, text: str, mode: int) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_a_plain_password_needs_a_file_only_its_owner_can_read(tmp_path: Path) -> None:
    text = ACCOUNT + f'password = "{SECRET}"\n'
    shared = write(tmp_path / "shared.toml", text, 0o644)
    with pytest.raises(ConfigError) as info:
        load_config(shared)
    assert "readable by other users" in str(info.value)
    assert SECRET not in str(info.value)
    private = write(tmp_path / "private.toml", text, 0o600)
    [account] = load_config(private).accounts
    assert account_password(account) == SECRET
    assert SECRET not in repr(account)


def test_password_command_is_an_argument_list_run_without_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = write(tmp_path / "pw.py", f"print({SECRET!r}); print('second line ignored')", 0o600)
    text = ACCOUNT + f'password_command = ["{sys.executable}", "{script}", "; touch {marker}"]\n'
    [account] = parse_config(text).accounts
    assert account_password(account) == SECRET
    assert not marker.exists()
    with pytest.raises(ConfigError, match="list of strings"):
        parse_config(ACCOUNT + 'password_command = "pass show rss"\n')


def test_a_failing_password_command_is_a_clear_error_without_the_output(tmp_path: Path) -> None:
    script = write(tmp_path / "fail.py", f"print({SECRET!r}); raise SystemExit(3)", 0o600)
    [account] = parse_config(
        ACCOUNT + f'password_command = ["{sys.executable}", "{script}"]\n'
    ).accounts
    with pytest.raises(SecretError) as info:
        account_password(account)
    assert "exit 3" in str(info.value) and SECRET not in str(info.value)
    [missing] = parse_config(ACCOUNT + 'password_command = ["/nonexistent/pw-tool"]\n').accounts
    with pytest.raises(SecretError, match="not found"):
        account_password(missing)


def test_accounts_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="`type` must be"):
        parse_config(ACCOUNT.replace('"ttrss"', '"fever"'))
    with pytest.raises(ConfigError, match="http"):
        parse_config(ACCOUNT.replace("http://127.0.0.1:9/tt-rss/", "file:///etc/passwd"))
    with pytest.raises(ConfigError, match="two \\[\\[accounts\\]\\]"):
        parse_config(ACCOUNT + ACCOUNT)
    remote = parse_config(ACCOUNT.replace("127.0.0.1:9", "rss.example.org"))
    assert any("plain http" in w for w in remote.warnings)


def test_the_secret_never_reaches_the_database_json_or_messages(tmp_path: Path) -> None:
    """A sync that fails after reading the password: the password is nowhere it could leak."""
    config = write(
        tmp_path / "config.toml",
        ACCOUNT + f'password = "{SECRET}"\n',
        0o600,
    )
    db = tmp_path / "lib.db"
    env_cmd = [sys.executable, "-m", "newstui.cli", "--config", str(config), "--db", str(db)]
    sync = subprocess.run(
        [*env_cmd, "sync", "--json"], capture_output=True, text=True, timeout=120,
        env={"NEWSTUI_LOG": "DEBUG", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert sync.returncode == 1
    [outcome] = json.loads(sync.stdout)
    assert outcome["status"] == "unavailable"
    feeds = subprocess.run(
        [*env_cmd, "feeds", "--json"], capture_output=True, text=True, timeout=60
    )
    for text in (sync.stdout, sync.stderr, feeds.stdout, feeds.stderr):
        assert SECRET not in text
    for path in tmp_path.iterdir():
        if path.name.startswith("lib.db"):
            assert SECRET.encode() not in path.read_bytes()
