"""The update decision and the stored row's shape (domain.update), without SQLite."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstui.domain.dedupe import text_key
from newstui.domain.models import Enclosure, ParsedEntry
from newstui.domain.update import (
    DAMAGED_TEXT,
    SEARCH_TEXT_MAX,
    Stored,
    StoredEntry,
    decode_enclosures,
    encode_enclosures,
    entry_digest,
    pack_entries,
    pack_text,
    plan_update,
    search_text,
    shows_image,
    to_datetime,
    to_stored,
    to_timestamp,
    unpack_entries,
    unpack_text,
)

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ENTRY = ParsedEntry(
    key="k1",
    title="Harbour news",
    url="https://example.test/a",
    author="Ann",
    published=WHEN,
    content="<p>The lighthouse</p>",
    site="Example",
)


def row(key: str, digest: str, text: str = "") -> StoredEntry:
    return StoredEntry(key, f"Title {key}", None, None, None, None, None, text, "text", digest)


def test_new_changed_and_unchanged() -> None:
    stored = {"a": Stored(1, "d-a"), "b": Stored(2, "d-b"), "gone": Stored(3, "d-g")}
    plan = plan_update([row("a", "d-a"), row("b", "d-b2"), row("c", "d-c")], stored)
    assert [e.key for e in plan.new] == ["c"]
    assert [(i, e.key, e.digest) for i, e in plan.changed] == [(2, "b", "d-b2")]
    assert plan.unchanged == 1  # "a"; an article the document no longer lists is left alone


def test_a_key_twice_in_one_document_is_one_article_the_later_one() -> None:
    plan = plan_update([row("x", "1", "first"), row("y", "2"), row("x", "3", "second")], {})
    assert [(e.key, e.content) for e in plan.new] == [("x", "second"), ("y", "")]
    plan = plan_update([row("s", "new"), row("s", "old")], {"s": Stored(7, "old")})
    assert plan.changed == () and plan.unchanged == 1  # the later one is what is stored


def test_nothing_in_nothing_out() -> None:
    plan = plan_update([], {"a": Stored(1, "d")})
    assert (plan.new, plan.changed, plan.unchanged) == ((), (), 0)


keys = st.sampled_from("abcdefg")
digests = st.sampled_from(["1", "2", "3"])


@given(
    document=st.lists(st.tuples(keys, digests), max_size=20),
    stored=st.dictionaries(keys, digests, max_size=7),
)
def test_storing_the_plan_leaves_each_key_with_its_last_entry(
    document: list[tuple[str, str]], stored: dict[str, str]
) -> None:
    """Applied to what is stored, the plan gives every key of the document the digest of its
    last entry, touches nothing else, and writes only what differs."""
    ids = {key: n for n, key in enumerate(sorted(stored), 1)}
    plan = plan_update(
        [row(k, d) for k, d in document], {k: Stored(ids[k], d) for k, d in stored.items()}
    )
    after = dict(stored)
    for e in plan.new:
        assert e.key not in stored
        after[e.key] = e.digest
    by_id = {n: key for key, n in ids.items()}
    for article_id, e in plan.changed:
        assert by_id[article_id] == e.key and stored[e.key] != e.digest
        after[e.key] = e.digest
    last = dict(document)
    assert after == {**stored, **last}
    assert len(plan.new) + len(plan.changed) + plan.unchanged == len(last)
    first_seen = list(dict.fromkeys(k for k, _ in document))
    assert [e.key for e in plan.new] == [k for k in first_seen if k not in stored]


def test_digest_of_an_entry_is_the_one_stored_libraries_hold() -> None:
    """The digest decides 'changed': were its formula to change, the next refresh would rewrite
    every stored article and count them all updated. These are the values stored so far."""
    assert entry_digest(ENTRY) == "1159f5a4b2489b9ce5da75ab0f749930cbdd06e7"
    audio = Enclosure("https://example.test/a.mp3", "audio/mpeg", 1234, 60)
    with_audio = dataclasses.replace(ENTRY, enclosures=(audio,))
    assert entry_digest(with_audio) == "99042bea538c596013b79b4210cf2a33b86dc630"


def test_digest_changes_with_what_a_reader_sees_only() -> None:
    seen = {
        "title": "Harbour news!",
        "url": "https://example.test/b",
        "author": "Bo",
        "site": "Other",
        "content": "<p>The lighthouse keeper</p>",
        "published": datetime(2025, 3, 2, tzinfo=UTC),
    }
    for field, value in seen.items():
        assert entry_digest(dataclasses.replace(ENTRY, **{field: value})) != entry_digest(ENTRY)
    later = dataclasses.replace(ENTRY, updated=datetime(2025, 3, 5, tzinfo=UTC))
    assert entry_digest(later) == entry_digest(ENTRY)  # an updated date alone shows nothing new


def test_stored_row_has_its_timestamps_and_keys_from_the_searchable_text() -> None:
    stored = to_stored(ENTRY)
    assert search_text(ENTRY.content, "html").split() == ["The", "lighthouse"]  # tags out
    assert stored.text_key == text_key(ENTRY.title, "The lighthouse")
    assert stored.published == WHEN.timestamp() and stored.updated is None
    assert stored.content == ENTRY.content and stored.content_type == "html"
    assert stored.digest == entry_digest(ENTRY) and stored.url_key is not None
    page = to_stored(ENTRY, full_text="# Keeper\n\nThe *whole* page", digest="given")
    assert page.full_text is not None and page.digest == "given"
    assert page.text_key == text_key(ENTRY.title, "# Keeper\n\nThe *whole* page")  # the reader text
    assert len(search_text("x" * (SEARCH_TEXT_MAX + 10), "html")) == SEARCH_TEXT_MAX
    assert search_text("a < b", "text") == "a < b"


def test_a_packed_row_carries_the_articles_text_compressed_and_what_the_index_holds() -> None:
    # The worker has the index's text (tags and entities out) already: sent with the row, the
    # writer need not unpack every new text to index it (~25 us an article of the refresh's
    # busiest process). The text the reader shows still crosses once, compressed.
    marker = "lighthousekeeper"
    entry = dataclasses.replace(ENTRY, content=f"<p>{marker} " + "word " * 200 + "&amp;</p>")
    [row] = unpack_entries(pack_entries([to_stored(entry)]))
    assert isinstance(row.content, bytes) and unpack_text(row.content) == entry.content
    assert row.index_text == search_text(entry.content, "html") == f" {marker} {'word ' * 200}& "
    assert row.has_image is False
    assert len(pack_entries([row])) < len(entry.content) / 2 + len(row.index_text)
    assert to_stored(entry, full_text="# Page").index_text is None  # the writer's to work out


def test_texts_are_packed_when_that_saves_and_always_read_back() -> None:
    html = "<p>Ein Leuchtturm – 灯台 – keeper's log, day {n}</p>\n"
    long = "".join(html.format(n=n) for n in range(40))
    packed = pack_text(long)
    assert isinstance(packed, bytes) and len(packed) < len(long.encode()) / 3
    assert unpack_text(packed) == long
    assert pack_text("<p>short</p>") == "<p>short</p>"  # too short to gain: kept as text
    lone = "x" * 200 + "\ud800"  # a lone surrogate cannot be UTF-8: kept as it came
    assert pack_text(lone) == lone
    assert unpack_text(packed[:-5]) == DAMAGED_TEXT  # truncated: a message, not an error
    assert unpack_text(b"not zlib at all") == DAMAGED_TEXT


def test_texts_are_packed_by_zlib_ng_in_the_standard_zlib_format() -> None:
    # zlib-ng compresses a feed's text in ~2/3 of zlib's CPU (a cold refresh's parse worker
    # spent ~40% of its time there); what it writes must stay plain zlib, which every stored
    # library, SQLite tool and older newstui reads.
    import zlib

    from newstui.domain import update

    zlib_ng = pytest.importorskip(
        "zlib_ng.zlib_ng", reason="zlib-ng, a dependency, is not installed: pip install -e ."
    )

    rng = random.Random(17)
    words = ["lighthouse", "keeper", "harbour", "灯台", "Leuchtturm", "storm", "the", "a", "of"]
    texts = [
        "".join(f"<p>{' '.join(rng.choices(words, k=rng.randint(5, 40)))}.</p>" for _ in range(20))
        for _ in range(10)
    ]
    packed = [pack_text(text) for text in texts]
    assert packed == [zlib_ng.compress(t.encode(), update.PACK_LEVEL) for t in texts]
    assert [zlib.decompress(p).decode() for p in packed] == texts  # type: ignore[arg-type]
    # about as small as zlib's own at the same level
    plain = [zlib.compress(t.encode(), update.PACK_LEVEL) for t in texts]
    assert sum(map(len, packed)) <= sum(map(len, plain)) * 1.05


def test_an_image_is_an_img_tag_in_html_or_a_picture_in_markdown() -> None:
    assert shows_image("<p>a</p><IMG src='x.png'>", "html")
    assert not shows_image("<p>an image of a ship</p>", "html")
    assert shows_image("text ![ship](s.png)", "markdown")
    assert not shows_image("<img src='x.png'>", "text")  # plain text shows no picture


@given(
    st.lists(
        st.builds(
            ParsedEntry,
            key=st.text(min_size=1, max_size=20),
            title=st.text(max_size=40),
            url=st.none() | st.text(max_size=40),
            content=st.text(max_size=200),
            published=st.none() | st.datetimes(timezones=st.just(UTC)),
        ),
        max_size=5,
    )
)
def test_packed_entries_come_back_the_same(entries: list[ParsedEntry]) -> None:
    rows = [to_stored(e) for e in entries]
    assert unpack_entries(pack_entries(rows)) == rows


def test_enclosures_round_trip_and_damage_gives_none() -> None:
    both = (
        Enclosure("https://example.test/a.mp3", "audio/mpeg", 1234, 60),
        Enclosure("https://example.test/v", None, None, None),
    )
    assert decode_enclosures(encode_enclosures(both)) == both
    assert encode_enclosures(()) is None and decode_enclosures(None) == ()
    for damaged in ("[", '{"a": 1}', "[[1, 2]]", "[null]"):
        assert decode_enclosures(damaged) == ()


def test_timestamps_out_of_range_are_none() -> None:
    assert to_datetime(to_timestamp(WHEN)) == WHEN
    assert to_datetime(1e300) is None and to_datetime(None) is None
    assert to_timestamp(None) is None
