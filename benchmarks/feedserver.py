"""A loopback feed server for the benchmarks: N deterministic feeds over raw asyncio HTTP/1.1.

Feeds alternate RSS 2.0 (even ids) and Atom (odd ids); every item carries an HTML body of 1-4 KB.
The server answers conditional GETs with 304 (ETag and Last-Modified), gzips when the client
accepts it, keeps connections alive, and can wait a configurable latency before every response.

Endpoints:
    GET  /feed/<i>.xml            the feed (RSS or Atom)
    GET  /opml                    every feed as OPML 2.0
    GET  /_urls                   every feed URL, one a line
    GET|POST /_publish?fraction=0.1[&items=3]
                                  a seeded fraction of the feeds publishes new items
    GET  /_config?latency_ms=50   change the latency of every later response
    GET  /_config?slow_every=20&slow_ms=5000&hang_every=100
                                  feeds whose number is a multiple of slow_every answer slow_ms
                                  late; those one short of a multiple of hang_every never answer
    GET  /_stats[?reset=1]        request counters as JSON
    GET  /_reset                  every feed back to its first version, counters cleared

The feeds are spread over `--hosts` loopback addresses (127.0.0.1, 127.0.0.2, ...; one port), so a
client with a per-host connection limit sees several sites, as with a real subscription list.

Run standalone: `python benchmarks/feedserver.py --feeds 500 --items 30 --latency-ms 50`; it prints
`READY <port>` and serves until `--lifetime` seconds have passed or its standard input closes
(with `--watch-stdin`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

BASE_TIME = 1_704_067_200  # 2024-01-01T00:00:00Z: item i of a feed is published i hours later
MAX_REQUEST_HEAD = 64 * 1024
MAX_REQUEST_BODY = 1024 * 1024
IDLE_TIMEOUT = 30.0

_SYLLABLES = [
    "ka",
    "ri",
    "to",
    "ne",
    "sa",
    "mu",
    "lo",
    "vi",
    "pe",
    "da",
    "ren",
    "tal",
    "mor",
    "sin",
    "bel",
    "quo",
    "zar",
    "fen",
    "lis",
    "tor",
    "gan",
    "hu",
    "ve",
    "pra",
    "sto",
    "cle",
    "bri",
    "mon",
    "tru",
    "sel",
    "dor",
    "ami",
    "eno",
    "ula",
    "ix",
    "ost",
    "arn",
]


def _vocabulary(seed: int, size: int = 3000) -> list[str]:
    rng = random.Random(seed * 7919 + 1)
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def feed_url(index: int, port: int, hosts: int) -> str:
    """The URL of feed `index`: feeds are spread round-robin over the loopback hosts."""
    return f"http://127.0.0.{1 + index % max(1, hosts)}:{port}/feed/{index}.xml"


@dataclass
class Rendered:
    etag: str
    last_modified: str
    last_modified_ts: int
    raw: bytes
    gz: bytes
    content_type: str


@dataclass
class Stats:
    requests: int = 0
    ok: int = 0
    not_modified: int = 0
    gzip: int = 0
    bytes_sent: int = 0
    connections: int = 0
    feeds: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "ok": self.ok,
            "not_modified": self.not_modified,
            "gzip": self.gzip,
            "bytes_sent": self.bytes_sent,
            "connections": self.connections,
            "distinct_feeds": len(self.feeds),
        }


class FeedSet:
    """The feeds' content: deterministic for a seed, changed only by `publish`."""

    def __init__(self, feeds: int, items: int, seed: int, big_feed: int = 0) -> None:
        self.feeds = feeds
        self.items = items
        self.seed = seed
        self.big_feed = big_feed
        """When > 0, feed 0 carries this many items instead of `items`."""
        self.words = _vocabulary(seed)
        rng = random.Random(seed)
        self.paragraphs = [self._paragraph(rng) for _ in range(4000)]
        self.head = [self.count(i) for i in range(feeds)]
        """Items ever published per feed; the feed shows the newest `count(i)` of them."""
        self.publishes = 0
        self._cache: dict[tuple[int, int], Rendered] = {}
        """Rendered documents by (feed, head): a feed's document depends on nothing else, so a
        reset between clients keeps them, and no client's time includes the server rendering."""

    def count(self, index: int) -> int:
        return self.big_feed if index == 0 and self.big_feed > 0 else self.items

    def reset(self) -> None:
        self.head = [self.count(i) for i in range(self.feeds)]
        self.publishes = 0

    # ---- text ---------------------------------------------------------------------------

    def _sentence(self, rng: random.Random, low: int = 6, high: int = 18) -> str:
        words = [rng.choice(self.words) for _ in range(rng.randint(low, high))]
        words[0] = words[0].capitalize()
        return " ".join(words) + rng.choice(".!?..")

    def _paragraph(self, rng: random.Random) -> str:
        parts: list[str] = []
        for _ in range(rng.randint(2, 5)):
            sentence = self._sentence(rng)
            roll = rng.random()
            if roll < 0.15:
                word = rng.choice(self.words)
                sentence += f' See <a href="https://news.example/{word}">{word}</a>.'
            elif roll < 0.3:
                sentence = f"<em>{sentence}</em>"
            elif roll < 0.4:
                sentence = f"<strong>{sentence}</strong>"
            parts.append(sentence)
        kind = rng.random()
        if kind < 0.1:
            items = "".join(f"<li>{self._sentence(rng, 3, 8)}</li>" for _ in range(3))
            return f"<ul>{items}</ul>"
        if kind < 0.15:
            return f"<blockquote><p>{' '.join(parts)}</p></blockquote>"
        return f"<p>{' '.join(parts)}</p>"

    def item(self, feed: int, number: int) -> tuple[str, str, str, int]:
        """(title, link, html body, unix time) of item `number` of `feed`: always the same."""
        rng = random.Random(self.seed * 1_000_003 + feed * 100_019 + number)
        words = " ".join(rng.choice(self.words) for _ in range(rng.randint(4, 9))).capitalize()
        title = f"[{feed}.{number}] {words}"
        link = f"https://site{feed}.news.example/{number}/{words.split()[0].lower()}"
        target = rng.randint(1024, 4096)
        body = [f"<p>{self._sentence(rng, 12, 30)}</p>"]
        size = len(body[0])
        while size < target:
            paragraph = rng.choice(self.paragraphs)
            body.append(paragraph)
            size += len(paragraph)
        when = BASE_TIME + number * 3600 + feed * 7
        return title, link, "\n".join(body), when

    # ---- documents ----------------------------------------------------------------------

    def render(self, index: int) -> Rendered:
        head = self.head[index]
        cached = self._cache.get((index, head))
        if cached is not None:
            return cached
        numbers = range(head - 1, max(0, head - self.count(index)) - 1, -1)
        entries = [(n, *self.item(index, n)) for n in numbers]
        newest = entries[0][4] if entries else BASE_TIME
        if index % 2 == 0:
            doc, ctype = self._rss(index, entries, newest), "application/rss+xml; charset=utf-8"
        else:
            doc, ctype = self._atom(index, entries, newest), "application/atom+xml; charset=utf-8"
        raw = doc.encode("utf-8")
        rendered = Rendered(
            etag=f'"s{self.seed}-f{index}-h{head}"',
            last_modified=formatdate(newest, usegmt=True),
            last_modified_ts=newest,
            raw=raw,
            gz=gzip.compress(raw, compresslevel=6, mtime=0),
            content_type=ctype,
        )
        self._cache[index, head] = rendered
        return rendered

    def _rss(self, index: int, entries: list[tuple[int, str, str, str, int]], newest: int) -> str:
        out = [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
            f"<title>Bench feed {index:05d}</title>",
            f"<link>https://site{index}.news.example/</link>",
            f"<description>Benchmark feed number {index}</description>",
            f"<lastBuildDate>{formatdate(newest, usegmt=True)}</lastBuildDate>",
        ]
        for number, title, link, body, when in entries:
            out.append(
                f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
                f'<guid isPermaLink="false">bench-{index}-{number}</guid>'
                f"<pubDate>{formatdate(when, usegmt=True)}</pubDate>"
                f"<dc:creator>Author {number % 17}</dc:creator>"
                f"<description><![CDATA[{body}]]></description></item>"
            )
        out.append("</channel></rss>")
        return "\n".join(out)

    def _atom(self, index: int, entries: list[tuple[int, str, str, str, int]], newest: int) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(newest))
        out = [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            f"<title>Bench feed {index:05d}</title>",
            f'<link href="https://site{index}.news.example/"/>',
            f"<id>urn:bench:feed:{index}</id>",
            f"<updated>{stamp}</updated>",
        ]
        for number, title, link, body, when in entries:
            iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
            out.append(
                f"<entry><title>{escape(title)}</title><link href={quoteattr(link)}/>"
                f"<id>urn:bench:{index}:{number}</id><published>{iso}</published>"
                f"<updated>{iso}</updated><author><name>Author {number % 17}</name></author>"
                f'<content type="html">{escape(body)}</content></entry>'
            )
        out.append("</feed>")
        return "\n".join(out)

    def publish(self, fraction: float, items: int = 3, seed: int | None = None) -> list[int]:
        """A seeded `fraction` of the feeds publishes `items` new items each; returns their ids."""
        self.publishes += 1
        rng = random.Random(self.seed * 7_777 + (self.publishes if seed is None else seed))
        chosen = sorted(rng.sample(range(self.feeds), round(self.feeds * fraction)))
        for index in chosen:
            self.head[index] += items
        return chosen

    def warm(self) -> None:
        for index in range(self.feeds):
            self.render(index)

    def opml(self, port: int, hosts: int) -> str:
        lines = [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<opml version="2.0"><head><title>bench</title></head><body>',
        ]
        for index in range(self.feeds):
            url = feed_url(index, port, hosts)
            lines.append(
                f'<outline type="rss" text="Bench feed {index:05d}" xmlUrl={quoteattr(url)}/>'
            )
        lines.append("</body></opml>")
        return "\n".join(lines) + "\n"


