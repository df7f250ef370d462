"""A real Tiny Tiny RSS on loopback: its own PostgreSQL cluster, PHP's built-in server, our feeds.

Debian's tt-rss (21, API level 15, schema 140) is installed by tests/ttrss/setup.sh. This module
builds a private instance in a temporary directory and runs every process of it as an
unprivileged user (tt-rss refuses to run as root; so does PostgreSQL):

- `initdb` a cluster that listens on a Unix socket in the directory only (no TCP port to clash),
- load `/usr/share/tt-rss/schema/ttrss_schema_pgsql.sql`, then `update.php --update-schema=force-yes`,
- make an API user (password hash and `ENABLE_API_ACCESS` written with SQL: there is no installer),
- copy tt-rss's web root with our own `config.php` and a patched copy of `classes/urlhelper.php`
  that keeps the port of a URL and lets tt-rss fetch from 127.0.0.1/localhost only (stock tt-rss
  drops ports and refuses loopback; this copy refuses every other host, so tests never leave the
  machine),
- serve it with `php -S 127.0.0.1:PORT`.

`LoopbackFeeds` is the feed server tt-rss subscribes to: a threaded HTTP server whose documents a
test replaces at will. tt-rss reuses a fetched feed for 30 s; `update_feeds()` clears that cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TTRSS_WWW = Path("/usr/share/tt-rss/www")
TTRSS_SCHEMA = Path("/usr/share/tt-rss/schema/ttrss_schema_pgsql.sql")
PG_BIN_CANDIDATES = [Path("/usr/lib/postgresql/15/bin"), Path("/usr/lib/postgresql/16/bin")]
PHP = shutil.which("php") or "/usr/bin/php"
USER_AGENT = "newstui-tests"


class HarnessError(RuntimeError):
    """The tt-rss test server could not be set up; the message says which step and why."""


def why_unavailable() -> str | None:
    """None when everything the harness needs is installed, else the reason it is not."""
    missing = []
    if not (TTRSS_WWW / "update.php").is_file():
        missing.append(f"{TTRSS_WWW}/update.php (package tt-rss)")
    if not TTRSS_SCHEMA.is_file():
        missing.append(str(TTRSS_SCHEMA))
    if not Path(PHP).exists():
        missing.append("php (package php8.2-cli)")
    if _pg_bin() is None:
        missing.append("PostgreSQL's initdb/pg_ctl (/usr/lib/postgresql/15/bin)")
    if missing:
        return (
            "tt-rss harness: missing " + ", ".join(missing) + " (run tests/ttrss/setup.sh as root)"
        )
    if Path(PHP).exists():
        mods = subprocess.run(
            [PHP, "-m"], capture_output=True, text=True, timeout=30
        ).stdout.lower()
        lacking = [m for m in ("pdo_pgsql", "curl", "intl", "mbstring", "xml") if m not in mods]
        if lacking:
            return f"tt-rss harness: PHP lacks {', '.join(lacking)} (run tests/ttrss/setup.sh)"
    return None


def _pg_bin() -> Path | None:
    for cand in PG_BIN_CANDIDATES:
        if (cand / "initdb").is_file() and (cand / "pg_ctl").is_file():
            return cand
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class _RunAs:
    """Who the server processes run as: ourselves, or an unprivileged account when we are root."""

    uid: int
    gid: int
    name: str

    @classmethod
    def pick(cls) -> _RunAs:
        if os.geteuid() != 0:
            pw = pwd.getpwuid(os.geteuid())
            return cls(pw.pw_uid, pw.pw_gid, pw.pw_name)
        for name in ("postgres", "nobody"):
            with contextlib.suppress(KeyError):
                pw = pwd.getpwnam(name)
                return cls(pw.pw_uid, pw.pw_gid, pw.pw_name)
        raise HarnessError("running as root and neither 'postgres' nor 'nobody' exists")

    def kwargs(self) -> dict[str, Any]:
        if os.geteuid() != 0:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


# --- the patched URL helper -------------------------------------------------------------------

_URLHELPER_PATCHES = [
    # build_url() drops the port: keep it.
    (
        """$tmp = $parts['scheme'] . "://" . $parts['host'];""",
        """$tmp = $parts['scheme'] . "://" . $parts['host'];
		if (isset($parts['port'])) $tmp .= ':' . $parts['port'];""",
    ),
    # Relative links resolved against a feed keep its port too.
    (
        """$rel_parts['scheme'] = $parts['scheme'];""",
        """$rel_parts['scheme'] = $parts['scheme'];
			if (isset($parts['port'])) $rel_parts['port'] = $parts['port'];""",
    ),
    # Extended filtering (what tt-rss may fetch): loopback only, any port. The opposite of stock.
    (
        """if (!in_array($tokens['port'], [80, 443, '']))
				return false;

			if (strtolower($tokens['host']) == 'localhost' || $tokens['host'] == '::1' || strpos($tokens['host'], '127.') === 0)
				return false;""",
        """// newstui test harness: fetch from loopback only (never leave the machine), any port.
			if (!in_array(strtolower($tokens['host']), ['127.0.0.1', 'localhost']))
				return false;""",
    ),
    # The resolved address of a fetch (and of a redirect's target) must be loopback, not the reverse.
    (
        """|| strpos($ip_addr, "127.") === 0)""",
        """|| strpos($ip_addr, "127.") !== 0)""",
    ),
    (
        """|| strpos($fetch_effective_ip_addr, "127.") === 0)""",
        """|| strpos($fetch_effective_ip_addr, "127.") !== 0)""",
    ),
]


def patched_urlhelper(source: str) -> str:
    """tt-rss's urlhelper.php with our patches; raises if the source no longer matches."""
    for old, new in _URLHELPER_PATCHES:
        if source.count(old) not in (1, 2):
            raise HarnessError(
                "tt-rss's classes/urlhelper.php changed: cannot patch "
                f"{old.splitlines()[0].strip()!r} (expected Debian's tt-rss 21)"
            )
        source = source.replace(old, new)
    return source


