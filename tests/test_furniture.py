"""sources.furniture: the blocks around an article that are not the article, and the text kept."""

from __future__ import annotations

import pytest

from newstui.sources.extract import extract_article
from newstui.sources.furniture import prune_furniture
from newstui.sources.mdtext import md_words
from newstui.sources.pagetree import Page, parse_page

PARAGRAPH = (
    "The committee met on Tuesday to discuss the new budget for the public library, which has "
    "been underfunded for years according to several members of the board and local residents."
)
BODY = [f"{PARAGRAPH} Part {i}." for i in range(4)]


def text(*blocks: str) -> str:
    return "\n\n".join(blocks)


def test_links_only_blocks_copyright_and_tags_at_the_ends_go() -> None:
    closing = "Read [the full report](https://example.org/report) before the vote on Monday."
    markdown = text(
        "[Read on one page](https://example.org/all)",
        *BODY,
        closing,
        "![The library](https://example.org/library.jpg)",
        "Tags: budget, library, council",
        "[Another story](https://example.org/a) · [And one more](https://example.org/b)",
        "© 2024 Example Newspaper. All rights reserved.",
        "\\",
    )
    pruned = prune_furniture(markdown)
    assert pruned.startswith(BODY[0])
    assert pruned.endswith("![The library](https://example.org/library.jpg)")  # a picture stays
    assert closing in pruned  # a closing line with a link in it is text
    assert "Tags:" not in pruned and "Another story" not in pruned and "©" not in pruned
    # A long closing paragraph that starts like furniture is text.
    long_close = "Copyright law " + " ".join(["was debated at length by the board"] * 10)
    assert prune_furniture(text(*BODY, long_close)).endswith(long_close)


@pytest.mark.parametrize(
    "tail",
    [
        ["Sign up for our newsletter to get the best stories of the week in your inbox."],
        ["**Follow us on Twitter and Facebook for the latest news.**"],
        ["Abonnieren Sie jetzt unseren Newsletter!"],
        ["This entry was posted in [News](https://example.org/c/news). Bookmark the permalink."],
        ["Last updated: 12 March 2024, 10:27"],
        ["## Comments"],
        ["### Related stories", "[A story](https://example.org/1)", "Another story's title here"],
        ["**À lire aussi**", "Un autre article du journal, son titre"],
        ["##### Artículos relacionados", "[Otra noticia](https://example.org/otra)"],
        ["## Die Redaktion empfiehlt", "Ein anderer Artikel der Zeitung, sein Titel"],
        ["Das Thema könnte dich auch interessieren:", "[Ein Artikel](https://example.org/a)"],
    ],
)
def test_what_follows_the_article_at_its_end_goes(tail: list[str]) -> None:
    pruned = prune_furniture(text(*BODY, *tail))
    assert pruned == text(*BODY)


def test_text_at_the_end_that_only_sounds_like_furniture_stays() -> None:
    # Long blocks are text whatever their words; a "Related" heading followed by a full
    # paragraph is a part of the article.
    long_call = "Readers who subscribe " + " ".join(["told us how the library helped them"] * 6)
    assert prune_furniture(text(*BODY, long_call)).endswith(long_call)
    section = text("## Related costs", BODY[0] + " Again.")
    assert prune_furniture(text(*BODY, section)).endswith(section)
    closing = "The board meets again on Monday."
    assert prune_furniture(text(*BODY, closing)).endswith(closing)


@pytest.mark.parametrize(
    "head",
    [
        "By Jane Doe and John Roe",
        "**Von Erika Mustermann**",
        "Published: 03.04.2020, 12:35",
        "Updated Tuesday, March 12, 2024 10:27 am ET",
    ],
)
def test_a_byline_or_a_date_line_at_the_start_goes(head: str) -> None:
    assert prune_furniture(text(head, *BODY)) == text(*BODY)


@pytest.mark.parametrize(
    "first",
    [
        "By the end of the year, the library will close.",  # a sentence
        "## By the river",  # a heading
        "In 2024 the budget rose by 5 percent over March 2023.",
    ],
)
def test_a_first_line_that_is_a_sentence_or_a_heading_stays(first: str) -> None:
    assert prune_furniture(text(first, *BODY)).startswith(first)


