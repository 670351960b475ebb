"""The language of a page: what it declares, checked against what its text is written in. Pure.

Declared: `<html lang>`, then JSON-LD `inLanguage`, then `og:locale`, `og:language`,
`content-language`, `dc.language`, `language`, `inLanguage` meta tags (values that are not
language tags, such as "italiano (italian)", are ignored). Detected: the writing system (Hangul,
kana, Han, Cyrillic, Arabic, ...) or, for Latin script, the share of common function words of
English, German, French, Spanish, Portuguese, Italian, Dutch, Swedish and Polish. The detection
is used when nothing is declared, and overrides a declaration only when the text is clearly in
another language (a German blog whose theme says `lang="en"`).
"""

from __future__ import annotations

import re
from collections import Counter

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_STOPWORDS = {
    "en": "the and of to in is that for it with was on as are be this by at from have has not but they his her",
    "de": "der die und das ist nicht mit den ein eine sich auf für dem auch von zu im des sie ich es wir wird oder",
    "fr": "le la les et des est une un du que dans pour pas sur au qui sont avec ce il elle nous vous par plus ou",
    "es": "el la los las y que del en un una es por con para se no su al lo como más pero sus le ya o",
    "pt": "o a os as e que do da dos das em um uma é para com não se no na por mais ao seu sua ou também",
    "it": "il la le e di che del della un una è per con non si in sono gli al nel alla anche più come ma",
    "nl": "de het een en van is dat op te in zijn niet met voor er aan ook als bij door maar wordt naar",
    "sv": "och att det som en är på av för med till den har inte om ett var jag men sig ska kan",
    "pl": "i w na nie się z do że to jest o jak po ale od przez dla za co są tak",
}
_WORDS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Writing systems that name a language by themselves (first match wins; kana before Han).
_SCRIPTS = (
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)
# Any character of those writing systems: text without one (most pages) is not counted letter by letter.
_ANY_SCRIPT = re.compile("|".join(pattern.pattern for _, pattern in _SCRIPTS))
MIN_WORDS = 40  # fewer words than this: too little text to say
MIN_SHARE = 0.12  # the winner's function words must be at least this share of all words
OVERRIDE_RATIO = 3.0  # ... and this many times the declared language's share to override it
MAX_CHARS = 4000


def valid_tag(value: str) -> str:
    """A language tag as declared (`pt_BR` -> `pt-BR`), "" when the value is not one."""
    value = value.strip()
    return value.replace("_", "-") if _TAG.match(value) else ""


def primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def _script_language(text: str) -> str:
    if not _ANY_SCRIPT.search(text):
        return ""
    letters = sum(map(str.isalpha, text))
    if not letters:
        return ""
    for lang, pattern in _SCRIPTS:
        if len(pattern.findall(text)) >= 0.3 * letters:
            return lang
    kana, han = len(_SCRIPTS[1][1].findall(text)), len(_SCRIPTS[2][1].findall(text))
    if kana >= 0.05 * letters and han >= 0.2 * letters:  # a few kana among Han: Japanese
        return "ja"
    return ""


def word_shares(text: str) -> dict[str, float]:
    """Each Latin-script language's share of the text's words that are its function words."""
    words = _WORD.findall(text[:MAX_CHARS])
    if len(words) < MIN_WORDS:
        return {}
    counts = Counter(map(str.casefold, words))
    return {lang: sum(counts[w] for w in vocab) / len(words) for lang, vocab in _WORDS.items()}


def detect(text: str) -> tuple[str, dict[str, float]]:
    """(the language the text is written in or "", the word shares) ."""
    sample = text[:MAX_CHARS]
    script = _script_language(sample)
    if script:
        return script, {}
    shares = word_shares(sample)
    if not shares:
        return "", shares
    best = max(shares, key=shares.__getitem__)
    return (best if shares[best] >= MIN_SHARE else ""), shares


def choose(declared: str, text: str) -> str:
    """The declared tag, unless the text is clearly in another language; the detected one when
    nothing is declared."""
    detected, shares = detect(text)
    if not declared:
        return detected
    if not detected or primary(declared) == detected:
        return declared
    if shares:
        own = shares.get(primary(declared), 0.0)
        return detected if shares[detected] >= OVERRIDE_RATIO * own else declared
    return detected  # a different writing system altogether
