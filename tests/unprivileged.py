"""Commands run as an unprivileged user, so that permission checks execute when CI runs as root."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

USER = "nobody"


def as_user(argv: Sequence[str]) -> list[str]:
    """`argv` to run without root's powers: as `nobody` under root, unchanged otherwise."""
    if os.geteuid() != 0:
        return list(argv)
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={USER}", f"--regid={_gid()}", "--clear-groups", "--", *argv]
    if shutil.which("runuser"):
        return ["runuser", "-u", USER, "--", *argv]
    pytest.fail("running as root without setpriv or runuser: cannot drop privileges")


@contextmanager
def user_dir() -> Iterator[Path]:
    """A fresh folder the user of `as_user` owns (pytest's tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="newstui-user-", dir="/tmp"))
    try:
        if os.geteuid() == 0:
            os.chown(path, pwd.getpwnam(USER).pw_uid, _gid())
        path.chmod(0o755)
        yield path
    finally:
        for child in path.rglob("*"):
            if not child.is_symlink():
                child.chmod(0o700 if child.is_dir() else 0o600)
        shutil.rmtree(path, ignore_errors=True)


def _gid() -> int:
    return pwd.getpwnam(USER).pw_gid
