"""Words as the search index splits them, and the matcher built on that (query.folding folds
them as the index does: it asks SQLite's own tokenizer)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+")
"""A word: a run of letters and digits (what SQLite's unicode61 tokenizer keeps)."""


def words(text: str) -> list[str]:
    """The words of `text` as written (not folded), split as the search index splits them."""
    return _WORD.findall(unicodedata.normalize("NFC", text))


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
