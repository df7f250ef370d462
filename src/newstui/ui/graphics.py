"""What the terminal can draw pictures with: asked once, in a thread, while the reader starts.

textual-image puts its questions to the terminal (Sixel in the device attributes, then the Kitty
graphics protocol) when it is first imported, and waits up to 0.1 s for each answer: a terminal
that does not speak the Kitty protocol (tmux, most) lets that question time out. Asked before the
reader's imports, as it was, that wait and PIL's import were 0.15-0.2 s of every start in tmux;
asked in a thread it runs beside them: the command starts it (`start`) before it imports the UI.
With pictures off (`[display] images = "off"`) nothing is asked and textual-image is never
imported (its import and the questions were 20-40 ms of CPU, and up to 0.1 s of waiting, of
every start). It must be over before Textual takes the terminal (its
input thread would eat the answers, and it saves the terminal's mode to restore at exit):
`NewstuiApp.run_async` calls `settle()` first. Without a terminal (tests, pipes) or when the
question fails, `GRAPHICS` is None and articles keep their `[image: alt]` placeholders.

Standard library only at import: the thread starts before Textual is imported.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time

log = logging.getLogger(__name__)

GRAPHICS: str | None = None
"""How pictures are drawn here: "sixel", "tgp", "halfcell", or None for no graphics (read it
through `settle()`, which waits for the answer)."""

_asking: threading.Thread | None = None


def _ask() -> None:
    global GRAPHICS
    # A terminal that does not answer the cell-size question is normal: no warning on stderr.
    logging.getLogger("textual_image").setLevel(logging.ERROR)
    try:
        from textual_image.renderable import HalfcellImage, Image, SixelImage, TGPImage
    except Exception as exc:  # no terminal to ask, a closed stdout, a missing library
        log.debug("no terminal graphics: %s", exc)
        return
    GRAPHICS = {SixelImage: "sixel", TGPImage: "tgp", HalfcellImage: "halfcell"}.get(Image)
    try:
        _drop_late_answers()
    except Exception as exc:  # a terminal gone away meanwhile: nothing left to read
        log.debug("reading the terminal's last answers: %s", exc)


_STATUS_REPORT = re.compile(rb"\x1b\[[03]n\Z")
"""The terminal's answer to "are you well?" (`ESC [ 5 n`: `ESC [ 0 n`, or `3 n` for not),
at the end of what was read."""


def _drop_late_answers(timeout: float = 0.5) -> None:
    """Read, and drop, the answers to textual-image's questions that came too late for it.

    It waits 0.1 s for each; over a slow link (ssh across an ocean) or on a loaded machine an
    answer comes later, and Textual, reading the terminal next, would take it for keys: the
    device attributes' `ESC [ ? 62 ; 4 c` arrive as `?` (the help screen), `6`, `2`, `;`, `4`,
    `c`. A terminal answers in the order it was asked, so one more question whose answer looks
    like no other (the device status report) is asked last, and everything up to its answer is the
    late answers. Read a byte at a time so that keys typed after it stay for the reader. A
    terminal that never answers costs `timeout` once."""
    stdin, stdout = sys.__stdin__, sys.__stdout__
    if stdin is None or stdout is None or not (stdin.isatty() and stdout.isatty()):
        return
    import os
    import select
    import termios
    import tty

    fd = stdin.fileno()
    mode = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)
        stdout.write("\x1b[5n")
        stdout.flush()
        read = b""
        deadline = time.monotonic() + timeout
        while (report := _STATUS_REPORT.search(read)) is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                log.debug("the terminal did not report its status: %r", read)
                return
            byte = os.read(fd, 1)
            if not byte:
                return
            read += byte
        if report.start():
            log.debug("late answers dropped: %r", read[: report.start()])
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, mode)


def ask() -> None:
    """Start asking the terminal (once per process)."""
    global _asking
    if _asking is not None:
        return
    # What the thread's imports share with Textual's, imported here first: two threads importing
    # the same modules at once is safe, but only this way certainly free of lock-order trouble.
    import rich.console
    import rich.measure
    import rich.segment
    import rich.style  # noqa: F401

    # Not a daemon: a process that leaves before `settle()` (a bad config, ^C) still waits for
    # the thread to put the terminal's mode back (each question times out within 0.1 s).
    _asking = threading.Thread(target=_ask, name="terminal-graphics")
    _asking.start()


def start(images: str) -> None:
    """As the reader starts: ask the terminal (in a thread), unless pictures are "off"."""
    global _asking
    if images != "off":
        ask()
    elif _asking is None:
        _asking = threading.Thread(target=lambda: None, name="terminal-graphics-off")
        _asking.start()  # settled at once: GRAPHICS stays None, nothing is asked


def settle() -> str | None:
    """The answer (`GRAPHICS`), waiting for the thread if it is still asking."""
    if _asking is None:
        ask()
    assert _asking is not None
    _asking.join()
    return GRAPHICS
