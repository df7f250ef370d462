"""`QueryError`, on its own: what the command line and the library catch and name without
loading the parser and the compiler."""

from __future__ import annotations

from newstui.domain.errors import NewstuiError


class QueryError(NewstuiError):
    """A malformed query: `position` is the character offset of the trouble in `text`."""

    def __init__(self, message: str, text: str, position: int) -> None:
        self.message = message
        self.text = text
        self.position = max(0, min(position, len(text)))
        super().__init__(f"{message} (at character {self.position + 1})")

    def pointer(self) -> str:
        """The query and a caret under the place, two lines, for a terminal."""
        return f"{self.text}\n{' ' * self.position}^"
