"""What a scraped line is: the page's leftovers (boilerplate), a sentence, or a title-like line.

Each rule describes a *kind* of line in the words page furniture uses in the common languages
of the web, never one site's text: video player notices, "Advertisement" and its translations,
share, follow and subscribe prompts, picture credits, "Source link" and "read also" pointers,
tag lines. A rule applies only to short lines that do not read as prose, so a paragraph (a
sentence that happens to start with "Share prices" or "Advertisement revenue") is always kept.
"""

from __future__ import annotations

import re

from newstui.sources.textdates import is_date_line, word_count

__all__ = [
    "MAX_LINE_WORDS",
    "MAX_SUBHEAD_WORDS",
    "SENTENCE_END",
    "is_boilerplate",
    "is_prose",
    "is_title_like",
    "word_count",
]

#: A block longer than this is prose: never boilerplate, never a subhead.
MAX_LINE_WORDS = 16
#: Subheads are at most this many words.
MAX_SUBHEAD_WORDS = 12

_SOCIAL = (
    r"facebook|twitter|x|whatsapp|linkedin|reddit|pinterest|telegram|email|e-mail|mail|print|"
    r"messenger|copy link|copy|sms|flipboard|tumblr|threads|bluesky|mastodon|instagram|youtube|"
    r"tiktok|rss|share|tweet|pin it|comments?|xing|vk|weibo|wechat|drucken|imprimer|"
    r"imprimir|stampa|link kopieren|copier le lien|copiar enlace|e-mail senden|courriel|correo"
)
_NETWORKS = r"facebook|twitter|x|instagram|youtube|tiktok|linkedin|threads|bluesky|mastodon|telegram|whatsapp|google news|apple news|flipboard"
# "Share" in the common languages, and the words that join it to a network ("on", "auf", "sur").
_SHARE = (
    r"share|teilen|partager|compartir|compartilhar|condividi|condividere|delen|dela|"
    r"udostępnij|sdílet|megosztás|paylaş"
)
_TO = r"on|via|with|to|auf|per|mit|über|sur|par|en|por|con|su|no|op|på|na|w"
# "Advertisement" in the common languages.
_ADVERT = (
    r"advertisement|advertising|ad|ads|anzeige|werbung|publicité|publicite|publicidad|"
    r"publicidade|pubblicità|pubblicita|annonce|annonse|annons|reklame|reklama|advertentie|"
    r"mainos|hirdetés|реклама"
)
# A picture's credit or source ("Photo: …", "Foto: …", "Crédit photo : …", "Bild: …").
_PICTURE = (
    r"(?:image|photo|picture|photograph|video|graphic|illustration|media|chart|map|foto|"
    r"fotografía|fotografia|bild|bilder|grafik|immagine|imagen|imagem|afbeelding|ilustración|"
    r"illustrazione|zdjęcie)s?(?: source| credit| caption|credits)?|(?:crédits?|credits?|"
    r"crédito|credito|créditos) (?:photos?|fotos?|image|imagen|immagine)|"
    r"(?:bild|foto)(?:quelle|nachweis|rechte)|quelle|fuente|fonte|source photo"
)
_AGENCIES = (
    r"getty images|reuters|afp|ap|epa|shutterstock|alamy|istock|bloomberg|dpa|efe|ansa|anp|"
    r"kyodo|xinhua|imago|picture alliance|keystone|belga|tass|europa press|apa"
)
# "Read also"-style pointers to other stories, and lists of them.
_ELSEWHERE = (
    r"also read|read also|more reading|further reading|see also|"
    r"recommended(?: reading| for you| stories)?|"
    r"related(?: stories| articles| content| coverage| reading| links| topics| news)?|"
    r"more on this story|more from .{0,40}|most (?:read|popular|viewed|shared)|top stories|"
    r"trending(?: now)?|you (?:may|might) also (?:like|be interested in)|"
    r"lesen sie (?:auch|mehr|hier)|auch interessant|mehr zum thema|mehr dazu|weiterlesen|"
    r"das könnte sie (?:auch )?interessieren|meistgelesen|"
    r"(?:à )?lire (?:aussi|également|la suite)|sur le même sujet|voir aussi|"
    r"(?:nos |les )?articles? (?:similaires|liés)|"
    r"leer (?:más|también|mas)|lea (?:también|además|mas|más)|(?:te|le) puede interesar|"
    r"(?:noticias |artículos |notas )?relacionad[oa]s|también te puede interesar|"
    r"leggi anche|potrebbe interessarti|articoli correlati|"
    r"(?:zie|lees) ook|leia (?:também|mais)|veja (?:também|mais)|saiba mais"
)
_TAGS = (
    r"tags?|topics?|filed under|categories|category|keywords|related (?:tags|topics)|posted in|"
    r"more about|schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|stichworte|themen|"
    r"mots[- ]clés|étiquettes|thèmes|sujets|etiquetas|temas|palabras clave|argomenti|"
    r"parole chiave|trefwoorden|onderwerpen"
)
_SUBSCRIBE = (
    r"subscribe|sign up|register|join|get|abonnez-vous|inscrivez-vous|abonnieren sie|"
    r"abonniere|abonnieren|melden sie sich|suscríbete|suscribete|suscríbase|regístrate|"
    r"iscriviti|abbonati|meld je aan|abonneer|assine|inscreva-se"
)
_LETTERS = (
    r"newsletters?|channel|podcast|updates|alerts|digest|briefing|emails?|mailing list|"
    r"subscription|infolettre|lettre d'information|boletín|boletin|bulletin|notiziario|"
    r"nieuwsbrief|kanal|chaîne|canal"
)

