"""Words folded as the search index folds them, and where a search's words are in a text.

The index is SQLite's unicode61 tokenizer with remove_diacritics 2; `spans` marks highlights.

Case goes, and the diacritics of Latin letters, but a Cyrillic `й` or a Greek `ά` stays what it
is and a final `ς` is `σ`, as the index stores them: folding a query's words any other way (say,
every combining mark dropped) finds nothing in Greek or Russian text. Rather than a copy of
SQLite's tables, each character outside ASCII is asked of the tokenizer itself, once, in a private
in-memory database, so a query's words and the index's words are folded by the same code.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Sequence
from functools import lru_cache

from newstui.domain.words import has_sequence

_lock = threading.Lock()
_known: dict[str, str] = {}
_conn: sqlite3.Connection | None = None


def _tokenizer() -> sqlite3.Connection:
    global _conn
    if _conn is None:
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.execute(
            "CREATE VIRTUAL TABLE chars USING fts5(c, tokenize = 'unicode61 remove_diacritics 2')"
        )
        conn.execute("CREATE VIRTUAL TABLE folded USING fts5vocab(chars, 'instance')")
        _conn = conn
    return _conn


def _learn(chars: set[str]) -> None:
    """Ask the tokenizer what each of `chars` becomes (one that is no part of a word for it,
    a separator, stays as Python lower-cases it: it can match nothing in the index anyway)."""
    with _lock:
        todo = sorted(c for c in chars if c not in _known)
        if not todo:
            return
        conn = _tokenizer()
        conn.executemany("INSERT INTO chars(rowid, c) VALUES (?, ?)", list(enumerate(todo, 1)))
        got = dict(conn.execute("SELECT doc, term FROM folded"))
        conn.execute("DELETE FROM chars")
        for number, char in enumerate(todo, 1):
            _known[char] = got.get(number, char.lower())


@lru_cache(maxsize=4096)
def fold(word: str) -> str:
    """`word` (letters and digits, NFC) as the search index holds it."""
    if word.isascii():
        return word.lower()
    missing = {c for c in word if not c.isascii() and c not in _known}
    if missing:
        _learn(missing)
    return "".join(c.lower() if c.isascii() else _known[c] for c in word)


_WORD = re.compile(r"[^\W_]+")
"""A word: a run of letters and digits (what SQLite's unicode61 tokenizer keeps)."""


def spans(text: str, needles: Sequence[tuple[Sequence[str], bool]]) -> list[tuple[int, int]]:
    """Where in `text` the word sequences `needles` ((words folded as `fold` folds them,
    prefix) each, as a query's tree holds them) occur, as (start, end) character offsets,
    sorted and merged: what a highlight marks. Folded like the index, so a Greek or Russian
    word a search found is marked too."""
    found = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    folded = [w for _s, _e, w in found]
    marks: list[tuple[int, int]] = []
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
