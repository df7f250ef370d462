"""Local articles read as well as the web: reader mode, their own dates, scraped text cleaned."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.cli import main
from newstui.config import Config
from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.library.show import markdown_to_text, shown_article
from newstui.sources.textarticle import MAX_LINE_WORDS, is_boilerplate, read_text_article
from tests.benchmark_support import extraction_benchmark

SEED = "articles/text/000_8c6f306b990f33ba.txt"
PROSE = (
    "The council voted on Tuesday to extend the opening hours of the public library, after a "
    "petition signed by more than two thousand residents asked for evening access."
)


def run_cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> str:
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def blocks(text: str) -> list[str]:
    return [" ".join(b.split()) for b in re.split(r"\n\s*\n", text) if b.strip()]


def is_paragraph(block: str) -> bool:
    """Prose: a sentence of some length, ending as sentences end."""
    words = block.split()
    return len(words) > MAX_LINE_WORDS or (len(words) >= 8 and block.rstrip("”’\"')")[-1:] in ".!?")


# --- the seed ---------------------------------------------------------------------------------


def test_show_on_the_seed_reads_as_an_article(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = corpus / SEED
    if not seed.is_file():
        pytest.skip("the seed article is not in the corpus")
    db = tmp_path / "lib.db"
    run_cli(capsys, db, "add", str(seed))
    (article,) = json.loads(run_cli(capsys, db, "articles", "--json"))
    shown = json.loads(run_cli(capsys, db, "show", str(article["id"]), "--format", "json"))
    first_line = seed.read_text("utf-8").split("\n", 1)[0]
    assert shown["title"] == first_line.rsplit(" | ", 1)[0]
    assert "|" not in shown["title"] and "DayDayNews" not in shown["title"]
    assert shown["site"] == "DayDayNews World News"
    assert shown["published"] is None  # the text carries no date line
    body = shown["body_markdown"]
    assert "Source link" not in body
    assert "video player" not in body and "Chrome browser" not in body
    assert "## White House downplays importance" in body
    assert "## Has Russia run out of weapons?" in body
    # Every paragraph of the file is in the body, word for word.
    text = markdown_to_text(body)
    for block in blocks(seed.read_text("utf-8"))[1:]:
        if is_paragraph(block):
            assert block in text, block
    # Markdown and text print the same article, with its header.
    markdown = run_cli(capsys, db, "show", str(article["id"]))
    assert markdown.startswith(f"# {shown['title']}\n")
    assert "DayDayNews World News · —" in markdown and "file://" not in markdown
    plain = run_cli(capsys, db, "show", str(article["id"]), "--format", "text")
    assert plain.startswith(shown["title"] + "\n") and "##" not in plain and "\\" not in plain
    assert "White House downplays importance\n" in plain


def test_show_of_a_missing_article_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(tmp_path / "lib.db"), "show", "42"]) == 1
    assert "no article with id 42" in capsys.readouterr().err


# --- scraped plain text: rules that generalise ------------------------------------------------

# Articles written for this test in the seed's shape (first line "Headline | Site"), each with
# the kinds of lines scrapers keep. None of these lines comes from the seed.
HELD_OUT = [
    (
        "Harbour expansion approved after two-year review | Coastal Times Local",
        [
            (
                "p",
                "Plans to expand the northern harbour were approved on Monday, ending a review "
                "that began two years ago and drew more than four hundred public comments.",
            ),
            ("b", "Advertisement"),
            (
                "p",
                "The project will add twelve berths for fishing boats and a new slipway, the "
                "port authority said in a statement.",
            ),
            ("b", "Image source, Getty Images"),
            ("b", "Image caption, The harbour at low tide last spring"),
            ("h", "What happens next"),
            (
                "p",
                "Construction is expected to start in the autumn and to last eighteen months, "
                "with the old pier closed for most of that time.",
            ),
            ("b", "Share this article"),
            ("b", "Follow us on Twitter and Facebook"),
            (
                "p",
                "\u201cThis is the biggest investment in the harbour for a generation,\u201d "
                "the council leader said.",
            ),
            ("b", "Related Topics"),
            ("b", "Harbour fees to rise next year \u2013 live updates"),
        ],
    ),
    (
        "Rail strike called off at the last minute | Metro Daily News",
        [
            ("b", "Published 14 March 2023"),
            (
                "p",
                "A strike that would have halted trains across the region on Friday was called "
                "off late on Wednesday after talks between the union and the operator.",
            ),
            ("b", "Your browser does not support the video tag."),
            (
                "p",
                "Share prices of the operator rose by four per cent on the news, a sign of how "
                "much the dispute had weighed on investors.",
            ),
            ("b", "Subscribe to our morning newsletter"),
            ("h", "A deal on pay"),
            (
                "p",
                "Source close to the talks said the offer included a pay rise of six per cent "
                "over two years and a promise of no compulsory redundancies.",
            ),
            ("b", "Photo: Jane Smith/Reuters"),
            (
                "p",
                "Advertisement revenue at the station kiosks has fallen since the dispute began, "
                "shop owners told the paper.",
            ),
            ("b", "Continue reading below"),
            ("p", "The union will ballot its members on the offer next week."),
            ("b", "Tags: rail, strikes, transport"),
        ],
    ),
    (
        "Museum returns stolen painting to family | World Culture Report",
        [
            (
                "p",
                "A painting taken from a family home during the war has been returned to the "
                "owner's grandchildren after a decade of research by the museum.",
            ),
            ("b", "Media playback is unsupported on your device"),
            ("b", "Watch: The moment the painting was unveiled"),
            ("h", "How was it found?"),
            (
                "p",
                "Researchers traced the work through auction records, letters and a label on "
                "the back of the frame that had been painted over.",
            ),
            ("b", "Click here to read more"),
            ("p", "\u201cWe never thought we would see it again.\u201d"),
            (
                "p",
                "The family plans to lend the painting back to the museum for an exhibition "
                "next year.",
            ),
            ("b", "Source link"),
        ],
    ),
]


def _held_out_text(headline: str, parts: list[tuple[str, str]]) -> str:
    return headline + "\n\n" + "\n\n".join(text for _, text in parts) + "\n"


def test_held_out_scrapes_lose_their_boilerplate_and_keep_every_paragraph() -> None:
    boilerplate = gone = 0
    for headline, parts in HELD_OUT:
        article = read_text_article(_held_out_text(headline, parts))
        text = markdown_to_text(article.markdown)
        for kind, line in parts:
            if kind == "p":
                assert line in text, f"paragraph lost: {line}"
            elif kind == "h":
                assert f"## {line}" in article.markdown.replace("\\", ""), f"not a subhead: {line}"
            else:
                boilerplate += 1
                gone += line not in text
    assert gone / boilerplate >= 0.9, f"only {gone} of {boilerplate} boilerplate lines dropped"


def test_a_date_line_and_a_byline_are_metadata_not_text() -> None:
    headline, parts = HELD_OUT[1]
    text = headline + "\n\nBy Maria Lopez\n\n" + "\n\n".join(t for _, t in parts)
    article = read_text_article(text)
    assert article.published == datetime(2023, 3, 14, tzinfo=UTC)
    assert article.author == "Maria Lopez"
    assert "Published" not in article.markdown and "Maria Lopez" not in article.markdown


def test_quotes_stay_quotes_and_prompt_words_in_prose_stay() -> None:
    quote = "\u201cWe will not give up.\u201d"
    short_quote = "\u201cNever again\u201d"
    text = "\n\n".join(
        ["Title | Site", PROSE, quote, short_quote, PROSE.replace("council", "board")]
    )
    article = read_text_article(text)
    assert "##" not in article.markdown
    assert quote in markdown_to_text(article.markdown)
    assert short_quote in markdown_to_text(article.markdown)
    for line in (
        "Share prices fell sharply on Monday after the results were published.",
        "Follow the money, the inspector told the committee on Thursday afternoon.",
        "Source: the ministry said in a statement that the figures were provisional.",
        "Watch out for ice on the roads tonight, the weather service warned drivers.",
    ):
        assert not is_boilerplate(line), line


def test_every_corpus_text_article_keeps_its_paragraphs(corpus: Path) -> None:
    files = sorted((corpus / "articles" / "text").rglob("*.txt"))
    if not files:
        pytest.skip("no text articles in the corpus")
    for path in files:
        source = path.read_text("utf-8", errors="replace")
        article = read_text_article(source)
        text = markdown_to_text(article.markdown)
        for block in blocks(source)[1:]:
            if is_paragraph(block):
                assert block in text, f"{path.name}: paragraph lost: {block[:60]}"
        for line in article.dropped:
            assert not is_paragraph(line), f"{path.name}: dropped prose: {line}"


# --- local HTML: reader mode, titles, dates ---------------------------------------------------


def page(head: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    )


def article_body(topic: str) -> str:
    paragraphs = "".join(f"<p>{PROSE} This is part {i} about {topic}.</p>" for i in range(6))
    return (
        "<header><a href='#main'>Skip to content</a><nav><a href='/'>Home</a> "
        "<a href='/x'>World</a></nav><form><input name='user'> Log in</form></header>"
        f"<main><article><h1>The {topic} story</h1>{paragraphs}</article></main>"
        "<footer>Copyright <div id='cookie-banner' class='cookie-consent'>We use cookies. "
        "<button>I Accept</button></div></footer>"
    )


def test_show_titles_a_local_page_by_its_article_not_its_sites_slogan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """og:title and twitter:title hold the site's home title ("Site - slogan"); the page's
    <title> and its h1 name the article: `show` gives the article's title, the site's name
    as the site."""
    slogan = "Daily Planet - Latest News &amp; Weather"
    head = (
        f"<meta property='og:title' content='{slogan}'>"
        f"<meta name='twitter:title' content='{slogan}'>"
        "<meta name='twitter:site' content='@DailyPlanet'>"
        "<title>Bridge reopens after a year of repairs</title>"
    )
    file = tmp_path / "bridge.html"
    file.write_text(page(head, article_body("bridge")), "utf-8")
    db = tmp_path / "lib.db"
    run_cli(capsys, db, "add", str(file))
    (listed,) = json.loads(run_cli(capsys, db, "articles", "--json"))
    shown = json.loads(run_cli(capsys, db, "show", str(listed["id"]), "--format", "json"))
    assert shown["title"] == "Bridge reopens after a year of repairs"
    assert shown["site"] == "DailyPlanet"


def library_with(tmp_path: Path, folder: Path) -> Library:
    library = Library.open(Config(), tmp_path / "lib.db")
    asyncio.run(library.add_feed(str(folder)))
    return library


def by_title(library: Library) -> dict[str, int]:
    return {h.title: h.id for h in library.headlines(View("all"), 0, 1000)}


def test_a_local_page_opens_as_its_article_with_its_own_title_and_date(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_text(
        page(
            "<title>{{rubedo.current.page.title}}</title>"
            "<meta name='author' content='Ann Writer'>"
            "<meta property='og:site_name' content='The Harbour Gazette'>"
            "<meta property='article:published_time' content='2019-03-05T10:00:00Z'>",
            article_body("harbour"),
        ),
        "utf-8",
    )
    (folder / "b.html").write_text(
        page("<title>Library hours extended | Town Crier</title>", article_body("library")),
        "utf-8",
    )
    library = library_with(tmp_path, folder)
    ids = by_title(library)
    assert set(ids) == {"The harbour story", "Library hours extended"}
    first = library.article(ids["The harbour story"])
    assert first.author == "Ann Writer" and first.site == "The Harbour Gazette"
    assert first.published == datetime(2019, 3, 5, 10, tzinfo=UTC)
    assert library.article(ids["Library hours extended"]).site == "Town Crier"
    shown = shown_article(library, first)
    for scrap in ("Skip to content", "I Accept", "Log in", "Home", "{{"):
        assert scrap not in shown.body_markdown
    assert shown.body_markdown.count("This is part") == 6
    assert shown.location is not None and not shown.location.startswith("file:")
    # The whole page is kept: the reader can still ask for it (f).
    assert "I Accept" in library.render(first).markdown


def test_undated_articles_sort_by_their_files_time_never_by_when_added(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    old, dated = folder / "old.txt", folder / "dated.html"
    old.write_text(f"An old note | Notes\n\n{PROSE}\n", "utf-8")
    os.utime(old, (1_500_000_000, 1_500_000_000))  # July 2017
    dated.write_text(
        page(
            "<title>Dated page</title><script type='application/ld+json'>"
            '{"@type": "NewsArticle", "headline": "Dated page", '
            '"datePublished": "2018-06-01T08:00:00Z"}</script>',
            article_body("dated"),
        ),
        "utf-8",
    )
    library = library_with(tmp_path, folder)
    titles = [h.title for h in library.headlines(View("all"), 0, 10)]
    assert titles == ["Dated page", "An old note"]
    note = library.article(by_title(library)["An old note"])
    assert note.published is None
    assert note.updated == datetime.fromtimestamp(1_500_000_000, UTC)


def test_a_changed_file_is_read_again_and_the_others_are_not(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("one", "two", "three"):
        (folder / f"{name}.html").write_text(
            page(f"<title>Page {name}</title>", article_body(name)), "utf-8"
        )
    library = library_with(tmp_path, folder)
    (folder / "two.html").write_text(
        page("<title>Page two, revised</title>", article_body("revised")), "utf-8"
    )
    (outcome,) = asyncio.run(library.refresh())
    assert (outcome.new, outcome.updated) == (0, 1)
    revised = library.article(by_title(library)["Page two, revised"])
    assert revised.full_text is not None and "about revised" in revised.full_text


@pytest.mark.slow
def test_a_folder_of_readability_pages_shows_what_extract_gives(
    corpus: Path, tmp_path: Path
) -> None:
    cases = sorted((corpus / "articles" / "html" / "readability").glob("*/source.html"))
    if not cases:
        pytest.skip("no readability pages in the corpus")
    from newstui.domain.errors import ExtractionError
    from newstui.sources.extract import extract_article

    bench = extraction_benchmark()
    folder = tmp_path / "saved"
    folder.mkdir()
    for source in cases:
        shutil.copyfile(source, folder / f"{source.parent.name}.html")
    library = library_with(tmp_path, folder)
    articles = {Path(a.url or "").stem: a for a in library.articles(View("all"))}
    assert len(articles) == len(cases)
    ours, theirs = [], []
    for source in cases:
        case = source.parent.name
        expected = bench.html_words((source.parent / "expected.html").read_text("utf-8", "replace"))
        shown = shown_article(library, articles[case])
        body = shown.body_markdown.split("\n\n---\n\n**Links**")[0]  # the text, not its URLs
        ours.append(bench.score(bench.markdown_words(body), expected)[2])
        try:
            direct = extract_article(source.read_bytes()).markdown
        except ExtractionError:
            direct = ""
        theirs.append(bench.score(bench.markdown_words(direct), expected)[2])
    ours.sort()
    theirs.sort()
    median = ours[len(ours) // 2]
    assert median >= theirs[len(theirs) // 2] - 0.01, (median, theirs[len(theirs) // 2])
    assert median >= 0.95 and ours[0] >= min(theirs) - 0.05
