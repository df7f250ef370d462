"""Pages with no single article (home pages, section fronts, tag and search pages): told from
articles by their structure and what they say about themselves, and shown as Readability.js
picks them. The pages here are made up; none copies the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstui.sources.decode import decode_html
from newstui.sources.extract import extract_article
from newstui.sources.listing import ListingEvidence, listing_evidence
from newstui.sources.pagetree import drop_hidden, parse_page

PLACES = ["harbour", "library", "station", "school", "museum", "bakery", "bridge", "park"]
ACTS = ["reopens", "closes", "expands", "moves", "celebrates", "repairs", "hires", "sells"]
REASONS = [
    "after a long winter of repairs paid for by a local appeal",
    "while the council argues about who should pay for the new roof",
    "because the old building no longer meets the fire rules",
    "to make room for the growing number of visitors each summer",
    "as volunteers step in to run it on weekends and holidays",
    "once the new owners finish the work on the ground floor",
]
STORY = (
    "The committee met on Tuesday to discuss the new budget for the public library, which has "
    "been underfunded for years according to several members of the board and local residents "
    "who came to the meeting in large numbers to ask for longer opening hours."
)


def headline(n: int) -> str:
    return f"The {PLACES[n % 8]} on {['North', 'Mill', 'Rose', 'Kings'][n // 8 % 4]} Street {ACTS[(n * 3) % 8]}"


def summary(n: int) -> str:
    return f"Story {n}: the {PLACES[(n + 3) % 8]} {ACTS[n % 8]} {REASONS[n % 6]}."


def card(n: int) -> str:
    return (
        f"<article class='card'><h2><a href='/news/{n}'>{headline(n)}</a></h2>"
        f"<p>{summary(n)}</p><span class='byline'>By Ann Writer</span></article>"
    )


def html(body: str, head: str = "<title>Town news</title>") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


NAV = (
    "<nav>" + "".join(f"<a href='/s/{p}'>{p.title()} news and more</a>" for p in PLACES) + "</nav>"
)
FOOTER = (
    "<footer><p>Town News, 1 Market Square. All rights reserved by the publishers.</p></footer>"
)


def front(cards: int = 14, intro: str = "", head: str = "<title>Town news</title>") -> bytes:
    """A home page or section front: a grid of teaser cards in two blocks, nothing else."""
    half = cards // 2
    first = "".join(card(n) for n in range(half))
    second = "".join(card(n) for n in range(half, cards))
    return html(
        f"{NAV}<main>{intro}<section class='top'><h1>Top stories</h1>{first}</section>"
        f"<section class='more'><h2>More news</h2>{second}</section></main>{FOOTER}",
        head,
    )


BRIEF = "The library will open on Sundays from next month, the board said after a vote."


def story(paragraphs: int = 6, related: int = 10, text: str = STORY) -> bytes:
    """An article followed by a block of related stories made of the same teaser cards."""
    body = "".join(f"<p>{text} Part {i}.</p>" for i in range(paragraphs))
    cards = "".join(card(n) for n in range(related))
    return html(
        f"{NAV}<main><article><h1>Library budget</h1>{body}</article>"
        f"<section class='related'><h2>Related stories</h2>{cards}</section></main>{FOOTER}"
    )


def evidence(data: bytes, url: str | None = None) -> ListingEvidence:
    root = parse_page(decode_html(data))
    assert root is not None
    drop_hidden(root)
    return listing_evidence(root, url)


def ld(kind: str) -> str:
    return f"<script type='application/ld+json'>{json.dumps({'@type': kind, 'name': 'x'})}</script>"


def test_a_front_page_of_teasers_is_a_listing_and_shows_readability_js_pick() -> None:
    found = evidence(front())
    assert found.teasers == 14 and found.is_listing
    result = extract_article(front())
    assert result.method == "listing"
    # The block of teasers Readability.js scores best: several stories, headlines with them.
    shown = [n for n in range(14) if summary(n) in result.markdown]
    assert len(shown) >= 5, result.markdown
    assert "Story 0:" in result.markdown or "Story 7:" in result.markdown
    assert sum(headline(n) in result.markdown for n in range(14)) >= 5  # the headlines too
    assert "news and more" not in result.markdown  # not the menu


def test_a_flat_list_of_headlines_and_summaries_is_a_listing() -> None:
    """No card around each teaser: a headline, then its summary, then the next headline."""
    items = "".join(
        f"<h3><a href='/news/{n}'>{headline(n)}</a></h3><p>{summary(n)}</p>"
        f"<p class='meta'>{n + 1} May</p>"
        for n in range(12)
    )
    data = html(f"{NAV}<div id='content'><h1>Latest</h1>{items}</div>{FOOTER}")
    found = evidence(data)
    assert found.teasers == 12 and found.is_listing
    assert extract_article(data).method == "listing"


@pytest.mark.parametrize(
    ("head", "url"),
    [
        ("<meta property='og:type' content='website'>", None),
        (ld("CollectionPage") + "<meta property='og:type' content='article'>", None),
        (ld("SearchResultsPage"), None),
        ("", "https://news.example.org/"),
        ("", "https://news.example.org/es/"),
        ("", "https://news.example.org/tag/harbour/"),
        ("", "https://news.example.org/kategorie/politik"),
        ("", "https://news.example.org/index.php?s=harbour"),
        ("", "https://news.example.org/local/page/3/"),
    ],
    ids=["og-website", "ld-collection-over-og-article", "ld-search", "home", "language-root",
         "tag", "category-de", "search-query", "later-page"],
)  # fmt: skip
def test_what_a_page_says_about_itself_lets_a_listing_with_an_intro_count(
    head: str, url: str | None
) -> None:
    """A tag page with a long introduction is a listing only when the page or its address
    says so (the structure alone is not plain then)."""
    intro = f"<p class='intro'>{STORY}</p>"
    data = front(intro=intro, head=f"<title>Harbour</title>{head}")
    found = evidence(data, url)
    assert found.structure and not found.plain
    assert found.says == "listing" and found.is_listing
    assert evidence(front(intro=intro)).is_listing is False  # nothing said: not plain enough


@pytest.mark.parametrize(
    ("head", "url"),
    [
        (ld("NewsArticle"), None),
        (ld("BlogPosting") + "<meta property='og:type' content='website'>", None),
        ("<meta property='og:type' content='article'>", None),
        ("", "https://news.example.org/2024/05/01/harbour-reopens"),
        ("", "https://news.example.org/local/harbour-reopens-after-long-winter-repairs"),
        ("", "https://news.example.org/story/4821337"),
        ("", "https://news.example.org/category/local/harbour-reopens-after-the-winter"),
    ],
    ids=["ld-article", "ld-blogposting-over-og-website", "og-article", "dated-path", "slug",
         "numeric-id", "slug-under-a-category"],
)  # fmt: skip
def test_a_page_that_says_it_is_an_article_is_never_a_listing(head: str, url: str | None) -> None:
    data = front(head=f"<title>Harbour</title>{head}")
    found = evidence(data, url)
    assert found.structure and found.says == "article"
    assert not found.is_listing
    assert extract_article(data, url=url).method != "listing"


@pytest.mark.parametrize(
    ("paragraphs", "related", "text"), [(6, 12, STORY), (2, 12, STORY), (4, 30, BRIEF)]
)
def test_an_article_with_related_stories_is_not_a_listing(
    paragraphs: int, related: int, text: str
) -> None:
    """Its own paragraphs are outside every teaser: even a two-paragraph story under twelve
    related teasers, or a brief of short paragraphs under thirty, keeps the page an article,
    and the teasers stay out of its text."""
    data = story(paragraphs, related, text)
    found = evidence(data)
    assert found.teasers == related and not found.is_listing
    result = extract_article(data)
    assert result.method != "listing"
    assert result.markdown.count(text.split(",")[0]) == paragraphs
    assert "Story 3:" not in result.markdown


def test_links_inside_sentences_are_not_headlines() -> None:
    """A page whose paragraphs carry many links is not a page of headlines."""
    paragraph = (
        "The council said <a href='/a'>the new harbour plan</a> would take two years, and "
        "<a href='/b'>the old station building</a> may become a museum, while residents asked "
        "about <a href='/c'>the cost of the bridge repairs</a> at the meeting."
    )
    data = html("".join(f"<div><p>{paragraph} {n}</p></div>" for n in range(20)))
    assert evidence(data).teasers == 0


def test_few_teasers_are_not_a_listing() -> None:
    found = evidence(front(cards=6))
    assert found.teasers == 6 and not found.structure and not found.is_listing


def test_json_ld_in_a_cdata_section_is_read() -> None:
    script = (
        "<script type='application/ld+json'>//<![CDATA[\n"
        + json.dumps({"@graph": [{"@type": "WebSite"}, {"@type": "CollectionPage"}]})
        + "\n//]]></script>"
    )
    intro = f"<p class='intro'>{STORY}</p>"
    assert evidence(front(intro=intro, head=script)).says == "listing"


def test_of_the_readability_pages_only_the_section_front_is_a_listing(corpus: Path) -> None:
    """The 130 mozilla/readability pages are articles but one, a section front whose reference
    is Readability.js's pick of teasers: no article is taken for a listing."""
    pages = sorted(corpus.glob("articles/html/readability*/*/source.html"))
    if len(pages) < 100:
        pytest.skip(f"the corpus has no readability pages ({corpus})")
    listings = [p.parent.name for p in pages if evidence(p.read_bytes()).is_listing]
    assert listings == ["nytimes-5"]


def test_search_results_are_a_listing() -> None:
    results = "".join(
        f"<div class='result'><h3><a href='https://site{n}.example/page'>{headline(n)}</a></h3>"
        f"<cite>site{n}.example</cite><p class='snippet'>{summary(n)}</p></div>"
        for n in range(10)
    )
    data = html(f"{NAV}<div id='results'><p>About 1,200 results</p>{results}</div>{FOOTER}")
    url = "https://search.example/results?q=harbour"
    assert evidence(data, url).is_listing
    result = extract_article(data, url=url)
    assert result.method == "listing"
    assert sum(f"]({f'https://site{n}.example/page'})" in result.markdown for n in range(10)) >= 5
