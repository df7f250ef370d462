"""Response bodies: Content-Encoding undone in bounded steps against a size cap.

Apart from fetch.py so that the refresh's parse workers, which decode the bodies the fetching
process left compressed, need not import httpx (see workers.py).
"""

from __future__ import annotations

import zlib

from newstui.domain.errors import FetchError
from newstui.domain.text import clean_line

DECODE_STEP = 64 * 1024


class FetchFailure(Exception):
    """A fetch failed in a way the user should read about; `args[0]` is the message."""

    def __init__(self, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status


def human_size(n: int) -> str:
    """`16 MiB`, `64 KiB`, `1500 bytes`."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:g} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


class BodyDecoder:
    """Content-Encoding undone in bounded steps, counting decoded bytes against a cap."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.total = 0
        self.parts: list[bytes] = []
        self.kind = encoding
        self.fed = False
        self._zlib: zlib._Decompress | None = None
        self._deflate_raw_tried = False
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif encoding not in ("", "identity"):
            raise FetchFailure(
                f"unsupported Content-Encoding: {clean_line(encoding, max_length=40)}"
            )

    @property
    def compressed(self) -> bool:
        return self._zlib is not None

    def _keep(self, data: bytes) -> None:
        self.total += len(data)
        if self.total > self.limit:
            raise FetchFailure(f"response larger than {human_size(self.limit)}")
        if data:
            self.parts.append(data)

    def feed(self, data: bytes) -> None:
        self.fed = self.fed or bool(data)
        if self._zlib is None:
            self._keep(data)
            return
        if self._zlib.eof:
            return  # bytes after the end of the compressed stream are ignored
        try:
            while True:
                step = min(self.limit - self.total + 1, DECODE_STEP)
                out = self._zlib.decompress(data, step)
                self._keep(out)
                data = self._zlib.unconsumed_tail
                # A full output step may leave output pending inside zlib: ask again.
                if self._zlib.eof or (not data and len(out) < step):
                    break
        except zlib.error as exc:
            if self.kind == "deflate" and not self._deflate_raw_tried and self.total == 0:
                # Some servers send raw deflate without the zlib wrapper.
                self._deflate_raw_tried = True
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self.feed(data)
                return
            name = "gzip" if self.kind != "deflate" else "deflate"
            reason = clean_line(str(exc).rsplit(": ", 1)[-1], max_length=80)
            raise FetchFailure(f"bad {name} data ({reason})") from None

    def finish(self) -> bytes:
        if self._zlib is not None and self.fed and not self._zlib.eof:
            name = "gzip" if self.kind != "deflate" else "deflate"
            raise FetchFailure(f"bad {name} data: the compressed body is truncated")
        return b"".join(self.parts)


def decode_body(body: bytes, encoding: str, limit: int) -> bytes:
    """Undo a body's Content-Encoding, as `fetch` does, with the same cap and messages.

    For a body fetched with `decode=False`; raises FetchError with the one-line reason.
    """
    try:
        decoder = BodyDecoder(encoding, limit)
        decoder.feed(body)
        return decoder.finish()
    except FetchFailure as exc:
        raise FetchError(exc.message) from None
