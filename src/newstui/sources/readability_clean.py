"""What Readability.js's `_prepArticle` removes from the article it picked, and the measures
its choice shares with it (text, link density, class weight): see `readability_js`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = ["class_weight", "elements", "has_ancestor", "inner_text", "link_density", "prep_article"]

STRIP_UNLIKELYS, WEIGHT_CLASSES, CLEAN_CONDITIONALLY = 1, 2, 4
#: An attempt shorter than this (characters) is retried with one clean-up fewer; a share box
#: shorter than this is removed.
CHAR_THRESHOLD = 500
_POSITIVE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story", re.I
)
_NEGATIVE = re.compile(
    r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|"
    r"media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|"
    r"tags|widget",
    re.I,
)
_SHARE = re.compile(r"(\b|_)(share|sharedaddy)(\b|_)", re.I)
_VIDEOS = re.compile(
    r"//(www\.)?((dailymotion|youtube|youtube-nocookie|player\.vimeo|v\.qq|bilibili|"
    r"live.bilibili)\.com|(archive|upload\.wikimedia)\.org|player\.twitch\.tv)",
    re.I,
)
_AD_OR_LOADING = re.compile(
    r"^(?:ad(?:vertising|vertisement)?|pub(?:licité)?|werb(?:ung)?|广告|Реклама|Anuncio|"
    r"(?:loading|正在加载|Загрузка|chargement|cargando)(?:…|\.\.\.)?)$",
    re.I,
)
_SPACES = re.compile(r"\s{2,}")
#: Block elements: a `div` holding none of them is a paragraph.
DIV_TO_P = ("blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul")
_TEXTISH = ("span", "li", "td", *DIV_TO_P)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def inner_text(element: Any) -> str:
    return _SPACES.sub(" ", element.text_content().strip())


def elements(nodes: Iterator[Any]) -> list[Any]:
    return [n for n in nodes if isinstance(n.tag, str)]


def link_density(element: Any) -> float:
    length = len(inner_text(element))
    if not length:
        return 0.0
    linked = 0.0
    for link in element.iter("a"):
        href = link.get("href") or ""
        linked += len(inner_text(link)) * (0.3 if len(href) > 1 and href[0] == "#" else 1)
    return linked / length


def has_ancestor(element: Any, tag: str, depth: int = 3, test: Any = None) -> bool:
    for n, ancestor in enumerate(element.iterancestors()):
        if depth > 0 and n > depth:
            return False
        if ancestor.tag == tag and (test is None or test(ancestor)):
            return True
    return False


def class_weight(element: Any, flags: int) -> int:
    """+25 for a class or id that says content ("article", "body"), -25 for one that says not
    ("comment", "sidebar"), each; 0 once class names are no longer weighted."""
    if not flags & WEIGHT_CLASSES:
        return 0
    weight = 0
    for value in (element.get("class"), element.get("id")):
        if value:
            weight -= 25 if _NEGATIVE.search(value) else 0
            weight += 25 if _POSITIVE.search(value) else 0
    return weight


def prep_article(article: Any, flags: int) -> None:
    """What `_prepArticle` removes: forms, embeds, asides and buttons, small share boxes,
    headings with a negative class, and tables, lists and divs that look like furniture."""
    data_tables = {t for t in article.iter("table") if _data_table(t)}
    _clean_conditionally(article, flags, "form", data_tables)
    _clean_conditionally(article, flags, "fieldset", data_tables)
    for tag in ("object", "embed", "footer", "link", "aside"):
        _clean(article, tag)
    for child in elements(iter(article)):
        for node in list(child.iterdescendants()):
            match = f"{node.get('class') or ''} {node.get('id') or ''}"
            if (
                isinstance(node.tag, str)
                and _SHARE.search(match)
                and len(node.text_content()) < CHAR_THRESHOLD
                and node.getparent() is not None
            ):
                node.drop_tree()
    for tag in ("iframe", "input", "textarea", "select", "button"):
        _clean(article, tag)
    for heading in list(article.iter("h1", "h2")):
        if class_weight(heading, flags) < 0:
            heading.drop_tree()
    for tag in ("table", "ul", "div"):
        _clean_conditionally(article, flags, tag, data_tables)


def _clean_conditionally(article: Any, flags: int, tag: str, data_tables: set[Any]) -> None:
    if not flags & CLEAN_CONDITIONALLY:
        return
    for node in reversed(list(article.iterdescendants(tag))):
        if _fishy(node, flags, tag, data_tables):
            node.drop_tree()


def _fishy(node: Any, flags: int, tag: str, data_tables: set[Any]) -> bool:
    """Whether a table, list, div or form looks like furniture (Readability.js's checks)."""
    text = inner_text(node)
    is_list = tag in ("ul", "ol")
    if not is_list and text:
        in_lists = sum(len(inner_text(x)) for x in node.iterdescendants("ul", "ol"))
        is_list = in_lists / len(text) > 0.9
    if node in data_tables or has_ancestor(node, "table", -1, data_tables.__contains__):
        return False
    if has_ancestor(node, "code") or any(t in data_tables for t in node.iter("table")):
        return False
    weight = class_weight(node, flags)
    if weight < 0:
        return True
    if text.count(",") >= 10:
        return False
    count = {t: sum(1 for _ in node.iterdescendants(t)) for t in ("p", "img", "li", "input")}
    p, img, li, inputs = count["p"], count["img"], count["li"] - 100, count["input"]
    embeds = 0
    for embed in node.iterdescendants("object", "embed", "iframe"):
        if any(_VIDEOS.search(v) for v in embed.attrib.values()):
            return False
        embeds += 1
    if _AD_OR_LOADING.match(text):
        return True
    length, density = len(text), link_density(node)
    figure = has_ancestor(node, "figure")
    remove = (
        (not figure and img > 1 and p / img < 0.5)
        or (not is_list and li > p)
        or inputs > p // 3
        or (
            not is_list
            and not figure
            and _text_density(node, _HEADINGS) < 0.9
            and length < 25
            and (img == 0 or img > 2)
            and density > 0
        )
        or (not is_list and weight < 25 and density > 0.2)
        or (weight >= 25 and density > 0.5)
        or (embeds == 1 and length < 75)
        or embeds > 1
        or (img == 0 and _text_density(node, _TEXTISH) == 0)
    )
    if is_list and remove:
        children = elements(iter(node))
        if all(len(elements(iter(c))) <= 1 for c in children) and img == count["li"]:
            return False  # a list of pictures
    return remove


def _clean(article: Any, tag: str) -> None:
    for node in list(article.iterdescendants(tag)):
        if node.getparent() is not None:
            node.drop_tree()


def _text_density(node: Any, tags: tuple[str, ...]) -> float:
    length = len(inner_text(node))
    if not length:
        return 0.0
    return sum(len(inner_text(x)) for x in node.iterdescendants(*tags)) / length


def _data_table(table: Any) -> bool:
    """Whether a table holds data (kept whole) rather than laying out the page."""
    if table.get("role") == "presentation" or table.get("datatable") == "0":
        return False
    if table.get("summary"):
        return True
    caption = next(table.iter("caption"), None)
    if caption is not None and (caption.text or len(caption)):
        return True
    if next(table.iterdescendants("col", "colgroup", "tfoot", "thead", "th"), None) is not None:
        return True
    if next(table.iterdescendants("table"), None) is not None:
        return False
    rows = list(table.iter("tr"))
    columns = max(
        (sum(int(c.get("colspan") or 1) if (c.get("colspan") or "1").isdigit() else 1
             for c in r if c.tag in ("td", "th")) for r in rows),
        default=0,
    )  # fmt: skip
    row_count = sum(
        int(r.get("rowspan") or 1) if (r.get("rowspan") or "1").isdigit() else 1 for r in rows
    )
    if columns == 1 or row_count == 1:
        return False
    return row_count >= 10 or columns > 4 or row_count * columns > 10
