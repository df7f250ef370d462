"""`newstui extract`: a page's article text through the Library, from the web or a file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytest_httpserver import HTTPServer

BIN = Path(sys.executable).parent / "newstui"

PARAGRAPHS = [
    f"Paragraph {n} of the walrus report: the colony on the northern shore grew again this "
    f"year, and the counters on the ice saw {n * 17} new calves before the thaw began."
    for n in range(1, 7)
]
PAGE = (
    "<html><head><title>The walrus report</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/about'>About</a></nav>"
    "<article><h1>The walrus report</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article><footer>Copyright the site, all rights reserved</footer></body></html>"
)


def newstui(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTUI_")}
    env.update(NEWSTUI_DB=str(tmp_path / "db.sqlite"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=60)


def test_extract_of_a_page_prints_its_article_and_stores_nothing(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    proc = newstui(tmp_path, "extract", httpserver.url_for("/story"))
    assert proc.returncode == 0, proc.stderr
    for paragraph in PARAGRAPHS:
        assert paragraph in proc.stdout
    assert "Copyright the site" not in proc.stdout  # the article, not the page's chrome
    assert not (tmp_path / "db.sqlite").exists()  # extracting reads; the library is untouched


def test_extract_of_a_local_file_reads_the_file(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(PAGE, encoding="utf-8")
    proc = newstui(tmp_path, "extract", str(page))
    assert proc.returncode == 0, proc.stderr
    assert PARAGRAPHS[-1] in proc.stdout


def test_extract_of_a_missing_page_is_one_clear_message(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    proc = newstui(tmp_path, "extract", httpserver.url_for("/gone"))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert httpserver.url_for("/gone") in proc.stderr and "404" in proc.stderr
    assert "Traceback" not in proc.stderr
    missing = newstui(tmp_path, "extract", str(tmp_path / "nope.html"))
    assert missing.returncode == 1 and "nope.html" in missing.stderr


def test_extract_says_when_the_page_holds_no_single_article(tmp_path: Path) -> None:
    """A front page of teasers is shown as a reader view would pick it, and `extract` says so on
    stderr (stdout stays the text, for pipes); an article gets no such note."""
    from tests.test_listing import front

    listing = tmp_path / "front.html"
    listing.write_bytes(front())
    proc = newstui(tmp_path, "extract", str(listing))
    assert proc.returncode == 0, proc.stderr
    assert "lists articles rather than holding one" in proc.stderr
    assert "note:" not in proc.stdout and "Story 1:" in proc.stdout
    article = tmp_path / "walrus.html"
    article.write_text(PAGE, encoding="utf-8")
    proc = newstui(tmp_path, "extract", str(article))
    assert proc.returncode == 0 and proc.stderr == ""
