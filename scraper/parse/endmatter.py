"""What follows an article's text inside its container, and lines that credit rather than tell.

`end_matter_start(paragraphs)`: where the end matter begins, a heading that names other stories
or more reading ("More on this topic", "Mehr zum Thema", "À lire aussi", "Czytaj także", ...)
in the last part of the text, followed only by a few short lines (the teasers it heads);
everything from the heading on is dropped. The phrases are the common ones of the languages the sets hold,
not any site's.

`is_credit_caption(text)`: a short line that credits a picture or names a source ("Foto: dpa",
"Crédits photos : X", "Abbildung 4: ...", "Titelbild: ...", "Quelle: Landesregierung").

`teaser_blocks(paragraphs)`: such a heading inside the text with the headlines it lists.

`without_appeals(paragraphs)`: the first and last lines that ask for support, disclaim, ask for
feedback or point to the site's channels are dropped. `is_consent_placeholder(text)`: the lines a
consent box puts where an embed will show (anywhere in the text).
"""

from __future__ import annotations

import re

# The heading must sit in the last part of the text: in the second half of its paragraphs, and
# among the last this many of them.
END_MATTER_FROM = 0.5
END_MATTER_LAST = 12
# Lines after the heading are teasers when each is at most this long and together they are at
# most this share of the text before the heading.
MAX_TEASER_CHARS = 300
# Inside the text, a "more" heading heads a block of at least this many headlines (short lines
# without a sentence's end).
TEASER_BLOCK_MIN = 2
MAX_HEADLINE_CHARS = 150
_SENTENCE = re.compile(r"[.!?…。](?:[\"'”»)]*)\s*$")
MAX_SUMMARY_CHARS = 800
MAX_AFTER_SHARE = 0.4
MAX_HEADING_CHARS = 80

_MORE = (
    # English
    r"more (?:on|about) (?:this|the) (?:topic|story|subject|issue)|more (?:on|about) this|related"
    r"(?: articles?| stories| posts| content| topics| news| links| coverage| reading)?|read (?:more|also|next)"
    r"|see also|you (?:may|might) also (?:like|enjoy|be interested in)|recommended(?: for you| reading)?"
    r"|further reading|more (?:stories|articles|news|reading|from [\w .’'-]{1,40})|other (?:stories|articles|news)"
    r"|most (?:read|popular|viewed)|trending(?: now)?|latest (?:news|stories)|top stories|what to read next"
    # German
    r"|mehr (?:zum thema|zu diesem thema|dazu|themen|artikel|nachrichten|news|aus [\w .-]{1,40}|von [\w .-]{1,40})"
    r"|weitere (?:artikel|themen|beiträge|nachrichten|informationen|meldungen|links|news|inhalte)"
    r"|das könnte sie (?:auch )?interessieren|auch interessant|lesen sie (?:auch|mehr)|siehe auch"
    r"|(?:verwandte|ähnliche) (?:artikel|themen|beiträge)|empfehlungen|schon gelesen\??|meistgelesen"
    # French
    r"|(?:à )?lire aussi|à voir aussi|voir aussi|sur le même (?:sujet|thème)|(?:articles?|contenus?) similaires?"
    r"|plus d'articles?|les plus lus|dans la même rubrique|nos autres articles"
    # Spanish, Portuguese, Italian
    r"|(?:también )?(?:te|le) puede interesar|lee también|lea también|(?:noticias|notas|artículos) relacionad[oa]s"
    r"|más (?:noticias|información|leídas)|ver también|leia também|veja também|notícias relacionadas"
    r"|mais lidas|saiba mais|leggi anche|articoli correlati|potrebbe interessarti"
    # Dutch, Polish, Nordic
    r"|lees ook|meer over (?:dit|het) onderwerp|gerelateerde artikelen|czytaj (?:też|także|również|więcej)"
    r"|zobacz (?:też|także|również)|polecane|powiązane(?: artykuły)?|läs (?:också|mer)|les (?:også|mer)"
    r"|læs (?:også|mere)|relaterte saker"
)
# The phrase may be followed by a few words ("Mehr zum Thema auf unserer Seite", "More from the desk").
_HEADING = re.compile(rf"(?:{_MORE})(?:\s+\S+){{0,4}}\s*[:.…]*", re.IGNORECASE)
_READ_ON = re.compile(
    r"(?:read more|continue reading|weiterlesen|mehr lesen|lire la suite|leer más|leia mais|czytaj (?:dalej|więcej)"
    r"|läs mer|les mer)\s*(?:\.\.\.|…|»|›|>)?",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"(?:fotos?|photos?|bild(?:er)?|titelbild|image|crédits? photos?|credits?|quelle|quellen(?:angaben)?"
    r"|source|abbildung(?: \d+)?|fig(?:ure|\.)? ?\d+|grafik|illustration)\s*:\s*\S.{0,80}",
    re.IGNORECASE,
)
MAX_CREDIT_CHARS = 100


def is_end_heading(text: str) -> bool:
    line = " ".join(text.split())
    return len(line) <= MAX_HEADING_CHARS and _HEADING.fullmatch(line) is not None


