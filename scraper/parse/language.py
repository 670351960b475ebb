"""The language of a page: what it declares, checked against what its text is written in. Pure.

Declared: `<html lang>`, then JSON-LD `inLanguage`, then `og:locale`, `og:language`,
`content-language`, `dc.language`, `language`, `inLanguage` meta tags (values that are not
language tags, such as "italiano (italian)", are ignored).

A declared tag is kept (`nb-NO` stays Norwegian, `fa-AF` Persian) unless the text is clearly in
another language: written in another script than the declared language's (a Russian page that
says `lang="en"`), or, for the Latin-script languages with a list of common function words here
(English, German, French, Spanish, Portuguese, Italian, Dutch, Swedish, Polish), a text whose
function words are clearly another of them (a German blog whose theme says `lang="en"`).

Detected, when nothing usable is declared or the declaration is overruled: py3langid, a
maintained port of langid.py that ships its trained model (97 languages, offline, about 0.2 ms
a page): it tells Persian, Pashto and Urdu from Arabic, Ukrainian and Serbian from Russian, and
Norwegian from Swedish, which no table of scripts or stopwords kept here could. Its model is
loaded once, on the first page that needs it (about 0.85 s of CPU); plain English, whose function
words are unmistakable, is told without it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

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
# Each function word: the languages listing it, in _WORDS's order.
_LANGUAGES_OF = {
    word: tuple(lang for lang, vocabulary in _WORDS.items() if word in vocabulary)
    for word in set().union(*_WORDS.values())
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Writing systems other than Latin, with the languages written in them (primary subtags).
_SCRIPTS = (
    ("hangul", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"), {"ko"}),
    ("kana", re.compile(r"[\u3040-\u30ff]"), {"ja"}),
    ("han", re.compile(r"[\u4e00-\u9fff]"), {"zh", "ja", "yue", "wuu"}),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]"),
     {"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg", "tt", "ba", "cv", "sah", "ce", "os"}),
    ("arabic", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]"),
     {"ar", "fa", "prs", "ps", "ur", "ku", "ckb", "sdh", "ug", "sd", "ks", "pa", "arz", "ary"}),
    ("hebrew", re.compile(r"[\u0590-\u05ff]"), {"he", "iw", "yi", "lad"}),
    ("greek", re.compile(r"[\u0370-\u03ff]"), {"el", "grc"}),
    ("thai", re.compile(r"[\u0e00-\u0e7f]"), {"th"}),
    ("devanagari", re.compile(r"[\u0900-\u097f]"), {"hi", "mr", "ne", "sa", "kok", "gom", "mai", "bho"}),
)  # fmt: skip
_SCRIPT_LANGUAGES = {name: langs for name, _, langs in _SCRIPTS}
# Any character of those writing systems: text without one (most pages) is not counted letter by letter.
_ANY_SCRIPT = re.compile("|".join(pattern.pattern for _, pattern, _ in _SCRIPTS))
MIN_WORDS = 40  # fewer words than this: too little text to judge function words
MIN_SHARE = 0.12  # the winner's function words must be at least this share of all words
OVERRIDE_RATIO = 3.0  # ... and this many times the declared language's share to override it
MIN_LETTERS = 20  # fewer letters than this: too little text to detect anything
MIN_CONFIDENCE = 0.5  # py3langid's probability below which a detection is not given
MAX_CHARS = 4000


def valid_tag(value: str) -> str:
    """A language tag as declared (`pt_BR` -> `pt-BR`), "" when the value is not one."""
    value = value.strip()
    return value.replace("_", "-") if _TAG.match(value) else ""


def primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def script(text: str) -> str:
    """The text's writing system when it is mostly one of `_SCRIPTS`, else "" (Latin, or mixed)."""
    if not _ANY_SCRIPT.search(text):
        return ""
    letters = sum(map(str.isalpha, text))
    if not letters:
        return ""
    for name, pattern, _ in _SCRIPTS:
        if len(pattern.findall(text)) >= 0.3 * letters:
            return name
    kana, han = len(_SCRIPTS[1][1].findall(text)), len(_SCRIPTS[2][1].findall(text))
    if kana >= 0.05 * letters and han >= 0.2 * letters:  # a few kana among Han: Japanese
        return "kana"
    return ""


def word_shares(text: str) -> dict[str, float]:
    """Each listed Latin-script language's share of the text's words that are its function words."""
    words = _WORD.findall(text[:MAX_CHARS])
    if len(words) < MIN_WORDS:
        return {}
    totals = dict.fromkeys(_WORDS, 0)
    for languages in filter(None, map(_LANGUAGES_OF.get, map(str.casefold, words))):  # the function words'
        for lang in languages:
            totals[lang] += 1
    return {lang: total / len(words) for lang, total in totals.items()}


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> str:
    """The language py3langid names for the text, "" when the text is too short or it is unsure."""
    sample = text[:MAX_CHARS]
    if sum(map(str.isalpha, sample[:400])) < MIN_LETTERS and sum(map(str.isalpha, sample)) < MIN_LETTERS:
        return ""
    lang, confidence = _identifier().classify(sample)
    if confidence < MIN_CONFIDENCE or lang == "zxx":
        return ""
    if lang == "ja" or (lang == "zh" and script(sample) == "kana"):
        return "ja"
    return str(lang)


ENGLISH_SHARE = 0.2  # English function words at least this share of the words, and
ENGLISH_MARGIN = 4.0  # this many times any other listed language's: English, without the model


def detect(text: str) -> str:
    """The language the text is written in, or "". Plain English (its function words are
    unmistakable) is told without loading py3langid's model; anything else is py3langid's call."""
    if not script(text[:MAX_CHARS]):
        shares = word_shares(text)
        english = shares.get("en", 0.0)
        if english >= ENGLISH_SHARE and all(english >= ENGLISH_MARGIN * v for k, v in shares.items() if k != "en"):
            return "en"
    return identify(text)


def _overruled(declared: str, text: str) -> bool:
    """Whether the text is clearly not in the declared language (see the module docstring)."""
    lang = primary(declared)
    sample = text[:MAX_CHARS]
    written = script(sample)
    if written:
        return lang not in _SCRIPT_LANGUAGES[written]
    if any(lang in langs for langs in _SCRIPT_LANGUAGES.values()) and sum(map(str.isalpha, sample)) >= MIN_LETTERS:
        return not _ANY_SCRIPT.search(sample)  # declared Russian, written in Latin letters throughout
    shares = word_shares(sample)
    if not shares or lang not in shares:
        return False  # nothing to compare the declaration with (Norwegian, Finnish, ...)
    best = max(shares, key=shares.__getitem__)
    return best != lang and shares[best] >= MIN_SHARE and shares[best] >= OVERRIDE_RATIO * shares[lang]


def choose(declared: str, text: str) -> str:
    """The declared tag, unless the text is clearly in another language; the detected one when
    nothing is declared."""
    if not declared:
        return detect(text)
    if not text or not _overruled(declared, text):
        return declared
    return detect(text) or declared
