"""Bytes of a web page to text: by BOM, then UTF-8 when valid, then `<meta charset>`, then detection."""

from __future__ import annotations

import codecs
import re

from newstui.domain.errors import ExtractionError

__all__ = ["decode_html"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
# WHATWG: these labels mean windows-1252 in browsers.
_LATIN1_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"}
)
# WHATWG: legacy Chinese labels mean the superset encodings.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}
_HTML_MARKER = re.compile(r"<\s*(?:!doctype|html|head|body|p|div|article|main|section|title|meta|h[1-6]|br|table|span|a)\b", re.I)  # fmt: skip
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode_html(data: bytes) -> str:
    """`data` as text, by BOM, then UTF-8 if valid, then `<meta charset>`, then detection."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ExtractionError("not an HTML page")
    data = bytes(data)
    if not data.strip():
        raise ExtractionError("the page is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _check_html(data.decode(encoding, errors="replace"))
    head = data[:8192]
    if b"\x00" in head or len(_BINARY_BYTES.findall(head)) > len(head) // 20:
        raise ExtractionError("not an HTML page (binary data)")
    # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the page claims (re-saved pages lie).
    try:
        return _check_html(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(head)
    if match:
        label = match.group(1).decode("ascii", errors="replace").lower()
        label = _ALIASES.get(label, "cp1252" if label in _LATIN1_LABELS else label)
        try:
            codecs.lookup(label)
        except LookupError:
            pass
        else:
            if label.replace("_", "-") in {"utf-16", "utf-16le", "utf-16be", "utf-32"}:
                label = "utf-8"  # a page read as bytes with an ASCII meta tag is not UTF-16
            return _check_html(data.decode(label, errors="replace"))
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:500_000]).best()
        encoding = best.encoding if best is not None else "cp1252"
    except Exception:  # detection is best effort
        encoding = "cp1252"
    return _check_html(data.decode(encoding, errors="replace"))


def _check_html(text: str) -> str:
    if not _HTML_MARKER.search(text[:200_000]):
        raise ExtractionError("not an HTML page")
    return text