def end_matter_start(paragraphs: list[str]) -> int:
    """The index where the end matter begins (see the module docstring), else len(paragraphs)."""
    count = len(paragraphs)
    sizes = [len(p) for p in paragraphs]
    for index in range(max(1, int(count * END_MATTER_FROM), count - END_MATTER_LAST), count):
        if not is_end_heading(paragraphs[index]):
            continue
        after = sizes[index + 1:]
        # Teasers with a "read more" link each may carry a longer summary.
        teasers = any(_READ_ON.fullmatch(p.strip()) for p in paragraphs[index + 1:])
        longest = MAX_SUMMARY_CHARS if teasers else MAX_TEASER_CHARS
        if all(size <= longest for size in after) and sum(after) <= MAX_AFTER_SHARE * sum(sizes[:index]):
            return index
    return count


def teaser_blocks(paragraphs: list[str]) -> set[int]:
    """The indices of "more on this topic" blocks inside the text: such a heading followed by at
    least TEASER_BLOCK_MIN short lines that are not sentences (the linked headlines it lists),
    up to the next paragraph of prose."""
    found: set[int] = set()
    count = len(paragraphs)
    for index in range(1, count):
        if not is_end_heading(paragraphs[index]):
            continue
        end = index + 1
        while end < count and len(paragraphs[end]) <= MAX_HEADLINE_CHARS and not _SENTENCE.search(paragraphs[end]):
            end += 1
        if end - index - 1 >= TEASER_BLOCK_MIN:
            found.update(range(index, end))
    return found


def is_credit_caption(text: str) -> bool:
    if ":" not in text:  # _CREDIT needs the colon after its label
        return False
    line = " ".join(text.split())
    return len(line) <= MAX_CREDIT_CHARS and _CREDIT.fullmatch(line) is not None


# Appeals and notes a site puts before or after every article: asking for support, disclaimers,
# asking for feedback, pointing to its channels. Only the first and last lines are looked at.
_APPEAL = re.compile(
    r"we rely on your support|support (?:our|independent|local|quality) (?:journalism|news|reporting)"
    r"|make your contribution|donate (?:today|now)|become a (?:member|supporter|subscriber)"
    r"|ihr beitrag hilft|unterstützen sie (?:unseren |den )?(?:unabhängigen )?journalismus|jetzt spenden"
    r"|faites un don|soutenez(?:-nous| notre)|apoya (?:nuestro|el) periodismo"
    r"|gibt die meinung des autors wieder|the (?:views|opinions) expressed (?:in|here|by)"
    r"|(?:advertising|affiliate) disclaimer|(?:contains|enthält) (?:affiliate|werbe)[- ]?links"
    r"|hier können sie den artikel bewerten|we want to hear what you think|if you enjoyed (?:reading )?this"
    r"|(?:let us|tell us) know what you think|para comentar debes"
    r"|follow [\w .@-]{1,40} on (?:twitter|facebook|instagram|x\b)"
    r"|(?:telegram|whatsapp|youtube)[- ]?(?:kanal|canal|channel)",
)  # matched against the casefolded text (faster than IGNORECASE)
# Consent placeholders standing in for an embed until the reader agrees, wherever they are.
_CONSENT = re.compile(
    r"(?:einen |an )?(?:externen?|external|third[- ]party) (?:inhalt|content)\b.{0,80}\b(?:anzeigen|ergänzt|load|show)"
    r"|(?:ich bin|i am) (?:damit )?einverstanden, dass|an drittplattformen übermittelt"
    r"|to third[- ]party platforms|empfohlener redaktioneller inhalt"
    r"|(?:click|tap) (?:here )?to (?:load|show|view) (?:the |this )?(?:content|video|embed|tweet|post)"
)
APPEAL_FIRST = 2
APPEAL_LAST = 4
MAX_APPEAL_CHARS = 300


# Every alternative of _APPEAL holds one of these: a line without any is not searched (a few
# substring scans instead of trying each alternative at every position).
_APPEAL_HINTS = (
    "support", "contribution", "donate", "become a ", "beitrag", "journalismus", "spenden", "faites un don",
    "soutenez", "periodismo", "meinung", "expressed", "disclaimer", "links", "bewerten", "what you think",
    "enjoyed", "comentar", "follow ", "anal", "channel",
)


def is_appeal(text: str) -> bool:
    if len(text) > MAX_APPEAL_CHARS:
        return False
    folded = text.casefold()
    return any(hint in folded for hint in _APPEAL_HINTS) and _APPEAL.search(folded) is not None


_CONSENT_HINTS = ("inhalt", "content", "einverstanden", "drittplattform", "third", "click", "tap ")


def is_consent_placeholder(text: str) -> bool:
    if len(text) > MAX_APPEAL_CHARS:
        return False
    folded = text.casefold()
    return any(hint in folded for hint in _CONSENT_HINTS) and _CONSENT.search(folded) is not None


def without_appeals(paragraphs: list[str]) -> list[str]:
    """The paragraphs without the appeals and notes among the first and the last few."""
    count = len(paragraphs)
    return [p for i, p in enumerate(paragraphs)
            if not ((i < APPEAL_FIRST or i >= count - APPEAL_LAST) and is_appeal(p))]
