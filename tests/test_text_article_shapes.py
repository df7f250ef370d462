"""Scraped plain-text articles in the shapes and languages the seed does not show.

The seed (one English article, a blank line between blocks) is what the rules in
sources/textarticle.py were first tried on. Scrapers also write one paragraph a line with no
blank line between them, or wrap paragraphs at a fixed width, and most of the web is not in
English. Each article here was written for these tests in the seed's shape: a "Headline | Site"
line, then paragraphs ("p", kept whole), subheads ("h", a `##` heading), the scraper's leftovers
("b", most must go) and a date line ("d", the article's date, not text).
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newstui.library.show import markdown_to_text
from newstui.sources.textarticle import date_in_line, is_boilerplate, read_text_article
from tests.test_local_articles import HELD_OUT

Parts = list[tuple[str, str]]

OTHER_LANGUAGES: list[tuple[str, Parts, datetime | None]] = [
    (
        "Stadtrat stimmt für neue Straßenbahnlinie | Rheinische Abendzeitung",
        [
            ("d", "Aktualisiert am 4. März 2022, 09:30 Uhr"),
            (
                "p",
                "Der Stadtrat hat am Donnerstagabend mit großer Mehrheit für den Bau einer neuen "
                "Straßenbahnlinie zwischen dem Hauptbahnhof und dem Universitätsviertel gestimmt.",
            ),
            ("b", "Anzeige"),
            (
                "p",
                "Die Kosten werden auf rund 180 Millionen Euro geschätzt, von denen Bund und Land "
                "den größten Teil übernehmen sollen.",
            ),
            ("b", "Foto: Thomas Berger/dpa"),
            ("h", "Anwohner fürchten Baulärm"),
            (
                "p",
                "In der Bürgerfragestunde äußerten mehrere Anwohner Sorgen über die Bauzeit von "
                "voraussichtlich vier Jahren und über wegfallende Parkplätze.",
            ),
            ("b", "Auf Facebook teilen"),
            ("b", "Auf WhatsApp teilen"),
            (
                "p",
                "„Wir werden jeden Schritt mit den Anwohnern besprechen“, sagte die Baudezernentin.",
            ),
            ("b", "Lesen Sie auch: Wie andere Städte ihre Straßenbahn zurückholten"),
            ("b", "Schlagworte: Verkehr, Stadtrat, Straßenbahn"),
        ],
        datetime(2022, 3, 4, 9, 30, tzinfo=UTC),
    ),
    (
        "La ville de Nantes interdit les voitures dans le centre historique | Ouest Matin",
        [
            ("d", "Publié le 18 octobre 2021 à 07h45"),
            (
                "p",
                "À partir du mois prochain, les voitures ne pourront plus circuler dans les rues "
                "du centre historique de Nantes, sauf pour les riverains et les livraisons.",
            ),
            ("b", "Publicité"),
            (
                "p",
                "La mairie espère ainsi réduire la pollution de l'air, qui dépasse régulièrement "
                "les seuils recommandés aux heures de pointe.",
            ),
            ("h", "Des commerçants partagés"),
            (
                "p",
                "Certains commerçants craignent une baisse de la fréquentation, tandis que "
                "d'autres y voient l'occasion d'attirer davantage de piétons.",
            ),
            ("b", "Crédit photo : Jean Dupont / AFP"),
            ("b", "Partager sur Facebook"),
            ("b", "Partager sur Twitter"),
            ("b", "Abonnez-vous à notre newsletter"),
            ("b", "À lire aussi : Bordeaux prolonge ses zones piétonnes"),
            ("b", "Mots-clés : Nantes, circulation, pollution"),
        ],
        datetime(2021, 10, 18, 7, 45, tzinfo=UTC),
    ),
    (
        "El Gobierno aprueba un plan contra la sequía en Andalucía | Diario del Sur",
        [
            ("d", "Actualizado el 3 de febrero de 2023"),
            (
                "p",
                "El Consejo de Ministros aprobó este martes un plan de 300 millones de euros para "
                "hacer frente a la sequía que afecta a buena parte de Andalucía.",
            ),
            ("b", "Publicidad"),
            (
                "p",
                "El plan incluye nuevas desaladoras, obras para reducir las pérdidas en la red y "
                "ayudas directas para los agricultores más afectados.",
            ),
            ("h", "Críticas de los regantes"),
            (
                "p",
                "Las comunidades de regantes consideran que las medidas llegan tarde y piden que "
                "se revisen los cupos de agua para la próxima campaña.",
            ),
            ("b", "Compartir en Facebook"),
            ("b", "Compartir en Twitter"),
            ("b", "Foto: EFE"),
            ("b", "Suscríbete a nuestro boletín"),
            ("b", "Te puede interesar: Los embalses, al 25% de su capacidad"),
            ("b", "Etiquetas: sequía, Andalucía, agua"),
        ],
        datetime(2023, 2, 3, tzinfo=UTC),
    ),
]


def _check(headline: str, parts: Parts, text: str) -> tuple[int, int]:
    """Asserts every paragraph stays and every subhead is one; (boilerplate lines, gone)."""
    article = read_text_article(text)
    shown = markdown_to_text(article.markdown)
    boilerplate = gone = 0
    for kind, line in parts:
        if kind == "p":
            assert line in " ".join(shown.split()), f"paragraph lost or broken: {line}"
            assert f"\n{line}" in "\n" + "\n".join(" ".join(b.split()) for b in shown.split("\n\n"))
        elif kind == "h":
            assert f"## {line}" in article.markdown.replace("\\", ""), f"not a subhead: {line}"
        elif kind == "d":
            assert line not in shown, f"a date line left in the text: {line}"
        else:
            boilerplate += 1
            gone += line not in shown
    assert headline.startswith(article.title)
    return boilerplate, gone


@pytest.mark.parametrize("headline,parts,date", OTHER_LANGUAGES, ids=["de", "fr", "es"])
def test_scrapes_in_other_languages_lose_their_boilerplate(
    headline: str, parts: Parts, date: datetime | None
) -> None:
    text = headline + "\n\n" + "\n\n".join(line for _, line in parts) + "\n"
    boilerplate, gone = _check(headline, parts, text)
    assert gone / boilerplate >= 0.9, f"only {gone} of {boilerplate} boilerplate lines dropped"
    assert read_text_article(text).published == date


ALL = [(h, p) for h, p in HELD_OUT] + [(h, p) for h, p, _ in OTHER_LANGUAGES]


@pytest.mark.parametrize("headline,parts", ALL)
def test_one_paragraph_a_line_without_blank_lines(headline: str, parts: Parts) -> None:
    """Many scrapers write a line per paragraph: those lines are blocks, not one paragraph."""
    text = headline + "\n" + "\n".join(line for _, line in parts) + "\n"
    boilerplate, gone = _check(headline, parts, text)
    assert gone / boilerplate >= 0.9, f"only {gone} of {boilerplate} boilerplate lines dropped"


@pytest.mark.parametrize("headline,parts", ALL)
@pytest.mark.parametrize("width", [60, 72, 80])
def test_paragraphs_wrapped_at_a_width_stay_whole(headline: str, parts: Parts, width: int) -> None:
    """A paragraph broken into lines at a fixed width is one paragraph, never its lines."""
    blocks = [textwrap.fill(line, width) if kind == "p" else line for kind, line in parts]
    text = headline + "\n\n" + "\n\n".join(blocks) + "\n"
    boilerplate, gone = _check(headline, parts, text)
    assert gone / boilerplate >= 0.9


def test_a_wrapped_paragraph_is_not_split_where_a_line_ends_a_sentence() -> None:
    paragraph = (
        "The harbour was closed on Tuesday. Gusts of more than ninety kilometres an hour were "
        "measured at the pier. Two mooring lines parted overnight, the harbour master said, "
        "and forty boats stayed tied up."
    )
    text = "Storm closes harbour | Coast News\n\n" + textwrap.fill(paragraph, 50) + "\n"
    assert markdown_to_text(read_text_article(text).markdown) == paragraph


@pytest.mark.parametrize(
    "line,when",
    [
        ("12.05.2022", datetime(2022, 5, 12, tzinfo=UTC)),
        ("Stand: 12.05.2022, 18:05 Uhr", datetime(2022, 5, 12, 18, 5, tzinfo=UTC)),
        ("Mis à jour le 3 février 2021 à 18h42", datetime(2021, 2, 3, 18, 42, tzinfo=UTC)),
        ("3 de febrero de 2021", datetime(2021, 2, 3, tzinfo=UTC)),
        ("Pubblicato il 7 luglio 2020", datetime(2020, 7, 7, tzinfo=UTC)),
        ("Updated: Jan 9, 2024, 07:15 ET", datetime(2024, 1, 9, 12, 15, tzinfo=UTC)),
        (
            "Published March 4, 2023 at 6:30 pm GMT+2",
            datetime(2023, 3, 4, 18, 30, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2023-03-12T10:00:00+01:00", datetime(2023, 3, 12, 9, 0, tzinfo=UTC)),
    ],
)
def test_date_lines_in_other_forms(line: str, when: datetime) -> None:
    assert date_in_line(line) == when
    article = read_text_article(f"Headline | Site\n\n{line}\n\n{HELD_OUT[0][1][0][1]}\n")
    assert article.published == when
    assert line not in article.markdown.replace("\\", "")


def test_an_ambiguous_or_impossible_date_is_no_date() -> None:
    assert date_in_line("05/06/2022") is None  # 5 June or May 6: not guessed
    assert date_in_line("31.02.2022") is None
    assert date_in_line("13/25/2022") is None
    assert date_in_line("25/12/2022") == datetime(2022, 12, 25, tzinfo=UTC)


# Lines of kinds scrapers keep from English pages, beyond the held-out articles' own.
SCRAPS = [
    "Image copyright Getty Images",
    "Image caption The harbour at low tide",
    "Listen to this article 5 min",
    "Loading...",
    "Click to expand",
    "Advertisement - scroll to continue",
    "Like this:",
    "Please enable JavaScript to view the comments powered by Disqus.",
    "Last modified on Tue 14 Mar 2023 10.00 GMT",
    "Reporting by Jane Doe; Editing by John Smith",
    "Get the latest news delivered to your inbox",
    "Subscribe now for unlimited access",
    "Already a subscriber? Log in",
    "Copyright 2023 The Associated Press. All rights reserved.",
    "Email the author",
    "Print",
    "AP Photo/John Smith",
    "Video duration 02:31",
    "Next article",
    "Find us on Facebook",
    "Privacy policy",
]
# Lines of an article that start like those or are as short: they stay.
NOT_SCRAPS = [
    "Print journalism is not dead, the editor insisted on Tuesday at the annual conference.",
    "Loading the boats took most of the morning, the harbour master said.",
    "The meeting on 14 March 2023 ended without a vote after four hours of debate.",
    "Next steps for the council",
    "Email scams are rising, police warn",
    "Copyright law is about to change across Europe",
    "Images of the storm were shared widely on Monday.",
    "Has Russia run out of weapons?",
]


@pytest.mark.parametrize("line", SCRAPS)
def test_more_kinds_of_scraps_go(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", NOT_SCRAPS)
def test_article_lines_that_look_like_scraps_stay(line: str) -> None:
    assert not is_boilerplate(line)


def test_a_reference_with_a_date_is_not_a_date_line() -> None:
    assert not is_boilerplate('^ "The Mozilla Manifesto". Retrieved 24 July 2015.')
