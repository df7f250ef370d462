"""The Google Reader API as FreshRSS, Miniflux and Inoreader serve it (ClientLogin, JSON output).

The account's `url` is the API root: FreshRSS `https://host/api/greader.php`, Miniflux
`https://host` (its Google Reader integration enabled), Inoreader `https://www.inoreader.com`.
Item ids come short (decimal, from `stream/items/ids`) or long (`tag:google.com,2005:reader/item/`
and 16 hex digits, from `stream/items/contents`): both become one decimal string here.
Incremental pulls ask for items newer than the last crawl time seen (`ot`), paging with
`continuation`; read and starred state come from the id lists of the unread and starred streams.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from newstui.sync.backend import ArticlePage, RemoteArticle, RemoteCategory, RemoteFeed
from newstui.sync.http import JsonClient, SessionExpired, SyncError, check_status, parse_json

READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
LONG_ID_PREFIX = "tag:google.com,2005:reader/item/"
IDS_PAGE = 1000
CONTENTS_BATCH = 250
MAX_PAGES = 2000
MAX_TOKEN_CHARS = 4096
_TOKEN = re.compile(r"[A-Za-z0-9_.~+/=:-]{1,4096}")


def item_id(value: Any) -> str | None:
    """A short (decimal) or long (tag:...hex) item id as one decimal string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value & 0xFFFFFFFFFFFFFFFF)
    if not isinstance(value, str) or len(value) > 120:
        return None
    if value.startswith(LONG_ID_PREFIX):
        tail = value[len(LONG_ID_PREFIX) :]
        try:
            return str(int(tail, 16))
        except ValueError:
            return None
    text = value.lstrip("-")
    if text.isdigit() and len(text) <= 20:
        return str(int(value) & 0xFFFFFFFFFFFFFFFF)
    return None


def long_id(short: str) -> str:
    return f"{LONG_ID_PREFIX}{int(short):016x}"


