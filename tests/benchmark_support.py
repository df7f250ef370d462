"""The benchmark scripts under benchmarks/ loaded as modules, for the tests that check them."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@cache
def extraction_benchmark() -> ModuleType:
    """benchmarks/extraction.py (its scoring, its snippet-set reader), loaded once."""
    spec = importlib.util.spec_from_file_location(
        "newstui_benchmark_extraction", BENCHMARKS / "extraction.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
