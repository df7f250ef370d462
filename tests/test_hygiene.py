"""Layering: the core never imports Textual; parse workers never import the fetcher."""

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


def test_ui_talks_to_the_library_and_models_only() -> None:
    """ui/ imports newstui's library facade, models, text cleaning, config and errors; nothing else."""
    import ast
    from pathlib import Path

    allowed = (
        "newstui.core.library",
        "newstui.core.models",
        "newstui.core.text",
        "newstui.config",
        "newstui.errors",
        "newstui.paths",
        "newstui.ui",
    )
    ui = Path(__file__).resolve().parent.parent / "src" / "newstui" / "ui"
    bad = []
    for path in ui.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("newstui") and not name.startswith(allowed):
                    bad.append(f"{path.name}: {name}")
    assert bad == []


def test_parse_workers_do_not_import_the_fetcher() -> None:
    """A refresh's parse worker decodes and parses: importing httpx there costs each worker CPU
    at the start of every large refresh, for nothing."""
    code = (
        "import gzip, sys\n"
        "from newstui.config import LimitsConfig\n"
        "from newstui.core.workers import parse_body\n"
        'rss = b\'<rss version="2.0"><channel><title>T</title><item><title>A</title>'
        "<guid>a</guid><description>x</description></item></channel></rss>'\n"
        "result = parse_body(gzip.compress(rss), 'gzip', 1 << 20, 'http://127.0.0.1/f', {},"
        " LimitsConfig())\n"
        "assert result[0] == 'ok', result\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'httpx' or m == 'newstui.core.fetch']\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
