"""Layering: nothing outside ui/ loads Textual or Rich; parse workers never import the fetcher."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "newstui"
LOADED_ONLY_BY_THE_UI = ("textual", "rich")


def test_no_module_outside_ui_loads_textual_or_rich() -> None:
    """Every module of the package but ui/, each imported in turn into one clean interpreter:
    neither Textual nor Rich is loaded (the first module that loads one is named)."""
    code = (
        "import importlib, pkgutil, sys, newstui\n"
        "names = sorted(m.name for m in pkgutil.walk_packages(newstui.__path__, 'newstui.'))\n"
        "names = [n for n in names if n.split('.')[1] != 'ui' and not n.endswith('.__main__')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        f"    bad = sorted(m for m in sys.modules if m.split('.')[0] in {LOADED_ONLY_BY_THE_UI!r})\n"
        "    if bad:\n"
        "        print(name, 'loads', bad[:5]); sys.exit(1)\n"
        "print('\\n'.join(names))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    imported = set(proc.stdout.split())
    on_disk = {
        ".".join(("newstui", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] != "ui" and p.name != "__main__.py"
    }
    assert imported | {"newstui"} == on_disk  # every module was imported, none skipped unseen


def ui_imports(source: str, *, lazily_allowed: bool) -> list[str]:
    """Imports of Textual, Rich or newstui.ui in `source`; with `lazily_allowed`, only those at
    module level (an import inside a function runs when the function does)."""
    found = []
    tree = ast.parse(source)
    lazy: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lazy |= {id(inner) for inner in ast.walk(node) if inner is not node}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            ui = (
                top in LOADED_ONLY_BY_THE_UI
                or name == "newstui.ui"
                or name.startswith("newstui.ui.")
            )
            if ui and not (lazily_allowed and id(node) in lazy):
                found.append(f"line {node.lineno}: {name}")
    return found


def test_nothing_outside_ui_imports_textual_or_rich_even_lazily() -> None:
    """An import inside a function escapes the import test above until the function runs: the
    source says it. The CLI alone may import the UI (to launch it), and only inside a function."""
    bad = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "ui":
            continue
        found = ui_imports(
            path.read_text(encoding="utf-8"), lazily_allowed=relative.parts[0] == "cli"
        )
        if found:
            bad[str(relative)] = found
    assert bad == {}


def test_the_source_check_sees_a_lazy_import() -> None:
    """Positive controls: the check above can fail."""
    lazy = "def f():\n    from textual.app import App\n    import rich.text\n"
    assert len(ui_imports(lazy, lazily_allowed=False)) == 2
    assert ui_imports(lazy, lazily_allowed=True) == []
    assert ui_imports("from newstui.ui.app import make_app\n", lazily_allowed=True) != []
    assert ui_imports("import rich\n", lazily_allowed=True) == ["line 1: rich"]


def test_ui_talks_to_the_library_and_models_only() -> None:
    """ui/ imports newstui's library facade, the domain, config and paths; nothing else."""
    import ast
    from pathlib import Path

    allowed = (
        "newstui.library.facade",
        "newstui.domain",
        "newstui.config",
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


def test_parse_workers_do_not_import_the_fetcher_or_storage() -> None:
    """A refresh's parse worker decodes and parses: importing httpx there costs each worker CPU
    at the start of every large refresh, for nothing; the stored rows' shape is the domain's."""
    code = (
        "import gzip, sys\n"
        "from newstui.config import LimitsConfig\n"
        "from newstui.refresh.workers import parse_body\n"
        'rss = b\'<rss version="2.0"><channel><title>T</title><item><title>A</title>'
        "<guid>a</guid><description>x</description></item></channel></rss>'\n"
        "result = parse_body(gzip.compress(rss), 'gzip', 1 << 20, 'http://127.0.0.1/f', {},"
        " LimitsConfig())\n"
        "assert result[0] == 'ok', result\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'httpx' or m == 'newstui.sources.fetch'"
        " or m.startswith('newstui.storage')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_module_imports_a_private_name_of_another_package() -> None:
    """A name with a leading underscore is its package's own: another layer that needs it needs
    a public name instead (sync once stored articles through storage's `_store_entries`)."""
    import ast

    bad = []
    for path in (SRC / "newstui").rglob("*.py"):
        package = ".".join(path.relative_to(SRC).parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            if not node.module.startswith("newstui.") or node.module.startswith(package + "."):
                continue
            bad += [
                f"{path.relative_to(SRC)}: {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    assert bad == []


SRC = Path(__file__).resolve().parent.parent / "src"


def module_imports(src: Path) -> dict[str, set[str]]:
    """Each module of the package -> the package's modules it imports, at any depth of its code
    (an import inside a function is still an arrow between two modules)."""
    import ast

    names = {}
    for path in (src / "newstui").rglob("*.py"):
        parts = path.with_suffix("").relative_to(src).parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in names else base for a in node.names
                ]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            found.update(t for t in targets if t in names and t != name)
        graph[name] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_modules() -> None:
    """No two modules import each other, directly or round a loop, even lazily in a function:
    a cycle is two modules that can only be understood (and changed) together."""
    assert cycles(module_imports(SRC)) == []


def test_the_cycle_check_sees_a_lazy_cycle() -> None:
    """Positive control: a loop through a function-level import is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert "newstui.library.facade" in module_imports(SRC)["newstui.library.show"]


MAX_MODULE_LINES = 500


def test_no_module_is_longer_than_500_lines() -> None:
    """A module a person can hold in their head: past 500 lines it is doing several jobs."""
    long = {
        str(path.relative_to(SRC)): n
        for path in (SRC / "newstui").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
