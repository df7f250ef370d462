"""The benchmarks run in the project's own virtualenv (`.venv`: the installed newstui and its
dependencies): a script started by another Python starts again in `.venv/bin/python` when there
is one. Called first thing by each script run as a program, before it imports newstui."""

from __future__ import annotations

import os
import sys
from pathlib import Path

VENV_PY = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"


def use_project_venv() -> None:
    """Replace this process with the same command under `.venv/bin/python`, unless it is that."""
    if VENV_PY.exists() and Path(sys.prefix) != VENV_PY.parent.parent:
        os.execv(str(VENV_PY), [str(VENV_PY), *sys.argv])
