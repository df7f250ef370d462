"""`Pictures`: the pictures of the article shown, fetched together, decoded off the loop, in order."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from textual import work
from textual.message import Message

from newstui.config import Config
from newstui.domain.errors import NewstuiError
from newstui.library.facade import Library
from newstui.ui import graphics
from newstui.ui.article_body import ArticleBody, BodyImage
from newstui.ui.off_loop import off_loop
from newstui.ui.reader.part import Part
from newstui.ui.widgets.article_image import ImageCache, decode_image

log = logging.getLogger(__name__)


class Pictures(Part):
    """Loads the pictures of one body at a time (within [limits]); says `Picture` for each."""

    class Picture(Message):
        """A picture of `body`, decoded: drawn under its text if `body` is still shown."""

        def __init__(self, part: Pictures, body: ArticleBody, image: BodyImage, picture: Any):
            self.part = part
            self.body = body
            self.image = image
            self.picture = picture
            super().__init__()

        @property
        def control(self) -> Pictures:
            return self.part

    def __init__(self, library: Library, config: Config, *, id: str | None = None) -> None:
        super().__init__(library, config, id=id)
        self.image_cache = ImageCache()
        """Pictures decoded this session, by URL."""

    @work(group="images", exclusive=True)
    async def load_images(self, body: ArticleBody | None) -> None:
        """The body's pictures within the limits: fetched together, drawn in order under their
        text. A new body (or None: nothing shown) stops the last one's."""
        if body is None or not body.images:
            return
        if self.config.display.images == "off" or graphics.settle() is None:
            return
        limits = self.config.limits
        wanted = body.images[: limits.max_images]
        missing = list(dict.fromkeys(im.src for im in wanted if im.src not in self.image_cache))
        fetched = await self._fetch_images(missing) if missing else {}
        for image in wanted:
            if image.src not in self.image_cache:
                data = fetched.get(image.src)
                picture = None
                if data:
                    try:
                        picture = await off_loop(decode_image, data)
                    except ValueError as exc:
                        log.debug("image %s: %s", image.src, exc)
                self.image_cache.put(image.src, picture)
            picture = self.image_cache.get(image.src)
            if picture is not None:
                self.post_message(self.Picture(self, body, image, picture))

    async def _fetch_images(self, urls: list[str]) -> dict[str, bytes | None]:
        """Image bytes by URL (None: failed or too large), fetched off the UI loop."""
        max_bytes = self.config.limits.max_image_bytes

        async def one(url: str) -> bytes | None:
            try:
                return await self.library.fetch_image(url, max_bytes=max_bytes)
            except NewstuiError as exc:
                log.debug("image %s: %s", url, exc)
                return None

        async def get_all() -> dict[str, bytes | None]:
            results = await asyncio.gather(*(one(u) for u in urls))
            return dict(zip(urls, results, strict=True))

        try:
            return await off_loop(get_all)
        except Exception as exc:  # pictures are a nicety: the placeholders stay
            log.debug("images: %s", exc)
            return {}
