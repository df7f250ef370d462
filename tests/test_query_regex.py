"""A query's /regex/ turns rows down by the literal text its matches need (query/regex.py): held
against Python's `re` itself on random patterns and texts, and the characters outside ASCII that
`re` matches with ASCII letters taken from `re`, not from a list."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.query.regex import _TWINS, compiled, needles
from newstui.query.sql import regexp

# Pieces of patterns: literals (some outside ASCII, some cased twins), classes, anchors,
# groups, alternations, repeats, escapes, look-arounds, back-references, inline flags.
_ATOMS = [
    "a", "b", "k", "s", "i", "S", "K", "I", "ab", "sun", "kit", "\u017f", "\u212a", "\u0130",
    "\u0131", "\u00e9", "\u00df", "-", " ", ".", "\\.", "[a-c]", "[^a]", "\\w", "\\s", "\\d",
    "\\b", "^", "$", "\\x61", "\\u017f", "[k]",
]  # fmt: skip
_TEXT = st.lists(
    st.sampled_from([*"abkisKIS .-\u017f\u212a\u0130\u0131\u00e9\u00df\u00c9\n12", "i\u0307"]),
    max_size=14,
).map("".join)


@st.composite
def _patterns(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 9 if depth < 2 else 4))
        if kind <= 4:
            parts.append(draw(st.sampled_from(_ATOMS)))
        elif kind == 5:
            inner = draw(_patterns(depth + 1))
            opener = draw(st.sampled_from(["(", "(?:", "(?-i:", "(?>", "(?=", "(?!", "(?a:"]))
            parts.append(f"{opener}{inner})")
        elif kind == 6:
            parts.append(
                "|".join(draw(_patterns(depth + 1)) for _ in range(draw(st.integers(2, 3))))
            )
        elif kind == 7:
            parts.append(
                f"(?:{draw(_patterns(depth + 1))})"
                + draw(st.sampled_from(["*", "+", "?", "{2}", "{0,2}", "+?", "++"]))
            )
        elif kind == 8:
            parts.append(f"({draw(_patterns(depth + 1))})\\1")
        else:
            parts.append(draw(st.sampled_from(["x*", "ab?", "a{1,3}", "(?i)", ""])))
    return "".join(parts)


@settings(max_examples=3000, deadline=None)
@given(pattern=_patterns(), text=_TEXT)
def test_a_regex_with_needles_matches_as_re_does(pattern: str, text: str) -> None:
    try:
        expected = re.search(pattern, text, re.IGNORECASE) is not None
    except re.error:
        assert regexp(pattern, text) == 0
        return
    assert bool(regexp(pattern, text)) == expected, (pattern, text, needles(pattern))


def test_the_twins_are_every_character_outside_ascii_that_re_matches_with_ascii() -> None:
    everything = "".join(chr(c) for c in range(128, sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    found = set(re.findall(r"[\x00-\x7f]", everything, re.IGNORECASE))
    assert found == {chr(c) for c in _TWINS}
    for twin, letter in _TWINS.items():
        assert re.fullmatch(str(letter), chr(twin), re.IGNORECASE)


def test_needles_are_what_every_match_must_hold() -> None:
    assert needles("outage|breach") == ("breach", "outage")
    assert needles("Data (breach|leak)s?") == ("data ",)
    assert needles(r"\bRust\b") == ("rust",)
    assert needles("^.[0-9]+.4[0-9].") == ("4",)
    # Nothing every match holds: an optional part, an alternative without text, a class.
    assert needles("(rust)?") is None
    assert needles("rust|.*") is None
    assert needles("[a-z]+") is None
    # A literal outside ASCII is no needle (it may match differently cased text).
    assert needles("\u00e9t\u00e9") == ("t",)


def test_needles_turn_rows_down_without_changing_what_matches() -> None:
    pattern = compiled("outage|breach")
    assert pattern is not None and pattern.needles == ("breach", "outage")
    assert pattern.search("Data BREACH at a shop")
    assert pattern.search("Outage")
    assert not pattern.search("Weather")
    # Python's re matches the long s and the Kelvin sign with s and k, case aside: so do we.
    assert regexp("sun", "\u017fun") == 1
    assert regexp("kelvin", "\u212aelvin") == 1
    assert regexp("this", "TH\u0130S") == 1
    assert regexp("broken(", "text") == 0
