"""A query's /regex/ as SQL runs it on each row: compiled once, and turned down without running it
where a row lacks the literal text that every match contains.

`title:/outage|breach/` can only match a title that holds "outage" or "breach" (case aside), and
`"outage" in title.lower()` costs a twentieth of the regex: most rows a regex is asked about
(every new article, for a rule) are turned down that way. The needles are read from the
pattern's parse tree (Python's own parser); a pattern whose needles are unknown runs as it is.

What makes that exact: the regex is case-insensitive, and Python's `re` compares a character
with an ASCII letter by simple case folding, where four characters outside ASCII count as ASCII
letters (`_TWINS`). The needles are made of ASCII only, a text is lower-cased with those four
mapped to their letters, and so a text the regex matches always holds a needle (checked against
`re` on random patterns and texts in tests/test_query_regex.py).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_TWINS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
"""The characters outside ASCII that a case-insensitive `re` pattern matches with an ASCII
letter (İ and ı with i, ſ with s, the Kelvin sign with k), as the letters they match."""

MAX_NEEDLES = 32
"""More alternatives than this are not worth testing one by one: the regex runs."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled query regex and the needles of which any text it matches holds one."""

    regex: re.Pattern[str]
    needles: tuple[str, ...] | None
    """Lower-case ASCII texts; None when the pattern gives none (it runs on every text)."""

    def search(self, text: str) -> bool:
        """Whether the regex matches somewhere in `text` (case-insensitively)."""
        needles = self.needles
        if needles is not None:
            low = text.lower() if text.isascii() else text.translate(_TWINS).lower()
            for needle in needles:
                if needle in low:
                    break
            else:
                return False
        return self.regex.search(text) is not None


@lru_cache(maxsize=256)
def compiled(pattern: str) -> Pattern | None:
    """`pattern` compiled case-insensitively, with its needles; None if it does not compile."""
    try:
        regex = re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError):
        return None
    return Pattern(regex, needles(pattern))


def needles(pattern: str) -> tuple[str, ...] | None:
    """Lower-case ASCII texts, one of which is in every text `pattern` matches (case aside);
    None when the pattern promises none (or Python's parser is not what this module knows)."""
    try:
        parser: Any = importlib.import_module("re._parser")
        tree = parser.parse(pattern, re.IGNORECASE)
        found = _needles(tree.data, importlib.import_module("re._constants"))
    except Exception:  # a parser this module does not know: no needles, the regex still runs
        return None
    return found


def _needles(items: list[tuple[Any, Any]], op: Any) -> tuple[str, ...] | None:
    """Needles for a sequence of parse-tree items: the best of what each item requires (all of
    them must match, so any one item's needles will do)."""
    best: tuple[str, ...] | None = None

    def consider(found: tuple[str, ...] | None) -> None:
        nonlocal best
        if found and (best is None or _rank(found) > _rank(best)):
            best = found

    run: list[str] = []
    for code, arg in items:
        if code is op.LITERAL and arg < 128:
            run.append(chr(arg).lower())  # a run of literals matches a run of the text
            continue
        if run:
            consider(("".join(run),))
            run = []
        if code is op.SUBPATTERN:
            consider(_needles(arg[-1].data, op))
        elif code is op.ATOMIC_GROUP:
            consider(_needles(arg.data, op))
        elif code in (op.MAX_REPEAT, op.MIN_REPEAT, op.POSSESSIVE_REPEAT) and arg[0] >= 1:
            consider(_needles(arg[2].data, op))
        elif code is op.BRANCH:
            branches = [_needles(branch.data, op) for branch in arg[1]]
            if all(branches):
                union = tuple(sorted({n for branch in branches for n in branch or ()}))
                if len(union) <= MAX_NEEDLES:
                    consider(union)
        # Anything else (a class, a category, an anchor, a look-around, a back-reference, a
        # literal outside ASCII) requires no text this module can name: it ends the run.
    if run:
        consider(("".join(run),))
    return best


def _rank(found: tuple[str, ...]) -> tuple[int, int]:
    """Which needles turn more texts down: longer shortest needle, then fewer of them."""
    return min(len(n) for n in found), -len(found)
