"""Page furniture in an extracted text: the blocks around an article that are not the article.

Both extractors keep some of what sits next to an article in its container: at the end, a
"Related"-style heading and what follows it, a call to subscribe, follow or share, a line saying
when and where the post was filed, copyright and tag lines, a heading left with nothing under
it; at the start, a byline or a date line; anywhere, a picture's credit ("Photo: …", "© …",
"… /Getty Images"), an advertisement's label, a short call to subscribe ("Sign up for our
newsletter"), a pointer to another story ("Read more: …"), a notice about the page rather than
its story (a "Quelle:"/"Source:" line, a disclosure of advertising or affiliate links, a
disclaimer, "Was this article helpful?", "Listen to this article") and, where the page marks it
as one (`figcaption`, a "caption" or "credit" class), a picture's caption; at the end, a short
note that opens with the name of the page's author (a bio, "Jane Doe reported from …"): Readability keeps
captions, while news readers' reference texts leave them out with the picture's credit. Each rule here is about the shape of such a block (short, mostly links, a
credit, a heading introducing nothing) and the words page furniture uses in the common
languages of the web, never about one site: a long block is always text, whatever its words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from newstui.sources.mdtext import MD_IMAGE, link_share, md_blocks, md_words

__all__ = ["prune_furniture"]

#: A block at either end whose words are at least this share link text is page furniture.
LINKS_ONLY_SHARE = 0.8
#: A closing line is furniture ("Tags: ...", "© 2019 ...") only when it is this short.
FURNITURE_WORDS = 60
#: A call to action ("Subscribe to our newsletter ...") is furniture only when this short.
CALL_WORDS = 40
#: A heading at the end with nothing after it, a byline or a date line: this short at most.
LINE_WORDS = 12
#: A picture's credit or caption line: this short at most.
CREDIT_WORDS = 30
#: A full paragraph: the article's header (title, byline, date) comes before its first one.
PARAGRAPH_WORDS = 20
#: A picture's caption, where the page marks it as one: this short at most.
CAPTION_WORDS = 60
#: A closing note about the author (a bio) is this short at most, and their name comes within
#: its first `NAME_AT` words ("About the author: …", "Dr. …").
BIO_WORDS = 80
NAME_AT = 4
#: A "Related"-style heading cuts the text from there when no block after it is longer than
#: this (the titles of other stories), never the article's middle.
TEASER_WORDS = 20

_END_FURNITURE = re.compile(
    r"^\W*(?:©|\(c\)\s|copyright\b|all rights reserved|tags?\b\W|categories\b\W|category\b\W|"
    r"topics?\b\W|filed under\b|this (?:document|article|material|content) (?:is|may)\b|"
    r"schlagw(?:ö|oe)rter\b|stichw(?:ö|oe)rter\b|étiquettes\b|etiquetas\b)",
    re.I,
)
#: Where a post was filed and when it was changed ("This entry was posted in ...").
_FILED = re.compile(
    r"^\W*(?:this (?:entry|post|article|story) was (?:posted|published|filed)|posted (?:in|on|by)\b|"
    r"published (?:in|on|by)\b|last (?:modified|updated|edited)\b|dieser (?:eintrag|beitrag|artikel) "
    r"wurde|der beitrag wurde|erstellt am\b|ce (?:billet|article) a été publié|publicado (?:en|el)\b)",
    re.I,
)
#: A call to subscribe, sign up, follow, share, download or support.
_CALL = re.compile(
    r"\b(?:subscribe|subscription|newsletters?|sign up|signup|follow us|follow (?:the )?\w+ on|"
    r"like us on|join (?:us|our)|download (?:the|our)|get the latest|support (?:us|our)|"
    r"donate|share this|share on|abonnier\w*|abonnez|suscr[ií]b\w*|anmelden|melden sie sich|"
    r"folgen sie|teilen sie|unterst(?:ü|ue)tzen sie|jetzt (?:neu|lesen|spenden)|"
    r"inscrivez|s'abonner|síguenos|suivez-nous)\b",
    re.I,
)
#: A heading over other stories, comments or sharing: nothing of the article follows it.
_ELSEWHERE_HEADING = re.compile(
    r"^\W*(?:related\b|more (?:from|on|about|stories|news|in)\b|recommended\b|"
    r"you (?:may|might) (?:also )?(?:like|enjoy)\b|read (?:more|also|next)\b|see also\b|"
    r"(?:\d+ )?comments?\b|leave a (?:reply|comment)\b|(?:most )?popular\b|trending\b|most read\b|"
    r"sponsored\b|advertisement\b|share\b|about the author\b|"
    r"(?:ä|ae)hnliche (?:beitr(?:ä|ae)ge|artikel)\b|das k(?:ö|oe)nnte (?:sie|dich) auch\b|"
    r"auch interessant\b|mehr zum thema\b|mehr (?:aus|von|zu)\b|weitere (?:beitr(?:ä|ae)ge|artikel|"
    r"informationen|themen|nachrichten|infos)\b|schon gelesen\b|empfohlene\b|"
    r"(?:\d+ |keine )?kommentare?\b|(?:ü|ue)ber (?:den|die) autor|gef(?:ä|ae)llt mir\b|"
    r"(?:à )?lire aussi\b|sur le même sujet\b|(?:art[ií]culos? |articles? |notas? )?relacionad[oa]s?\b|"
    r"die redaktion empfiehlt\b|lesen sie auch\b|top-themen\b|das thema k(?:ö|oe)nnte\b|"
    r"lee también\b|te puede interesar\b|commentaires?\b|comentarios?\b|"
    r"czytaj (?:także|też)\b|leggi anche\b)",
    re.I,
)
#: A pointer to another story set into the text ("Read more: [title](url)", "Lea también: ...").
_SEE_ALSO = re.compile(
    r"^\W*(?:read (?:more|also|next)|related(?: stories| articles| coverage| content)?|see also|"
    r"more|also read|don'?t miss|watch|listen|lesen sie (?:auch|mehr)|auch interessant|"
    r"mehr zum thema|siehe auch|das k(?:ö|oe)nnte sie auch interessieren|(?:à )?lire aussi|"
    r"voir aussi|lea (?:también|más)|lee (?:también|más)|lea|vea también|puedes ver|mira también|"
    r"(?:te|le) puede interesar|leia também|leggi anche|czytaj (?:też|także)|auch lesen|"
    r"lesen sie hier|zum weiterlesen|dowiedz się więcej|lire la suite)\W*(?::|»|>>|\|)",
    re.I,
)
#: A call to subscribe, anywhere: a newsletter, a subscription, "in your inbox", a membership,
#: a messenger channel ("Join our Telegram channel").
_SUBSCRIBE = re.compile(
    r"\b(?:newsletters?|subscribe|sign up|signup|in your inbox|abonnier\w*|abonnez|s'abonner|"
    r"suscr[ií]b\w*|inscrivez|[úu]nete|hazte (?:miembro|socio)|(?:werden sie|werde) mitglied|"
    r"devenez membre|become a (?:member|subscriber)|join (?:our|us on)|"
    r"(?:canal|channel|kanal) (?:de |on |auf )?(?:telegram|whatsapp)|(?:telegram|whatsapp)[- ]?"
    r"(?:channel|kanal))\b",
    re.I,
)
#: Such a call set into the text is this short at most.
PROMOTION_WORDS = 25
#: A block that is only an advertisement's label or a "continues below" line.
_AD_LABEL = re.compile(
    r"^\W*(?:advertisement|advertising|ad|ads|anzeige|werbung|reklama|publicidad|publicité|"
    r"pubblicità|sponsored(?: content)?|(?:the )?(?:story|article|text) continues (?:below|after)"
    r"(?: (?:this|the))?(?: (?:advertisement|ad))?|continue reading(?: (?:below|the main story))?|"
    r"scroll to continue(?: with content)?)\W*$",
    re.I,
)
#: Such a pointer is this short at most.
SEE_ALSO_WORDS = 30
#: A notice about the page rather than its story (see `_notice`) is this short at most.
NOTICE_WORDS = 40
#: Where a table's or a story's facts come from ("Quelle: dpa", "Sources: …"): this short.
SOURCE_WORDS = 12
#: A question about the article itself ("Was this article helpful?"): this short.
QUESTION_WORDS = 10
_SOURCE = re.compile(r"^\W*(?:quellen?(?:angaben)?|sources?|fuentes?|fontes?|źródła?)\s*:", re.I)
#: A disclosure of advertising or affiliate links, or a disclaimer.
_DISCLOSURE = re.compile(
    r"^\W*(?:werbung|anzeige|publicidad|publicité)\b|"
    r"\b(?:affiliate[- ]?(?:links?|partner\w*|programs?|marketing)|enthält werbung|"
    r"ohne gewähr|provision (?:erhalten|erhält|bekommen)|provisions-?links?|"
    r"we (?:may )?(?:earn|receive) (?:a )?(?:small )?commission|independent review process|"
    r"partner-?links?|enlaces? de afiliados?|liens? affiliés?)\b",
    re.I,
)
_ABOUT_IT = r"(?:artikel|article|beitrag|post|rezept|recipe|seite|page|nota|noticia|story|inhalt)"
_VERDICT = (
    r"(?:helpful|useful|nützlich|hilfreich|gefallen|teilen|share|like|útil|utile|bewerten|rate)"
)
#: Was the article helpful, share it, rate it: asked about the article, not in it.
_FEEDBACK = re.compile(rf"\b{_ABOUT_IT}\b.*\b{_VERDICT}\b|\b{_VERDICT}\b.*\b{_ABOUT_IT}\b", re.I)
#: A player's or a picture's label: "Listen to this article", "Vergrößern".
_MEDIA_LABEL = re.compile(
    r"^\W*(?:listen to (?:this|the) (?:article|story)|escucha (?:esta|la) nota(?: aquí)?|"
    r"(?:artikel|beitrag) (?:anhören|vorlesen(?: lassen)?)|écouter (?:cet|l') ?article|"
    r"vergrößern|enlarge|(?:als )?pdf (?:herunterladen|download)|download (?:the )?pdf)\W*$",
    re.I,
)
_BYLINE = re.compile(r"^\W*(?:by|von|par|por|door|written by)\s+\w", re.I)
_DATE_WORDS = frozenset(
    """published updated posted modified last am pm uhr utc gmt et est edt pt cet cest on at
    aktualisiert veröffentlicht publiziert stand erstellt publié mis à jour le publicado
    actualizado el de um
    jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
    august september october november december januar februar märz mai juni juli oktober
    dezember janvier février mars avril juin juillet août septembre octobre novembre décembre
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday montag
    dienstag mittwoch donnerstag freitag samstag sonntag""".split()  # noqa: SIM905
)
_CREDIT = re.compile(
    r"©|\b(?:photo|foto|bild|image|picture|credit|crédito|crédit|fotos|photos)s?\s*(?::|by\b)|"
    r"(?:/|\||–|—|\(|\bvia )\s*(?:getty(?: images)?|shutterstock|istock\w*|fotolia|unsplash|"
    r"reuters|afp|ap|dpa|epa|imago|picture alliance|adobe ?stock)\b(?:\W+\w+){0,3}\W*$",
    re.I,
)
_HEADING = re.compile(r"^\s*(?:#{1,6}\s|\*\*[^*\n]+\*\*\W*$|__[^_\n]+__\W*$)")


def prune_furniture(
    markdown: str,
    in_caption: Callable[[list[str]], bool] | None = None,
    author: str | None = None,
) -> str:
    """`markdown` without the page furniture described in the module docstring; with
    `in_caption` (whether a block's words sit in a picture's caption in the page), short
    captions go too; with the page's `author`, a closing note about them (a bio, a signature)."""
    names = _names(author)
    blocks = md_blocks(markdown)
    if len(blocks) < 3:
        return markdown
    blocks = [_without_credit_lines(b) for b in blocks]
    words = [md_words(b) for b in blocks]
    keep = [
        not _credit(b, w)
        and not _see_also(b, w)
        and not (w and _AD_LABEL.match(_bare(b)))
        and not _promotion(b, w)
        and not (in_caption and _caption(b, w, in_caption))
        and not _notice(b, w)
        for b, w in zip(blocks, words, strict=True)
    ]
    if sum(keep) < 2:
        keep = [True] * len(blocks)
    blocks = [b for b, k in zip(blocks, keep, strict=True) if k]
    words = [w for w, k in zip(words, keep, strict=True) if k]
    end = _cut_at_elsewhere_heading(blocks, words)
    start = 0
    while end > start + 1 and (
        _end_furniture(blocks[end - 1], words[end - 1]) or _about(words[end - 1], names)
    ):
        end -= 1
    while start < end - 1 and _start_furniture(blocks[start], words[start]):
        start += 1
    # The article's header (its headings, byline, date) runs up to its first full paragraph: a
    # byline or a date line there is furniture too, after a heading as well as before it.
    first = next((n for n in range(start, end) if len(words[n]) >= PARAGRAPH_WORDS), end)
    header = [
        n
        for n in range(start, first)
        if not _HEADING.match(blocks[n]) and _start_furniture(blocks[n], words[n])
    ]
    if header and first < end:
        drop = set(header)
        return "\n\n".join(b for n, b in enumerate(blocks[start:end], start) if n not in drop)
    return "\n\n".join(blocks[start:end])


