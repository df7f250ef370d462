"""OPML subscription lists: a safe parser (no DTDs, no entities) and an OPML 2.0 renderer."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.parsers import expat

from newstui.domain.errors import OPMLError
from newstui.domain.text import clean_line

__all__ = ["OPMLFeed", "OPMLResult", "parse_opml", "render_opml"]

_MAX_TAG = 200
_MAX_DEPTH = 500
_MAX_WARNINGS = 200
# Characters XML 1.0 does not allow at all, even as character references.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ENCODING_DECL = re.compile(
    rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)
_BARE_AMP = re.compile(rb"&(?![A-Za-z_][A-Za-z0-9._-]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)")
_FORBIDDEN_RAW = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORBIDDEN_REF = re.compile(
    rb"&#(?:0*([0-8]|1[124-9]|2[0-9]|3[01])|x0*([0-8bcBCeEfF]|1[0-9a-fA-F]));"
)
# Control characters XML forbids are carried through the parser as private-use characters
# (plane 15) and turned back before cleaning, so an escape sequence is removed whole.
_MASK = 0xF0000
_UNMASK = {_MASK + i: i for i in range(32)}
# URL text that is never a feed: whitespace inside, control characters.
_BAD_URL_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class OPMLFeed:
    """One subscription found in an OPML file."""

    url: str
    title: str | None
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OPMLResult:
    """Everything an OPML file yielded: its feeds, and one-line notes about what was skipped."""

    feeds: tuple[OPMLFeed, ...]
    warnings: tuple[str, ...]


class _Refused(Exception):
    """A construct the parser will not process (DTD internal subset, entity declaration)."""


class _Structure(Exception):
    """The document is well-formed XML but not OPML."""


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].rsplit("}", 1)[-1].lower()


def _split_category(value: str) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[,/]", value):
        tag = clean_line(part, max_length=_MAX_TAG)
        if tag:
            out.append(tag)
    return out


def _accepted_url(url: str) -> bool:
    """http(s) with a host, file://, or an absolute or `~` local path; nothing else."""
    if not url or _BAD_URL_CHARS.search(url.replace(" ", "")) or url.startswith("-"):
        return False
    if url.startswith(("/", "~")):
        return "\n" not in url
    if " " in url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return bool(parts.hostname)
    return scheme == "file" and url[:7].lower() == "file://"


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.parser = expat.ParserCreate()
        self.stack: list[tuple[str, tuple[str, ...]]] = []
        self.feeds: dict[str, OPMLFeed] = {}
        self.warnings: list[str] = []
        self.seen_body = False
        self.dropped_warnings = 0

    def _position(self) -> str:
        return f"line {self.parser.CurrentLineNumber}, column {self.parser.CurrentColumnNumber + 1}"

    def warn(self, message: str) -> None:
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(clean_line(f"{self.source}: {message}", max_length=500))
        else:
            self.dropped_warnings += 1

    def run(self, data: bytes, encoding: str | None) -> None:
        p = expat.ParserCreate(encoding) if encoding else expat.ParserCreate()
        self.parser = p
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self.doctype
        p.EntityDeclHandler = self.entity_decl
        p.ExternalEntityRefHandler = self.external_entity
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.Parse(data, True)

    # ---- handlers --------------------------------------------------------------------------

    def doctype(
        self, name: str, system_id: str | None, public_id: str | None, internal: int
    ) -> None:
        # A bare `<!DOCTYPE opml>` is harmless; anything that could declare or load entities is not.
        if internal or system_id or public_id:
            raise _Refused(f"document type declarations are not allowed ({self._position()})")

    def entity_decl(self, *_args: object) -> None:
        raise _Refused(f"entity declarations are not allowed ({self._position()})")

    def external_entity(self, *_args: object) -> int:
        raise _Refused(f"external entities are not allowed ({self._position()})")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        depth = len(self.stack)
        if depth > _MAX_DEPTH:
            raise _Structure(f"outlines nested more than {_MAX_DEPTH} deep ({self._position()})")
        if depth == 0:
            if tag != "opml":
                shown = clean_line(name, max_length=40)
                raise _Structure(f"root element is <{shown}>, not <opml>")
            self.stack.append(("opml", ()))
            return
        parent_kind, parent_tags = self.stack[-1]
        if parent_kind == "opml" and tag == "body":
            self.seen_body = True
            self.stack.append(("body", ()))
            return
        if tag != "outline" or parent_kind not in ("body", "outline"):
            self.stack.append(("other", ()))
            return
        self.stack.append(("outline", self.outline(attrs, parent_tags)))

    def end(self, _name: str) -> None:
        self.stack.pop()

    def outline(self, raw: dict[str, str], parent_tags: tuple[str, ...]) -> tuple[str, ...]:
        """Record the outline's feed, if any; returns the tags its children inherit."""
        attrs: dict[str, str] = {}
        for key, value in raw.items():
            attrs.setdefault(_local(key), value.translate(_UNMASK))
        title = clean_line(attrs.get("title", ""), max_length=500) or clean_line(
            attrs.get("text", ""), max_length=500
        )
        kind = attrs.get("type", "").strip().lower()
        url = attrs.get("xmlurl", "").strip()
        if not url and kind in ("rss", "atom", "feed"):
            url = attrs.get("url", "").strip()
        if not url:
            if kind in ("rss", "atom", "feed"):
                self.warn(f'skipped "{title or "untitled"}": no feed URL ({self._position()})')
                return parent_tags
            folder = clean_line(attrs.get("text", ""), max_length=_MAX_TAG) or clean_line(
                attrs.get("title", ""), max_length=_MAX_TAG
            )
            if folder and folder not in parent_tags:
                return (*parent_tags, folder)
            return parent_tags
        if not _accepted_url(url):
            shown = clean_line(url, max_length=120)
            name = f'"{title}" ({shown})' if title else shown
            self.warn(f"skipped {name}: not an http(s) URL or local path ({self._position()})")
            return parent_tags
        tags = (*parent_tags, *_split_category(attrs.get("category", "")))
        previous = self.feeds.get(url)
        if previous is None:
            self.feeds[url] = OPMLFeed(url, title or None, tuple(dict.fromkeys(tags)))
        else:
            merged = tuple(dict.fromkeys((*previous.tags, *tags)))
            self.feeds[url] = OPMLFeed(url, previous.title or title or None, merged)
        return parent_tags


