"""The query language's lexer and parser: text in, a typed tree (query/tree.py) or a QueryError out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newstui.domain.words import words
from newstui.query.folding import fold
from newstui.query.tree import (
    FIELDS,
    FLAGS,
    MAX_LIMIT,
    MAX_TERMS,
    SORTS,
    UNITS,
    And,
    Date,
    Flag,
    Match,
    Node,
    Not,
    Or,
    Query,
    QueryError,
    Regex,
    Text,
    flatten,
)

# ---- the lexer ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    kind: str  # "(", ")", "-", "#", "field", "word", "phrase", "regex", "OR", "AND", "NOT", "end"
    text: str
    pos: int
    prefix: bool = False
    end: int = 0


_KEYWORDS = ("OR", "AND", "NOT")
_NAME = re.compile(r"([A-Za-z]+):")
_STOP = ' \t\r\n()"'


def _lex(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c in "()":
            toks.append(_Tok(c, c, i, end=i + 1))
            i += 1
            continue
        if c == "-" and (not toks or toks[-1].kind != "field"):
            if i + 1 >= n or text[i + 1].isspace() or text[i + 1] == ")":
                raise QueryError("'-' must be followed by the term it excludes", text, i)
            toks.append(_Tok("-", c, i, end=i + 1))
            i += 1
            continue
        if c == "#" and (not toks or toks[-1].kind != "field"):
            if i + 1 >= n or text[i + 1] in _STOP:
                raise QueryError("'#' must be followed by a tag name", text, i)
            toks.append(_Tok("#", c, i, end=i + 1))
            i += 1
            continue
        after_field = bool(toks) and toks[-1].kind == "field" and toks[-1].end == i
        if c == '"':
            i = _lex_phrase(text, i, toks)
            continue
        if c == "/" and after_field:
            i = _lex_regex(text, i, toks)
            continue
        name = _NAME.match(text, i)
        if name and not after_field:
            toks.append(_Tok("field", name.group(1).lower(), i, end=name.end()))
            if name.end() >= n or text[name.end()].isspace() or text[name.end()] == ")":
                raise QueryError(f"'{name.group(0)}' needs a value", text, i)
            i = name.end()
            continue
        start = i
        while i < n and text[i] not in _STOP:
            i += 1
        raw = text[start:i]
        if raw in _KEYWORDS and not after_field:
            toks.append(_Tok(raw, raw, start, end=i))
            continue
        prefix = raw.endswith("*")
        toks.append(_Tok("word", raw.rstrip("*") if prefix else raw, start, prefix, end=i))
    toks.append(_Tok("end", "", n, end=n))
    return toks


def _lex_phrase(text: str, i: int, toks: list[_Tok]) -> int:
    start, i, n = i, i + 1, len(text)
    out: list[str] = []
    while i < n and text[i] != '"':
        if text[i] == "\\" and i + 1 < n:
            i += 1
        out.append(text[i])
        i += 1
    if i >= n:
        raise QueryError("this phrase has no closing '\"'", text, start)
    i += 1
    prefix = i < n and text[i] == "*"
    if prefix:
        i += 1
    toks.append(_Tok("phrase", "".join(out), start, prefix, end=i))
    return i


def _lex_regex(text: str, i: int, toks: list[_Tok]) -> int:
    start, i, n = i, i + 1, len(text)
    out: list[str] = []
    while i < n and text[i] != "/":
        if text[i] == "\\" and i + 1 < n and text[i + 1] == "/":
            i += 1
        elif text[i] == "\\" and i + 1 < n:
            out.append(text[i])
            i += 1
        out.append(text[i])
        i += 1
    if i >= n:
        raise QueryError("this regular expression has no closing '/'", text, start)
    toks.append(_Tok("regex", "".join(out), start, end=i + 1))
    return i + 1


# ---- the parser --------------------------------------------------------------------------


@dataclass(slots=True)
class _Option:
    """sort: or limit: as it appears in the tree while parsing (removed before it is returned)."""

    name: str
    value: str | int
    pos: int


@dataclass
class _Parser:
    text: str
    toks: list[_Tok]
    at: int = 0
    terms: int = 0
    hidden: bool = False
    options: list[_Option] = field(default_factory=list)

    def peek(self) -> _Tok:
        return self.toks[self.at]

    def take(self) -> _Tok:
        tok = self.toks[self.at]
        self.at += 1
        return tok

    def error(self, message: str, pos: int) -> QueryError:
        return QueryError(message, self.text, pos)

    def parse_or(self) -> Node | _Option | None:
        items = [self.parse_and()]
        while self.peek().kind == "OR":
            tok = self.take()
            if self.peek().kind in ("end", ")", "OR"):
                raise self.error("OR must be between two terms", tok.pos)
            if items[-1] is None:
                raise self.error("OR must be between two terms", tok.pos)
            items.append(self.parse_and())
        if len(items) == 1:
            return items[0]
        nodes: list[Node] = []
        for item in items:
            if isinstance(item, _Option):
                raise self.error(f"{item.name}: needs a term on each side of OR", item.pos)
            if isinstance(item, And):
                item = _strip(item)
            assert item is not None
            nodes.append(item)
        return Or(tuple(flatten(Or, nodes)))

    def parse_and(self) -> Node | _Option | None:
        items: list[Node | _Option] = []
        while True:
            tok = self.peek()
            if tok.kind in ("end", ")", "OR"):
                break
            if tok.kind == "AND":
                self.take()
                if not items or self.peek().kind in ("end", ")", "OR", "AND"):
                    raise self.error("AND must be between two terms", tok.pos)
                continue
            item = self.parse_unary()
            if item is not None:
                items.append(item)
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        return And(tuple(items))  # type: ignore[arg-type]  # options are removed by parse()

    def parse_unary(self) -> Node | _Option | None:
        tok = self.peek()
        if tok.kind in ("-", "NOT"):
            self.take()
            if self.peek().kind in ("end", ")", "OR", "AND"):
                raise self.error(f"{tok.text} must be followed by the term it excludes", tok.pos)
            inner = self.parse_unary()
            if isinstance(inner, _Option):
                raise self.error(f"{inner.name}: cannot be negated", inner.pos)
            if inner is None:
                return None
            return inner.item if isinstance(inner, Not) else Not(inner)
        return self.parse_primary()

    def parse_primary(self) -> Node | _Option | None:
        tok = self.take()
        if tok.kind == "(":
            if self.peek().kind == ")":
                raise self.error("empty parentheses", tok.pos)
            inner = self.parse_or()
            close = self.peek()
            if close.kind != ")":
                raise self.error("this '(' is never closed", tok.pos)
            self.take()
            if isinstance(inner, _Option):
                raise self.error(
                    f"{inner.name}: applies to the whole query, not inside ( )", inner.pos
                )
            if isinstance(inner, And) and any(isinstance(i, _Option) for i in inner.items):
                bad = next(i for i in inner.items if isinstance(i, _Option))
                assert isinstance(bad, _Option)
                raise self.error(f"{bad.name}: applies to the whole query, not inside ( )", bad.pos)
            return inner
        if tok.kind == ")":
            raise self.error("')' without a '(' before it", tok.pos)
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise self.error(f"too many terms (at most {MAX_TERMS})", tok.pos)
        if tok.kind == "#":
            value = self.take()
            if value.kind not in ("word", "phrase"):
                raise self.error("'#' must be followed by a tag name", tok.pos)
            return Match("tag", self.tag_value(value))
        if tok.kind == "field":
            return self.parse_field(tok)
        if tok.kind in ("word", "phrase"):
            return Match("text", self.text_value(tok))
        if tok.kind == "regex":  # pragma: no cover - the lexer makes these only after a field
            raise self.error("a /regex/ needs a field before it, as in title:/…/", tok.pos)
        raise self.error(f"unexpected {tok.text or 'end of the query'}", tok.pos)

    def text_value(self, tok: _Tok) -> Text:
        found = tuple(fold(w) for w in words(tok.text))
        if not found:
            what = "phrase" if tok.kind == "phrase" else "word"
            raise self.error(f"this {what} has no letters or digits to search for", tok.pos)
        if len(found) > 16:
            raise self.error("a phrase may have at most 16 words", tok.pos)
        return Text(found, tok.prefix, tok.kind == "phrase")

    def tag_value(self, tok: _Tok) -> Text:
        name = " ".join(tok.text.split())
        if not name:
            raise self.error("an empty tag name", tok.pos)
        return Text((name.casefold(),), tok.prefix, tok.kind == "phrase")

    def parse_field(self, tok: _Tok) -> Node | _Option:
        name = tok.text
        value = self.take()
        if value.kind not in ("word", "phrase", "regex"):
            raise self.error(f"'{name}:' needs a value", tok.pos)
        if name in FIELDS:
            if value.kind == "regex":
                try:
                    re.compile(value.text, re.IGNORECASE)
                except re.error as exc:
                    at = value.pos + 1 + (exc.pos or 0)
                    raise self.error(f"bad regular expression: {exc.msg}", at) from None
                if not value.text:
                    raise self.error("an empty regular expression", value.pos)
                return Match(name, Regex(value.text))
            if name == "tag":
                return Match("tag", self.tag_value(value))
            text = self.text_value(value)
            feed_id = None
            if (
                name == "feed"
                and value.kind == "word"
                and value.text.isdigit()
                and not value.prefix
            ):
                feed_id = int(value.text) if len(value.text) < 19 else None
            return Match(name, text, feed_id)
        if value.kind != "word" or value.prefix:
            raise self.error(f"'{name}:' takes a plain value", value.pos)
        raw = value.text
        word = raw.lower()
        if name in FLAGS:
            if word not in FLAGS[name]:
                choices = ", ".join(f"{name}:{v}" for v in FLAGS[name])
                raise self.error(f"unknown {name}:{raw} (one of {choices})", value.pos)
            if word == "hidden":
                self.hidden = True
            return Flag(word)
        if name in ("after", "before"):
            return Date(">=" if name == "after" else "<", at=self.parse_date(value))
        if name in ("newer", "older"):
            return Date(">=" if name == "newer" else "<", age=self.parse_age(value))
        if name == "sort":
            if word not in SORTS:
                raise self.error(f"unknown sort:{raw} (one of {', '.join(SORTS)})", value.pos)
            return self.option(_Option("sort", word, tok.pos))
        if name == "limit":
            if not raw.isdigit() or not 0 < int(raw) <= MAX_LIMIT:
                raise self.error(f"limit: takes a number from 1 to {MAX_LIMIT}", value.pos)
            return self.option(_Option("limit", int(raw), tok.pos))
        known = ", ".join(
            [*FIELDS, "is", "has", "after", "before", "newer", "older", "sort", "limit"]
        )
        raise self.error(
            f"unknown field '{name}:' (fields: {known}; quote text with a ':' to search it)",
            tok.pos,
        )

    def option(self, option: _Option) -> _Option:
        if any(o.name == option.name for o in self.options):
            raise self.error(f"{option.name}: is given twice", option.pos)
        self.options.append(option)
        return option

    def parse_date(self, tok: _Tok) -> float:
        raw = tok.text
        for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
            try:
                return datetime.strptime(raw, fmt).replace(tzinfo=UTC).timestamp()
            except ValueError:
                continue
        raise self.error(
            f"'{raw}' is not a date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM, in UTC)", tok.pos
        )

    def parse_age(self, tok: _Tok) -> float:
        found = re.fullmatch(r"(\d{1,6})([hdwmy])", tok.text.lower())
        if not found:
            raise self.error(
                f"'{tok.text}' is not an age (a number and h, d, w, m or y, as in 7d)", tok.pos
            )
        return int(found.group(1)) * UNITS[found.group(2)]


def _strip(node: And) -> Node | None:
    """An AND without the sort:/limit: options among its items (they apply to the query)."""
    kept = [i for i in node.items if not isinstance(i, _Option)]
    return None if not kept else kept[0] if len(kept) == 1 else And(tuple(flatten(And, kept)))


def parse(text: str) -> Query:
    """The tree of a query; QueryError (with the position) when it is malformed."""
    if len(text) > 4000:
        raise QueryError("the query is too long (at most 4,000 characters)", text, 4000)
    parser = _Parser(text, _lex(text))
    expr = parser.parse_or()
    tok = parser.peek()
    if tok.kind != "end":
        if tok.kind == ")":
            raise parser.error("')' without a '(' before it", tok.pos)
        raise parser.error(f"unexpected {tok.text}", tok.pos)  # pragma: no cover
    if isinstance(expr, _Option):
        expr = None
    elif isinstance(expr, And):
        expr = _strip(expr)
    sort, limit = "newest", None
    for option in parser.options:
        if option.name == "sort":
            sort = str(option.value)
        else:
            limit = int(option.value)
    return Query(expr, sort, limit, text, parser.hidden)
