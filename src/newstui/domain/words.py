"""Words as the search index splits and compares them, and the matchers built on that."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")
"""A word: a run of letters and digits (what SQLite's unicode61 tokenizer keeps)."""


def words(text: str) -> list[str]:
    """The words of `text` as written (not folded), split as the search index splits them."""
    return _WORD.findall(unicodedata.normalize("NFC", text))


@lru_cache(maxsize=4096)
def fold(word: str) -> str:
    """A word as the index compares it: case and accents aside."""
    decomposed = unicodedata.normalize("NFD", word)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).lower()


def folded_words(text: str) -> list[str]:
    return [fold(w) for w in words(text)]


def has_sequence(haystack: Sequence[str], needle: Sequence[str], prefix: bool) -> bool:
    """Whether the folded words `needle` occur one after another in `haystack` (folded too);
    with `prefix`, the last one need only begin a word."""
    n = len(needle)
    if n == 0:
        return False
    last = needle[-1]
    for start in range(len(haystack) - n + 1):
        if all(haystack[start + i] == needle[i] for i in range(n - 1)):
            word = haystack[start + n - 1]
            if word == last or (prefix and word.startswith(last)):
                return True
    return False


def spans(text: str, needles: Sequence[tuple[Sequence[str], bool]]) -> list[tuple[int, int]]:
    """Where in `text` the word sequences `needles` ((folded words, prefix) each) occur, as
    (start, end) character offsets, sorted and merged: what a highlight marks."""
    found = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    marks: list[tuple[int, int]] = []
    folded = [w for _s, _e, w in found]
    for needle, prefix in needles:
        n = len(needle)
        if n == 0:
            continue
        for start in range(len(found) - n + 1):
            if has_sequence(folded[start : start + n], needle, prefix):
                marks.append((found[start][0], found[start + n - 1][1]))
    marks.sort()
    merged: list[tuple[int, int]] = []
    for start, end in marks:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
