"""`search_screen`: the `/` prompt, which checks the query as it is typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newstui.library.facade import QueryError, parse

if TYPE_CHECKING:
    from newstui.ui.screens.prompt import PromptScreen


def search_screen(current: str) -> PromptScreen:
    """The search prompt, holding `current` (the search shown, if any)."""
    from newstui.ui.screens.prompt import PromptScreen  # loaded when first asked for

    def check(text: str) -> tuple[str, int] | None:
        try:
            parse(text)
        except QueryError as exc:
            return f"{exc.message} (at character {exc.position + 1})", exc.position
        return None

    return PromptScreen(
        "Search",
        placeholder='words, "a phrase", prefix*, title:, #tag, is:unread, newer:7d',
        hint="enter searches, escape cancels; V saves a search as a view",
        value=current,
        check=check,
    )