class FeedServer:
    """Serves a FeedSet over HTTP/1.1 on `hosts` loopback addresses and one port."""

    def __init__(self, feeds: FeedSet, *, hosts: int = 1, latency: float = 0.0) -> None:
        self.feeds = feeds
        self.hosts = max(1, min(hosts, 250))
        self.latency = latency
        self.slow_every = 0
        self.slow = 0.0
        self.hang_every = 0
        self.port = 0
        self.stats = Stats()
        self._servers: list[asyncio.AbstractServer] = []

    async def start(self, port: int = 0) -> int:
        first = await asyncio.start_server(self._client, "127.0.0.1", port, limit=MAX_REQUEST_HEAD)
        self._servers.append(first)
        self.port = first.sockets[0].getsockname()[1]
        for n in range(2, self.hosts + 1):
            server = await asyncio.start_server(
                self._client, f"127.0.0.{n}", self.port, limit=MAX_REQUEST_HEAD
            )
            self._servers.append(server)
        return self.port

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        try:
            for _ in range(100_000):  # requests on one connection: bounded
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
                except (
                    asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError,
                    TimeoutError,
                    ConnectionError,
                ):
                    return
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split()
                if len(parts) != 3:
                    return
                method, target, version = parts
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = headers.get("content-length", "0")
                if length.isdigit() and 0 < int(length) <= MAX_REQUEST_BODY:
                    await reader.readexactly(int(length))
                status, extra, body = self._route(method, target, headers)
                if self.latency > 0:
                    await asyncio.sleep(self.latency)
                number = _feed_number(target)
                if number is not None and self.hang_every and (number + 1) % self.hang_every == 0:
                    await asyncio.sleep(HANG)  # never answers (closed when the server stops)
                    return
                if number is not None and self.slow_every and number % self.slow_every == 0:
                    await asyncio.sleep(self.slow)
                connection = headers.get("connection", "").lower()
                keep = (version == "HTTP/1.1" and connection != "close") or (
                    version == "HTTP/1.0" and connection == "keep-alive"
                )
                out = [f"HTTP/1.1 {status}"]
                out.append(f"Date: {formatdate(usegmt=True)}")
                out.append("Server: newstui-bench")
                out += [f"{k}: {v}" for k, v in extra.items()]
                if not status.startswith("304"):
                    out.append(f"Content-Length: {len(body)}")
                out.append("Connection: keep-alive" if keep else "Connection: close")
                data = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
                if method != "HEAD" and not status.startswith("304"):
                    data += body
                writer.write(data)
                self.stats.bytes_sent += len(data)
                await writer.drain()
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def _route(
        self, method: str, target: str, headers: dict[str, str]
    ) -> tuple[str, dict[str, str], bytes]:
        self.stats.requests += 1
        split = urlsplit(target)
        path = split.path
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        text = {"Content-Type": "text/plain; charset=utf-8"}
        if path.startswith("/feed/"):
            name = path[len("/feed/") :].removesuffix(".xml")
            if not name.isdigit() or int(name) >= self.feeds.feeds:
                return "404 Not Found", text, b"no such feed\n"
            return self._feed(int(name), headers)
        if path == "/_publish":
            fraction = float(query.get("fraction", "0.1"))
            items = int(query.get("items", "3"))
            chosen = self.feeds.publish(max(0.0, min(1.0, fraction)), max(1, min(items, 1000)))
            body = json.dumps({"published": chosen}).encode()
            return "200 OK", {"Content-Type": "application/json"}, body
        if path == "/_config":
            if "latency_ms" in query:
                self.latency = max(0.0, float(query["latency_ms"]) / 1000)
            if "slow_every" in query:
                self.slow_every = max(0, int(query["slow_every"]))
                self.slow = max(0.0, float(query.get("slow_ms", "5000")) / 1000)
            if "hang_every" in query:
                self.hang_every = max(0, int(query["hang_every"]))
            body = json.dumps({"latency_ms": self.latency * 1000}).encode()
            return "200 OK", {"Content-Type": "application/json"}, body
        if path == "/_stats":
            body = json.dumps(self.stats.as_dict()).encode()
            if query.get("reset"):
                self.stats = Stats()
            return "200 OK", {"Content-Type": "application/json"}, body
        if path == "/_reset":
            self.feeds.reset()
            self.stats = Stats()
            return "200 OK", text, b"reset\n"
        if path == "/_urls":
            urls = [feed_url(i, self.port, self.hosts) for i in range(self.feeds.feeds)]
            return "200 OK", text, ("\n".join(urls) + "\n").encode()
        if path == "/opml":
            body = self.feeds.opml(self.port, self.hosts).encode()
            return "200 OK", {"Content-Type": "text/x-opml; charset=utf-8"}, body
        return "404 Not Found", text, b"not found\n"

    def _feed(self, index: int, headers: dict[str, str]) -> tuple[str, dict[str, str], bytes]:
        doc = self.feeds.render(index)
        self.stats.feeds.add(index)
        validators = {"ETag": doc.etag, "Last-Modified": doc.last_modified}
        inm = headers.get("if-none-match")
        ims = headers.get("if-modified-since")
        fresh = False
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            fresh = "*" in tags or doc.etag in tags or f"W/{doc.etag}" in tags
        elif ims is not None:
            with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
                fresh = doc.last_modified_ts <= parsedate_to_datetime(ims).timestamp()
        if fresh:
            self.stats.not_modified += 1
            return "304 Not Modified", validators, b""
        self.stats.ok += 1
        extra = {"Content-Type": doc.content_type, **validators, "Vary": "Accept-Encoding"}
        if _accepts_gzip(headers.get("accept-encoding", "")):
            self.stats.gzip += 1
            return "200 OK", {**extra, "Content-Encoding": "gzip"}, doc.gz
        return "200 OK", extra, doc.raw