class GReaderBackend:
    """`Backend` for the Google Reader API."""

    max_batch = 250

    def __init__(self, client: JsonClient, username: str, password: str) -> None:
        self._client = client
        self._root = client.base_url.rstrip("/")
        self._username = username
        self._password = password
        self._auth: str | None = None
        self._token: str | None = None

    def close(self) -> None:
        self._client.close()

    # ---- calls -------------------------------------------------------------------------

    def login(self) -> None:
        url = f"{self._root}/accounts/ClientLogin"
        status, headers, body = self._client.request(
            "POST", url, data=[("Email", self._username), ("Passwd", self._password)]
        )
        if status in (401, 403):
            raise SyncError(f"{url.split('?')[0]}: the user name or password was refused", "auth")
        check_status(url, status, headers, body)
        if body.lstrip()[:1] == b"<":  # a login page or a proxy's error page
            raise SyncError(f"{url}: the server answered HTML, not the API", "bad_response")
        auth = None
        for line in body.decode("utf-8", "replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "Auth" and value.strip():
                auth = value.strip()
        if auth is None or len(auth) > MAX_TOKEN_CHARS or not auth.isprintable():
            raise SyncError(f"{url}: ClientLogin gave no Auth token", "bad_response")
        self._auth = auth
        self._token = None

    def _request(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]] | None = None,
        data: list[tuple[str, str]] | None = None,
    ) -> tuple[bytes, str]:
        if self._auth is None:
            self.login()
        url = f"{self._root}/reader/api/0/{path}"
        for attempt in range(2):
            status, headers, body = self._client.request(
                method,
                url,
                params=params,
                data=data,
                headers={"Authorization": f"GoogleLogin auth={self._auth}"},
            )
            if status == 401 and attempt == 0:
                # An expired session (or a stale action token): log in again, once.
                self.login()
                if data is not None and any(k == "T" for k, _ in data):
                    data = [(k, v) for k, v in data if k != "T"] + [("T", self.token())]
                continue
            check_status(url, status, headers, body)
            return body, url
        raise SessionExpired(f"{url}: the server refused the new session too")

    def _json(self, path: str, params: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        body, url = self._request("GET", path, [*(params or []), ("output", "json")])
        reply = parse_json(url, body)
        if not isinstance(reply, dict):
            raise SyncError(f"{url}: not a Google Reader API answer", "bad_response")
        return reply

    def token(self) -> str:
        if self._token is None:
            body, url = self._request("GET", "token")
            token = body.decode("utf-8", "replace").strip()
            if not _TOKEN.fullmatch(token):
                raise SyncError(f"{url}: no action token", "bad_response")
            self._token = token
        return self._token

    def _edit(self, path: str, data: list[tuple[str, str]], *, ok: bool = True) -> bytes:
        body, url = self._request("POST", path, data=[*data, ("T", self.token())])
        if ok and body.strip() != b"OK":  # the documented answer; anything else did not happen
            raise SyncError(f"{url}: the server did not confirm the change", "bad_response")
        return body

    # ---- reading -----------------------------------------------------------------------

    def categories(self) -> list[RemoteCategory]:
        tags = self._json("tag/list").get("tags")
        out = []
        for tag in tags if isinstance(tags, list) else []:
            tag_id = tag.get("id") if isinstance(tag, dict) else None
            if isinstance(tag_id, str) and "/label/" in tag_id:
                out.append(RemoteCategory(tag_id, tag_id.split("/label/", 1)[1]))
        return out

    def feeds(self) -> list[RemoteFeed]:
        subs = self._json("subscription/list").get("subscriptions")
        if not isinstance(subs, list):
            raise SyncError("subscription/list: no subscriptions list", "bad_response")
        out = []
        for s in subs:
            if not isinstance(s, dict) or not isinstance(s.get("id"), str):
                continue
            cats = s.get("categories")
            category = None
            for c in cats if isinstance(cats, list) else []:
                if isinstance(c, dict) and isinstance(c.get("id"), str) and "/label/" in c["id"]:
                    category = c["id"]
                    break
            url = s.get("url")
            if not isinstance(url, str):
                feed_id = s["id"]
                url = feed_id[5:] if feed_id.startswith("feed/http") else ""
            out.append(
                RemoteFeed(
                    id=s["id"],
                    title=_str(s.get("title")),
                    url=url,
                    site_url=_str(s.get("htmlUrl")) or None,
                    category_id=category,
                )
            )
        return out

    def _ids(self, params: list[tuple[str, str]]) -> Iterator[list[str]]:
        continuation: str | None = None
        for _ in range(MAX_PAGES):
            page = [*params, ("n", str(IDS_PAGE))]
            if continuation:
                page.append(("c", continuation))
            reply = self._json("stream/items/ids", page)
            refs = reply.get("itemRefs")
            ids = [
                i
                for i in (item_id(r.get("id")) for r in (refs or []) if isinstance(r, dict))
                if i is not None
            ]
            if ids:
                yield ids
            nxt = reply.get("continuation")
            if not isinstance(nxt, str) or not nxt or nxt == continuation or not ids:
                return
            continuation = nxt[:MAX_TOKEN_CHARS]

    def new_articles(
        self, cursor: str | None, stored: Callable[[Sequence[str]], set[str]]
    ) -> Iterator[ArticlePage]:
        params = [("s", READING_LIST)]
        since = int(cursor) if cursor and cursor.isdigit() else 0
        if since:
            params.append(("ot", str(since)))
        newest = since
        for listed in self._ids(params):
            have = stored(listed)
            ids = [i for i in listed if i not in have]
            for start in range(0, len(ids), CONTENTS_BATCH):
                chunk = ids[start : start + CONTENTS_BATCH]
                articles, crawled = self._contents(chunk)
                newest = max(newest, crawled)
                yield ArticlePage(articles, None)
        # Items crawled in the last second may not all be listed yet: start one second back.
        yield ArticlePage([], str(max(newest - 1, since)) if newest else cursor)

    def _contents(self, ids: Sequence[str]) -> tuple[list[RemoteArticle], int]:
        body, url = self._request(
            "POST", "stream/items/contents", params=[("output", "json")],
            data=[("i", long_id(i)) for i in ids],
        )  # fmt: skip
        reply = parse_json(url, body)
        items = reply.get("items") if isinstance(reply, dict) else None
        if not isinstance(items, list):
            raise SyncError(f"{url}: no items in the answer", "bad_response")
        out = []
        newest = 0
        for item in items:
            if not isinstance(item, dict):
                continue
            article = _article(item)
            if article is not None:
                out.append(article)
            crawled = _int(item.get("crawlTimeMsec"))
            if crawled:
                newest = max(newest, crawled // 1000)
        return out, newest

    def unread_ids(self, feed_ids: Collection[str] | None) -> set[str]:
        found: set[str] = set()
        streams = [READING_LIST] if feed_ids is None else list(feed_ids)
        for stream in streams:
            for ids in self._ids([("s", stream), ("xt", READ)]):
                found.update(ids)
        return found

    def starred_ids(self) -> set[str]:
        found: set[str] = set()
        for ids in self._ids([("s", STARRED)]):
            found.update(ids)
        return found

    def recently_read_ids(self) -> set[str]:
        return set()  # unread_ids is always read whole: it sees every change

    # ---- writing -----------------------------------------------------------------------

    def set_flag(self, article_ids: Sequence[str], flag: str, value: bool) -> None:
        tag = READ if flag == "read" else STARRED
        for start in range(0, len(article_ids), self.max_batch):
            chunk = article_ids[start : start + self.max_batch]
            self._edit(
                "edit-tag", [*(("i", long_id(i)) for i in chunk), ("a" if value else "r", tag)]
            )

    def subscribe(self, url: str, category: str | None) -> str:
        body = self._edit("subscription/quickadd", [("quickadd", url)], ok=False)
        reply = parse_json("subscription/quickadd", body)
        stream = reply.get("streamId") if isinstance(reply, dict) else None
        if not isinstance(stream, str) or not stream:
            raise SyncError("subscribing on the server failed: no feed found there", "error")
        if category:  # a label is made by using it
            label = f"user/-/label/{category}"
            self._edit("subscription/edit", [("ac", "edit"), ("s", stream), ("a", label)])
        return stream

    def unsubscribe(self, feed_id: str) -> None:
        self._edit("subscription/edit", [("ac", "unsubscribe"), ("s", feed_id)])


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 20:
        return int(value)
    return None


def _time(value: Any) -> datetime | None:
    stamp = _int(value)
    if not stamp:
        return None
    try:
        return datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _href(value: Any) -> str | None:
    if isinstance(value, list):
        for link in value:
            if isinstance(link, dict) and isinstance(link.get("href"), str):
                return str(link["href"])
    return None


def _article(item: dict[str, Any]) -> RemoteArticle | None:
    short = item_id(item.get("id"))
    origin = item.get("origin")
    feed = origin.get("streamId") if isinstance(origin, dict) else None
    if short is None or not isinstance(feed, str):
        return None
    body = item.get("content") or item.get("summary")
    content = body.get("content") if isinstance(body, dict) else None
    cats = item.get("categories")
    states = (
        {c.rsplit("/state/", 1)[-1] for c in cats if isinstance(c, str)}
        if isinstance(cats, list)
        else set()
    )
    return RemoteArticle(
        id=short,
        feed_id=feed,
        title=_str(item.get("title")),
        url=_href(item.get("canonical")) or _href(item.get("alternate")),
        author=_str(item.get("author")) or None,
        published=_time(item.get("published")),
        updated=_time(item.get("updated")),
        content=_str(content),
        read="com.google/read" in states,
        starred="com.google/starred" in states,
    )
