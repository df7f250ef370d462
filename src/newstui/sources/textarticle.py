"""Plain-text articles as scraped from the web: boilerplate lines out, subheads, a date and byline.

A scraped article file is a title line (`Headline | Site`), then blocks separated by blank
lines. Among the paragraphs sit lines the scraper kept from the page around the article: video
player notices, "Advertisement", share and follow prompts, image credits, "Source link", a
related story or tag line at the end. Each rule below describes a *kind* of line, never one
site's text, and applies only to short lines that do not read as prose, so a paragraph (a
sentence that happens to start with "Share prices" or "Advertisement revenue") is always kept.

Short title-like lines between paragraphs are the page's subheads; lines in quotation marks
stay quotations. The result is Markdown with every kept block escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from newstui.sources.markdown_text import escape_markdown
from newstui.sources.texttitle import split_title, title_line

#: A block longer than this is prose: never boilerplate, never a subhead.
MAX_LINE_WORDS = 16
#: Subheads are at most this many words.
MAX_SUBHEAD_WORDS = 12
#: A date or byline line is looked for among this many blocks after the title.
HEAD_BLOCKS = 4

_SOCIAL = (
    r"facebook|twitter|x|whatsapp|linkedin|reddit|pinterest|telegram|email|e-mail|mail|print|"
    r"messenger|copy link|copy|sms|flipboard|tumblr|threads|bluesky|mastodon|instagram|youtube|"
    r"tiktok|rss|share|tweet|pin it|comments?"
)
_NETWORKS = r"facebook|twitter|x|instagram|youtube|tiktok|linkedin|threads|bluesky|mastodon|telegram|whatsapp|google news|apple news|flipboard"

# Whole-line patterns (matched against the line lowercased, trimmed of bullets and punctuation).
# These never open a sentence of an article: a line they match is dropped even if it reads as one.
_NOTICES = [
    r".*\b(?:your|this) (?:browser|device) (?:does not|doesn'?t|cannot|can'?t|is unable to) (?:support|play)\b.*",
    r"(?:please )?(?:use|switch to|try|upgrade|update) (?:a |the |your )?(?:\w+ ){0,3}browser\b.*\b(?:video|audio|media|player)\b.*",
    r"media playback is (?:not supported|unsupported) on (?:this|your) device.*",
    r"(?:to (?:play|watch|view) this (?:video|content).*|.*enable javascript.*(?:video|player|content).*)",
    r"(?:click|tap|press) here(?: to .{0,50})?",
    r"(?:image|photo|media|video)s? (?:source|caption|credit)s?\s*[,:].*",
]
_NOTICES_RE = re.compile("|".join(f"(?:{p})" for p in _NOTICES))
# These are dropped when the line is short and not a sentence ("Share prices fell..." stays).
_BOILERPLATE = [
    # video and audio player notices
    r"(?:please )?(?:use|switch to|try|upgrade|update) (?:a |the |your )?(?:\w+ ){0,3}browser\b.*\b(?:video|audio|media|player)\b.*",
    r".*\b(?:your|this) (?:browser|device) (?:does not|doesn'?t|cannot|can'?t|is unable to) (?:support|play)\b.*",
    r"(?:this )?(?:video|audio|media|content) (?:is )?(?:not available|unavailable|cannot be played|can ?not be played|could not be loaded).*",
    r"media playback is (?:not supported|unsupported) on (?:this|your) device.*",
    r"(?:to (?:play|watch|view) this (?:video|content).*|.*enable javascript.*(?:video|player|content).*)",
    r"(?:watch|listen)(?: now| live| the video| video)?(?:\s*[:|-].*)?",
    r"(?:video|audio|watch|listen|media)(?: \d+:\d+)?",
    r"(?:play|pause|mute|unmute|replay|fullscreen|closed captions)(?: video)?",
    r"\d{1,2}:\d{2}(?: min(?:utes?)?)?",
    # source and "read more" lines
    r"(?:source|original|view|visit) (?:link|article|source|story|website|post|url)",
    r"(?:source|sources|via|credit|credits)(?:\s*:.*)?",
    r"(?:continue|keep) reading(?: the (?:main )?story| the (?:full )?article| below| on .{1,40})?",
    r"(?:read|see|click here|tap here)(?: (?:more|the full|the original|full|more about|also|next))?(?: (?:story|article|stories|here|below|on .*))?(?:\s*[:>»].*)?",
    r"(?:also read|read also|more reading|further reading|see also|recommended(?: reading| for you| stories)?|related(?: stories| articles| content| coverage| reading| links| topics| news)?|more on this story|more from .{0,40}|most (?:read|popular|viewed|shared)|top stories|trending(?: now)?|you (?:may|might) also (?:like|be interested in))(?:\s*:.*)?",
    # advertising
    r"(?:advertisement|advertising|ad|ads|sponsored(?: content| post| by .*)?|promoted(?: content)?|paid (?:content|post|partnership)|partner content)",
    r"(?:story|article|content|text) continues? (?:below|after)(?: (?:this|the))?(?: advertisement| ad)?",
    r"(?:scroll|continue) (?:down )?(?:to|for) (?:continue|read|more)(?: (?:with|reading))?(?: (?:the )?(?:article|content|story))?",
    # share / follow / subscribe prompts
    rf"(?:share|share this|share on|share via|share the story|share this (?:article|story|post|page))(?:\s*:?\s*(?:{_SOCIAL})(?:\W+(?:{_SOCIAL}))*)?",
    rf"(?:{_SOCIAL})(?:\W+(?:{_SOCIAL})){{1,}}",
    rf"follow (?:us|me|@\w+|[\w ]{{1,30}}) on (?:{_NETWORKS})(?:(?:,|and|or|\s)+(?:{_NETWORKS}))*.*",
    rf"(?:follow|like) us(?: on (?:{_NETWORKS}).*)?",
    r"(?:subscribe|sign up|register)(?: now| today| here| free| for free)?",
    r"(?:subscribe|sign up|register|join|get)(?: now| today| here| free| for free)?(?: (?:to|for)| our)? .{0,60}\b(?:newsletters?|channel|podcast|updates|alerts|digest|briefing|emails?|mailing list|subscription)\b.*",
    r"(?:get|receive) (?:our|the) [\w ]{0,40}(?:newsletter|updates|alerts|briefing)s?.*",
    r"(?:download|get) (?:the|our) [\w ]{0,30}app.*",
    r"(?:sign|log) (?:in|up|out)(?: to .*)?",
    r"(?:comments?|leave a comment|add a comment|\d+ comments?|show comments|view comments|join the conversation|be the first to comment)",
    r"(?:skip to (?:main )?content|skip advertisement|back to top|return to top|print this (?:article|page)|email this (?:article|story))",
    # image credits and captions
    r"(?:image|photo|picture|photograph|video|graphic|illustration|media|chart|map)s?(?: source| credit| caption|credits)?\s*[,:].*",
    r"(?:getty(?: images)?|reuters|ap|afp|epa|pa|shutterstock|alamy|istock|bloomberg)(?:\s*(?:photo|images?|via getty images))?",
    r".{0,80}(?:/|\bvia )(?:getty images|reuters|afp|ap|epa|shutterstock|alamy|istock|bloomberg)\W*",
    r"\((?:photo|image|picture|credit|ap photo|reuters|afp)\b.*\)",
    r"(?:©|\(c\)|copyright)\s.*",
    # tag and topic lines
    r"(?:tags?|topics?|filed under|categories|category|keywords|related (?:tags|topics)|posted in|more about)\s*[:|].*",
]
_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE))
# A link to another story: a title-like line that names what it links to.
_RELATED_SUFFIX = re.compile(
    r"\s[-–—|]\s*(?:latest(?: news| updates)?|live(?: updates| blog)?|as it happened|video|"
    r"in pictures|watch|podcast|explainer|analysis|opinion|what we know(?: so far)?|"
    r"full story|read more)\s*$",
    re.I,
)
_BULLET = re.compile(r"^[\s>*•·\-–—|»›]+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\s.:!|»›>\-–—]+$")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!…;,:)\]]['\"’”»)]*$")
_QUOTE_OPEN = "\"'“‘«„‹「『"
_QUOTE_CLOSE = "\"'”’»“‹›」』"
_BYLINE = re.compile(r"^(?:by|written by|words by|story by|von|par|por|di)\s+(.{2,80})$", re.I)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "janvier", "januar", "enero"),
            ("feb", "february", "février", "fevrier", "februar", "febrero"),
            ("mar", "march", "mars", "märz", "marzo"),
            ("apr", "april", "avril", "abril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juin", "juni", "junio"),
            ("jul", "july", "juillet", "juli", "julio"),
            ("aug", "august", "août", "aout", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "octobre", "oktober", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "décembre", "decembre", "dezember", "diciembre"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True)) + r")\.?"
_TIME = r"(?:[,\s]+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?)?"
_DATE_FORMS = (
    # 2023-03-12, 2023/03/12, 2023-03-12T10:00
    re.compile(
        r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?", re.I
    ),
    # 12 March 2023, 12th March, 2023
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+{_MONTH}\s*,?\s+(\d{{4}}){_TIME}", re.I),
    # March 12, 2023
    re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}}){_TIME}", re.I),
)
_DATE_LABEL = re.compile(
    r"^(?:published|posted|updated|last updated|first published|modified|date|on|dated)\b", re.I
)


@dataclass(frozen=True, slots=True)
class TextArticle:
    """A plain-text article read as a page: its parts and its body as Markdown."""

    title: str
    site: str | None
    author: str | None
    published: datetime | None
    markdown: str
    dropped: tuple[str, ...] = ()
    """The boilerplate lines left out, in order (for tests and for the curious)."""


def read_text_article(text: str) -> TextArticle:
    """A scraped plain-text article: title line, then paragraphs and the page's scraps."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return TextArticle("", None, None, None, "")
    title, site = split_title(title_line(lines[0]))
    blocks = _blocks(lines[1:])
    author = published = None
    dropped: list[str] = []
    # A byline and a date line near the top are metadata, not text.
    head: list[str] = []
    for index, block in enumerate(blocks[:HEAD_BLOCKS]):
        if _word_count(block) > MAX_LINE_WORDS:
            head.extend(blocks[index:HEAD_BLOCKS])
            break
        when = date_in_line(block)
        byline = _BYLINE.match(block.strip())
        if when is not None and published is None and _is_date_line(block):
            published = when
            dropped.append(block)
        elif byline is not None and author is None and not _is_prose(block):
            author = _strip_date(byline.group(1)).strip(" ,|·-–—")
            dropped.append(block)
            if published is None:
                published = date_in_line(block)
        else:
            head.append(block)
    blocks = head + blocks[HEAD_BLOCKS:]
    kept: list[str] = []
    for block in blocks:
        if is_boilerplate(block):
            dropped.append(block)
        else:
            kept.append(block)
    # A trailing title-like line (a related story, a tag or section name) ends many scrapes;
    # only after the article's prose, so a short note is never emptied.
    while (
        len(kept) > 1
        and _is_title_like(kept[-1])
        and not _is_quote(kept[-1])
        and any(_is_prose(b) for b in kept[:-1])
    ):
        dropped.append(kept.pop())
    out: list[str] = []
    for index, block in enumerate(kept):
        if _is_subhead(kept, index):
            out.append("## " + escape_markdown(" ".join(block.split())))
        else:
            out.append(_paragraph(block))
    return TextArticle(title, site, author or None, published, "\n\n".join(out), tuple(dropped))


