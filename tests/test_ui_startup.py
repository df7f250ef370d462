"""What the reader loads on its way to the first paint: nothing it only needs later.

Start-up is measured in benchmarks/frames.py (issue 17 row 5, against a bare Textual app); these
tests pin the cuts it led to, by what is imported, not by time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LATER = {
    # HTML to Markdown (a body is converted when it is opened, a local file when it is read)
    "bs4": "sources.content, via sources.local",
    "markdownify": "sources.content, via sources.local",
    "nh3": "sources.content, via sources.local",
    "soupsieve": "bs4",
    # Textual's Markdown widget (the article body is mounted with the first article shown)
    "markdown_it": "textual.widgets.Markdown, ui.article_body",
    "pygments": "textual.highlight, via textual.widgets.Markdown",
    "linkify_it": "markdown_it",
}
"""Top-level packages the reader must not import before its first paint, and who brought them."""


def _modules_loaded_by(code: str) -> set[str]:
    """Every module a fresh interpreter has imported once it ran `code`."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def _loaded_by(code: str) -> set[str]:
    return {name.split(".")[0] for name in _modules_loaded_by(code)}


def test_the_reader_imports_no_converter_before_its_first_paint() -> None:
    # What `newstui` with no command imports before App.run: the CLI, then the UI.
    loaded = _loaded_by("import newstui.cli.main\nfrom newstui.ui.app import make_app")
    early = {name: why for name, why in LATER.items() if name in loaded}
    assert not early, f"imported before the first paint: {early}"


DIALOGS = (
    "newstui.ui.screens.help",
    "newstui.ui.screens.edit_feed",
    "newstui.ui.screens.confirm",
    "newstui.ui.screens.prompt",
    "newstui.ui.screens.links",
)
"""The reader's dialogs: each is imported when first asked for, not before the first paint."""


READER_START = "import newstui.cli.main\nfrom newstui.ui.app import make_app\n"
"""What `newstui` with no command imports before App.run: the CLI, then the UI."""


def test_the_reader_imports_no_dialog_before_its_first_paint() -> None:
    loaded = _modules_loaded_by(READER_START)
    assert "newstui.ui.screens.main" in loaded  # the probe sees the screens it imports
    assert not loaded & set(DIALOGS), f"imported before the first paint: {loaded & set(DIALOGS)}"


def test_the_reader_imports_no_refresh_machinery_before_its_first_paint() -> None:
    # The pipeline, its writer and its parse pool (multiprocessing, concurrent.futures) are
    # imported by the first refresh; the library that lists and reads does not need them.
    loaded = _modules_loaded_by(READER_START + "import newstui.library.facade\n")
    assert "newstui.library.refreshing" in loaded  # the probe sees the facade's parts
    machinery = {"newstui.refresh.pipeline", "newstui.storage.writer", "newstui.refresh.pool"}
    assert not loaded & machinery, f"imported before the first paint: {loaded & machinery}"


def test_the_welcome_guide_lists_its_pages_without_a_converter() -> None:
    # An empty library's first paint lists the bundled guide: its pages are read then (one is
    # a plain-text article, escaped into Markdown), converted to a body only when opened.
    loaded = _loaded_by(
        "from newstui.config import LimitsConfig\n"
        "from newstui.domain.models import View\n"
        "from newstui.library.welcome import WelcomeGuide\n"
        "guide = WelcomeGuide(LimitsConfig())\n"
        "assert guide.feeds() and len(guide.headlines(View('all'), 0, 100)) >= 2"
    )
    early = {name: why for name, why in LATER.items() if name in loaded}
    assert not early, f"imported to list the guide: {early}"