@pytest.mark.parametrize(
    "credit",
    [
        "Photo: Jane Doe",
        "The mayor at the library on Tuesday. Jane Doe/Reuters",
        "Crowds outside the town hall. (Photo by John Roe/Getty Images)",
        "The reading room. © Example Newspaper",
        "Foto: Erika Mustermann",
    ],
)
def test_a_picture_credit_anywhere_goes_and_the_picture_stays(credit: str) -> None:
    picture = "![The reading room](https://example.org/room.jpg)"
    pruned = prune_furniture(text(BODY[0], picture, credit, *BODY[1:]))
    assert pruned == text(BODY[0], picture, *BODY[1:])


@pytest.mark.parametrize(
    "line",
    [
        "WASHINGTON (Reuters) - The committee met on Tuesday to discuss the library's budget.",
        "The agency said its photo archive, which AP keeps, was opened to readers on Monday.",
    ],
)
def test_a_dateline_or_an_agency_named_in_a_sentence_is_not_a_credit(line: str) -> None:
    assert line in prune_furniture(text(BODY[0], line, *BODY[1:]))


@pytest.mark.parametrize(
    "pointer",
    [
        "**Read more:** [The library's history](https://example.org/history)",
        "RELATED: Council votes on the new budget",
        "*Lea también:* [Otra noticia](https://example.org/otra)",
        "Lire aussi : Les bibliothèques en France",
        "Le puede interesar: [Otra noticia del día](https://example.org/otra)",
        "***Auch lesen:*** [Ein anderer Artikel](https://example.org/a)",
        "**Dowiedz się więcej: [Inny artykuł](https://example.org/b)**",
    ],
)
def test_a_pointer_to_another_story_inside_the_text_goes(pointer: str) -> None:
    pruned = prune_furniture(text(BODY[0], BODY[1], pointer, BODY[2], BODY[3]))
    assert pruned == text(*BODY)


def test_a_paragraph_starting_with_more_is_text() -> None:
    line = "More than 200 residents came to the meeting: the room was full."
    assert line in prune_furniture(text(BODY[0], line, *BODY[1:]))


def test_a_short_text_is_left_as_it_is() -> None:
    markdown = text("By Jane Doe", PARAGRAPH)
    assert prune_furniture(markdown) == markdown


def test_extraction_leaves_the_furniture_inside_the_article_out() -> None:
    """Both extractors keep a newsletter box, a credit and a byline inside the article's
    container; the text shown is the article alone."""
    paragraphs = "".join(f"<p>{PARAGRAPH} Part {i}.</p>" for i in range(6))
    html = (
        "<!doctype html><html><head><title>Budget news</title></head><body>"
        "<article><h1>Budget news</h1><p>By Jane Doe</p>"
        "<figure><img src='https://example.org/a.jpg' alt='The library'>"
        "<figcaption>The library on Tuesday. Photo: John Roe</figcaption></figure>"
        f"{paragraphs}"
        "<p>Sign up for our newsletter to get the best stories of the week in your inbox.</p>"
        "</article></body></html>"
    ).encode()
    markdown = extract_article(html).markdown
    assert "Part 0." in markdown and "Part 5." in markdown
    assert "newsletter" not in markdown
    assert "Jane Doe" not in markdown
    assert "Photo: John Roe" not in markdown


def test_a_caption_the_page_marks_as_one_goes_and_its_picture_stays() -> None:
    """Readability keeps a figure's caption with the text; a caption is not the article."""
    paragraphs = [f"<p>{PARAGRAPH} Part {i}.</p>" for i in range(8)]
    caption = "Members of the board listen to residents in the old reading room on Tuesday"
    credit_box = "The new wing as the architects drew it for the council last spring"
    html = (
        "<!doctype html><html><head><title>Budget news</title></head><body><article>"
        f"<h1>Budget news</h1>{''.join(paragraphs[:2])}"
        "<figure><img src='https://example.org/room.jpg' alt='The reading room'>"
        f"<figcaption>{caption}</figcaption></figure>{''.join(paragraphs[2:5])}"
        "<div class='wp-caption'><img src='https://example.org/wing.jpg' alt='The wing'>"
        f"<p class='wp-caption-text'>{credit_box}</p></div>"
        "<p>The caption of the old photograph was read out at the meeting by the chair.</p>"
        f"{''.join(paragraphs[5:])}</article></body></html>"
    ).encode()
    markdown = extract_article(html).markdown
    assert caption not in markdown and credit_box not in markdown
    assert "https://example.org/room.jpg" in markdown  # the picture stays
    assert "The caption of the old photograph was read out" in markdown  # text about captions
    assert "Part 0." in markdown and "Part 7." in markdown


