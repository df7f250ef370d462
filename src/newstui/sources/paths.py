"""Which sources are local: a path or a `file://` URL, told from a web address.

Standard library only: the reader's start and the library's listings ask this of every source,
and `sources.local` (which reads the files) brings HTML and Markdown converters with it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit


def local_path(arg: str) -> Path | None:
    """The path named by a local source (a path or a `file://` URL); None for other URLs."""
    text = arg.strip()
    if text.lower().startswith("file://"):
        parts = urlsplit(text)
        if parts.netloc not in ("", "localhost"):
            return None
        return Path(unquote(parts.path))
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text) and not re.match(r"^[A-Za-z]:[\\/]", text):
        return None  # http:, https:, exec:, ... are not paths
    if not text:
        return None
    return Path(os.path.expanduser(text))