def _blocks(lines: list[str]) -> list[str]:
    blocks: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _normal(line: str) -> str:
    text = " ".join(line.split()).lower()
    text = _BULLET.sub("", text)
    return _EDGE_PUNCT.sub("", text) if not text.startswith(("(", "©")) else text.rstrip(" .")


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _is_prose(block: str) -> bool:
    """Reads as a sentence: long, or several words ending in sentence punctuation."""
    words = _word_count(block)
    if words > MAX_LINE_WORDS:
        return True
    return words >= 8 and bool(_SENTENCE_END.search(block.strip())) and "." in block


def is_boilerplate(block: str) -> bool:
    """True for a scraped line that is not part of the article (see the module's rules)."""
    if "\n" in block.strip() or _word_count(block) > MAX_LINE_WORDS + 8:
        return False
    text = _normal(block)
    if not text:
        return True  # only punctuation or bullets
    if _NOTICES_RE.fullmatch(text):
        return True
    if _BOILERPLATE_RE.fullmatch(text):
        # A sentence that merely begins like a prompt ("Share prices fell sharply...") is prose.
        return not _is_prose(block)
    return bool(_RELATED_SUFFIX.search(block)) and _is_title_like(block, MAX_LINE_WORDS)


def _is_quote(block: str) -> bool:
    text = block.strip()
    return len(text) > 1 and text[0] in _QUOTE_OPEN and text[-1] in _QUOTE_CLOSE + ".,!?"


