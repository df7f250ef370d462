"""`Links`: an article's link opened (`o`, `1`-`9`, a click), copied (`y`), picked (`L`) or played (`E`)."""

from __future__ import annotations

from textual import work

from newstui.domain.models import Article, Enclosure, Headline
from newstui.domain.text import clean_line
from newstui.library.facade import local_file
from newstui.ui.opener import check_link, launch, open_file, open_in_browser, player_command
from newstui.ui.reader.part import Part


class Links(Part):
    """Every link is checked here before anything opens it; browsers and players start in threads."""

    def open_target(self, target: Headline | Article) -> None:
        """`o`: a local article's own file, else its link."""
        path = local_file(target)
        if path is not None:
            self._open_file(str(path))
            return
        self.open_link(target.url)

    def open_link(self, url: str | None) -> None:
        """The one place a link is opened: checked, then `webbrowser` in a thread."""
        problem = check_link(url)
        if problem is not None or url is None:
            self.notify(problem or "No link.", severity="warning", markup=False)
            return
        self._browse(url)

    def copy(self, url: str | None) -> None:
        if not url:
            self.notify("This article has no link.", markup=False)
            return
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {clean_line(url, max_length=100)}", markup=False, timeout=3)

    def pick(self, article: Article, links: tuple[tuple[str, str], ...]) -> None:
        """`L`: the body's links and the article's audio/video files, one to open."""
        if not links and not article.enclosures:
            self.notify("This article has no links.", markup=False, timeout=3)
            return

        def done(url: str | None) -> None:
            for enclosure in article.enclosures:
                if enclosure.url == url:
                    self.play(enclosure)
                    return
            if url:
                self.open_link(url)

        from newstui.ui.screens.links import LinksScreen  # loaded when first asked for

        self.app.push_screen(LinksScreen(article.title, links, article.enclosures), done)

    def play_one(self, article: Article, links: tuple[tuple[str, str], ...]) -> None:
        """`E`: the article's audio or video file played (several: the reader picks one)."""
        if not article.enclosures:
            self.notify("This article has no audio or video file.", markup=False, timeout=3)
        elif len(article.enclosures) > 1:
            self.pick(article, links)
        else:
            self.play(article.enclosures[0])

    def play(self, enclosure: Enclosure) -> None:
        """An enclosure opened with the player set in [open] for its kind, else the browser."""
        problem = check_link(enclosure.url)
        if problem is not None:
            self.notify(problem, severity="warning", markup=False)
            return
        command = getattr(self.config.open, enclosure.kind, ()) if enclosure.kind != "file" else ()
        if not command:
            self._browse(enclosure.url)
            return
        self.notify(
            f"Playing with {clean_line(command[0], max_length=40)}…", markup=False, timeout=3
        )
        self._launch(player_command(command, enclosure.url))

    @work(group="browser", thread=True)
    def _open_file(self, path: str) -> None:
        """A local article's own file, handed to the system's opener (an argument list)."""
        problem = open_file(path)
        if problem is not None:
            self.app.call_from_thread(self.notify, problem, severity="warning", markup=False)

    @work(group="browser", thread=True)
    def _browse(self, url: str) -> None:
        if not open_in_browser(url):
            self.app.call_from_thread(
                self.notify,
                "No browser could be started (set $BROWSER).",
                severity="warning",
                markup=False,
            )

    @work(group="browser", thread=True)
    def _launch(self, argv: list[str]) -> None:
        problem = launch(argv)
        if problem is not None:
            self.app.call_from_thread(self.notify, problem, severity="warning", markup=False)