def _declared_encoding(data: bytes) -> str | None:
    match = _ENCODING_DECL.match(data[:200])
    return match.group(1).decode("ascii") if match else None


def _parse_document(data: bytes, name: str) -> _Parser:
    state = _Parser(name)
    try:
        state.run(data, None)
    except (expat.ExpatError, ValueError) as exc:
        # pyexpat raises ValueError for a declared multi-byte codec it cannot use (UTF-7...).
        unknown = expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING]
        if isinstance(exc, expat.ExpatError) and exc.code != unknown:
            raise
        # Expat knows only UTF-8/16, Latin-1 and ASCII; let Python decode the rest.
        declared = _declared_encoding(data)
        if declared is None:
            if isinstance(exc, ValueError):
                raise OPMLError(f"{name}: {clean_line(exc, max_length=200)}") from None
            raise
        try:
            codecs.lookup(declared)
            text = data.decode(declared)
        except (LookupError, ValueError):  # UnicodeError: codecs like `undefined`, `punycode`
            raise OPMLError(
                f"{name}: cannot decode the file as {clean_line(declared, max_length=40)}"
            ) from None
        state = _Parser(name)
        state.run(text.encode("utf-8"), "UTF-8")
    except LookupError:
        declared = clean_line(_declared_encoding(data) or "?", max_length=40)
        raise OPMLError(f"{name}: unknown character encoding {declared}") from None
    return state


def _masked_ref(match: re.Match[bytes]) -> bytes:
    dec, hexa = match.group(1), match.group(2)
    code = int(dec) if dec is not None else int(hexa, 16)
    return b"&#x%X;" % (_MASK + code)


