"""Named storage queries the refresh uses instead of SQL of its own (storage.queries)."""

from __future__ import annotations

from pathlib import Path

from newstui.domain.update import StoredEntry
from newstui.storage.db import Database
from tests.storage_support import apply_refresh


def entry(key: str, when: float, url: str | None, content_type: str = "html") -> StoredEntry:
    return StoredEntry(key, f"Title {key}", url, None, None, when, when, "text", content_type,
                       f"digest-{key}")  # fmt: skip


def test_articles_still_without_full_text_newest_first(tmp_path: Path) -> None:
    db = Database(tmp_path / "lib.db")
    try:
        feed = db.insert_feed("https://example.test/f", title=None, tags=())
        other = db.insert_feed("https://example.test/g", title=None, tags=())
        rows = [entry(f"k{n}", 1000.0 + n, f"https://example.test/{n}") for n in range(5)]
        rows.append(entry("nolink", 2000.0, None))
        apply_refresh(db, feed, status="ok", error=None, http_status=200, entries=rows)
        apply_refresh(db, other, status="ok", error=None, http_status=200,
                      entries=[entry("x", 3000.0, "https://example.test/x")])  # fmt: skip
        found = db.without_full_text(feed, 3)
        assert [url for _id, url in found] == [f"https://example.test/{n}" for n in (4, 3, 2)]
        db.set_full_text(found[0][0], "# The page")
        assert [url for _id, url in db.without_full_text(feed, 2)] == [
            "https://example.test/3",
            "https://example.test/2",
        ]
    finally:
        db.close()


def test_stored_files_say_which_were_extracted(tmp_path: Path) -> None:
    db = Database(tmp_path / "lib.db")
    try:
        folder = db.insert_feed("/notes", title=None, tags=())
        rows = [entry("a.md", 10.0, None, "markdown"), entry("b.txt", 20.0, None, "text")]
        apply_refresh(db, folder, status="ok", error=None, http_status=None, entries=rows)
        got = {s.key: (s.digest, s.updated, s.extracted) for s in db.stored_files(folder)}
        assert got == {"a.md": ("digest-a.md", 10.0, True), "b.txt": ("digest-b.txt", 20.0, False)}
        assert db.stored_files(folder + 1) == []
    finally:
        db.close()