_CONFIG = """<?php
	// Written by newstui's test harness (tests/ttrss/harness.py) for a private instance.
	define('DB_TYPE', 'pgsql');
	define('DB_HOST', '{sockdir}');
	define('DB_PORT', '5432');
	define('DB_USER', 'ttrss');
	define('DB_NAME', 'ttrss');
	define('DB_PASS', '');
	define('MYSQL_CHARSET', 'UTF8');
	define('SELF_URL_PATH', '{self_url}');
	define('_SKIP_SELF_URL_PATH_CHECKS', true);
	define('SINGLE_USER_MODE', false);
	define('SIMPLE_UPDATE_MODE', false);
	define('PHP_EXECUTABLE', '{php}');
	define('LOCK_DIRECTORY', '{root}/lock');
	define('CACHE_DIR', '{root}/cache');
	define('ICONS_DIR', '{root}/www/feed-icons');
	define('ICONS_URL', 'feed-icons');
	define('AUTH_AUTO_CREATE', false);
	define('AUTH_AUTO_LOGIN', false);
	define('FORCE_ARTICLE_PURGE', 0);
	define('ENABLE_REGISTRATION', false);
	define('REG_NOTIFY_ADDRESS', 'nobody@example.invalid');
	define('REG_MAX_USERS', 10);
	define('SESSION_COOKIE_LIFETIME', 86400);
	define('SMTP_FROM_NAME', 'Tiny Tiny RSS');
	define('SMTP_FROM_ADDRESS', 'nobody@example.invalid');
	define('DIGEST_SUBJECT', 'digest');
	define('CHECK_FOR_UPDATES', false);
	define('ENABLE_GZIP_OUTPUT', false);
	define('PLUGINS', 'auth_internal');
	define('LOG_DESTINATION', 'sql');
	define('CONFIG_VERSION', 26);
"""


# --- the feed server tt-rss subscribes to -----------------------------------------------------


class LoopbackFeeds:
    """A threaded HTTP server on 127.0.0.1 serving `docs[path] = bytes`; tests edit `docs`."""

    def __init__(self) -> None:
        self.docs: dict[str, bytes] = {}
        self.hits: dict[str, int] = {}
        docs, hits = self.docs, self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = docs.get(self.path)
                hits[self.path] = hits.get(self.path, 0) + 1
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- the instance -----------------------------------------------------------------------------