@pytest.mark.parametrize(
    ("name", "caption"),
    [
        ("wp-caption-text", True),
        ("image__credit", True),
        ("figcaption", True),
        ("photo-credits", True),
        ("no_caption", False),  # a list item that has no caption: its text is the article's
        ("has-caption", False),
        ("captioned", False),
        ("discredited", False),
    ],
)
def test_which_class_names_mark_a_caption(name: str, caption: bool) -> None:
    text = "Members of the board listen to residents in the old reading room on Tuesday"
    root = parse_page(f"<html><body><div class='{name}'><p>{text}</p></div></body></html>")
    assert Page(root).in_caption(md_words(text)) is caption


@pytest.mark.parametrize(
    "label", ["Advertisement", "### ADVERTISEMENT", "Continue reading the main story", "Anzeige"]
)
def test_an_advertisements_label_inside_the_text_goes(label: str) -> None:
    pruned = prune_furniture(text(BODY[0], label, *BODY[1:]))
    assert pruned == text(*BODY)


def test_a_sentence_about_advertising_stays() -> None:
    line = "Advertising revenue fell by half this year."
    assert line in prune_furniture(text(BODY[0], line, *BODY[1:]))


def test_a_date_line_under_a_heading_before_the_first_paragraph_goes() -> None:
    """The article's header runs up to its first full paragraph; a date line in the body stays."""
    heading, date, short = "## The library's budget", "23.10.2018", "A short standfirst."
    pruned = prune_furniture(text(heading, date, short, *BODY[:2], "12 March 2024", *BODY[2:]))
    assert pruned == text(heading, short, *BODY[:2], "12 March 2024", *BODY[2:])


@pytest.mark.parametrize(
    ("author", "note"),
    [
        (
            "Jane Q. Doe",
            "Jane Q. Doe has covered city hall since 2012. Before, she wrote on schools.",
        ),
        ("Jane Doe; John Roe", "*Jane Doe reported from Leeds, and John Roe from York.*"),
        ("John Roe, Jane Doe", "About the author: Jane Doe is a reporter on the city desk."),
        ("Jane Doe", "Dr. Jane Doe ist Redakteurin im Ressort Stadt und schreibt über Bildung."),
        ("Jane Doe", "[Jane Doe](https://example.org/author/jane-doe) is a city reporter."),
        ("Jane Doe", "Latest posts by Jane Doe ([see all](https://example.org/author/jane))"),
    ],
)
def test_a_closing_note_about_the_pages_author_goes(author: str, note: str) -> None:
    """A news reader's text ends with the article: the bio or signature line of its author (the
    page's metadata names them) follows it on the page, not in the story."""
    assert prune_furniture(text(*BODY, note), author=author) == text(*BODY)
    # Without the author's name the note is text like any other.
    assert prune_furniture(text(*BODY, note)).endswith(note)


def test_the_authors_name_inside_the_story_stays() -> None:
    quoted = (
        "The council thanked its reporter for the year, and Jane Doe said she would keep asking "
        "about the library until it opens."
    )
    long_note = "Jane Doe " + " ".join(["wrote"] * 90) + "."
    first = "Jane Doe stood at the door of the library on Tuesday as the committee arrived."
    for markdown in (
        text(*BODY, quoted),  # the name is not where a note about the author starts
        text(*BODY, long_note),  # a long block is the story
        text(first, *BODY),  # not at the end
    ):
        assert prune_furniture(markdown, author="Jane Doe") == markdown


def test_extraction_leaves_the_authors_bio_out() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    bio = "Jane Doe has covered the city council since 2019 and lives near the library."
    html = (
        "<!doctype html><html><head><title>Budget news</title>"
        "<meta name='author' content='Jane Doe'></head><body>"
        f"<article><h1>Budget news</h1>{paragraphs}<p class='bio'>{bio}</p></article>"
        "</body></html>"
    )
    extracted = extract_article(html.encode())
    assert extracted.author == "Jane Doe"
    assert "covered the city council" not in extracted.markdown
    assert extracted.markdown.count("The committee met") == 4