def test_the_welcome_guide_lists_its_pages_before_reading_them() -> None:
    # The first screen lists the guide's titles, each read from its page's first lines; the
    # rules that read a plain-text article (textarticle: ~50 patterns compiled, ~10 ms of an
    # empty library's start) run when a page is opened, after the first paint.
    reader = {"newstui.sources.textarticle", "newstui.sources.pagemeta"}
    listing = (
        "from newstui.config import LimitsConfig\n"
        "from newstui.domain.models import View\n"
        "from newstui.library.welcome import WelcomeGuide\n"
        "guide = WelcomeGuide(LimitsConfig())\n"
        "shown = guide.headlines(View('all'), 0, 100)\n"
        "assert guide.feeds()[0].unread == len(shown) >= 2 and all(h.title for h in shown)\n"
    )
    loaded = _modules_loaded_by(listing)
    assert "newstui.sources.local" in loaded  # the probe sees the listing's own reads
    assert not loaded & reader, f"imported to list the guide: {sorted(loaded & reader)}"
    # Opened, a page is read whole: the positive control of the probe.
    opened = _modules_loaded_by(
        listing + "assert 'feed reader' in guide.article(shown[-1].id).content\n"
    )
    assert "newstui.sources.textarticle" in opened


def test_the_startup_check_sees_an_early_import() -> None:
    # The positive control: the same probe does see these packages when something imports them.
    loaded = _loaded_by("import newstui.cli.main\nimport newstui.sources.content")
    assert {"bs4", "markdownify", "nh3"} <= loaded
    assert {"markdown_it", "pygments"} <= _loaded_by("from textual.widgets import Markdown")


# ---- the first frame: what the reader has imported when it draws its first screen ----------------

FIRST_FRAME = """
import functools, os, sys
from textual.app import App

def display(self, screen, renderable, original=App._display):
    original(self, screen, renderable)
    if renderable is not None:  # the first frame drawn: what is imported by now
        sys.stdout.write("\\n".join(sorted(sys.modules)))
        sys.stdout.flush()
        os._exit(0)

App._display = display
App.run = functools.partialmethod(App.run, headless=True, size=(160, 45))
from newstui.cli import main
sys.exit(main(sys.argv[1:]))
"""
"""`newstui ARGS` as a user starts it (the command line, the config, the library, the reader),
in Textual's headless driver, until its first frame: it prints the modules imported by then."""


def _loaded_by_the_first_frame(tmp_path: Path, *argv: str) -> set[str]:
    config = tmp_path / "config.toml"
    config.write_text('[refresh]\nrefresh_on_start = false\n\n[display]\nimages = "off"\n')
    env = {**os.environ, "NEWSTUI_CONFIG": str(config), "XDG_DATA_HOME": str(tmp_path / "data")}
    proc = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, "--db", str(tmp_path / "library.db"), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


FIRST_FRAME_LATER = {
    # the standard library's, each ~1-3 ms to import
    "webbrowser": "ui.opener: when a link is opened",
    "zipfile": "importlib.resources' reader, once for the Welcome guide's folder",
    "json": "saved views, enclosures, sort:feed, --json",
    "html": "the search index's text (domain.update)",
    # ours
    "newstui.query.tree": "the first query (a search, a saved view's count, a rule)",
    "newstui.query.syntax": "the first query: the parser",
    "newstui.query.sql": "the first query: the compiler",
    "newstui.ui.keys": "Help (?), the command palette, a config's [keys] table",
    "newstui.sources.textarticle": "a plain-text page of the Welcome guide, read when opened",
    "markdown_it": "the article pane's Markdown, mounted with the first article shown",
}
"""What an empty library's first frame (the Welcome guide listed) needs none of, and who
imports it later."""


def test_the_readers_first_frame_imports_nothing_it_shows_later(tmp_path: Path) -> None:
    loaded = _loaded_by_the_first_frame(tmp_path)
    # The probe saw the reader's first screen: the Welcome guide listed, its pages' titles read.
    assert {"newstui.ui.screens.main", "newstui.library.welcome", "newstui.sources.local"} <= loaded
    early = {name: why for name, why in FIRST_FRAME_LATER.items() if name in loaded}
    assert not early, f"imported before the first frame: {early}"