@dataclass
class TtrssServer:
    """One private tt-rss instance; `start()` builds and serves it, `close()` removes it all."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="newstui-ttrss-")))
    user: str = "reader"
    password: str = field(default_factory=lambda: "pw-" + secrets.token_hex(8))
    port: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.run_as = _RunAs.pick()
        self._pg_bin = _pg_bin()
        self._php: subprocess.Popen[bytes] | None = None
        self._pg_started = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def _address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    # processes

    def _run(
        self, args: list[str], what: str, *, stdin: str | None = None, timeout: float = 120
    ) -> str:
        t0 = time.monotonic()
        try:
            proc = subprocess.run(
                args,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=self.root,
                env=self._env(),
                **self.run_as.kwargs(),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HarnessError(f"tt-rss harness: {what} failed: {exc}") from exc
        finally:
            self.timings[what] = self.timings.get(what, 0.0) + time.monotonic() - t0
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout)[-2000:]
            raise HarnessError(f"tt-rss harness: {what} exited {proc.returncode}: {tail}")
        return proc.stdout

    def _env(self) -> dict[str, str]:
        return {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.root),
            "LANG": "C.UTF-8",
            "PGHOST": str(self.root),
            "PGPORT": "5432",
            "PGUSER": "ttrss",
        }

    def psql(self, sql: str, *, db: str = "ttrss") -> str:
        assert self._pg_bin is not None
        return self._run(
            [str(self._pg_bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db],
            "psql",
            stdin=sql,
        )

    def php(self, *args: str, what: str = "php", timeout: float = 120) -> str:
        return self._run([PHP, *args], what, timeout=timeout)

    # setup

    def start(self) -> TtrssServer:
        reason = why_unavailable()
        if reason:
            raise HarnessError(reason)
        assert self._pg_bin is not None
        t0 = time.monotonic()
        os.chmod(self.root, 0o755)
        if self.port == 0:
            self.port = _free_port()
        self._build_www()
        for sub in ("lock", "cache", "cache/images", "cache/upload", "cache/export", "pg"):
            (self.root / sub).mkdir(exist_ok=True)
        for dirpath, dirnames, filenames in os.walk(self.root):
            for name in [*dirnames, *filenames]:
                with contextlib.suppress(OSError):
                    os.lchown(os.path.join(dirpath, name), self.run_as.uid, self.run_as.gid)
        os.lchown(self.root, self.run_as.uid, self.run_as.gid)
        (self.root / "pg").chmod(0o700)

        self._run(
            [str(self._pg_bin / "initdb"), "-D", str(self.root / "pg"), "-U", "ttrss",
             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            "initdb",
        )  # fmt: skip
        opts = (
            f"-c listen_addresses='' -k {self.root} -p 5432 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            [str(self._pg_bin / "pg_ctl"), "-D", str(self.root / "pg"), "-l",
             str(self.root / "pg.log"), "-w", "-t", "60", "-o", opts, "start"],
            "pg_ctl start",
        )  # fmt: skip
        self._pg_started = True
        self.psql("CREATE DATABASE ttrss", db="postgres")
        self._run(
            [str(self._pg_bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "ttrss",
             "-f", str(TTRSS_SCHEMA)],
            "load schema",
        )  # fmt: skip
        out = self.php(
            str(self.root / "www/update.php"), "--update-schema=force-yes", what="update-schema"
        )
        if "schema" not in out.lower():
            raise HarnessError(f"tt-rss harness: update.php --update-schema said: {out[-500:]}")
        self.create_user(self.user, self.password)
        self._serve()
        self.timings["total"] = time.monotonic() - t0
        return self

    def _build_www(self) -> None:
        www = self.root / "www"
        shutil.copytree(TTRSS_WWW, www, symlinks=True)
        # Debian's tree links into /usr/share with relative links and to /etc for its config:
        # point every link at its real target, then replace the config and the feed icons.
        for dirpath, dirnames, filenames in os.walk(www):
            for name in [*dirnames, *filenames]:
                p = Path(dirpath) / name
                if p.is_symlink():
                    target = os.path.realpath(TTRSS_WWW / p.relative_to(www))
                    p.unlink()
                    p.symlink_to(target)
        (www / "config.php").unlink()
        (www / "config.php").write_text(
            _CONFIG.format(sockdir=self.root, self_url=self.url, php=PHP, root=self.root)
        )
        (www / "feed-icons").unlink()
        (www / "feed-icons").mkdir()
        helper = www / "classes/urlhelper.php"
        helper.write_text(patched_urlhelper(helper.read_text()))

    def create_user(self, login: str, password: str) -> None:
        salt = secrets.token_hex(8)
        q = _sql_quote
        self.psql(
            f"INSERT INTO ttrss_users (login, pwd_hash, salt, access_level) VALUES ({q(login)}, "
            f"'MODE2:' || encode(sha256(convert_to({q(salt + password)}, 'UTF8')), 'hex'), {q(salt)}, 0);\n"
            "INSERT INTO ttrss_user_prefs (owner_uid, pref_name, profile, value) "
            f"SELECT id, 'ENABLE_API_ACCESS', NULL, 'true' FROM ttrss_users WHERE login = {q(login)};"
        )

    def _serve(self) -> None:
        log = open(self.root / "php-server.log", "wb")  # noqa: SIM115 (kept open for the server)
        env = self._env() | {"PHP_CLI_SERVER_WORKERS": "4"}
        self._php = subprocess.Popen(
            # OPcache on, as under php-fpm or Apache: without it every request compiles tt-rss
            # again (~0.1 s), which no real server does.
            [PHP, "-d", "opcache.enable_cli=1", "-S", self._address, "-t", str(self.root / "www")],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.root / "www",
            env=env,
            start_new_session=True,
            **self.run_as.kwargs(),
        )
        log.close()
        t0 = time.monotonic()
        deadline = t0 + 30
        while time.monotonic() < deadline:
            if self._php.poll() is not None:
                raise HarnessError(
                    "tt-rss harness: php -S exited: "
                    + (self.root / "php-server.log").read_text(errors="replace")[-1000:]
                )
            try:
                reply = self.api({"op": "getApiLevel"})
            except (OSError, ValueError):
                time.sleep(0.05)
                continue
            if (
                reply.get("status") == 1
                and reply.get("content", {}).get("error") == "NOT_LOGGED_IN"
            ):
                self.timings["php -S ready"] = time.monotonic() - t0
                return
            raise HarnessError(f"tt-rss harness: unexpected first API answer: {reply!r}")
        raise HarnessError("tt-rss harness: php -S did not answer within 30 s")

    def stop_web(self) -> None:
        """Stop the web server only (the database stays): a server that went away."""
        if self._php is not None and self._php.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._php.pid, 15)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._php.wait(timeout=10)
        self._php = None

    def start_web(self) -> None:
        if self._php is None:
            self._serve()

    def close(self) -> None:
        self.stop_web()
        if self._pg_started and self._pg_bin is not None:
            with contextlib.suppress(HarnessError):
                self._run(
                    [str(self._pg_bin / "pg_ctl"), "-D", str(self.root / "pg"), "-m", "immediate",
                     "-w", "stop"],
                    "pg_ctl stop",
                )  # fmt: skip
            self._pg_started = False
        shutil.rmtree(self.root, ignore_errors=True)

    # talking to it (a plain client, independent of newstui's backend)

    def api(self, payload: dict[str, Any], *, timeout: float = 30) -> dict[str, Any]:
        req = urllib.request.Request(
            self.api_url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            result: dict[str, Any] = json.loads(resp.read())
        return result

    def session(self) -> str:
        reply = self.api({"op": "login", "user": self.user, "password": self.password})
        if reply.get("status") != 0:
            raise HarnessError(f"tt-rss harness: login failed: {reply!r}")
        return str(reply["content"]["session_id"])

    def call(self, op: str, **params: Any) -> Any:
        """One API call as the test user (a fresh login each time: simple and independent)."""
        reply = self.api({"op": op, "sid": self.session(), **params})
        if reply.get("status") != 0:
            raise HarnessError(f"tt-rss harness: {op} failed: {reply!r}")
        return reply["content"]

    def add_category(self, title: str) -> int:
        self.psql(
            "INSERT INTO ttrss_feed_categories (owner_uid, title) "
            f"SELECT id, {_sql_quote(title)} FROM ttrss_users WHERE login = {_sql_quote(self.user)};"
        )
        out = self.psql(
            f"SELECT max(id) FROM ttrss_feed_categories WHERE title = {_sql_quote(title)};"
        )
        return int(out.strip())

    def subscribe(self, feed_url: str, category_id: int = 0) -> int:
        content = self.call("subscribeToFeed", feed_url=feed_url, category_id=category_id)
        status = content.get("status", {})
        code = status.get("code")
        if code not in (0, 1):
            raise HarnessError(f"tt-rss harness: subscribe {feed_url} gave {content!r}")
        return int(status["feed_id"])

    def update_feeds(self) -> str:
        """`update.php --force-update --feeds` once, after clearing tt-rss's 30 s fetch cache."""
        cache = self.root / "cache" / "feeds"
        if cache.is_dir():
            for f in cache.iterdir():
                with contextlib.suppress(OSError):
                    f.unlink()
        return self.php(
            str(self.root / "www/update.php"), "--force-update", "--feeds", what="update feeds"
        )

    def set_article_flag(
        self, link: str, *, unread: bool | None = None, marked: bool | None = None
    ) -> None:
        """Change an article's state on the server's side, as another client would."""
        sets = []
        if unread is not None:
            sets.append(f"unread = {'true' if unread else 'false'}")
        if marked is not None:
            sets.append(f"marked = {'true' if marked else 'false'}")
        self.psql(
            f"UPDATE ttrss_user_entries SET {', '.join(sets)}, last_read = now() "
            "WHERE ref_id IN (SELECT id FROM ttrss_entries WHERE link = "
            f"{_sql_quote(link)});"
        )


def _sql_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextlib.contextmanager
def running_ttrss() -> Iterator[TtrssServer]:
    server = TtrssServer()
    try:
        server.start()
        yield server
    finally:
        server.close()
