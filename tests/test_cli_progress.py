"""`newstui refresh`'s progress bar: drawn (rich.progress) on a terminal, absent from pipes."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.feedgen import items, rss

# The CLI in a child, which then says whether rich was imported (into the file named by argv[1]).
PROBE = (
    "import sys; from newstui.cli import main; code = main(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str('rich' in sys.modules)); sys.exit(code)"
)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTUI_")}
    env.update(
        NEWSTUI_DB=str(tmp_path / "db.sqlite"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        TERM="xterm-256color",
        COLUMNS="100",
    )
    return env


@pytest.fixture
def subscribed(tmp_path: Path) -> Path:
    """Three local feeds, subscribed."""
    for n in range(3):
        path = tmp_path / f"feed{n}.xml"
        path.write_bytes(rss(items(2, prefix=f"F{n}"), title=f"Feed {n}"))
        subprocess.run(
            [sys.executable, "-c", PROBE, str(tmp_path / "add.txt"), "add", str(path)],
            env=_env(tmp_path),
            check=True,
            capture_output=True,
            timeout=60,
        )
    return tmp_path


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, bytes, str]:
    """Run with stderr on a pseudo-terminal (stdout a pipe): exit status, what the terminal
    got, and standard output."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    screen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            screen += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    return proc.wait(timeout=30), screen, out


def test_a_terminal_shows_the_bar(subscribed: Path) -> None:
    sentinel = subscribed / "rich.txt"
    code, screen, out = _run_on_a_terminal(
        [sys.executable, "-c", PROBE, str(sentinel), "refresh"], _env(subscribed)
    )
    assert code == 0
    assert out == "3 feeds checked: 0 new, 0 updated, 0 failed\n"
    text = screen.decode("utf-8", "replace")
    assert "refreshing" in text and "3/3" in text  # rich's bar and its count
    assert "━" in text
    assert sentinel.read_text() == "True"


def test_the_installed_command_on_a_terminal_shows_the_bar(subscribed: Path) -> None:
    exe = Path(sys.executable).parent / "newstui"
    code, screen, _out = _run_on_a_terminal([str(exe), "refresh"], _env(subscribed))
    assert code == 0
    assert "3/3" in screen.decode("utf-8", "replace")


def test_a_pipe_gets_the_plain_lines_and_rich_is_never_loaded(subscribed: Path) -> None:
    sentinel = subscribed / "rich.txt"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(sentinel), "refresh"],
        env=_env(subscribed),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert proc.stdout == "3 feeds checked: 0 new, 0 updated, 0 failed\n"
    assert proc.stderr == ""
    assert sentinel.read_text() == "False"


@pytest.mark.parametrize("flag", ["--quiet", "--json"])
def test_quiet_and_json_draw_no_bar_even_on_a_terminal(subscribed: Path, flag: str) -> None:
    sentinel = subscribed / "rich.txt"
    code, screen, _out = _run_on_a_terminal(
        [sys.executable, "-c", PROBE, str(sentinel), "refresh", flag], _env(subscribed)
    )
    assert code == 0
    assert screen == b""
    assert sentinel.read_text() == "False"


def test_a_feed_url_is_shown_as_text_never_as_markup(tmp_path: Path) -> None:
    """A name with rich markup in it is printed as typed: the bar never reads it as markup."""
    folder = Path(tempfile.mkdtemp(prefix="nt", dir="/tmp"))  # short: the bar shows 40 chars
    path = folder / "[red]x[blink]y.xml"
    path.write_bytes(rss(items(1), title="Odd"))
    env = _env(tmp_path)
    subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "s"), "add", str(path)],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    env["COLUMNS"] = "200"
    code, screen, _out = _run_on_a_terminal(
        [sys.executable, "-c", PROBE, str(tmp_path / "s"), "refresh"], env
    )
    shutil.rmtree(folder)
    assert code == 0
    assert "[red]x[blink]y.xml" in screen.decode("utf-8", "replace")


def test_every_command_is_in_the_table_and_in_the_help() -> None:
    """The dispatch table is the whole CLI: each module's commands are in it, and `--help`
    lists each of them with its line of the table."""
    import importlib

    from newstui.cli import commands, reading, subscriptions

    main = importlib.import_module("newstui.cli.main")  # the package's `main` is the function

    defined = {c.name: c for m in (subscriptions, reading, commands) for c in m.COMMANDS}
    assert set(main.HELP) == set(defined)
    assert main.all_commands() == defined
    help_text = main.build_parser().format_help()
    for name, text in main.HELP.items():
        assert f"    {name}" in help_text and text[:30] in help_text


def test_sync_shows_its_step_on_a_terminal_and_nothing_in_a_pipe(tmp_path: Path) -> None:
    from tests.greader_server import GReaderServer

    server = GReaderServer()
    try:
        feed = server.add_feed("https://example.org/a.xml", "A")
        server.add_items(feed, 2, "A")
        config = tmp_path / "config.toml"
        config.write_text(
            f'[[accounts]]\nname = "fresh"\ntype = "greader"\nurl = "{server.url}"\n'
            f'username = "{server.state.user}"\npassword = "{server.state.password}"\n'
        )
        config.chmod(0o600)
        env = _env(tmp_path)
        env["NEWSTUI_CONFIG"] = str(config)
        sentinel = tmp_path / "rich.txt"
        args = [sys.executable, "-c", PROBE, str(sentinel), "sync"]
        code, screen, out = _run_on_a_terminal(args, env)
        assert code == 0, screen
        assert out.startswith("fresh: 2 new")
        assert "fresh: " in screen.decode("utf-8", "replace")
        assert sentinel.read_text() == "True"
        piped = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        assert piped.returncode == 0
        assert piped.stdout.startswith("fresh: 0 new")
        assert piped.stderr == ""
        assert sentinel.read_text() == "False"
    finally:
        server.close()