def _is_title_like(block: str, max_words: int = MAX_SUBHEAD_WORDS) -> bool:
    """A short line without a sentence's ending: a heading, a link's text, a label."""
    text = " ".join(block.split())
    words = _word_count(text)
    if not 1 <= words <= max_words or "\n" in block.strip():
        return False
    return not _SENTENCE_END.search(text)


def _is_subhead(blocks: list[str], index: int) -> bool:
    """A title-like line (a question counts) between paragraphs, not a quotation."""
    block = blocks[index]
    if index == 0 or index == len(blocks) - 1 or _is_quote(block):
        return False
    if not _is_title_like(block):
        return False
    # A heading introduces text: some paragraph follows it before the end.
    return any(_is_prose(b) for b in blocks[index + 1 :])


def _paragraph(block: str) -> str:
    words = " ".join(block.split())
    paragraph = escape_markdown(words)
    # A paragraph that starts like a list item, a rule or a heading stays a paragraph.
    match = re.match(r"^(\d+)([.)])|^([-=])", paragraph)
    if match is not None:
        if match.group(1) is not None:
            paragraph = f"{match.group(1)}\\{match.group(2)}{paragraph[match.end() :]}"
        else:
            paragraph = "\\" + paragraph
    return paragraph


# --- dates --------------------------------------------------------------------------------------


