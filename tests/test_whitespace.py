"""sources.whitespace: readability-lxml's text clean-up in one pass gives exactly its result."""

from __future__ import annotations

import re
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.sources import whitespace


def reference(text: str) -> str:
    """readability-lxml 0.8-0.9's `clean`, as it is written there."""
    text = re.sub(r"\s{255,}", " " * 255, text)
    text = re.sub(r"\s*\n\s*", "\n", text)
    text = re.sub(r"\t|[ \t]{2,}", " ", text)
    return text.strip()


# Words and every kind of blank, in runs short and long (past the 255 that changes the rule).
_BLANKS = st.sampled_from([" ", "\t", "\n", "\r", "\xa0", "\u2003", "\x0b", "\x0c", "\u3000"])
_PIECES = st.one_of(
    st.sampled_from(["word", "a", "é", "中文", "-", "."]),
    st.lists(_BLANKS, min_size=1, max_size=8).map("".join),
    st.tuples(_BLANKS, st.integers(250, 300)).map(lambda t: t[0] * t[1]),
    st.tuples(st.lists(_BLANKS, min_size=1, max_size=3), st.integers(80, 130)).map(
        lambda t: "".join(t[0]) * t[1]
    ),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_the_same_result_as_readabilitys_clean(text: str) -> None:
    assert whitespace.clean(text) == reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "a  b\t\tc",
        "a \n\t b",
        "a" + " " * 254 + "b",
        "a" + " " * 255 + "b",
        "a" + "\n" * 300 + "b",
        "a\xa0\xa0b",
        "a \xa0 b",
        " \t lead and trail \n ",
    ],
    ids=lambda text: repr(text)[:24],
)
def test_edge_cases(text: str) -> None:
    assert whitespace.clean(text) == reference(text)


def test_installed_only_over_the_known_clean() -> None:
    def known(text):  # type: ignore[no-untyped-def]
        text = re.sub(r"\s{255,}", " " * 255, text)
        text = re.sub(r"\s*\n\s*", "\n", text)
        text = re.sub(r"\t|[ \t]{2,}", " ", text)
        return text.strip()

    def changed(text):  # type: ignore[no-untyped-def]
        return re.sub(r"\s+", " ", text).strip()

    module = types.SimpleNamespace(clean=known)
    assert whitespace.install(module) and module.clean is whitespace.clean
    other = types.SimpleNamespace(clean=changed)
    assert not whitespace.install(other) and other.clean is changed


def test_readability_uses_it_once_extraction_ran() -> None:
    readability = pytest.importorskip("readability.readability")
    from newstui.sources.extract import extract_article

    paragraph = "<p>" + "The library budget was discussed at length. " * 12 + "</p>"
    extract_article(f"<html><body><article>{paragraph * 4}</article></body></html>".encode())
    assert readability.clean is whitespace.clean
