"""Running syncs: build each account's backend from the config and sync it with the engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from newstui.config import AccountConfig, Config
from newstui.domain.errors import NewstuiError, NotFoundError
from newstui.domain.text import clean_line
from newstui.storage.accounts import AccountStore, account_rows
from newstui.storage.db import Database
from newstui.sync.backend import Backend
from newstui.sync.engine import SyncEngine, SyncOutcome, ensure_account
from newstui.sync.http import JsonClient
from newstui.sync.secrets import SecretError, account_password


def make_backend(account: AccountConfig, config: Config) -> Backend:
    """The backend for `account` (asks for its password: SecretError when there is none)."""
    password = account_password(account)
    r = config.refresh
    client = JsonClient(
        account.url,
        user_agent=r.user_agent,
        connect_timeout=r.connect_timeout,
        read_timeout=r.read_timeout,
        deadline=max(r.deadline, 120.0),
        max_bytes=r.max_bytes * 2,  # a page of 200 articles may hold more than one feed
    )
    if account.type == "ttrss":
        from newstui.sync.ttrss import TtrssBackend

        return TtrssBackend(client, account.username, password)
    from newstui.sync.greader import GReaderBackend

    return GReaderBackend(client, account.username, password)


def pick_accounts(config: Config, names: Sequence[str] | None) -> list[AccountConfig]:
    if not names:
        return list(config.accounts)
    by_name = {a.name: a for a in config.accounts}
    picked = []
    for name in names:
        if name not in by_name:
            known = ", ".join(by_name) or "none in the config"
            raise NotFoundError(f"no account {clean_line(name)!r} (accounts: {known})")
        picked.append(by_name[name])
    return picked


def sync_accounts(
    db: Database,
    config: Config,
    names: Sequence[str] | None = None,
    *,
    progress: Callable[[str, str], None] | None = None,
) -> list[SyncOutcome]:
    """Sync the named accounts (all by default), one after another; each failure is its own."""
    outcomes = []
    for account in pick_accounts(config, names):
        try:
            backend = make_backend(account, config)
        except SecretError as exc:
            ensure_account(db, account)
            outcome = SyncOutcome(account.name, status="auth", error=clean_line(str(exc)))
            _record_failure(db, account, outcome)
            outcomes.append(outcome)
            continue
        try:
            engine = SyncEngine(
                db, account, backend, config.limits, progress=_named(progress, account.name)
            )
            outcomes.append(engine.run())
        finally:
            backend.close()
    return outcomes


def _named(progress: Callable[[str, str], None] | None, name: str) -> Callable[[str], None] | None:
    if progress is None:
        return None
    return lambda step: progress(name, step)


def _record_failure(db: Database, account: AccountConfig, outcome: SyncOutcome) -> None:
    try:
        store = AccountStore(db, ensure_account(db, account), account.name)
        store.record_failure(outcome.status, outcome.error)
    except NewstuiError:
        pass


def account_states(db: Database, config: Config) -> list[dict[str, object]]:
    """Each configured account with its last sync's status (never a secret)."""
    rows = account_rows(db)
    out: list[dict[str, object]] = []
    for account in config.accounts:
        status, error, last_sync, last_ok = rows.get(account.name, ("never", None, None, None))
        out.append(
            {
                "name": account.name,
                "type": account.type,
                "url": clean_line(account.url),
                "status": status,
                "error": clean_line(error) if error else None,
                "last_sync": _iso(last_sync),
                "last_ok": _iso(last_ok),
            }
        )
    return out


def add_account_feed(
    db: Database, config: Config, name: str, url: str, category: str | None
) -> int:
    """A placeholder feed of account `name` and its 'subscribe' outbox row, in one transaction."""
    from newstui.domain.text import is_feed_url

    [account] = pick_accounts(config, [name])
    if not is_feed_url(url):
        raise NewstuiError(f"{clean_line(url)}: an account's feed must be an http(s) URL")
    return AccountStore(db, ensure_account(db, account), account.name).add_feed(url, category)


def _iso(value: float | None) -> str | None:
    from datetime import UTC, datetime

    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
