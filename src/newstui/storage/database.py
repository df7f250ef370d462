"""Opening the SQLite file safely, transactions, the migrations runner, and errors that name the file."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Self

from newstui.domain.errors import StorageError, StorageFailure
from newstui.query.runtime import register as register_query_functions
from newstui.storage.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from newstui.storage.search import register as register_search_functions
from newstui.storage.upgrades import AFTER_MIGRATION, RESUMED

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"


def storage_error(path: str, exc: sqlite3.Error) -> StorageError:
    """The project's error for an SQLite error on the database at `path`, naming what failed.

    Failures of the storage itself (disk full, I/O error, read-only or corrupt file) are
    `StorageFailure`: whatever is under way stops, since nothing more can be written. The
    transaction that failed was rolled back, so what was committed before is all there.
    """
    where = os.path.abspath(path) if path != ":memory:" else path
    code = getattr(exc, "sqlite_errorcode", None) or 0
    primary = code & 0xFF
    text = str(exc)
    if primary == sqlite3.SQLITE_FULL or "disk is full" in text:
        return StorageFailure(f"disk full while writing {where}; nothing was lost")
    if primary == sqlite3.SQLITE_IOERR or "disk I/O" in text:
        if code in (sqlite3.SQLITE_IOERR_READ, sqlite3.SQLITE_IOERR_SHORT_READ):
            return StorageFailure(f"disk I/O error while reading {where}")
        kind, detail = _write_failure(where)
        return StorageFailure(f"{kind} while writing {where}{detail}; nothing was lost")
    if primary == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return StorageFailure(f"{where}: the database is read-only ({text}); nothing was lost")
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text:
        return StorageFailure(f"{where}: the database is corrupt: {text}")
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StorageError(f"{where}: the database is busy (another newstui is writing): {text}")
    return StorageError(f"{where}: database error: {text}")


def _write_failure(path: str) -> tuple[str, str]:
    """What most likely made a write fail with an I/O error: SQLite does not pass errno on."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit == resource.RLIM_INFINITY:
            limit = -1
    except (ImportError, OSError, ValueError):
        limit = -1
    if limit >= 0:
        sizes = []
        for name in (path, f"{path}-wal", f"{path}-journal"):
            with suppress(OSError):
                sizes.append(os.stat(name).st_size)
        if sizes and max(sizes) + 65536 >= limit:  # within a page or so of the limit
            return "disk full", f" (the file size limit, {limit} bytes, is reached)"
    with suppress(OSError):
        fs = os.statvfs(os.path.dirname(path) or ".")
        if fs.f_bavail * fs.f_frsize < 1 << 20:
            return "disk full", ""
    return "disk I/O error", ""


