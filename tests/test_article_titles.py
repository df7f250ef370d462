"""A local article's title read on its own (`article_title`, what a list shows before the
article is read) is the title reading the whole article gives (`read_article`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstui.config import LimitsConfig
from newstui.domain.errors import SourceError
from newstui.sources.local import article_title, read_article

LIMITS = LimitsConfig()


def _same_title(path: Path) -> None:
    try:
        title = read_article(path, LIMITS).title
    except SourceError as exc:  # a file that is no article is refused the same way
        with pytest.raises(SourceError, match=re.escape(str(exc))):
            article_title(path, LIMITS)
        return
    assert article_title(path, LIMITS) == title, path.name


def test_the_corpus_articles_titles_read_alone_are_their_titles(corpus: Path) -> None:
    files = sorted(
        p for p in (corpus / "articles").rglob("*") if p.suffix in {".html", ".htm", ".txt"}
    )
    assert len(files) > 100 and any(p.suffix == ".txt" for p in files)
    for path in files:
        _same_title(path)


def test_the_welcome_guides_titles_read_alone_are_their_titles() -> None:
    folder = Path(__file__).resolve().parents[1] / "src" / "newstui" / "welcome"
    pages = sorted(folder.iterdir())
    assert {p.suffix for p in pages} >= {".md", ".txt"}
    for path in pages:
        _same_title(path)


# Lines as scraped text and Markdown files begin: blanks, CR and CRLF line ends, a BOM, escape
# sequences, `Headline | Site`, headings, no title at all.
PIECES = st.sampled_from(
    ["", " ", "\n", "\r\n", "\r", "\ufeff", "\x1b[31m", "\t", "# ", "#", " | ", " ｜ ", "|", "Site",
     "Headline", "é", "\u202e", "\x00", "## ", "  #  ", "—", "\u00a0"]
)  # fmt: skip
TEXTS = st.lists(PIECES, max_size=14).map("".join)


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXTS)
def test_any_files_title_read_alone_is_its_title(tmp_path: Path, suffix: str, text: str) -> None:
    path = tmp_path / f"page{suffix}"
    body = (
        f"<html><head><title>{text}</title></head><body>x</body></html>"
        if suffix == ".html"
        else text
    )
    path.write_text(body + "\n\nA paragraph of the article, long enough to read as prose here.")
    _same_title(path)
