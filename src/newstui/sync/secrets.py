"""An account's password: from its `password_command`, the system keyring, or the config file.

Held in memory for one sync only; never written to the database, a log, a message or JSON.
"""

from __future__ import annotations

import os
import subprocess

from newstui.config import AccountConfig
from newstui.domain.errors import NewstuiError

COMMAND_TIMEOUT = 60.0
MAX_SECRET_BYTES = 64 * 1024
KEYRING_SERVICE = "newstui"


class SecretError(NewstuiError):
    """No password could be had for an account (the message never holds one)."""


def account_password(account: AccountConfig) -> str:
    """The password for `account`, or SecretError saying where it was looked for."""
    if account.password is not None:
        return account.password
    if account.password_command:
        return _from_command(account)
    return _from_keyring(account)


def _from_command(account: AccountConfig) -> str:
    argv = list(account.password_command)
    shown = os.path.basename(argv[0])[:60]
    try:
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # may echo what it was given; never shown
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise SecretError(
            f"account {account.name!r}: password_command {shown!r} was not found"
        ) from None
    except subprocess.TimeoutExpired:
        raise SecretError(
            f"account {account.name!r}: password_command {shown!r} gave no answer "
            f"within {COMMAND_TIMEOUT:g} s"
        ) from None
    except OSError as exc:
        raise SecretError(
            f"account {account.name!r}: password_command {shown!r} cannot run: {exc.strerror}"
        ) from None
    if proc.returncode != 0:
        raise SecretError(
            f"account {account.name!r}: password_command {shown!r} failed (exit {proc.returncode})"
        )
    out = proc.stdout[:MAX_SECRET_BYTES]
    # Like `pass`: the first line is the password.
    line = out.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        password = line.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretError(
            f"account {account.name!r}: password_command {shown!r} printed bytes that are not UTF-8"
        ) from None
    if not password:
        raise SecretError(f"account {account.name!r}: password_command {shown!r} printed nothing")
    return password


def _from_keyring(account: AccountConfig) -> str:
    try:
        import keyring  # optional: only when installed
    except ImportError:
        raise SecretError(
            f"account {account.name!r}: no password: set `password_command` (e.g. "
            '["pass", "show", "rss"]) or install the `keyring` package and store it under '
            f"service {KEYRING_SERVICE!r}, user {account.name!r}"
        ) from None
    try:
        password = keyring.get_password(KEYRING_SERVICE, account.name)
    except Exception as exc:  # any backend failure of the keyring (locked, no daemon)
        raise SecretError(
            f"account {account.name!r}: the system keyring failed: {type(exc).__name__}"
        ) from None
    if not password:
        raise SecretError(
            f"account {account.name!r}: no password in the system keyring under service "
            f"{KEYRING_SERVICE!r}, user {account.name!r}"
        )
    return str(password)