def check_database_file(path: Path) -> bool:
    """Refuse what is not a healthy newstui database before SQLite touches it; True if it exists."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StorageError(f"{path}: cannot open the database: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise StorageError(f"{path}: the database path is not a regular file")
    if info.st_size == 0:
        raise StorageError(f"{path}: the database file is empty (truncated?); not touching it")
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise StorageError(f"{path}: cannot read the database: {exc.strerror}") from None
    if not header.startswith(SQLITE_HEADER):
        raise StorageError(f"{path}: not a newstui database (not an SQLite file); not touching it")
    if len(header) < 100:
        raise StorageError(f"{path}: the database file is truncated; not touching it")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages, valid_for = (
        struct.unpack(">I", header[24:28])[0],
        *struct.unpack(">I", header[28:32]),
        struct.unpack(">I", header[92:96])[0],
    )
    if pages and change_counter == valid_for and info.st_size < pages * page_size:
        # A checkpoint that was interrupted (a crash, a full disk) leaves the main file short
        # of the size its header already says, with the missing pages safe in the WAL. So
        # when a WAL is there, SQLite decides: read-only (nothing is written), the whole file.
        verdict = _integrity_with_wal(path)
        if verdict != "ok":
            raise StorageError(
                f"{path}: the database file is truncated ({info.st_size} bytes, expected "
                f"{pages * page_size}{verdict}); not touching it"
            )
        log.info("%s: completing a checkpoint that was interrupted", path)
    return True


def _integrity_with_wal(path: Path) -> str:
    """'ok' when SQLite, reading the file with its WAL, finds the database whole; else why not."""
    try:
        if os.stat(f"{path}-wal").st_size <= 32:  # no WAL, or one without frames
            return ""
    except OSError:
        return ""
    try:
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True, timeout=15)
    except sqlite3.Error as exc:
        return f"; with its WAL: {exc}"
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            return "; with its WAL it is not a newstui database"
        rows = conn.execute("PRAGMA integrity_check(1)").fetchall()
    except sqlite3.Error as exc:
        return f"; with its WAL: {exc}"
    finally:
        conn.close()
    result = str(rows[0][0]) if rows else "no answer"
    return "ok" if result == "ok" else f"; with its WAL: {result}"


class BaseDatabase:
    """One SQLite connection, serialised by a lock so any thread may use it: opened, migrated,
    and used through `tx` (writes) and `query`/`one` (reads). `storage.db.Database` builds on it."""

    def __init__(self, path: Path | str, *, _checked: bool = False) -> None:
        self.path = str(path)
        self.dedupe = True
        """Views show a story stored by several feeds once; reading a copy reads them all."""
        self._lock = threading.RLock()
        memory = self.path == ":memory:"
        # A second connection (`sibling`) must not open and close the file itself: closing any
        # descriptor of a file drops every POSIX lock this process holds on it, SQLite's too.
        exists = _checked or (False if memory else check_database_file(Path(self.path)))
        if not memory and not exists:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"{self.path}: cannot create its folder: {exc.strerror}"
                ) from None
        try:
            if memory:
                self.conn = sqlite3.connect(
                    ":memory:", check_same_thread=False, isolation_level=None
                )
            else:
                mode = "rw" if exists else "rwc"
                uri = Path(self.path).absolute().as_uri() + f"?mode={mode}"
                self.conn = sqlite3.connect(
                    uri, uri=True, check_same_thread=False, isolation_level=None, timeout=15
                )
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: cannot open the database: {exc}") from None
        try:
            self._setup(exists)
        except sqlite3.Error as exc:
            self.conn.close()
            raise storage_error(self.path, exc) from None
        except UnicodeDecodeError:  # a scribbled page where SQLite keeps text (its schema)
            self.conn.close()
            raise StorageError(
                f"{self.path}: the database is corrupt (text is not UTF-8)"
            ) from None
        except StorageError:
            self.conn.close()
            raise

    def _setup(self, exists: bool) -> None:
        conn = self.conn
        conn.execute("PRAGMA busy_timeout = 15000")
        if not exists:  # only before its first table: the writer gives free pages back
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        if exists:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise StorageError(f"{self.path}: not a newstui database; not touching it")
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"{self.path}: made by a newer newstui (schema {version} > {SCHEMA_VERSION})"
                )
            if not os.access(self.path, os.W_OK):
                raise StorageError(f"{self.path}: the database is read-only")
        if self.path != ":memory:":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("could not switch %s to WAL (mode %s)", self.path, mode)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        register_query_functions(conn)
        register_search_functions(conn)
        self._migrate()
        for resume in RESUMED:  # one settings read each when there is nothing to resume
            resume(self.tx)

    def _migrate(self) -> None:
        with self.tx() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                existing = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if existing:
                    raise StorageError(f"{self.path}: not a newstui database; not touching it")
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            afterwards: list[Callable[[sqlite3.Connection], None]] = []
            for target in range(version + 1, SCHEMA_VERSION + 1):
                log.info("migrating %s to schema %d", self.path, target)
                for statement in split_sql(MIGRATIONS[target]):
                    conn.execute(statement)
                after = AFTER_MIGRATION.get(target)
                if after is not None and version > 0 and after not in afterwards:
                    afterwards.append(after)
                conn.execute(f"PRAGMA user_version = {target}")
            for after in afterwards:  # once each, after every script (2 and 3 rebuild one index)
                after(conn)

    def close(self) -> None:
        with self._lock, suppress(sqlite3.Error):
            self.conn.close()

    def sibling(self) -> Self:
        """A second connection to the same file (itself for an in-memory database), with this
        connection's size limit; in WAL mode its writes never block this one's reads."""
        if self.path == ":memory:":
            return self
        other = type(self)(self.path, _checked=True)
        limit = self.one("PRAGMA max_page_count")[0]
        other.conn.execute(f"PRAGMA max_page_count = {int(limit)}")
        return other

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """An immediate (write) transaction; rolled back on any error, errors become StorageError."""
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise storage_error(self.path, exc) from None
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise storage_error(self.path, exc) from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        with suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise storage_error(self.path, exc) from None

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    # ---- settings -------------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        row = self.one("SELECT value FROM settings WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self.tx() as conn:
            conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    current: list[str] = []
    in_trigger = False
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        current.append(line)
        if stripped.upper().startswith("CREATE TRIGGER"):
            in_trigger = True
        if (in_trigger and stripped.upper() == "END;") or (
            not in_trigger and stripped.endswith(";")
        ):
            statements.append("\n".join(current))
            current = []
            in_trigger = False
    if current:
        statements.append("\n".join(current))
    return statements
