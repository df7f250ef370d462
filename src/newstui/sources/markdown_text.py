"""Plain text as inline Markdown: special characters escaped, web addresses as `<url>` links.

Apart from `content` (which loads an HTML sanitiser, parser and converter) so that reading a
plain-text article (the Welcome guide's, before the reader's first paint) loads none of them.
"""

from __future__ import annotations

import re

MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")
"""A character with a meaning in Markdown (escaped with a backslash to stay text)."""
TEXT_URL = re.compile(r"\bhttps?://[^\s<>\"'`\\]+", re.I)
"""A web address in running text."""


def escape_markdown(text: str) -> str:
    """Inline text with every Markdown special character escaped; web addresses in it become
    `<url>` links (a renderer links a bare address and would show the escapes inside it)."""
    if "://" not in text:
        return MD_SPECIAL.sub(r"\\\1", text)
    out: list[str] = []
    pos = 0
    for match in TEXT_URL.finditer(text):
        url = match.group().rstrip(".,;:!?)]'\"")
        out.append(MD_SPECIAL.sub(r"\\\1", text[pos : match.start()]))
        out.append(f"<{url}>")
        pos = match.start() + len(url)
    out.append(MD_SPECIAL.sub(r"\\\1", text[pos:]))
    return "".join(out)