def _cut_at_elsewhere_heading(blocks: list[str], words: list[list[str]]) -> int:
    """Where the text ends: at a "Related"-style heading followed only by short blocks (the
    titles of other stories, a share bar), else at its end."""
    for n in range(len(blocks) - 1, 0, -1):
        if len(words[n]) <= LINE_WORDS // 2 and _ELSEWHERE_HEADING.match(_bare(blocks[n])):
            return n
        if len(words[n]) > TEASER_WORDS:
            break
    return len(blocks)


def _bare(block: str) -> str:
    """A block without its Markdown marks at the start (heading, emphasis, a link's bracket)."""
    return block.lstrip("#*_[> \t")


def _end_furniture(block: str, words: list[str]) -> bool:
    if not words:
        return not MD_IMAGE.search(block)  # a stray mark; a picture stays
    if link_share(block, words) >= LINKS_ONLY_SHARE:
        return True
    n = len(words)
    bare = _bare(block)
    if n <= FURNITURE_WORDS and (_END_FURNITURE.match(bare) or _FILED.match(bare)):
        return True
    if n <= CALL_WORDS and _CALL.search(block):
        return True
    return n <= LINE_WORDS and (_HEADING.match(block) is not None or _date_line(words))


def _start_furniture(block: str, words: list[str]) -> bool:
    if not words:
        return not MD_IMAGE.search(block)
    if link_share(block, words) >= LINKS_ONLY_SHARE:
        return True
    if len(words) > LINE_WORDS:
        return False
    if _BYLINE.match(_bare(block)) and not block.rstrip("*_ ").endswith((".", "?", "!", ":")):
        return not block.lstrip().startswith("#")  # "By the river" may be a heading
    return _date_line(words)


