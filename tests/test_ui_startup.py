"""What the reader loads on its way to the first paint: nothing it only needs later.

Start-up is measured in benchmarks/frames.py (issue 17 row 5, against a bare Textual app); these
tests pin the cuts it led to, by what is imported, not by time."""

from __future__ import annotations

import subprocess
import sys

LATER = {
    # HTML to Markdown (a body is converted when it is opened, a local file when it is read)
    "bs4": "sources.content, via sources.local",
    "markdownify": "sources.content, via sources.local",
    "nh3": "sources.content, via sources.local",
    "soupsieve": "bs4",
}
"""Top-level packages the reader must not import before its first paint, and who brought them."""


def _loaded_by(code: str) -> set[str]:
    probe = (
        f"{code}\nimport sys\nprint('\\n'.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_the_reader_imports_no_html_converter_before_its_first_paint() -> None:
    # What `newstui` with no command imports before App.run: the CLI, then the UI.
    loaded = _loaded_by("import newstui.cli.main\nfrom newstui.ui.app import make_app")
    early = {name: why for name, why in LATER.items() if name in loaded}
    assert not early, f"imported before the first paint: {early}"


def test_the_startup_check_sees_an_early_import() -> None:
    # The positive control: the same probe does see these packages when something imports them.
    loaded = _loaded_by("import newstui.cli.main\nimport newstui.sources.local")
    assert {"bs4", "markdownify", "nh3"} <= loaded
