"""Author names out of bylines as sites write them. Pure.

`split_names("By MEG KINNARD and ERRIN HAINES, Associated Press")` -> ["MEG KINNARD", "ERRIN HAINES"]:
the "By" label, the date and anything after a separator (" | ", " - ", "@handle", "(") are cut
off; names are split at commas and "and"/"&"; affiliations ("Associated Press", "Cleveland.com",
"AP Sports Writer") and credentials ("MS", "RD") are dropped when a person's name is left.
A byline of only an agency ("Associated Press", "Reuters") keeps the agency.

`class_words(element)` splits an element's class and id into lower-case words (`c-byline__author-name`
-> byline, author, name; `articleDek` -> article, dek), for the byline and standfirst finders.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml.html import HtmlElement

from scraper.parse.text import collapse

_LABEL = re.compile(
    r"^(?:(?:written|posted|published|reported|words|text|story|article|(?:ein\s+|eine\s+)?(?:kommentar|analyse"
    r"|gastbeitrag|interview|essay|reportage)|commentary|analysis|opinion|column)\s+)?(?:by|von|por|par|door)\s*:?\s+"
    r"|^(?:author|autor|autorin|auteur|writer|text|texto|testo)\s*:\s*",
    re.IGNORECASE,
)
# A byline part that is only a label ("By", "Kommentar von") or a role after a CJK name ("신현주 기자").
_LABEL_ONLY = re.compile(
    r"^(?:(?:written|posted|reported|ein|eine|kommentar|analyse|gastbeitrag|interview)\s+)?(?:by|von|por|par|door)$",
    re.IGNORECASE,
)
_CJK_ROLE = re.compile(r"\s*(?:기자|특파원|통신원|객원기자|記者|记者|特派員|特派员|編集委員)$")
_INNER_PARENS = re.compile(r"^[^\W\d_][^()@|]*\([^()]{2,40}\)(?=\s+(?!(?:and|und|et|y|e|og|och)\b)[^\W\d_])")
# Code or markup leaking into a byline (`window._q.push`, `{{author}}`), not a name.
_CODE = re.compile(r"[{}<>=;\[\]$]|\w\.\w+\.\w|\b_\w")
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun"
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
# Where the names end: a separator, a handle, a parenthesis, a dateline word, a date, a digit.
_CUT = re.compile(
    r"\s+(?:\||—|–|-|•|·|/)(?:\s+|$)|\s*[@(／｜]|\s*\n"
    r"|(?:^|\s+)(?:published|updated|posted|last updated|first published)\b"
    rf"|\s+(?:on|at)\s+(?=(?:{_WEEKDAYS}|{_MONTHS}|\d))"
    rf"|(?:^|[\s,]+)(?:{_WEEKDAYS})\b,?"
    rf"|(?:^|[\s,]+)(?:{_MONTHS})[a-z]*\.?\s+\d"
    r"|(?:^|[\s,]+)\d"
    r"|,?\s+in\s+(?=(?-i:[A-Z]))",  # "TPN, in News · Portugal": the sections it was filed in
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*[,;]\s*|\s+(?:and|&|und|e|y|et|og|och)\s+|(?<=\w{3})\.\s+(?=[A-Z])")
# Words that make a byline part an organisation or a job title, not a person.
_ROLE = re.compile(
    r"\b(?:press|writer|writers|reporter|correspondent|contributor|contributing|editor|editors|staff|media|"
    r"news|bureau|agency|desk|team|wire|service|services|international|network|magazine|online|digital|"
    r"columnist|photographer|producer|analyst|sports|national|political|senior|special|professor)\b"
    r"|\w\.(?:com|net|org|co|in|ca|uk|de|fr|au)\b",
    re.IGNORECASE,
)
_CREDENTIAL = re.compile(r"^(?:[A-Z]{1,4}|Ph\.?D\.?|M\.?D\.?|Jr\.?|Sr\.?|[A-Z][a-z]?\.?[A-Z]\.?)$")
MAX_NAME_WORDS = 5
MAX_NAME_CHARS = 60


_PARTICLES = frozenset({"de", "van", "von", "da", "del", "der", "la", "le", "di", "bin", "al", "du", "dos"})


def is_person_name(part: str) -> bool:
    """Two to five capitalised words, none of them an organisation or job word."""
    words = part.split()
    if not 2 <= len(words) <= MAX_NAME_WORDS or _ROLE.search(part):
        return False
    return all(w[0].isupper() or not w[0].isalpha() for w in words if w.lower() not in _PARTICLES)


def drop_affiliations(names: list[str], site_names: frozenset[str] = frozenset()) -> list[str]:
    """The names without organisations, job titles and credentials, when a person's name is left."""
    if any(is_person_name(p) for p in names):
        names = [p for p in names if not _ROLE.search(p) and not _CREDENTIAL.match(p) and _fold(p) not in site_names]
    return [p for p in dict.fromkeys(names) if p]


def split_names(text: str, site_names: frozenset[str] = frozenset()) -> list[str]:
    """The names in a byline text (see the module docstring); [] when it holds none."""
    line = collapse(text.replace("\u00a0", " ")).strip(" ／｜|·•")
    line = _LABEL.sub("", line, count=1)
    # A parenthesis inside a name ("Bruno (Henrique Zecchin) Rodrigues") is part of it; one at
    # the end ("Jane Doe (Reuters)") is an affiliation, cut below.
    inner = _INNER_PARENS.search(line)
    cut = _CUT.search(line, inner.end()) if inner else _CUT.search(line)
    if cut is not None:
        line = line[: cut.start()]
    parts = [_CJK_ROLE.sub("", p.strip(" .,:;&")).strip(" .,:;&") for p in _SPLIT.split(line)]
    parts = [p for p in parts if p and any(ch.isalpha() for ch in p) and not _LABEL_ONLY.match(p)]
    if any(looks_like_code(p) for p in parts):
        return []
    if not parts or any(len(p) > MAX_NAME_CHARS or len(p.split()) > MAX_NAME_WORDS for p in parts):
        return []
    return drop_affiliations(parts, site_names)


_NOT_ALNUM = re.compile(r"[\W_]+")  # what str.isalnum() rejects, character for character


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """(Cached: the same names and titles are folded many times over a page, and across pages.)"""
    return _NOT_ALNUM.sub("", text.casefold())


def fold_name(text: str) -> str:
    """A name reduced to lower-case letters and digits, for comparing spellings."""
    return _fold(text)


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[-_\s]+")


def class_words(element: HtmlElement, *, with_id: bool = True) -> set[str]:
    """The words of an element's class (and id) attributes, lower case."""
    raw = f"{element.get('class') or ''} {element.get('id') or '' if with_id else ''}"
    return {w.lower() for w in _WORD_SPLIT.split(_CAMEL.sub(" ", raw)) if w}


def looks_like_code(text: str) -> bool:
    """Script or template text rather than a name (`window._folmq.push`, `{{ author }}`)."""
    return bool(_CODE.search(text))


def looks_like_slug(name: str) -> bool:
    """A login name rather than a person's name ("kevin-r", "admin", "jdoe")."""
    return " " not in name and (name.islower() or "-" in name or "_" in name)
