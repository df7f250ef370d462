"""Dates written in a plain-text article's lines ("Published 12 March 2023", "12.05.2022, 18:05
Uhr", "Mis à jour le 3 février 2021 à 18h42", "Jan 9, 2024, 07:15 ET"), as UTC datetimes.

Forms: ISO dates, day-month-year and month-day-year with the month's name in the common
languages of the web, and numeric dates where the order is sure: day.month.year with dots (as
written across Europe) and day/month/year or month/day/year only when one of the two numbers is
over 12; an ambiguous "05/06/2022" is no date rather than a guess. A time may follow (`18:05`,
`6:30 pm`, `18h42`, `09:30 Uhr`), then a zone (`+01:00`, `GMT+2`, `UTC`, `CET`, `ET`...): a time
without a zone is read as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

__all__ = ["date_in_line", "is_date_line", "strip_date", "word_count"]

_MONTH_NAMES = (
    ("jan", "january", "janvier", "januar", "jänner", "enero", "gennaio", "janeiro", "januari"),
    (
        "feb",
        "february",
        "février",
        "fevrier",
        "februar",
        "febrero",
        "febbraio",
        "fevereiro",
        "februari",
    ),
    ("mar", "march", "mars", "märz", "maerz", "marzo", "março", "marco", "maart"),
    ("apr", "april", "avril", "abril", "aprile"),
    ("may", "mai", "mayo", "maggio", "maio", "mei"),
    ("jun", "june", "juin", "juni", "junio", "giugno", "junho"),
    ("jul", "july", "juillet", "juli", "julio", "luglio", "julho"),
    ("aug", "august", "août", "aout", "agosto", "augustus"),
    ("sep", "sept", "september", "septembre", "septiembre", "settembre", "setembro"),
    ("oct", "october", "octobre", "oktober", "octubre", "ottobre", "outubro"),
    ("nov", "november", "novembre", "noviembre", "novembro"),
    ("dec", "december", "décembre", "decembre", "dezember", "diciembre", "dicembre", "dezembro"),
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
_MONTH = "(" + "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True)) + r")\.?"
# A time after the date: "18:05", "6:30 pm", "at 6:30", "à 18h42", "um 09:30 Uhr".
_TIME = (
    r"(?:\s*[,|·–—-]?\s*(?:at|à|a las|alle|um|om|kl\.?|-)?\s*"
    r"(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(am|pm|a\.m\.|p\.m\.)?(?:\s*uhr\b)?)?"
)
# Zones by name: fixed offsets, and the US's generic names by the place (their offset moves).
_FIXED_ZONES = {
    "utc": 0, "gmt": 0, "z": 0, "wet": 0, "bst": 1, "cet": 1, "mez": 1, "wat": 1, "cest": 2,
    "mesz": 2, "eet": 2, "eest": 3, "msk": 3, "est": -5, "edt": -4, "cst": -6, "cdt": -5,
    "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "jst": 9, "kst": 9, "aest": 10, "aedt": 11,
}  # fmt: skip
_PLACE_ZONES = {
    "et": ("America/New_York", -5),
    "ct": ("America/Chicago", -6),
    "mt": ("America/Denver", -7),
    "pt": ("America/Los_Angeles", -8),
}
# A zone after the time: "+01:00", "Z", "GMT+2", or a zone's name in capitals ("ET", not "et").
_ZONE = (
    r"(?:\s*((?:utc|gmt)?\s*[+-]\d{1,2}(?::?\d{2})?\b|(?-i:"
    + "|".join(sorted((n.upper() for n in (*_FIXED_ZONES, *_PLACE_ZONES)), key=len, reverse=True))
    + r")\b))?"
)
_DATE_FORMS = (
    # 2023-03-12, 2023/03/12, 2023-03-12T10:00:00+01:00
    re.compile(
        r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
        + _ZONE,
        re.I,
    ),
    # 12 March 2023, 12th March, 2023, 4. März 2022, 3 de febrero de 2021
    re.compile(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|º)?\.?\s+(?:de\s+)?{_MONTH}\s*,?\s+(?:de\s+|del\s+)?(\d{{4}})"
        + _TIME
        + _ZONE,
        re.I,
    ),
    # March 12, 2023
    re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}})" + _TIME + _ZONE, re.I),
    # 12.05.2022 (day first), 25/12/2022 or 12/25/2022 (only when the order is sure)
    re.compile(r"\b(\d{1,2})([./])(\d{1,2})\2(\d{4})\b" + _TIME + _ZONE, re.I),
)
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")
_DATE_LABEL = re.compile(
    r"^(?:published|posted|updated|last updated|last modified|first published|modified|date|dated|on|"
    r"publié|publie|mis à jour|modifié|actualisé|"
    r"veröffentlicht|aktualisiert|zuletzt aktualisiert|erschienen|stand|"
    r"publicado|actualizado|pubblicato|aggiornato|gepubliceerd|bijgewerkt|atualizado)\b"
    r"(?:\s+(?:on|at|le|am|el|il|em|op))?",
    re.I,
)
# What a date line holds besides the date: weekdays, numbers (a time the forms did not read),
# zones.
_SMALL_PARTS = re.compile(
    r"\b(?:\d+|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|montag|dienstag|"
    r"mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|"
    r"dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|[A-Z]{2,4})\b\.?"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def word_count(text: str) -> int:
    """The words of `text` (letters and digits, with their apostrophes: "don't" is one)."""
    return len(_WORD.findall(text))


def date_in_line(text: str) -> datetime | None:
    """The first date written in `text`, as UTC (None when there is none or it is unsure)."""
    best: tuple[int, datetime] | None = None
    for kind, form in enumerate(_DATE_FORMS):
        for match in form.finditer(text):
            if best is not None and match.start() >= best[0]:
                break
            when = _to_datetime(kind, match.groups())
            if when is not None:
                best = (match.start(), when)
                break
    return best[1] if best else None


def strip_date(text: str) -> str:
    """`text` without the dates (and their times and zones) written in it."""
    for form in _DATE_FORMS:
        text = form.sub(" ", text)
    return text


def is_date_line(block: str, other_words: int = 4) -> bool:
    """A line that is a date, perhaps labelled ("Published 12 March 2023"), not a sentence:
    at most `other_words` words besides the date, its label, weekday, time and zone."""
    if word_count(block) > 12 or date_in_line(block) is None:
        return False
    rest = strip_date(block).strip(" :,|·-–—")
    rest = _DATE_LABEL.sub("", rest).strip(" :,|·-–—")
    return word_count(_SMALL_PARTS.sub(" ", rest)) <= other_words


def _to_datetime(kind: int, groups: tuple[str | None, ...]) -> datetime | None:
    g = [part or "" for part in groups]
    try:
        if kind == 0:
            year, month, day = int(g[0]), int(g[1]), int(g[2])
            hour, minute, second, ampm, zone = g[3], g[4], g[5], "", g[6]
        elif kind == 1:
            day, month, year = int(g[0]), _MONTHS[g[1].lower()], int(g[2])
            hour, minute, second, ampm, zone = g[3], g[4], g[5], g[6], g[7]
        elif kind == 2:
            month, day, year = _MONTHS[g[0].lower()], int(g[1]), int(g[2])
            hour, minute, second, ampm, zone = g[3], g[4], g[5], g[6], g[7]
        else:
            first, second_number, year = int(g[0]), int(g[2]), int(g[3])
            if g[1] == "." or first > 12 >= second_number:
                day, month = first, second_number
            elif second_number > 12 >= first:
                month, day = first, second_number
            else:
                return None  # 05/06/2022: the fifth of June, or May the sixth
            hour, minute, second, ampm, zone = g[4], g[5], g[6], g[7], g[8]
        h = int(hour) if hour else 0
        if ampm and ampm.lower().startswith("p") and h < 12:
            h += 12
        if ampm and ampm.lower().startswith("a") and h == 12:
            h = 0
        naive = datetime(year, month, day, h, int(minute or 0), int(second or 0))
    except (KeyError, ValueError):
        return None
    when = naive.replace(tzinfo=_zone(zone, naive) if hour else UTC).astimezone(UTC)
    return when if 1990 <= when.year <= datetime.now(UTC).year + 1 else None


def _zone(name: str, naive: datetime) -> tzinfo:
    """The zone a time is written in; UTC when none is named or the name is unknown."""
    name = name.strip().lower()
    if name in _FIXED_ZONES:
        return timezone(timedelta(hours=_FIXED_ZONES[name]))
    offset = _OFFSET.match(name)
    if offset is not None:
        sign = -1 if offset.group(1) == "-" else 1
        hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
        if hours <= 14 and minutes < 60:
            return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if name in _PLACE_ZONES:
        place, standard = _PLACE_ZONES[name]
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(place)
        except Exception:  # no time zone database on this system: the standard offset
            return timezone(timedelta(hours=standard))
    return UTC
