"""A small Google Reader API server for the tests, on 127.0.0.1. NOT FreshRSS, Miniflux or Inoreader.

Written from the published descriptions of the API that FreshRSS documents
(freshrss.github.io/FreshRSS/en/developers/06_GoogleReader_API.html), Inoreader documents
(inoreader.com/developers) and the community's reverse-engineered notes on Google's original: it
serves the documented request and answer shapes, and nothing more clever than that. It keeps
its state in memory and implements:

- `POST /accounts/ClientLogin` (Email, Passwd) -> `SID=`/`LSID=`/`Auth=` lines, or 401
  `Error=BadAuthentication`; API calls need `Authorization: GoogleLogin auth=...` (else 401);
- `GET /reader/api/0/token`; edits need the token as `T` (else 401 with
  `X-Reader-Google-Bad-Token: true`, as FreshRSS answers);
- `subscription/list`, `tag/list`, `stream/items/ids` (`s`, `xt`, `ot`, `n`, continuation `c`),
  `POST stream/items/contents` (`i`, short or long ids), `POST edit-tag` (`i`, `a`, `r`),
  `POST subscription/quickadd`, `POST subscription/edit` (`ac` subscribe/unsubscribe/edit);
- faults a test switches on: `fault = "html" | "badjson" (GETs) | "500" | "429" | "slow" | "huge"`, and
  `expire_sessions()` (every Auth token forgotten, as after a server restart).

What it does not model: OAuth (Inoreader's preferred login), `kept-unread`, labels on items,
`unread-count`, ranking options other than newest first, and every server's own quirks.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

LONG = "tag:google.com,2005:reader/item/"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"


@dataclass
class Item:
    id: int
    feed: str
    title: str
    link: str
    content: str
    published: int
    crawl_ms: int
    read: bool = False
    starred: bool = False


@dataclass
class Sub:
    id: str
    title: str
    url: str
    html_url: str
    category: str | None = None


@dataclass
class State:
    user: str = "reader"
    password: str = "pw"
    subs: dict[str, Sub] = field(default_factory=dict)
    items: dict[int, Item] = field(default_factory=dict)
    labels: set[str] = field(default_factory=set)
    auths: set[str] = field(default_factory=set)
    token: str = field(default_factory=lambda: secrets.token_hex(28)[:57])
    next_id: int = 1_700_000_000_000_000
    requests: list[str] = field(default_factory=list)


class GReaderServer:
    """Start with `GReaderServer()`, stop with `close()`; `url` is the API root."""

    def __init__(self) -> None:
        self.state = State()
        self.fault: str | None = None
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (the "slow" fault) is expected

        self._http = Quiet(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/api/greader.php"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    # ---- test helpers ------------------------------------------------------------------

    def add_feed(self, url: str, title: str, category: str | None = None) -> str:
        with self.lock:
            sub = Sub(f"feed/{len(self.state.subs) + 1}", title, url, url.rsplit("/", 1)[0] + "/")
            if category:
                sub.category = f"user/-/label/{category}"
                self.state.labels.add(sub.category)
            self.state.subs[sub.id] = sub
            return sub.id

    def add_items(self, feed: str, n: int, prefix: str = "Item") -> list[int]:
        with self.lock:
            ids = []
            for i in range(n):
                self.state.next_id += 1
                now = int(time.time())
                item = Item(
                    self.state.next_id,
                    feed,
                    f"{prefix} {i}",
                    f"https://example.org/{prefix.lower()}/{i}",
                    f"<p>{prefix} {i} body</p>",
                    now - i * 60,
                    now * 1000 + i,
                )
                self.state.items[item.id] = item
                ids.append(item.id)
            return ids

    def item(self, title: str) -> Item:
        return next(i for i in self.state.items.values() if i.title == title)

    def expire_sessions(self) -> None:
        with self.lock:
            self.state.auths.clear()

    # ---- the API -----------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length).decode("utf-8") if length else ""
        query = parse_qsl(parts.query, keep_blank_values=True)
        form = parse_qsl(body, keep_blank_values=True) if method == "POST" else []
        args = query + form
        path = parts.path
        prefix = urlsplit(self.url).path
        if not path.startswith(prefix):
            return self._send(h, 404, "text/plain", b"not found")
        path = path[len(prefix) :]
        self.state.requests.append(path)
        fault = self.fault
        if fault == "slow":
            time.sleep(5)
        if fault == "500":
            return self._send(h, 500, "text/plain", b"Internal Server Error")
        if fault == "429":
            return self._send(h, 429, "text/plain", b"slow down", {"Retry-After": "120"})
        if fault == "huge":
            return self._send(
                h, 200, "application/json", b'{"tags": ["' + b"x" * 3_000_000 + b'"]}'
            )
        if fault == "html":
            return self._send(
                h, 200, "text/html", b"<!DOCTYPE html><html><body>Login</body></html>"
            )
        if (
            fault == "badjson"
            and method == "GET"
            and path.startswith("/reader/")
            and "token" not in path
        ):
            return self._send(h, 200, "application/json", b'{"subscriptions": [')
        with self.lock:
            if path == "/accounts/ClientLogin":
                got = dict(args)
                if got.get("Email") == self.state.user and got.get("Passwd") == self.state.password:
                    auth = f"{self.state.user}/{secrets.token_hex(20)}"
                    self.state.auths.add(auth)
                    text = f"SID={auth}\nLSID=null\nAuth={auth}\n"
                    return self._send(h, 200, "text/plain", text.encode())
                return self._send(h, 401, "text/plain", b"Error=BadAuthentication\n")
            header = h.headers.get("Authorization", "")
            auth = header.removeprefix("GoogleLogin auth=")
            if not path.startswith("/reader/api/0/") or auth not in self.state.auths:
                return self._send(h, 401, "text/plain", b"Unauthorized!")
            op = path[len("/reader/api/0/") :]
            needs_token = method == "POST" and op != "stream/items/contents"
            if needs_token and dict(args).get("T") != self.state.token:
                return self._send(
                    h,
                    401,
                    "text/plain",
                    b"Unauthorized!",
                    {"X-Reader-Google-Bad-Token": "true"},
                )
            handler = getattr(self, "_op_" + op.replace("/", "_").replace("-", "_"), None)
            if handler is None:
                return self._send(h, 400, "text/plain", b"Bad Request")
            status, ctype, out = handler(args)
        return self._send(h, status, ctype, out)

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        ctype: str,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    @staticmethod
    def _json(value: Any) -> tuple[int, str, bytes]:
        return 200, "application/json; charset=UTF-8", json.dumps(value).encode()

    def _op_token(self, args: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        return 200, "text/plain", (self.state.token + "\n").encode()

    def _op_subscription_list(self, args: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        subs = []
        for s in self.state.subs.values():
            cats = []
            if s.category:
                cats.append(
                    {"id": s.category, "label": s.category.split("/label/")[1], "type": "folder"}
                )
            subs.append(
                {"id": s.id, "title": s.title, "categories": cats, "url": s.url,
                 "htmlUrl": s.html_url, "iconUrl": ""}
            )  # fmt: skip
        return self._json({"subscriptions": subs})

    def _op_tag_list(self, args: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        tags: list[dict[str, str]] = [{"id": STARRED}]
        tags += [{"id": label, "type": "folder"} for label in sorted(self.state.labels)]
        return self._json({"tags": tags})

    def _op_stream_items_ids(self, args: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        got = dict(args)
        stream = got.get("s", READING_LIST)
        n = min(int(got.get("n") or 20), 10000)
        ot = int(got.get("ot") or 0)
        items = sorted(self.state.items.values(), key=lambda i: -i.id)
        if stream == STARRED:
            items = [i for i in items if i.starred]
        elif stream.startswith("feed/"):
            items = [i for i in items if i.feed == stream]
        if got.get("xt") == READ:
            items = [i for i in items if not i.read]
        if ot:
            items = [i for i in items if i.crawl_ms // 1000 >= ot]
        start = int(got.get("c") or 0)
        page = items[start : start + n]
        reply: dict[str, Any] = {"itemRefs": [{"id": str(i.id)} for i in page]}
        if start + n < len(items):
            reply["continuation"] = str(start + n)
        return self._json(reply)

    def _op_stream_items_contents(self, args: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        out = []
        for key, value in args:
            if key != "i":
                continue
            iid = int(value[len(LONG) :], 16) if value.startswith(LONG) else int(value)
            item = self.state.items.get(iid)
            if item is None:
                continue
            cats = [READING_LIST]
            if item.read:
                cats.append(READ)
            if item.starred:
                cats.append(STARRED)
            sub = self.state.subs.get(item.feed)
            out.append(
                {
                    "id": f"{LONG}{item.id:016x}",
                    "crawlTimeMsec": str(item.crawl_ms),
                    "timestampUsec": str(item.crawl_ms * 1000),
                    "published": item.published,
                    "title": item.title,
                    "canonical": [{"href": item.link}],
                    "alternate": [{"href": item.link}],
                    "categories": cats,
                    "origin": {"streamId": item.feed, "title": sub.title if sub else ""},
                    "summary": {"content": item.content},
                    "author": "",
                }
            )
        return self._json({"id": READING_LIST, "updated": int(time.time()), "items": out})

    def _op_edit_tag(self, args: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        ids = [v for k, v in args if k == "i"]
        adds = {v for k, v in args if k == "a"}
        removes = {v for k, v in args if k == "r"}
        for value in ids:
            iid = int(value[len(LONG) :], 16) if value.startswith(LONG) else int(value)
            item = self.state.items.get(iid)
            if item is None:
                continue
            if READ in adds:
                item.read = True
            if READ in removes:
                item.read = False
            if STARRED in adds:
                item.starred = True
            if STARRED in removes:
                item.starred = False
        return 200, "text/plain", b"OK"

    def _op_subscription_quickadd(self, args: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        url = dict(args).get("quickadd", "")
        for s in self.state.subs.values():
            if s.url == url:
                return self._json({"numResults": 1, "query": url, "streamId": s.id})
        if not url.startswith(("http://", "https://")):
            return self._json({"numResults": 0, "query": url})
        sub = Sub(f"feed/{len(self.state.subs) + 1}", url, url, url)
        self.state.subs[sub.id] = sub
        return self._json({"numResults": 1, "query": url, "streamId": sub.id})

    def _op_subscription_edit(self, args: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        got = dict(args)
        stream = got.get("s", "")
        action = got.get("ac")
        if action == "unsubscribe":
            self.state.subs.pop(stream, None)
        elif action in ("subscribe", "edit"):
            sub = self.state.subs.get(stream)
            if sub is None and stream.startswith("feed/http"):
                sub = Sub(stream, got.get("t") or stream[5:], stream[5:], stream[5:])
                self.state.subs[stream] = sub
            if sub is not None and got.get("a"):
                sub.category = got["a"]
                self.state.labels.add(got["a"])
        else:
            return 400, "text/plain", b"Bad Request"
        return 200, "text/plain", b"OK"