# Whole-line patterns (matched against the line lowercased, trimmed of bullets and punctuation).
# These never open a sentence of an article: a line they match is dropped even if it reads as one.
_NOTICES = [
    r".*\b(?:your|this) (?:browser|device) (?:does not|doesn'?t|cannot|can'?t|is unable to) (?:support|play)\b.*",
    r"(?:please )?(?:use|switch to|try|upgrade|update) (?:a |the |your )?(?:\w+ ){0,3}browser\b.*\b(?:video|audio|media|player)\b.*",
    r"media playback is (?:not supported|unsupported) on (?:this|your) device.*",
    r"(?:to (?:play|watch|view) this (?:video|content).*|.*enable javascript.*(?:video|player|content).*)",
    r"(?:click|tap|press) here(?: to .{0,50})?",
    r"(?:image|photo|media|video)s? (?:source|caption|credit)s?\s*[,:].*",
    r".*\b(?:requires?|need|needs|enable|activate|turn on|aktivieren|activez|activer|habilita|habilite|attiva|abilita)\b.{0,30}\bjavascript\b.*",
    r".*\bjavascript\b.{0,30}\b(?:required|disabled|is off|deaktiviert|désactivé|desactivado|disattivato)\b.*",
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}|©).*|.*\ball rights reserved\W*",
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
    r"(?:video|vidéo|vídeo|audio|watch|listen|media)(?: \d+:\d+)?",
    r"(?:play|pause|mute|unmute|replay|fullscreen|closed captions)(?: video)?",
    r"listen to (?:this|the) (?:article|story|episode)\b.{0,30}",
    r"(?:video|audio) (?:duration|length)\W*\d.*",
    r"(?:click|tap) to (?:expand|enlarge|play|view|zoom|see more).*|embedded (?:content|video|tweet|post)",
    r"loading(?:\.\.\.|…)?|like this|(?:next|previous|prev) (?:article|story|post|page)",
    r"\d{1,2}:\d{2}(?: min(?:utes?)?)?",
    # source and "read more" lines
    r"(?:source|original|view|visit) (?:link|article|source|story|website|post|url)",
    r"(?:source|sources|via|credit|credits)(?:\s*:.*)?",
    r"(?:continue|keep) reading(?: the (?:main )?story| the (?:full )?article| below| on .{1,40})?",
    r"(?:read|see|click here|tap here)(?: (?:more|the full|the original|full|more about|also|next))?(?: (?:story|article|stories|here|below|on .*))?(?:\s*[:>»].*)?",
    rf"(?:{_ELSEWHERE})(?:\s*:.*)?",
    # advertising
    rf"(?:{_ADVERT}|sponsored(?: content| post| by .*)?|promoted(?: content)?|paid (?:content|post|partnership)|partner content)",
    r"(?:story|article|content|text) continues? (?:below|after)(?: (?:this|the))?(?: advertisement| ad)?",
    rf"(?:{_ADVERT})\s*[-–—:|]\s*(?:scroll|continue|story|article).*",
    r"(?:scroll|continue) (?:down )?(?:to|for) (?:continue|read|more)(?: (?:with|reading))?(?: (?:the )?(?:article|content|story))?",
    r"(?:weiter nach der anzeige|la suite après (?:la|cette) publicité|continúa después de la publicidad)",
    # share / follow / subscribe prompts
    rf"(?:{_SHARE})(?: this| the| den| cet| este| questo)?(?: (?:article|story|post|page|artikel|beitrag|artículo|articolo|noticia|notizia))?(?:\s*:?\s*(?:(?:{_TO}) )?(?:{_SOCIAL})(?:\W+(?:{_SOCIAL}))*)?",
    rf"(?:(?:{_TO}) )?(?:{_SOCIAL}) (?:{_SHARE})",
    rf"(?:{_SOCIAL})(?:\W+(?:{_SOCIAL})){{1,}}",
    rf"follow (?:us|me|@\w+|[\w ]{{1,30}}) on (?:{_NETWORKS})(?:(?:,|and|or|\s)+(?:{_NETWORKS}))*.*",
    rf"(?:follow|like) us(?: on (?:{_NETWORKS}).*)?",
    rf"(?:folgen sie uns|suivez-nous|síguenos|seguici|volg ons|siga-nos)(?: (?:{_TO}) .*)?",
    r"(?:subscribe|sign up|register)(?: now| today| here| free| for free)?",
    rf"(?:{_SUBSCRIBE})(?: now| today| here| free| for free| jetzt| gratuitement| gratis)?(?: (?:to|for)| our)? .{{0,60}}\b(?:{_LETTERS})\b.*",
    r"(?:get|receive) (?:our|the) [\w ]{0,40}(?:newsletter|updates|alerts|briefing)s?.*",
    r".*\b(?:delivered|sent|straight|direct(?:ly)?) to your inbox\b.*",
    r"(?:subscribe|sign up|register)(?: now| today| here)?(?: for| to get| and get)? .{0,40}\b(?:access|articles|stories|journalism|reading)\b.*",
    r"already (?:a )?(?:subscriber|member|registered|have an account)\b.*",
    r"(?:email|e-mail|contact|message) (?:the )?(?:author|reporter|writer|editor|newsroom)",
    r"(?:print|email|e-mail|tweet|share)",
    rf"(?:find|join|connect with|follow) us on (?:{_NETWORKS}).*",
    r"(?:terms (?:of (?:use|service)|and conditions)|privacy (?:policy|notice|settings)|cookie (?:policy|settings|preferences)|manage cookies|accept (?:all )?cookies)",
    r"(?:additional )?(?:reporting|writing|editing|compiled|translated|research) by .{2,60}(?:;\s*(?:additional )?(?:reporting|writing|editing) by .{2,60})*",
    r"(?:newsletter|infolettre|boletín)(?:\s*:.*)?",
    r"(?:download|get) (?:the|our) [\w ]{0,30}app.*",
    r"(?:sign|log) (?:in|up|out)(?: to .*)?",
    r"(?:comments?|leave a comment|add a comment|\d+ comments?|show comments|view comments|join the conversation|be the first to comment)",
    r"(?:\d+ )?(?:kommentare?|commentaires?|comentarios?|commenti)",
    r"(?:skip to (?:main )?content|skip advertisement|back to top|return to top|print this (?:article|page)|email this (?:article|story))",
    # image credits and captions
    rf"(?:{_PICTURE})\s*[,:].*",
    rf"(?:{_AGENCIES})(?:\s*(?:photo|images?|via getty images))?",
    rf".{{0,80}}(?:/|\bvia )\s*(?:{_AGENCIES})\W*",
    rf"(?:{_AGENCIES}) (?:photo|images?|pictures?|video)\s*/.*",
    r"(?:image|photo|picture|media)s? (?:copyright|caption|source|credit)s?\b.*",
    r"\((?:photo|image|picture|credit|ap photo|reuters|afp|foto|bild)\b.*\)",
    r"(?:©|\(c\))\s.*|copyright\s*(?:©|\(c\)|\d{4}|by\b|:).*",
    # tag and topic lines
    rf"(?:{_TAGS})\s*[:|].*",
]
_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE))
# A link to another story: a title-like line that names what it links to.
_RELATED_SUFFIX = re.compile(
    r"\s[-–—|]\s*(?:latest(?: news| updates)?|live(?: updates| blog)?|as it happened|video|"
    r"in pictures|watch|podcast|explainer|analysis|opinion|what we know(?: so far)?|"
    r"full story|read more|liveticker|live-ticker|im liveblog|im überblick|en direct|en vivo|"
    r"en directo|in diretta|vidéo|vídeo|videos?)\s*$",
    re.I,
)
_DIGIT = re.compile(r"\d")
_BULLET = re.compile(r"^[\s>*•·\-–—|»›]+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\s.:!|»›>\-–—]+$")
SENTENCE_END = re.compile(r"[.!…;,:)\]]['\"’”»)]*$")
"""A line ends as a sentence (or a clause) ends."""


