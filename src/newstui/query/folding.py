"""Words folded as the search index folds them: SQLite's unicode61 tokenizer (remove_diacritics 2).

Case goes, and the diacritics of Latin letters, but a Cyrillic `й` or a Greek `ά` stays what it
is and a final `ς` is `σ`, as the index stores them: folding a query's words any other way (say,
every combining mark dropped) finds nothing in Greek or Russian text. Rather than a copy of
SQLite's tables, each character outside ASCII is asked of the tokenizer itself, once, in a private
in-memory database, so a query's words and the index's words are folded by the same code.
"""

from __future__ import annotations

import sqlite3
import threading
from functools import lru_cache

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
