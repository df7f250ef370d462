"""Tiny Tiny RSS's JSON API (checked against Debian's tt-rss 21, API level 15).

Every call is a JSON POST to `/api/`; the server answers HTTP 200 even for errors, so the
`status` field (0 ok, 1 error) and `content.error` say what happened. A session is tied to the
User-Agent that logged in: one client, one User-Agent, for the whole sync. `getHeadlines` gives
at most 200 a call: pages are read with `skip`, new articles with `since_id`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from newstui.sync.backend import ArticlePage, RemoteArticle, RemoteCategory, RemoteFeed
from newstui.sync.http import JsonClient, SessionExpired, SyncError, check_status, parse_json

PAGE = 200
MAX_PAGES = 5000
"""1,000,000 articles: a server that pages forever stops here."""


def api_url(url: str) -> str:
    base = url.rstrip("/")
    if base.endswith("/api"):
        return base + "/"
    return base + "/api/"


class TtrssBackend:
    """`Backend` for Tiny Tiny RSS."""

    max_batch = 500

    def __init__(self, client: JsonClient, username: str, password: str) -> None:
        self._client = client
        self._url = api_url(client.base_url)
        self._username = username
        self._password = password
        self._sid: str | None = None

    def close(self) -> None:
        self._client.close()

    # ---- calls -------------------------------------------------------------------------

    def _post(self, payload: dict[str, Any]) -> Any:
        status, headers, body = self._client.request("POST", self._url, json_body=payload)
        check_status(self._url, status, headers, body)
        reply = parse_json(self._url, body)
        if not isinstance(reply, dict) or "status" not in reply:
            raise SyncError(f"{self._url}: not a Tiny Tiny RSS API answer", "bad_response")
        content = reply.get("content")
        if reply["status"] != 0:
            error = content.get("error") if isinstance(content, dict) else None
            if error == "NOT_LOGGED_IN":
                raise SessionExpired(f"{self._url}: the session expired (NOT_LOGGED_IN)")
            if error in ("LOGIN_ERROR", "API_DISABLED"):
                reason = (
                    "API access is disabled for this user"
                    if error == "API_DISABLED"
                    else ("the user name or password was refused")
                )
                raise SyncError(f"{self._url}: {reason}", "auth")
            shown = error if isinstance(error, str) else "unknown"
            raise SyncError(f"{self._url}: the API said {shown[:80]!r}", "error")
        return content

    def _call(self, op: str, **params: Any) -> Any:
        """An API call in our session; logs in first, and once more if the session expired."""
        if self._sid is None:
            self.login()
        try:
            return self._post({"op": op, "sid": self._sid, **params})
        except SessionExpired:
            self.login()
            return self._post({"op": op, "sid": self._sid, **params})

    def login(self) -> None:
        content = self._post({"op": "login", "user": self._username, "password": self._password})
        sid = content.get("session_id") if isinstance(content, dict) else None
        if not isinstance(sid, str) or not sid:
            raise SyncError(f"{self._url}: login gave no session", "bad_response")
        self._sid = sid

    # ---- reading -----------------------------------------------------------------------

    def categories(self) -> list[RemoteCategory]:
        content = self._call("getCategories", include_empty=True)
        return [
            RemoteCategory(str(c["id"]), _str(c.get("title")))
            for c in _items(content)
            if "id" in c and _int(c["id"]) is not None and _int(c["id"]) >= 0  # type: ignore[operator]
        ]

    def feeds(self) -> list[RemoteFeed]:
        content = self._call("getFeeds", cat_id=-3)
        out = []
        for f in _items(content):
            fid = _int(f.get("id"))
            if fid is None or fid <= 0:
                continue
            cat = _int(f.get("cat_id"))
            out.append(
                RemoteFeed(
                    id=str(fid),
                    title=_str(f.get("title")),
                    url=_str(f.get("feed_url")),
                    category_id=str(cat) if cat else None,
                    unread=_int(f.get("unread")),
                )
            )
        return out

    def _headlines(self, **params: Any) -> Iterator[list[dict[str, Any]]]:
        seen: set[int] = set()
        for page in range(MAX_PAGES):
            rows = _items(self._call("getHeadlines", limit=PAGE, skip=page * PAGE, **params))
            fresh = [r for r in rows if _int(r.get("id")) is not None and r["id"] not in seen]
            seen.update(r["id"] for r in fresh)
            if fresh:
                yield fresh
            if len(rows) < PAGE or not fresh:
                return

    def new_articles(
        self, cursor: str | None, stored: Callable[[Sequence[str]], set[str]]
    ) -> Iterator[ArticlePage]:
        since = int(cursor) if cursor and cursor.isdigit() else 0
        highest = since
        pages = self._headlines(
            feed_id=-4,
            view_mode="all_articles",
            show_content=True,
            since_id=since,
            include_attachments=False,
        )
        for rows in pages:
            articles = [a for a in (_article(r) for r in rows) if a is not None]
            highest = max([highest, *(int(a.id) for a in articles)])
            yield ArticlePage(articles, None)
        yield ArticlePage([], str(highest))

    def unread_ids(self, feed_ids: Collection[str] | None) -> set[str]:
        targets = ["-4"] if feed_ids is None else list(feed_ids)
        found: set[str] = set()
        for feed_id in targets:
            for rows in self._headlines(
                feed_id=int(feed_id), view_mode="unread", show_content=False
            ):
                found.update(str(r["id"]) for r in rows if r.get("unread", True))
        return found

    def starred_ids(self) -> set[str]:
        found: set[str] = set()
        for rows in self._headlines(feed_id=-1, view_mode="all_articles", show_content=False):
            found.update(str(r["id"]) for r in rows if r.get("marked", True))
        return found

    def recently_read_ids(self) -> set[str]:
        # Feed -6, "recently read": read in the last day, latest first; one page is the hint.
        rows = _items(
            self._call(
                "getHeadlines", feed_id=-6, view_mode="all_articles", limit=PAGE, show_content=False
            )
        )
        return {str(r["id"]) for r in rows if _int(r.get("id")) is not None and not r.get("unread")}

    # ---- writing -----------------------------------------------------------------------

    def set_flag(self, article_ids: Sequence[str], flag: str, value: bool) -> None:
        if not article_ids:
            return
        # field 2 is "unread" (so read=True sets it false), field 0 is "marked" (starred).
        field, mode = (2, 0 if value else 1) if flag == "read" else (0, 1 if value else 0)
        for start in range(0, len(article_ids), self.max_batch):
            chunk = article_ids[start : start + self.max_batch]
            self._call("updateArticle", article_ids=",".join(chunk), mode=mode, field=field)

    def subscribe(self, url: str, category: str | None) -> str:
        # The API (level 15) cannot make a category: an unknown one means uncategorized.
        found = [c.id for c in self.categories() if category and c.title == category]
        content = self._call(
            "subscribeToFeed", feed_url=url, category_id=int(found[0]) if found else 0
        )
        status = content.get("status") if isinstance(content, dict) else None
        code = status.get("code") if isinstance(status, dict) else None
        if code in (0, 1) and _int(status.get("feed_id")) is not None:  # type: ignore[union-attr]
            return str(status["feed_id"])  # type: ignore[index]
        reasons = {
            2: "not a valid URL",
            3: "no feed found at that address",
            4: "the page links to several feeds; give one",
            5: "the server could not fetch it",
        }
        why = reasons.get(code, f"code {code!r}") if isinstance(code, int) else "no answer"
        raise SyncError(f"subscribing on the server failed: {why}", "error")

    def unsubscribe(self, feed_id: str) -> None:
        try:
            self._call("unsubscribeFeed", feed_id=int(feed_id))
        except SyncError as exc:
            if "FEED_NOT_FOUND" not in str(exc):  # already gone: done
                raise


def _items(content: Any) -> list[dict[str, Any]]:
    if not isinstance(content, list):
        raise SyncError("the server's answer is not a list where the API gives one", "bad_response")
    return [c for c in content if isinstance(c, dict)]


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) < 19:
        return int(value)
    return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _time(value: Any) -> datetime | None:
    stamp = _int(value)
    if stamp is None or stamp <= 0:
        return None
    try:
        return datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _article(row: dict[str, Any]) -> RemoteArticle | None:
    article_id = _int(row.get("id"))
    feed_id = _int(row.get("feed_id"))
    if article_id is None or feed_id is None:
        return None
    when = _time(row.get("updated"))
    return RemoteArticle(
        id=str(article_id),
        feed_id=str(feed_id),
        title=_str(row.get("title")),
        url=_str(row.get("link")) or None,
        author=_str(row.get("author")) or None,
        published=when,
        updated=when,
        content=_str(row.get("content")),
        read=not bool(row.get("unread", True)),
        starred=bool(row.get("marked", False)),
    )
