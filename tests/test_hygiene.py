"""Layering: the core never imports Textual."""

from __future__ import annotations

import subprocess
import sys


def test_core_and_storage_do_not_import_textual() -> None:
    code = (
        "import sys, newstui.core.library, newstui.core.refresh, newstui.storage.db, newstui.cli;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual',)];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