HANG = 3600.0
"""How long a hanging feed keeps its client waiting: longer than any client's deadline."""


def _feed_number(target: str) -> int | None:
    name = urlsplit(target).path.removeprefix("/feed/").removesuffix(".xml")
    return int(name) if target.startswith("/feed/") and name.isdigit() else None


def _accepts_gzip(value: str) -> bool:
    for token in value.lower().split(","):
        name, _, params = token.strip().partition(";")
        if name.strip() in ("gzip", "x-gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and q[2:].strip() in ("0", "0.0", "0.00", "0.000"))
    return False


async def serve(args: argparse.Namespace) -> None:
    feeds = FeedSet(args.feeds, args.items, args.seed, args.big_feed)
    started = time.monotonic()
    feeds.warm()
    server = FeedServer(feeds, hosts=args.hosts, latency=args.latency_ms / 1000)
    port = await server.start(args.port)
    print(f"READY {port} (rendered {args.feeds} feeds in {time.monotonic() - started:.1f} s)")
    sys.stdout.flush()
    stop = asyncio.Event()
    if args.watch_stdin:
        loop = asyncio.get_running_loop()

        def watch() -> None:
            with contextlib.suppress(Exception):
                sys.stdin.read()
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=watch, daemon=True).start()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), args.lifetime)
    await server.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--big-feed", type=int, default=0, help="items in feed 0 (0: --items)")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--hosts", type=int, default=16, help="loopback addresses to spread over")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=4 * 3600, help="seconds, then exit")
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
