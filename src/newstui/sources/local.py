"""Local sources: feed files, single article files (text, Markdown, HTML) and folders of them.

Sizes and file types are checked with `stat` before anything is opened: a FIFO or a device would
block a read, a huge file would fill memory. Every failure is a `SourceError` naming the path.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import stat
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from newstui.config import LimitsConfig
from newstui.domain.errors import NewstuiError, SourceError
from newstui.domain.models import ContentType, ParsedEntry, ParsedFeed
from newstui.domain.text import clean_line, clean_text
from newstui.sources.texttitle import split_title, title_line

if TYPE_CHECKING:
    from newstui.sources.pagemeta import PageMeta

TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES
# Tried at the first `<body` only (`_first`): a search retried at every occurrence of a tag in
# a file full of them is quadratic.
_HTML_BODY = re.compile(rb"<body[^>]*>(.*)", re.I | re.DOTALL)
log = logging.getLogger(__name__)
_MD_HEADING = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$")


def display_path(path: Path | str) -> str:
    """A path as one printable line, whatever bytes its name holds."""
    raw = os.fsencode(path)
    return clean_line(raw.decode("utf-8", "replace"))


def _stat(path: Path) -> os.stat_result:
    try:
        return os.stat(path)
    except FileNotFoundError:
        raise SourceError(f"{display_path(path)}: no such file or folder") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SourceError(f"{display_path(path)}: symbolic link loop") from None
        raise SourceError(f"{display_path(path)}: {exc.strerror or exc}") from None


def _article_files(
    folder: Path, limits: LimitsConfig
) -> tuple[list[tuple[Path, os.stat_result]], int]:
    """The article files in a folder (not recursive), newest first, and how many were left out."""
    found: list[tuple[Path, os.stat_result]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") or Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
                    continue
                try:
                    info = entry.stat()
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    found.append((Path(entry.path), info))
    except OSError as exc:
        raise SourceError(f"{display_path(folder)}: {exc.strerror or exc}") from None
    found.sort(key=lambda item: (-item[1].st_mtime_ns, os.fsencode(item[0].name)))
    left_out = max(0, len(found) - limits.max_folder_files)
    return found[: limits.max_folder_files], left_out


def local_validator(path: Path, limits: LimitsConfig | None = None) -> str:
    """Changes when the source changes: mtime and size of a file, of every article in a folder."""
    info = _stat(path)
    if stat.S_ISDIR(info.st_mode):
        files, _left = _article_files(path, limits or LimitsConfig())
        h = hashlib.sha1(usedforsecurity=False)
        for file, file_info in files:
            h.update(os.fsencode(file.name) + b"\x00")
            h.update(f"{file_info.st_mtime_ns}:{file_info.st_size}\x00".encode())
        return f"dir:{h.hexdigest()}"
    return f"{info.st_mtime_ns}:{info.st_size}"


@dataclass(frozen=True, slots=True)
class ArticleFiles:
    """The article files of a local source (a folder's, or one file), before they are read."""

    title: str | None
    """The source's name: a folder's name; None for one file (named after its site)."""
    files: tuple[str, ...]
    single: bool
    left_out: int = 0
    modified: tuple[float, ...] = ()
    """Each file's modification time (seconds), in the order of `files`."""


def list_articles(path: Path, limits: LimitsConfig | None = None) -> ArticleFiles | None:
    """The articles of a local source, or None when it is a feed file (read with `read_local`)."""
    limits = limits or LimitsConfig()
    info = _stat(path)
    if stat.S_ISDIR(info.st_mode):
        files, left_out = _article_files(path, limits)
        name = display_path(path.absolute().name or str(path))
        return ArticleFiles(
            name or None,
            tuple(str(f) for f, _ in files),
            False,
            left_out,
            tuple(i.st_mtime for _, i in files),
        )
    if path.suffix.lower() in ARTICLE_SUFFIXES:
        return ArticleFiles(None, (str(path),), True, 0, (info.st_mtime,))
    return None


def article_key(path: str | Path) -> str:
    """The key (and URL) an article file is stored under."""
    return Path(path).absolute().as_uri()


def read_local(path: Path, *, limits: LimitsConfig | None = None) -> ParsedFeed:
    """Read a local source: a folder of articles, one article file, or a feed file."""
    limits = limits or LimitsConfig()
    info = _stat(path)
    if stat.S_ISDIR(info.st_mode):
        return _read_folder(path, limits)
    if path.suffix.lower() in ARTICLE_SUFFIXES:
        entry = read_article(path, limits, info)
        # The source is named after the article's site, else its file: not its title, which the
        # article header shows already.
        return ParsedFeed(
            title=entry.site or display_path(path.name), site_url=None, entries=(entry,)
        )
    from newstui.sources.parse import parse_document

    data = _read_bytes(path, limits.max_file_bytes, info)
    if data.startswith(b"\x1f\x8b"):
        data = _gunzip(data, path, limits.max_file_bytes)
    if looks_binary(data):
        raise SourceError(f"{display_path(path)}: a binary file, not a feed or an article")
    try:
        return parse_document(data, url=path.absolute().as_uri(), headers={}, limits=limits)
    except NewstuiError as exc:
        raise type(exc)(f"{display_path(path)}: {exc}") from None


def _gunzip(data: bytes, path: Path, limit: int) -> bytes:
    """A gzip-compressed feed file, decompressed up to `limit` bytes (a gzip bomb stops there)."""
    import zlib

    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise SourceError(f"{display_path(path)}: bad gzip data ({exc})") from None
    if len(out) > limit:
        raise SourceError(f"{display_path(path)}: larger than {limit:,} bytes once decompressed")
    return out


def _read_folder(folder: Path, limits: LimitsConfig) -> ParsedFeed:
    files, left_out = _article_files(folder, limits)
    entries: list[ParsedEntry] = []
    problems: list[str] = []
    for file, info in files:
        try:
            entries.append(read_article(file, limits, info))
        except SourceError as exc:
            problems.append(str(exc))
    name = display_path(folder.absolute().name or str(folder))
    return ParsedFeed(
        title=name or None,
        site_url=None,
        entries=tuple(entries),
        warning=folder_warning(problems, left_out, limits.max_folder_files),
    )


def folder_warning(problems: list[str], left_out: int, limit: int) -> str | None:
    """What a folder's reading says of the files it did not read: those it could not (with the
    first one's reason) and the oldest left out over `limit`."""
    parts = []
    if problems:
        files = "1 file" if len(problems) == 1 else f"{len(problems)} files"
        parts.append(f"{files} skipped ({problems[0]})")
    if left_out:
        files = "1 older file" if left_out == 1 else f"{left_out} older files"
        parts.append(f"{files} left out (limit {limit})")
    return "; ".join(parts) or None


def check_readable(path: Path) -> None:
    """`SourceError` naming the path unless it exists and can be read."""
    _stat(path)
    if not os.access(path, os.R_OK):
        raise SourceError(f"{display_path(path)}: permission denied")


def read_file(path: Path, limit: int) -> bytes:
    """A regular file's bytes, its size checked before anything is read (FIFOs never opened)."""
    return _read_bytes(path, limit, _stat(path))


def read_text_file(path: Path, limit: int) -> str:
    """A text file's text as an article's is read (checked, decoded, control characters out)."""
    return clean_text(_decode(read_file(path, limit), path))


def _read_bytes(path: Path, limit: int, info: os.stat_result) -> bytes:
    name = display_path(path)
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(f"{name}: not a regular file")
    if info.st_size > limit:
        raise SourceError(f"{name}: too large ({info.st_size:,} bytes; the limit is {limit:,})")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise SourceError(f"{name}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise SourceError(f"{name}: too large (the limit is {limit:,} bytes)")
    return data


_TEXT_BYTES = bytes([7, 8, 9, 10, 12, 13, 27]) + bytes(range(32, 256))


def looks_binary(data: bytes) -> bool:
    """True for images, archives and the like: many control bytes near the start (UTF-16 aside).

    A stray NUL or escape in a text or feed file does not make it binary; the text trust boundary
    removes those later.
    """
    sample = data[:8192]
    if not sample or sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    controls = len(sample.translate(None, _TEXT_BYTES))
    return controls > max(2, len(sample) // 20)


def _decode(data: bytes, path: Path) -> str:
    if looks_binary(data):
        raise SourceError(f"{display_path(path)}: a binary file, not an article")
    for encoding in (
        ("utf-8-sig", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",)
    ):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", "replace")


def read_article(
    path: Path, limits: LimitsConfig, info: os.stat_result | None = None
) -> ParsedEntry:
    """One article file as an entry (see `read_article_data`), without its reader text."""
    return read_article_data(path, limits, info)[0]


def read_article_data(
    path: Path, limits: LimitsConfig, info: os.stat_result | None = None
) -> tuple[ParsedEntry, bytes | None]:
    """One article file as an entry, and for an HTML page its bytes (to extract its text).

    `published` is the article's own date (the page's metadata, a date line of a text) or None:
    an undated article sorts by `updated`, its file's modification time, never by the moment
    it was added.
    """
    info = info or _stat(path)
    data = _read_bytes(path, limits.max_file_bytes, info)
    suffix = path.suffix.lower()
    modified = datetime.fromtimestamp(info.st_mtime, UTC)
    url = article_key(path)
    author = site = None
    published: datetime | None = None
    page: bytes | None = None
    if suffix in HTML_SUFFIXES:
        meta = _page_meta(data, path)
        title, author, site, published = meta.title or "", meta.author, meta.site, meta.published
        content, ctype = _html_body(data), ContentType.HTML
        page = data
    else:
        text = _decode(data, path)
        if suffix in MARKDOWN_SUFFIXES:
            title, content = _markdown_article(text)
            ctype = ContentType.MARKDOWN
        else:
            from newstui.sources.textarticle import read_text_article

            # Cleaned before it is read as Markdown: an escape sequence must go whole, before
            # escaping for Markdown could split it into harmless-looking pieces.
            article = read_text_article(clean_text(text))
            title, site, author = article.title, article.site, article.author
            published = article.published
            content, ctype = article.markdown, ContentType.MARKDOWN
    entry = ParsedEntry(
        key=url,
        title=_entry_title(title, path, limits),
        url=url,
        author=clean_line(author, max_length=500) or None,
        published=published,
        updated=modified,
        content=clean_text(content, max_length=limits.max_body_chars),
        content_type=ctype,
        site=clean_line(site, max_length=500) or None,
    )
    return entry, page


def article_title(path: Path, limits: LimitsConfig, info: os.stat_result | None = None) -> str:
    """The title `read_article` gives the file, read without the rest of the article: what a
    list shows before the article is opened (the Welcome guide's first screen)."""
    info = info or _stat(path)
    data = _read_bytes(path, limits.max_file_bytes, info)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        title = _page_meta(data, path).title or ""
    elif suffix in MARKDOWN_SUFFIXES:
        title = _markdown_article(_decode(data, path))[0]
    else:
        title = split_title(title_line(clean_text(_decode(data, path))))[0]
    return _entry_title(title, path, limits)


def _page_meta(data: bytes, path: Path) -> PageMeta:
    """An HTML file's metadata; a binary file is refused (both readers of a page ask this)."""
    from newstui.sources.pagemeta import page_meta

    if looks_binary(data):
        raise SourceError(f"{display_path(path)}: a binary file, not an article")
    return page_meta(data)


def _entry_title(title: str, path: Path, limits: LimitsConfig) -> str:
    return clean_line(title, max_length=limits.max_title_chars) or (
        display_path(path.stem) or "(untitled)"
    )


def extract_local(entry: ParsedEntry, data: bytes) -> tuple[ParsedEntry, str | None]:
    """A local page's reader text (the same extraction as `f`), and what it adds to the entry.

    None when the page has no article text: the whole page is shown then.
    """
    from newstui.sources.extract import extract_article

    try:
        extracted = extract_article(data)
    except NewstuiError as exc:
        log.info("%s: no reader text: %s", entry.key, exc)
        return entry, None
    except Exception:  # the extractor failing on one odd page must not stop the folder
        log.warning("%s: extraction failed", entry.key, exc_info=True)
        return entry, None
    from newstui.sources.pagemeta import is_placeholder

    changes: dict[str, object] = {}
    stem = display_path(Path(unquote(urlsplit(entry.key).path)).stem)
    if extracted.title and entry.title == stem and not is_placeholder(extracted.title):
        changes["title"] = clean_line(extracted.title, max_length=1000)
    if extracted.author and not entry.author:
        changes["author"] = clean_line(extracted.author, max_length=500)
    if extracted.date and not entry.published:
        changes["published"] = extracted.date
    updated = replace(entry, **changes) if changes else entry  # type: ignore[arg-type]
    return updated, clean_text(extracted.markdown)


def _markdown_article(text: str) -> tuple[str, str]:
    """A leading `# Heading` is the title and leaves the body; else the first line is the title."""
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        match = _MD_HEADING.match(line)
        if match:
            return match.group(1), "\n".join(lines[i + 1 :]).strip("\n")
        return line.strip().lstrip("#").strip(), text.strip("\n")
    return "", ""


def _html_body(data: bytes) -> str:
    """The page's `<body>`: what the whole-page view shows."""
    body_match = _first(_HTML_BODY, b"<body", data)
    return (body_match.group(1) if body_match else data).decode("utf-8", "replace")


def _first(pattern: re.Pattern[bytes], tag: bytes, data: bytes) -> re.Match[bytes] | None:
    """`pattern` matched where `tag` first occurs (any case), or None: one linear scan."""
    start = re.search(re.escape(tag), data, re.I)
    return pattern.match(data, start.start()) if start else None