def _date_line(words: list[str]) -> bool:
    """A line of a date and time, perhaps with "Published"/"Updated" (no sentence)."""
    digits = sum(w.isdigit() for w in words)
    return digits > 0 and digits + sum(w in _DATE_WORDS for w in words) >= 0.8 * len(words)


def _names(author: str | None) -> list[list[str]]:
    """The words of each of the page's authors' names that has two words or more."""
    if not author:
        return []
    names = [md_words(n) for n in re.split(r"[;,/&]|\band\b|\bund\b|\bet\b|\by\b", author)]
    return [n for n in names if 2 <= len(n) <= 5]


def _about(words: list[str], names: list[list[str]]) -> bool:
    """A closing note about the page's author: a short block that opens with their name ("Jane
    Doe is a reporter …", "About the author: Jane Doe", "Latest posts by Jane Doe")."""
    if not names or not words or len(words) > BIO_WORDS:
        return False
    for name in names:
        size = len(name)
        if any(words[at : at + size] == name for at in range(min(NAME_AT + 1, len(words)))):
            return True
    return False


def _promotion(block: str, words: list[str]) -> bool:
    """A call to subscribe set into the text ("Sign up for our newsletter", "Get New York Today
    in your inbox"): short, and not a question."""
    return (
        0 < len(words) <= PROMOTION_WORDS
        and _SUBSCRIBE.search(block) is not None
        and not block.rstrip("*_ ").endswith("?")
    )


