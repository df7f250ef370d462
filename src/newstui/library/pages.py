"""The Library's pages: an article's body rendered, its pictures, its full text (the web page
or local file it links to, extracted and cached), and any page's text for `newstui extract`."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from newstui.domain.errors import SourceError
from newstui.domain.models import Article, ContentType, Headline
from newstui.domain.text import clean_line, is_feed_url
from newstui.library.base import LibraryBase
from newstui.sources.paths import local_path

if TYPE_CHECKING:
    from newstui.sources.content import Rendered
    from newstui.sources.extract import Extracted


class Pages(LibraryBase):
    """Rendering and fetching what an article's page shows."""

    def render(self, article: Article, *, full_text: bool = False) -> Rendered:
        """The article's body as safe Markdown with its links and images (CPU-bound: a thread).

        `full_text` picks the extracted web page when one has been fetched, else the feed's text.
        """
        from newstui.sources.content import render_body

        limits = self.config.limits
        if full_text and article.full_text:
            return render_body(
                article.full_text,
                ContentType.MARKDOWN,
                base_url=article.url,
                max_chars=limits.max_body_chars,
            )
        return render_body(
            article.content,
            article.content_type,
            base_url=article.url,
            max_chars=limits.max_body_chars,
            max_depth=limits.max_html_depth,
        )

    async def fetch_image(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """An image of an article, within the size limit; `SourceError` when it cannot be had."""
        from newstui.sources.fetch import Fetcher

        if not is_feed_url(url):
            raise SourceError(f"{clean_line(url)}: only http(s) images are loaded")
        limit = max_bytes or self.config.limits.max_image_bytes
        refresh = replace(self.config.refresh, max_bytes=min(limit, self.config.refresh.max_bytes))
        async with Fetcher(refresh) as fetcher:
            result = await fetcher.get_page(url)
        if result.status != "ok":
            raise SourceError(f"{clean_line(url)}: {result.error or result.status}")
        return result.body

    async def fetch_full_text(self, article_id: int) -> str:
        """The article's web page, extracted to Markdown and cached in the database.

        For a local HTML file the page is the file itself (its reader text is normally made
        during the refresh; this makes it for an article stored before that).
        """
        article = await asyncio.to_thread(self.article, article_id)
        if article.full_text:
            return article.full_text
        path = local_file(article)
        if path is not None and is_text_file(path):
            # A text file's "page" is the file as written: read again each time, never stored,
            # so the article as read stays what opens.
            return await asyncio.to_thread(self._as_written, path)
        if path is not None and article.content_type == ContentType.HTML:
            markdown = (await self._file_extracted(path)).markdown
        elif not article.url or not is_feed_url(article.url):
            raise SourceError("this article has no web page to fetch")
        else:
            markdown = (await self._page_extracted(article.url)).markdown
        if article_id >= 0:
            await asyncio.to_thread(self._db.set_full_text, article_id, markdown)
        return markdown

    async def extract(self, source: str) -> Extracted:
        """The article text of a web page (a URL) or a local HTML file, as Markdown (what the
        reader's full text would show of it), and how it was found (`Extracted.method`).
        Nothing is stored."""
        path = local_path(source)
        if path is not None:
            return await self._file_extracted(path)
        return await self._page_extracted(source)

    def _as_written(self, path: Path) -> str:
        from newstui.sources.local import read_text_file
        from newstui.sources.textarticle import as_written

        return as_written(read_text_file(path, self.config.limits.max_file_bytes))

    async def _file_extracted(self, path: Path) -> Extracted:
        from newstui.sources.extract import extract_article
        from newstui.sources.local import read_file

        data = await asyncio.to_thread(read_file, path, self.config.limits.max_file_bytes)
        return await asyncio.to_thread(extract_article, data)

    async def _page_extracted(self, url: str) -> Extracted:
        from newstui.sources.extract import extract_article
        from newstui.sources.fetch import Fetcher

        async with Fetcher(self.config.refresh) as fetcher:
            result = await fetcher.get_page(url)
        if result.status != "ok":
            raise SourceError(f"{clean_line(url)}: {clean_line(result.error or result.status)}")
        return await asyncio.to_thread(extract_article, result.body, url=result.final_url or url)


def local_file(article: Article | Headline) -> Path | None:
    """The file a local article was read from, or None for an article from the web."""
    if not article.url or not article.url.startswith("file:"):
        return None
    return local_path(article.url)


def reads_as_page(article: Article) -> bool:
    """True for a local HTML file with reader text: shown as that text unless asked otherwise."""
    return (
        bool(article.full_text)
        and article.content_type == ContentType.HTML
        and local_file(article) is not None
    )


def is_text_file(path: Path) -> bool:
    """A plain-text article file (read by the rules for scraped text), not Markdown or HTML."""
    from newstui.sources.local import TEXT_SUFFIXES

    return path.suffix.lower() in TEXT_SUFFIXES
