"""`newstui show ARTICLE`: an id, the article's link or its file's path; a bad one is explained.

A user who has just saved a page as a file, or copied a story's link, names it that way; an
id is what `newstui articles` lists. Whatever is given, a mistake gets one clear line that says
what ARTICLE may be, never argparse's "invalid int value".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstui.cli import main

TEXT = (
    "Ferry service resumes after the storm | Island Courier\n\n"
    "The ferry between the island and the mainland ran again on Friday morning, three days "
    "after a storm closed the harbour and cut the island off.\n"
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, int]:
    """A library with one local text article: (database, the file, its id)."""
    folder = tmp_path / "saved"
    folder.mkdir()
    article = folder / "ferry.txt"
    article.write_text(TEXT, encoding="utf-8")
    db = tmp_path / "lib.db"
    assert run(capsys, "--db", str(db), "add", str(folder))[0] == 0
    code, out, _ = run(capsys, "--db", str(db), "articles", "--json")
    assert code == 0
    (row,) = json.loads(out)
    return db, article, row["id"]


def test_show_takes_the_articles_file_path_or_link_as_well_as_its_id(
    library: tuple[Path, Path, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db, article, article_id = library
    code, by_id, err = run(capsys, "--db", str(db), "show", str(article_id), "--format", "json")
    assert code == 0, err
    assert json.loads(by_id)["title"] == "Ferry service resumes after the storm"
    monkeypatch.chdir(article.parent.parent)
    for ref in (str(article), "saved/ferry.txt", article.as_uri()):
        code, out, err = run(capsys, "--db", str(db), "show", ref, "--format", "json")
        assert code == 0, f"{ref}: {err}"
        assert out == by_id, ref


@pytest.mark.parametrize("ref", ["abc", "12x", "1.5", "", "#4"])
def test_a_malformed_article_is_explained(
    library: tuple[Path, Path, int], capsys: pytest.CaptureFixture[str], ref: str
) -> None:
    db, _, _ = library
    code, out, err = run(capsys, "--db", str(db), "show", ref)
    assert code == 2 and out == ""
    assert "invalid int value" not in err
    assert "ARTICLE" in err and "newstui articles" in err and f"{ref!r}" in err


def test_a_file_or_link_not_in_the_library_is_named_with_what_to_do(
    library: tuple[Path, Path, int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db, _, _ = library
    elsewhere = tmp_path / "other.txt"
    elsewhere.write_text(TEXT, encoding="utf-8")
    code, out, err = run(capsys, "--db", str(db), "show", str(elsewhere))
    assert code == 1 and out == ""
    assert str(elsewhere) in err and "newstui open" in err
    code, out, err = run(capsys, "--db", str(db), "show", str(tmp_path / "gone.txt"))
    assert code == 1 and "no such file" in err and "gone.txt" in err
    code, out, err = run(capsys, "--db", str(db), "show", "https://example.org/story")
    assert code == 1 and "https://example.org/story" in err


def test_commands_taking_article_ids_explain_a_bad_one(
    library: tuple[Path, Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _, _ = library
    for command in ("mark-read", "mark-unread", "bookmark", "unbookmark", "hide", "unhide"):
        code, _, err = run(capsys, "--db", str(db), command, "seven")
        assert code == 2, command
        assert "invalid int value" not in err and "'seven'" in err and "newstui articles" in err


def test_show_as_text_lists_each_link_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pipe ("save this article") has no pane to fit: the text's Links list gives each
    address whole, as the Markdown's link targets and the JSON's `links` do."""
    long_url = "https://example.org/" + "/".join(f"section-{n}" for n in range(12)) + "/end.html"
    note = tmp_path / "note.md"
    note.write_text(
        f"# A note\n\nSee [the page]({long_url}) and [home](https://e.org/).\n", "utf-8"
    )
    db = tmp_path / "lib.db"
    assert run(capsys, "--db", str(db), "add", str(note))[0] == 0
    code, out, err = run(capsys, "--db", str(db), "show", str(note), "--format", "text")
    assert code == 0, err
    assert f"[1]: {long_url}\n" in out and "[2]: https://e.org/\n" in out
    assert "…" not in out
    code, out, err = run(capsys, "--db", str(db), "show", str(note), "--format", "json")
    assert [link["url"] for link in json.loads(out)["links"]] == [long_url, "https://e.org/"]