def is_prose(block: str) -> bool:
    """Reads as a sentence: long, or several words ending in sentence punctuation."""
    words = word_count(block)
    if words > MAX_LINE_WORDS:
        return True
    return words >= 8 and bool(SENTENCE_END.search(block.strip())) and "." in block


def is_boilerplate(block: str) -> bool:
    """True for a scraped line that is not part of the article (see the module's rules)."""
    if "\n" in block.strip() or word_count(block) > MAX_LINE_WORDS + 8:
        return False
    text = _normal(block)
    if not text:
        return True  # only punctuation or bullets
    if _NOTICES_RE.fullmatch(text):
        return True
    if _DIGIT.search(block) and is_date_line(block, other_words=1):
        return True  # a date line past the article's head ("Last modified on …")
    if _BOILERPLATE_RE.fullmatch(text):
        # A sentence that merely begins like a prompt ("Share prices fell sharply...") is prose.
        return not is_prose(block)
    return bool(_RELATED_SUFFIX.search(block)) and is_title_like(block, MAX_LINE_WORDS)


def is_title_like(block: str, max_words: int = MAX_SUBHEAD_WORDS) -> bool:
    """A short line without a sentence's ending: a heading, a link's text, a label."""
    text = " ".join(block.split())
    words = word_count(text)
    if not 1 <= words <= max_words or "\n" in block.strip():
        return False
    return not SENTENCE_END.search(text)


def _normal(line: str) -> str:
    text = " ".join(line.split()).lower()
    text = _BULLET.sub("", text)
    return _EDGE_PUNCT.sub("", text) if not text.startswith(("(", "©")) else text.rstrip(" .")
