"""Queries over a library of the corpus's real feeds: generated queries run through
`newstui articles --query Q --json` give the ids, in the order, that the reference evaluator
(tests/query_oracle.py) gives; saved views count what they list; `mark-read --query` marks it.

The library is every feed file of `../shared/corpus/feeds/real`, added as a local source and
refreshed as a user would, with marks, hidden articles and article tags set on a fixed pattern.
The queries are drawn by a seeded generator from that library's own words, authors, feeds,
tags, addresses and dates, so each seed is one fixed, repeatable list.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.cli import main
from newstui.config import Config
from newstui.domain.words import words
from newstui.library.facade import Library
from newstui.query import QueryError, parse
from newstui.storage.db import Database
from tests.query_oracle import Row, evaluate, load
from tests.sql_support import sql_all, sql_transaction

QUERIES = int(os.environ.get("QUERY_REAL_QUERIES", "100"))
SEEDS = tuple(range(1, 1 + int(os.environ.get("QUERY_REAL_SEEDS", "1"))))


@pytest.fixture(scope="module")
def real_library(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    files = sorted(p for p in (corpus / "feeds" / "real").rglob("*") if p.is_file())
    if not files:
        pytest.skip("no feed files in the corpus's feeds/real")
    db = tmp_path_factory.mktemp("real") / "library.db"
    library = Library.open(Config(), db)
    try:
        for n, path in enumerate(files):
            tag = path.parent.name
            tags = (tag.upper() if n % 3 == 0 else tag.title(),)  # one spelling kept, either
            if n % 5 == 0:
                tags += ("Reading List",)
            library.subscribe(str(path), tags=tags)
        asyncio.run(library.refresh())
    finally:
        library.close()
    with sql_transaction(db) as conn:
        conn.execute("UPDATE articles SET read = 1 WHERE id % 3 = 0")
        conn.execute("UPDATE articles SET bookmarked = 1 WHERE id % 17 = 0")
        conn.execute("UPDATE articles SET hidden = 1 WHERE id % 29 = 0")
        conn.execute(
            "INSERT INTO article_tags(article_id, tag) SELECT id, 'Later' FROM articles "
            "WHERE id % 11 = 0"
        )
        conn.execute("UPDATE feeds SET title = 'My Renamed Feed' WHERE id = 3")
    yield db


def _rows(db: Path) -> list[Row]:
    database = Database(db)
    try:
        return load(database)
    finally:
        database.close()


class Generator:
    """Random queries over what a library holds, rendered as a user would type them."""

    def __init__(self, rows: list[Row], seed: int) -> None:
        self.rnd = random.Random(seed)
        # in an order of their content, not their ids (which follow the refresh's timing), so
        # a seed always draws the same queries
        rows = sorted(rows, key=lambda r: (r.feed_title, r.title, r.url or "", r.body[:200]))
        self.rows = rows
        self.titles = [r.title for r in rows if words(r.title)]
        self.authors = [r.author for r in rows if r.author and words(r.author)]
        self.feeds = sorted({r.feed_title for r in rows if words(r.feed_title)})
        self.urls = [r.url for r in rows if r.url and words(r.url)]
        self.bodies = [r.body for r in rows if words(r.body)]
        self.tags = sorted({t for r in rows for t in r.tags})
        self.dates = sorted(r.published for r in rows if r.published is not None)

    def pick(self, items: list[str]) -> str:
        return items[self.rnd.randrange(len(items))]

    def word(self, text: str) -> str:
        found = [w for w in words(text) if w not in ("OR", "AND", "NOT")]
        return self.pick(found) if found else "news"

    def value(self, text: str, *, regex: bool = True) -> str:
        kind = self.rnd.choice(["word", "word", "prefix", "phrase", "regex"] if regex else
                               ["word", "word", "prefix", "phrase"])  # fmt: skip
        ws = [w for w in words(text)]
        if kind == "phrase" and len(ws) >= 2:
            i = self.rnd.randrange(len(ws) - 1)
            return f'"{ws[i]} {ws[i + 1]}"'
        w = self.word(text)
        case = self.rnd.choice([str.lower, str.upper, str.title, lambda s: s])
        if case(w) in ("OR", "AND", "NOT"):  # a keyword in capitals, not a word
            case = str.lower
        if kind == "prefix":
            return case(w[: self.rnd.randint(1, max(1, min(len(w), 5)))]) + "*"
        if kind == "regex":
            pieces = [re.escape(w.lower()), "^" + re.escape(text[:3].lower()), w[:2] + r"\w*"]
            return "/" + self.rnd.choice(pieces).replace("/", r"\/") + "/"
        return case(w)

    def day(self) -> str:
        when = self.dates[self.rnd.randrange(len(self.dates))] if self.dates else 1.7e9
        return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d")

    def term(self) -> str:
        kind = self.rnd.choice(
            ["word", "word", "word", "title", "author", "content", "url", "feed", "tag", "tag",
             "flag", "flag", "date", "age"]
        )  # fmt: skip
        if kind == "word":
            return self.value(self.pick(self.titles + self.bodies[:50]), regex=False)
        if kind == "title":
            return "title:" + self.value(self.pick(self.titles))
        if kind == "author" and self.authors:
            return "author:" + self.value(self.pick(self.authors))
        if kind == "content" and self.bodies:
            return "content:" + self.value(self.pick(self.bodies))
        if kind == "url" and self.urls:
            return "url:" + self.value(self.pick(self.urls))
        if kind == "feed" and self.feeds:
            return "feed:" + self.value(self.pick(self.feeds))
        if kind == "tag" and self.tags:
            tag = self.rnd.choice([str.lower, str.upper, lambda s: s])(self.pick(self.tags))
            if " " in tag:
                return f'tag:"{tag}"'
            return self.rnd.choice([f"#{tag}", f"tag:{tag}", f"tag:{tag[:3]}*"])
        if kind == "flag":
            return self.rnd.choice(
                ["is:unread", "is:read", "is:bookmarked", "is:hidden", "has:enclosure",
                 "has:image", "has:fulltext"]
            )  # fmt: skip
        if kind == "date":
            return self.rnd.choice(["after:", "before:"]) + self.day()
        if kind == "age":
            return self.rnd.choice(["newer:", "older:"]) + self.rnd.choice(
                ["3y", "10y", "20y", "500w", "9000d"]
            )
        return self.value(self.pick(self.titles), regex=False)

    def expr(self, depth: int = 0) -> str:
        roll = self.rnd.random()
        if depth >= 2 or roll < 0.45:
            return self.term()
        if roll < 0.65:
            return " ".join(self.expr(depth + 1) for _ in range(self.rnd.randint(2, 3)))
        if roll < 0.85:
            return f"({self.expr(depth + 1)} OR {self.expr(depth + 1)})"
        return self.rnd.choice(["-", "NOT "]) + self.wrapped(depth + 1)

    def wrapped(self, depth: int) -> str:
        inner = self.expr(depth)
        return inner if re.fullmatch(r"[^\s()]+", inner) else f"({inner})"

    def query(self) -> str:
        text = self.expr()
        if text.startswith("-") or text.startswith("NOT "):
            text = "is:unread " + text  # a query of exclusions alone is allowed; vary it
        if self.rnd.random() < 0.4:
            text += " sort:" + self.rnd.choice(["newest", "oldest", "title", "feed"])
        if self.rnd.random() < 0.3:
            text += f" limit:{self.rnd.randint(1, 40)}"
        return text


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_queries_list_what_the_evaluator_lists(
    real_library: Path, capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    rows = _rows(real_library)
    gen = Generator(rows, seed)
    checked = matched = 0
    for _ in range(QUERIES):
        text = gen.query()
        try:
            query = parse(text)
        except QueryError as exc:  # the generator writes only well-formed queries
            raise AssertionError(f"{text!r}: {exc}") from None
        before = evaluate(query, rows, time.time(), dedupe=True)
        code, out, err = cli(capsys, real_library, "articles", "--json", "--query", text)
        moving = "newer:" in text or "older:" in text
        after = evaluate(query, rows, time.time(), dedupe=True) if moving else before
        assert code == 0, (text, err)
        if before != after:
            continue  # an article crossed newer:/older:'s moment while the command ran
        got = [a["id"] for a in json.loads(out)]
        assert got == before, text
        checked += 1
        matched += bool(got)
    # the generator is worth something: most queries checked, many of them match something
    assert checked >= QUERIES * 0.9 and matched >= QUERIES * 0.3, (checked, matched)


def test_the_library_has_copies_and_the_list_shows_each_story_once(
    real_library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _rows(real_library)
    copies = [r for r in rows if r.story != r.id]
    assert copies, "the real feeds carry some stories twice (the same feed in two versions)"
    story = copies[0]
    title = " ".join(words(story.title)[:4]) or story.title
    query = parse(f'title:"{title}"')
    every = evaluate(query, rows, time.time())
    listed = evaluate(query, rows, time.time(), dedupe=True)
    assert len(listed) < len(every)
    _code, out, _err = cli(
        capsys, real_library, "articles", "--json", "--query", f'title:"{title}"'
    )
    assert [a["id"] for a in json.loads(out)] == listed


def test_saved_views_count_what_they_list(
    real_library: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = _rows(real_library)
    gen = Generator(rows, 7)
    texts = []
    while len(texts) < 12:
        text = gen.query()
        if "newer:" not in text and "older:" not in text:
            texts.append(text)
    config = tmp_path / "config.toml"
    config.write_text(
        "[views]\n" + "".join(f"{json.dumps(f'v{i}')} = {json.dumps(t)}\n"
                              for i, t in enumerate(texts)),
        encoding="utf-8",
    )  # fmt: skip
    code, out, err = cli(capsys, real_library, "--config", str(config), "views", "--json")
    assert code == 0, err
    for view in json.loads(out):
        listed = evaluate(parse(view["query"]), rows, 0.0, dedupe=True)
        unread = [i for i in listed if not next(r for r in rows if r.id == i).read]
        assert (view["total"], view["unread"]) == (len(listed), len(unread)), view["query"]


def test_mark_read_query_marks_what_the_query_selects_and_their_copies(
    real_library: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "marked.db"
    shutil.copy(real_library, db)  # the module's library stays as it was
    rows = _rows(db)
    gen = Generator(rows, 11)
    text = next(t for t in iter(gen.query, None) if "newer:" not in t and "older:" not in t
                and 5 <= len(evaluate(parse(t), rows, 0.0)) <= 400)  # fmt: skip
    selected = set(evaluate(parse(text), rows, 0.0))
    stories = {r.story for r in rows if r.id in selected}
    code, out, err = cli(capsys, db, "mark-read", "--query", text, "--dry-run")
    unread = [r.id for r in rows if r.id in selected and not r.read]
    assert code == 0 and out.strip().endswith(f"{len(unread)} would be marked read"), err
    assert cli(capsys, db, "mark-read", "--query", text)[0] == 0
    after = {r.id: r.read for r in _rows(db)}
    for r in rows:  # what it selected is read, with every copy of its stories; the rest as it was
        assert after[r.id] == (r.read or r.id in selected or r.story in stories), (text, r.id)


def test_rules_at_refresh_act_on_what_their_queries_select(
    real_library: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus: Path
) -> None:
    """Generated rules in the config, the real feeds refreshed into a new library: each rule
    tagged (and the first hid) exactly the new articles the evaluator says its query selects
    as they were stored (unread, not hidden, without the rules' own tags)."""
    gen = Generator(_rows(real_library), 23)
    texts: list[str] = []
    while len(texts) < 10:
        text = gen.query()
        if not any(k in text for k in ("newer:", "older:", "limit:", "sort:")):
            texts.append(text)
    config = tmp_path / "rules.toml"
    config.write_text(
        "".join(
            f"[[rules]]\nname = {json.dumps(f'rule {i}')}\nquery = {json.dumps(t)}\n"
            f"actions = {json.dumps(['tag:rule-' + str(i)] + (['hide'] if i == 0 else []))}\n\n"
            for i, t in enumerate(texts)
        ),
        encoding="utf-8",
    )
    db = tmp_path / "ruled.db"
    for n, path in enumerate(
        sorted(p for p in (corpus / "feeds" / "real").rglob("*") if p.is_file())
    ):
        tag = path.parent.name
        args = ["add", str(path), "--tag", tag.upper() if n % 3 == 0 else tag.title()]
        if n % 5 == 0:
            args += ["--tag", "Reading List"]
        code, _out, err = cli(capsys, db, "--config", str(config), *args)
        assert code == 0, err
    rows = _rows(db)
    tagged = {i: {r.id for r in rows if f"rule-{i}" in r.tags} for i in range(len(texts))}
    for r in rows:  # as the rules saw them: just stored
        r.read = r.bookmarked = r.hidden = False
        r.tags = [t for t in r.tags if not t.startswith("rule-")]
    hidden = {r[0] for r in sql_all(db, "SELECT id FROM articles WHERE hidden = 1")}
    for i, text in enumerate(texts):
        want = set(evaluate(parse(text), rows, time.time()))
        assert tagged[i] == want, text
    assert hidden == tagged[0]
    assert any(tagged.values())