def test_the_first_frame_probe_sees_what_a_start_imports(tmp_path: Path) -> None:
    # The positive control: a command that prints JSON (imported the same way) is seen.
    code = FIRST_FRAME.replace("sys.exit(main(", "import json, webbrowser\nsys.exit(main(")
    assert "json" not in code.split("import json")[0]
    config = tmp_path / "config.toml"
    config.write_text('[display]\nimages = "off"\n[refresh]\nrefresh_on_start = false\n')
    proc = subprocess.run(
        [sys.executable, "-c", code, "--db", str(tmp_path / "library.db")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NEWSTUI_CONFIG": str(config)},
    )
    assert proc.returncode == 0, proc.stderr
    assert {"json", "webbrowser", "newstui.ui.screens.main"} <= set(proc.stdout.split())


# ---- the command line: the reader builds no subcommand ------------------------------------------

COMMAND_MODULES = ("newstui.cli.subscriptions", "newstui.cli.reading", "newstui.cli.commands")

PARSED = """
import argparse, importlib, json, sys
main = importlib.import_module("newstui.cli.main")
parser = main.build_parser()
args = parser.parse_args(sys.argv[1:])
sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
built = sorted(name for name, p in sub.choices.items() if len(p._actions) > 1)
loaded = sorted(m for m in sys.modules if m.startswith("newstui.cli."))
print(json.dumps({"command": args.command, "built": built, "loaded": loaded}))
"""


def _parsed(*argv: str) -> dict[str, object]:
    import json

    proc = subprocess.run(
        [sys.executable, "-c", PARSED, *argv], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def test_the_reader_builds_no_subcommand_and_imports_no_command_module() -> None:
    # `newstui --db FILE` opens the reader: what it parsed took no subcommand's arguments and
    # imported none of the commands' modules (nor what only they use: formats, the progress bar).
    parsed = _parsed("--db", "library.db")
    assert parsed["command"] is None and parsed["built"] == []
    loaded = set(parsed["loaded"])  # type: ignore[call-overload]
    early = loaded & {*COMMAND_MODULES, "newstui.cli.formats", "newstui.cli.progress"}
    assert not early, f"imported by the reader's command line: {sorted(early)}"


def test_a_named_command_builds_its_own_parser_only() -> None:
    # The positive control of the test above: the same probe sees the one command named.
    parsed = _parsed("--db", "library.db", "add", "https://example.org/feed", "--tag", "x")
    assert parsed["command"] == "add" and parsed["built"] == ["add"]
    assert "newstui.cli.subscriptions" in parsed["loaded"]  # type: ignore[operator]
    assert "newstui.cli.reading" not in parsed["loaded"]  # type: ignore[operator]


def test_each_commands_help_and_errors_still_come_from_its_arguments() -> None:
    # Built when named, a command's own --help lists its options; a wrong option of it and an
    # unknown command are still argparse's errors (exit 2), the help lists every command.
    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        code = "import sys; from newstui.cli import main; sys.exit(main(sys.argv[1:]))"
        return subprocess.run(
            [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120
        )

    shown = run("add", "--help")
    assert shown.returncode == 0 and "--tag TAG" in shown.stdout and "--account" in shown.stdout
    shown = run("feed", "set", "--help")
    assert shown.returncode == 0 and "KEY=VALUE" in shown.stdout
    wrong = run("add", "--no-such-option", "x")
    assert wrong.returncode == 2 and "unrecognized arguments: --no-such-option" in wrong.stderr
    unknown = run("frobnicate")
    assert unknown.returncode == 2 and "invalid choice: 'frobnicate'" in unknown.stderr
    listed = run("--help")
    assert listed.returncode == 0 and "mark-unread" in listed.stdout and "unhide" in listed.stdout


# ---- the cycle collector: paused for start-up, on for commands and after the first paint ----------


COLLECTIONS = """
import gc, sys
runs = []
gc.callbacks.append(lambda phase, info: phase == "start" and runs.append(info["generation"]))
import {module}
print(len(runs), gc.isenabled())
"""


def _collections_while_importing(module: str) -> tuple[int, bool]:
    proc = subprocess.run(
        [sys.executable, "-c", COLLECTIONS.format(module=module)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    runs, enabled = proc.stdout.split()
    return int(runs), enabled == "True"


def test_the_command_line_loads_with_the_collector_paused_and_put_back() -> None:
    # At most the collections before the pause begins (the interpreter's own start-up's
    # allocations can bring one on as the package starts); none while its modules load.
    runs, enabled = _collections_while_importing("newstui.cli")
    assert runs < 5 and enabled
    # The positive control: most of the same modules (the library under the CLI), loaded
    # without the pause, are collected over dozens of times.
    runs, enabled = _collections_while_importing("newstui.library.facade")
    assert runs >= 20 and enabled


def test_the_reader_starts_with_the_collector_paused_and_commands_run_with_it_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import importlib

    import newstui.ui.app
    from newstui.cli import main

    cli_main = importlib.import_module("newstui.cli.main")
    seen: dict[str, bool] = {}

    class Reader:
        def run(self) -> None:
            seen["reader"] = gc.isenabled()

    session = cli_main._session

    def command_session(args: object) -> object:
        seen.setdefault("command", gc.isenabled())
        return session(args)

    monkeypatch.setattr(newstui.ui.app, "make_app", lambda *args, **kwargs: Reader())
    monkeypatch.setattr(cli_main, "_session", command_session)
    assert gc.isenabled()
    assert main(["--db", str(tmp_path / "lib.db")]) == 0
    assert seen == {"command": True, "reader": False}  # the reader's start-up: paused
    assert gc.isenabled()  # as it was, once the reader is over
    seen.clear()
    assert main(["--db", str(tmp_path / "lib.db"), "feeds"]) == 0
    assert seen == {"command": True} and gc.isenabled()


@pytest.mark.anyio
async def test_the_reader_turns_the_collector_on_after_its_first_paint(tmp_path: Path) -> None:
    import gc
    from datetime import UTC

    from newstui.library.facade import Library
    from newstui.ui.app import make_app
    from tests.ui_support import settle, ui_config

    library = Library.open(ui_config(), tmp_path / "lib.db")
    library.welcome = True
    gc.disable()  # as the command leaves it for the reader
    try:
        async with make_app(library, ui_config(), tz=UTC).run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()
        library.close()


# ---- the terminal's answer about pictures, asked in a thread ----------------------------------

ASKS_SIXEL = b"\x1b[c"  # device attributes: a 4 among the answer's numbers is Sixel
SAYS_SIXEL = b"\x1b[?62;4;22c"

CHILD = """
IMAGES = "auto"
import sys, termios, threading
before = termios.tcgetattr(0)
asked_from = []


class Watched:
    \"\"\"The terminal's output, noting which thread writes the question.\"\"\"

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        if "\\x1b[c" in text:
            asked_from.append(threading.current_thread().name)
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


sys.__stdout__ = Watched(sys.__stdout__)
from newstui.ui import graphics
graphics.start(IMAGES)  # what the command does before it imports the UI (cli/main.py)
import newstui.ui.app  # what the reader imports before App.run
print("GRAPHICS", graphics.settle(), flush=True)
print("TEXTUAL_IMAGE", "textual_image" in sys.modules, flush=True)
print("ASKED_FROM", *asked_from, flush=True)
print("MODE_RESTORED", termios.tcgetattr(0) == before, flush=True)
"""


ASKS_STATUS = b"\x1b[5n"  # the device status report: "are you well?"
SAYS_STATUS = b"\x1b[0n"


def _in_a_terminal(code: str, answer: bytes | None, delay: float = 0.0) -> tuple[str, bytes]:
    """Run `code` in a pseudo-terminal that answers, in the order asked and each `delay`
    seconds after its question, the device-attributes question with `answer` and the device
    status question (None: the terminal never answers anything). Its printed lines, and
    every byte it wrote to the terminal."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the terminal
        os.execv(sys.executable, [sys.executable, "-c", code])
    written = b""
    seen = 0  # how much of `written` was looked at for questions
    due: list[tuple[float, bytes]] = []  # answers to send, in order, and when
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            now = time.monotonic()
            while due and due[0][0] <= now:
                os.write(fd, due.pop(0)[1])
            wait = min(0.5, max(0.0, due[0][0] - now)) if due else 0.5
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child is gone
                break
            if not chunk:
                break
            written += chunk
            if answer is None:
                continue
            questions = {ASKS_SIXEL: answer, ASKS_STATUS: SAYS_STATUS}
            while True:
                found = [(written.find(q, seen), q) for q in questions if q in written[seen:]]
                if not found:
                    break
                at, question = min(found)
                seen = at + len(question)
                after = max([time.monotonic() + delay] + [when for when, _ in due[-1:]])
                due.append((after, questions[question]))
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    text = written.decode("utf-8", "replace").replace("\r", "")
    return text, written


def test_the_terminal_is_asked_about_pictures_in_a_thread_beside_the_imports() -> None:
    # The question goes out from a thread of its own while the UI is imported (the import no
    # longer waits for the answer); the answer is read there and kept; the terminal's mode is
    # as it was once the answer is in.
    text, written = _in_a_terminal(CHILD, SAYS_SIXEL)
    assert ASKS_SIXEL in written
    assert "ASKED_FROM terminal-graphics\n" in text
    assert "GRAPHICS sixel" in text
    assert "MODE_RESTORED True" in text


def test_with_pictures_off_the_terminal_is_asked_nothing() -> None:
    # `images = "off"`: no question goes out and textual-image is not imported (its import and
    # the questions were 20-40 ms of CPU of every start); the answer is "no graphics".
    off = CHILD.replace('IMAGES = "auto"', 'IMAGES = "off"')
    text, written = _in_a_terminal(off, SAYS_SIXEL)
    assert ASKS_SIXEL not in written
    assert "GRAPHICS None" in text and "TEXTUAL_IMAGE False" in text
    assert "MODE_RESTORED True" in text
    text, written = _in_a_terminal(CHILD, SAYS_SIXEL)  # the positive control: asked when on
    assert ASKS_SIXEL in written and "TEXTUAL_IMAGE True" in text


def test_a_terminal_that_never_answers_still_gets_half_blocks() -> None:
    # Each question times out (0.1 s): the reader then draws pictures with half blocks.
    text, written = _in_a_terminal(CHILD, None)
    assert ASKS_SIXEL in written
    assert "GRAPHICS halfcell" in text
    assert "MODE_RESTORED True" in text


LATE_CHILD = (
    CHILD
    + """
import os, select, tty
tty.setcbreak(0)
ready, _, _ = select.select([0], [], [], 0.5)
print("LEFT_FOR_THE_READER", repr(os.read(0, 100) if ready else b""), flush=True)
"""
)


def test_answers_that_come_too_late_are_not_read_as_keys() -> None:
    # Over a slow link the terminal's answers come after textual-image has stopped waiting
    # (0.1 s): the reader, reading the terminal next, took `ESC [ ? 62 ; 4 ; 22 c` for keys (`?`
    # opened the help screen). They are read and dropped before the reader starts.
    text, written = _in_a_terminal(LATE_CHILD, SAYS_SIXEL, delay=0.3)
    assert "LEFT_FOR_THE_READER b''" in text
    assert ASKS_SIXEL in written and ASKS_STATUS in written
    assert "MODE_RESTORED True" in text