@pytest.mark.parametrize(
    "promotion",
    [
        "SIGN UP FOR OUR NEWSLETTER",
        "*[What you need to know to start the day:* [*Get Town Today in your inbox*]"
        "(https://example.org/newsletters/town).]*",
        "Sign up for Command Line, a paid weekly newsletter about the industry. Your first "
        "month is free!",
        "Abonnieren Sie unseren Newsletter und verpassen Sie keine Nachricht mehr.",
        "Werden Sie Mitglied im Club und sichern Sie sich exklusive Vorteile!",
        "¿Sabías que tenemos un canal de WhatsApp? Únete aquí.",
        "Join our Telegram channel for the latest town news.",
    ],
)
def test_a_call_to_subscribe_inside_the_text_goes(promotion: str) -> None:
    pruned = prune_furniture(text(BODY[0], BODY[1], promotion, BODY[2], BODY[3]))
    assert pruned == text(*BODY)


def test_text_about_subscriptions_stays() -> None:
    kept = [
        "Did the council subscribe to the new reading service?",  # a question
        "The WhatsApp group of the parents' association shared the news within minutes.",
        "The council will donate the old shelves to the school and follow the plan to the end.",
        "Subscribers to the library's weekly newsletter had asked for longer hours for years, "
        "and the committee, after months of letters, finally agreed to open on Sundays too.",
    ]
    for line in kept:
        markdown = text(BODY[0], BODY[1], line, BODY[2], BODY[3])
        assert prune_furniture(markdown) == markdown, line


@pytest.mark.parametrize(
    "notice",
    [
        "*Quelle: Statistisches Landesamt, Stand März*",
        "Source: National Weather Service",
        "**Fuentes:** Ministerio de Salud",
        "*Werbung: Dieser Beitrag entstand in Zusammenarbeit mit einem Möbelhaus.*",
        "Anzeige – enthält Affiliate-Links",
        "This post contains affiliate links: we may earn a commission when you buy through them.",
        "(Alle Angaben ohne Gewähr)",
        "Was this article helpful?",
        "**War der Artikel hilfreich?**",
        "Möchten Sie den Beitrag teilen?",
        "#### Listen to this article",
        "Escucha esta nota aquí",
    ],
)
def test_a_notice_about_the_page_goes_anywhere(notice: str) -> None:
    """Where the facts come from, a disclosure or a disclaimer, a question about the article,
    a player's label: about the page, not its story, wherever they sit."""
    pruned = prune_furniture(text(*BODY[:2], notice, *BODY[2:]))
    assert pruned == text(*BODY)


@pytest.mark.parametrize(
    "sentence",
    [
        "The provision of water and the affiliated clinics were the source of the dispute: "
        "the mayor said the sources he trusted were helpful.",
        "Einige Leser fragten, ob der Verein mit der Aktion Werbung für sich machen wollte.",
        "Was the council's plan helpful to the families who share the old page of the map?",
        "Source of the river: a spring high in the hills, where the walk to it takes a full day "
        "and the path is steep, narrow and, in places, washed away by the winter rains.",
    ],
)
def test_text_that_only_shares_a_notice_s_words_stays(sentence: str) -> None:
    markdown = text(*BODY[:2], sentence, *BODY[2:])
    assert prune_furniture(markdown) == markdown


def test_a_credit_under_its_picture_goes_and_the_picture_stays() -> None:
    picture = "![The reading room](https://example.org/room.jpg)"
    caption = "The new reading room on its first morning, before the doors opened."
    markdown = text(
        BODY[0],
        f"{picture}\\\n*(Photo: Jane Roe / Example Agency)*",
        BODY[1],
        f"{picture}\\\n{caption}",
        *BODY[2:],
    )
    pruned = prune_furniture(markdown)
    assert "Jane Roe" not in pruned and pruned.count(picture) == 2
    assert f"{picture}\\\n{caption}" in pruned  # a caption that is no credit stays
    assert pruned.count("The committee met") == 4
