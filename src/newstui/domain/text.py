"""The trust boundary for text: strip what a terminal would act on, check what a browser would open."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates,
# and the other invisible format characters that reorder or hide text.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb]"
)
# An escape sequence whose ESC survived in some other form is removed whole, not just its ESC, so
# that the payload of an OSC (a title, a clipboard write) does not show up as text either.
_ESCAPE_SEQ = re.compile(
    r"(?:\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC ... BEL/ST
    r"|\x1b[P_^X][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS/APC/PM/SOS ... ST
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
    r"|\x1b[ -/]*[0-~])"  # other ESC sequences
)
# Printable ASCII, tab and newline: what ASCII text may hold without cleaning.
_ASCII_CLEAN = bytes(range(0x20, 0x7F)) + b"\t\n"
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2028\u2029]+")

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def clean_text(value: object, *, max_length: int | None = None) -> str:
    """Untrusted text made safe to print: escape sequences and control characters removed.

    Newlines and tabs are kept (a body keeps its paragraphs); `\\r\\n` and `\\r` become `\\n`.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if max_length is not None and len(text) > max_length * 2:
        text = text[: max_length * 2]
    if _needs_cleaning(text):  # most text needs none: one scan instead of three passes
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = _ESCAPE_SEQ.sub("", text)
        text = _CONTROL.sub("", text)
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1] + "…"
    return text


def _needs_cleaning(text: str) -> bool:
    if text.isascii():  # a C scan of the bytes, ten times the regular expression's speed
        return bool(text.encode("ascii").translate(None, _ASCII_CLEAN))
    return _CONTROL.search(text) is not None


def clean_line(value: object, *, max_length: int | None = 2000) -> str:
    """Untrusted text made safe for one line: as `clean_text`, with all whitespace runs one space."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if max_length is not None and len(text) > max_length * 4:
        text = text[: max_length * 4]
    if text.isprintable():
        # No control, format (bidi) or separator character but the ASCII space: nothing for
        # clean_text to remove and no whitespace but spaces (most titles, names and ids).
        text = (_SPACES.sub(" ", text) if "  " in text else text).strip()
    else:
        text = _SPACES.sub(" ", clean_text(text)).strip()
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1] + "…"
    return text


def is_openable_url(url: str | None) -> bool:
    """True when `url` may be handed to a browser: http(s) with a host, or mailto; never `-...`."""
    if not url:
        return False
    if url != url.strip() or url.startswith("-") or _CONTROL.search(url) or " " in url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES:
        return False
    if scheme == "mailto":
        return bool(parts.path) and not parts.path.startswith("-")
    return bool(parts.netloc) and not parts.netloc.startswith("-")


def is_feed_url(url: str) -> bool:
    """True for URLs newstui may fetch: http and https only."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)