def _see_also(block: str, words: list[str]) -> bool:
    """A pointer to another story ("Read more: …"), set anywhere into the text."""
    return 0 < len(words) <= SEE_ALSO_WORDS and _SEE_ALSO.match(_bare(block)) is not None


def _notice(block: str, words: list[str]) -> bool:
    """A notice about the page rather than its story, anywhere: where its facts come from
    ("Quelle: dpa"), a disclosure of advertising or affiliate links or a disclaimer, a question
    about the article itself ("Was this article helpful?"), a player's label ("Listen to this
    article")."""
    n = len(words)
    if not n or n > NOTICE_WORDS or MD_IMAGE.search(block):
        return False
    bare = _bare(block)
    return (
        (n <= SOURCE_WORDS and _SOURCE.match(bare) is not None)
        or _DISCLOSURE.search(bare) is not None
        or (n <= QUESTION_WORDS and "?" in block and _FEEDBACK.search(block) is not None)
        or _MEDIA_LABEL.match(bare) is not None
    )


def _caption(block: str, words: list[str], in_caption: Callable[[list[str]], bool]) -> bool:
    """A picture's caption (where the page says so), not the picture itself."""
    if not words or len(words) > CAPTION_WORDS or MD_IMAGE.search(block):
        return False
    return in_caption(words)


def _without_credit_lines(block: str) -> str:
    """A picture's block without the credit lines under the picture (`![…](…)` then
    "*(Credit: …)*"): the picture stays, its credit goes as it would on a line of its own."""
    if not MD_IMAGE.search(block) or "\n" not in block:
        return block
    lines = block.split("\n")
    kept = [line for line in lines if MD_IMAGE.search(line) or not _credit(line, md_words(line))]
    if len(kept) == len(lines):
        return block
    return "\n".join(kept).rstrip("\\ \n")


def _credit(block: str, words: list[str]) -> bool:
    """A picture's credit or caption line (not the picture itself: that stays)."""
    if not words or len(words) > CREDIT_WORDS or MD_IMAGE.search(block):
        return False
    return _CREDIT.search(block) is not None
