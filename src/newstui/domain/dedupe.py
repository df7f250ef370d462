"""Dedupe keys: the same story in several feeds, by its link (sans tracking) or title and text.

Computed by the parse workers (cheap, no I/O), stored with each article and indexed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",
        "vero_id",
        "vero_conv",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
        "ncid",
        "cmpid",
        "ito",
        "wt_mc",
        "wt.mc_id",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "ref_src",
        "ref_url",
        "spm",
        "si",
        "__twitter_impression",
        "_ga",
        "_gl",
        "ocid",
    }
)
"""Query parameters that say where a click came from, not what the page is (with `utm_*`)."""

TEXT_CHARS = 4000
"""How much of an article's text its text key reads: the same first 4,000 characters (words,
case and punctuation aside) under the same title is the same story."""

_NOT_WORD = re.compile(r"[\W_]+")
_ASCII_WORDS = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256)
)
"""For ASCII text, what NFKC, casefold and `_NOT_WORD` do byte by byte: letters lower case,
digits kept, anything else a space."""


def _key(text: str) -> int:
    """64 bits of a digest, as SQLite's signed integer: a compact index entry."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def normalise_url(url: str) -> str | None:
    """The URL as a story's identity: http and https alike, host case and `www.` aside, default
    ports, fragments, a trailing slash and tracking parameters dropped, other parameters sorted.
    None for what is not an http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or ""
    query = ""
    if parts.query:
        kept = sorted(
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)
        )
        query = urlencode(kept)
    return f"{host}{path}?{query}" if query else f"{host}{path}"


def url_key(url: str | None) -> int | None:
    """The key of an article's link; None when it has none worth comparing."""
    if not url:
        return None
    normal = normalise_url(url)
    return None if normal is None else _key("u\x00" + normal)


def _words(text: str) -> str:
    """The text's words, lower case, one space between them: what text keys compare."""
    if text.isascii():
        # The same result in C passes (bytes.translate, split, join): the regular expression
        # replaces each of a text's hundreds of gaps in turn, ~55 us of an article's ~200 in
        # a parse worker; this takes ~12 us.
        spaced = text.encode("ascii").translate(_ASCII_WORDS).decode("ascii")
        return " ".join(spaced.split())
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def text_key(title: str, text: str) -> int | None:
    """The key of an article's title and text (plain text, as the search index holds it);
    None when either is empty: a title alone is too weak to call two articles one story."""
    words_title = _words(title)
    words_text = _words(text[: TEXT_CHARS * 3])[:TEXT_CHARS]
    if not words_title or not words_text:
        return None
    return _key("t\x00" + words_title + "\x00" + words_text)
