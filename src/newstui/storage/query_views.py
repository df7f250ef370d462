"""A search or query view's query: parsed and compiled when such a view is read, so opening
the library and reading the other views loads neither the parser nor the compiler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newstui.domain.models import View

if TYPE_CHECKING:
    from newstui.query import Compiled


def view_query(view: View) -> Compiled:
    """A search or query view's compiled query (QueryError when its text is malformed)."""
    from newstui.query import compile_query, parse

    return compile_query(parse(view.query or ""))


def view_limit(view: View) -> int | None:
    """A search or query view's `limit:N`; None for any other view."""
    if view.kind not in ("search", "query"):
        return None
    from newstui.query import parse

    return parse(view.query or "").limit