def _is_date_line(block: str) -> bool:
    """A line that is a date, perhaps labelled ("Published 12 March 2023"), not a sentence."""
    if _word_count(block) > 12:
        return False
    rest = _strip_date(block)
    rest = _DATE_LABEL.sub("", rest.strip()).strip(" :,|·-–—")
    return _word_count(rest) <= 4


def _strip_date(text: str) -> str:
    for form in _DATE_FORMS:
        text = form.sub(" ", text)
    return text


def date_in_line(text: str) -> datetime | None:
    """The first date written in `text` (ISO, `12 March 2023`, `March 12, 2023`), as UTC."""
    best: tuple[int, datetime] | None = None
    for kind, form in enumerate(_DATE_FORMS):
        match = form.search(text)
        if match is None:
            continue
        when = _to_datetime(kind, match.groups())
        if when is not None and (best is None or match.start() < best[0]):
            best = (match.start(), when)
    return best[1] if best else None


def _to_datetime(kind: int, groups: tuple[str | None, ...]) -> datetime | None:
    try:
        if kind == 0:
            year, month, day = int(groups[0] or 0), int(groups[1] or 0), int(groups[2] or 0)
            hour, minute, second, ampm = groups[3], groups[4], groups[5], None
        elif kind == 1:
            day, month, year = (
                int(groups[0] or 0),
                _MONTHS[(groups[1] or "").lower()],
                int(groups[2] or 0),
            )
            hour, minute, second, ampm = groups[3], groups[4], groups[5], groups[6]
        else:
            month, day, year = (
                _MONTHS[(groups[0] or "").lower()],
                int(groups[1] or 0),
                int(groups[2] or 0),
            )
            hour, minute, second, ampm = groups[3], groups[4], groups[5], groups[6]
        h = int(hour) if hour else 0
        if ampm and ampm.lower().startswith("p") and h < 12:
            h += 12
        if ampm and ampm.lower().startswith("a") and h == 12:
            h = 0
        when = datetime(year, month, day, h, int(minute or 0), int(second or 0), tzinfo=UTC)
    except (KeyError, ValueError):
        return None
    return when if 1990 <= when.year <= datetime.now(UTC).year + 1 else None
