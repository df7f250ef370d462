"""The database file: foreign, corrupt, truncated or read-only files are refused and never touched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from newstui.config import Config
from newstui.domain.errors import StorageError
from newstui.domain.models import View
from newstui.library.facade import Library
from newstui.storage.db import Database
from tests.feedgen import items, rss


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(path: Path, *words: str) -> None:
    before = digest(path)
    with pytest.raises(StorageError) as info:
        Library.open(Config(), path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message
    assert digest(path) == before, "the file must never be overwritten"


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    refused(path, "not a newstui database")


def test_non_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20)
    refused(path, "not a newstui database")


def test_empty_and_truncated_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    refused(empty, "empty")
    good = tmp_path / "good.db"
    lib = Library.open(Config(), good)
    for i in range(200):
        lib.subscribe(f"https://example.org/{i}", title="x" * 500, tags=("t",))
    lib.close()
    data = good.read_bytes()
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(data[: len(data) // 2])
    refused(truncated, "truncated")


def test_corrupt_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    lib = Library.open(Config(), path)
    feed_file = tmp_path / "f.xml"
    feed_file.write_bytes(rss(items(50)))
    import asyncio

    asyncio.run(lib.add_feed(str(feed_file)))
    with closing(sqlite3.connect(path)) as own:
        own.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    lib.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 97):  # scribble over every page but the header
        data[offset] = 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError) as info:
        lib = Library.open(Config(), path)
        try:
            lib.headlines(View("all"))
            lib.feeds()
        finally:
            lib.close()
    assert "corrupt" in str(info.value) or "not a newstui" in str(info.value)


def test_directory_as_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="not a regular file"):
        Database(tmp_path)


def test_read_only_database_is_refused(tmp_path: Path) -> None:
    """As a user without root's powers (`nobody` when the tests run as root), as in real use."""
    import subprocess
    import sys

    from tests.unprivileged import as_user, user_dir

    make = (
        "import sys; from newstui.config import Config; from newstui.library.facade import Library;"
        "Library.open(Config(), sys.argv[1]).close()"
    )
    with user_dir() as home:
        path = home / "ro.db"
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "cfg")}
        made = subprocess.run(
            as_user([sys.executable, "-c", make, str(path)]),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert made.returncode == 0, made.stderr
        path.chmod(0o444)
        before = digest(path)
        bin_ = Path(sys.executable).parent / "newstui"
        proc = subprocess.run(
            as_user([str(bin_), "--db", str(path), "feeds"]),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1, (proc.stdout, proc.stderr)
        assert str(path) in proc.stderr and "read-only" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert digest(path) == before, "the file must never be overwritten"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Library.open(Config(), path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    refused(path, "newer")
