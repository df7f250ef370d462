"""One picture of an article, drawn with textual-image where the terminal can show graphics
(what it can draw is asked once as the reader starts: see `newstui.ui.graphics`)."""

from __future__ import annotations

import io
import logging
from collections import OrderedDict
from typing import Any

from textual.app import ComposeResult
from textual.widget import Widget

from newstui.ui import graphics

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000
"""Images claiming more pixels than this are not decoded (a decompression bomb)."""
MAX_SIDE = 1024
"""Decoded images are scaled down to fit this square: enough for any reading width."""
MIN_SIDE = 8
"""Smaller images are tracking pixels and spacers: not worth a row."""
MAX_ROWS = 24
"""The tallest an image is drawn, in terminal rows."""

_image_class: Any = None
"""The widget drawing pictures when forced by `use_graphics`; None: the one the terminal chose."""


def use_graphics(kind: str | None) -> None:
    """Force the drawing method ("halfcell", or None for placeholders only), e.g. in tests."""
    global _image_class
    graphics.settle()  # the terminal's answer must not land after (and over) this choice
    graphics.GRAPHICS = kind
    if kind is None:
        return
    from textual_image.widget import HalfcellImage as _Halfcell
    from textual_image.widget import SixelImage as _Sixel
    from textual_image.widget import TGPImage as _TGP

    _image_class = {"halfcell": _Halfcell, "sixel": _Sixel, "tgp": _TGP}[kind]


def _picture_class() -> Any:
    """The widget that draws a picture here, or None without graphics."""
    if graphics.settle() is None:
        return None
    if _image_class is not None:
        return _image_class
    from textual_image.widget import Image

    return Image


def decode_image(data: bytes) -> Any:
    """`data` as a small RGB(A) PIL image; ValueError when it is not a picture worth showing.

    CPU-bound: call it from a worker thread.
    """
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as opened:
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise ValueError(f"image too large ({width}×{height} pixels)")
            if width < MIN_SIDE or height < MIN_SIDE:
                raise ValueError("image too small to show")
            opened.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced scale
            image = opened.convert("RGBA" if "A" in opened.getbands() else "RGB")
    except (OSError, SyntaxError, PILImage.DecompressionBombError) as exc:
        raise ValueError(f"not a picture: {exc}") from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return image


class ImageCache:
    """Decoded images of this session by URL (None: failed), bounded by their pixel memory."""

    def __init__(self, max_bytes: int = 128 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._bytes = 0

    def __contains__(self, url: str) -> bool:
        return url in self._items

    def get(self, url: str) -> Any:
        if url in self._items:
            self._items.move_to_end(url)
        return self._items.get(url)

    def put(self, url: str, image: Any) -> None:
        if url in self._items:
            return
        self._items[url] = image
        self._bytes += _size(image)
        while self._bytes > self.max_bytes and len(self._items) > 1:
            _, old = self._items.popitem(last=False)
            self._bytes -= _size(old)


def _size(image: Any) -> int:
    if image is None:
        return 0
    width, height = image.size
    return int(width * height * len(image.getbands()))


class ArticleImage(Widget):
    """A picture under the paragraph that holds its placeholder, as wide as fits, at most
    `MAX_ROWS` tall."""

    def __init__(self, image: Any, *, number: int, alt: str) -> None:
        super().__init__(classes="article-image")
        self.image = image
        self.number = number
        """The placeholder's link number, `[n]`."""
        self.alt = alt
        self.tooltip = f"[{number}] {alt}" if alt else f"[{number}]"

    def compose(self) -> ComposeResult:
        picture = _picture_class()
        if picture is not None:
            yield picture(self.image)

    def on_resize(self) -> None:
        self._fit()

    def on_mount(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Size the picture in cells: its own size, scaled down to the pane and `MAX_ROWS`."""
        if not self.children or self.size.width <= 0:
            return
        from textual_image._terminal import get_cell_size

        cell = get_cell_size()
        pixel_width, pixel_height = self.image.size
        cols = pixel_width / max(cell.width, 1)
        rows = pixel_height / max(cell.height, 1)
        scale = min(1.0, self.size.width / cols, MAX_ROWS / rows)
        picture = self.children[0]
        picture.styles.width = max(1, round(cols * scale))
        picture.styles.height = max(1, round(rows * scale))