def _mend(data: bytes) -> bytes | None:
    """`data` with the commonest hand-made flaws mended, or None when there is nothing to mend.

    Each `&` that starts no entity or character reference is escaped, and control characters
    XML forbids (raw, or as character references) are removed.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00<" in data[:200] or b"<\x00" in data[:200]:
        return None  # UTF-16/32: a byte-level repair would be wrong
    mended = _FORBIDDEN_RAW.sub(lambda m: b"&#x%X;" % (_MASK + m.group()[0]), data)
    mended = _FORBIDDEN_REF.sub(_masked_ref, mended)
    mended = _BARE_AMP.sub(b"&amp;", mended)
    return mended if mended != data else None


def parse_opml(data: bytes, *, source: str) -> OPMLResult:
    """Parse an OPML document, all or nothing: raises `OPMLError` before yielding anything partial.

    DTDs with an internal subset or external identifiers, and entity declarations, are refused
    outright, so no entity is ever expanded or loaded.
    """
    name = clean_line(source, max_length=300) or "OPML"
    try:
        try:
            state = _parse_document(data, name)
        except expat.ExpatError as first:
            # A bare `&` (an unescaped query string) or a stray control character are the
            # commonest flaws in hand-made lists; mend only those, and report the original
            # error if the mended text fails too.
            mended = _mend(data)
            if mended is None:
                raise
            try:
                state = _parse_document(mended, name)
            except expat.ExpatError:
                raise first from None
            state.warnings.insert(0, f"{name}: repaired unescaped '&' or control characters")
    except expat.ExpatError as exc:
        reason = clean_line(expat.ErrorString(exc.code), max_length=200)
        raise OPMLError(
            f"{name}: not well-formed XML at line {exc.lineno}, column {exc.offset + 1}: {reason}"
        ) from None
    except (_Refused, _Structure) as exc:
        raise OPMLError(f"{name}: {clean_line(str(exc), max_length=300)}") from None
    except RecursionError:
        raise OPMLError(f"{name}: document nested too deeply") from None
    if not state.seen_body:
        raise OPMLError(f"{name}: not an OPML subscription list (no <body> element)")
    if state.dropped_warnings:
        state.warnings.append(f"{name}: {state.dropped_warnings} more entries skipped")
    if not state.feeds and not state.warnings:
        state.warnings.append(f"{name}: no feeds found")
    return OPMLResult(tuple(state.feeds.values()), tuple(state.warnings))


# ---- rendering ------------------------------------------------------------------------------


def _attr(value: str) -> str:
    value = _XML_INVALID.sub("", value)
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _outline(url: str, title: str, tags: Sequence[str], indent: str) -> str:
    label = _attr(title or url)
    parts = [f'{indent}<outline type="rss" text="{label}" title="{label}" xmlUrl="{_attr(url)}"']
    # The folder already carries the first tag; a separator in it must not split it on re-import.
    category = [t for i, t in enumerate(tags) if i > 0 or not re.search("[,/]", t)]
    if category:
        parts.append(f' category="{_attr(",".join(category))}"')
    parts.append("/>")
    return "".join(parts)


def render_opml(feeds: Iterable[tuple[str, str, Sequence[str]]]) -> str:
    """An OPML 2.0 document: feeds grouped into folders by their first tag, all tags in `category`."""
    loose: list[str] = []
    folders: dict[str, list[str]] = {}
    for url, title, raw_tags in feeds:
        clean_title = clean_line(title or "", max_length=500)
        tags = [
            t for t in dict.fromkeys(clean_line(tag, max_length=_MAX_TAG) for tag in raw_tags) if t
        ]
        if tags:
            folders.setdefault(tags[0], []).append(_outline(url, clean_title, tags, "      "))
        else:
            loose.append(_outline(url, clean_title, tags, "    "))
    created = format_datetime(datetime.now(UTC), usegmt=True)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        "    <title>newstui subscriptions</title>",
        f"    <dateCreated>{created}</dateCreated>",
        "  </head>",
        "  <body>",
        *loose,
    ]
    for folder, outlines in folders.items():
        label = _attr(folder)
        lines.append(f'    <outline text="{label}" title="{label}">')
        lines.extend(outlines)
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>"]
    return "\n".join(lines) + "\n"
