"""Dates and times written out for readers: datelines such as "Published: November 18th, 2019
10:32 AM EST", "Updated 3:04 PM ET, Mon November 18, 2019", "18 Nov 2019, 19:09",
"22 de janeiro de 2018 às 0:13", and dates in URL paths (`/2019/11/18/`). Pure.

`read_text_date(text)` gives a `TextDate`: the date, the time of day when the text has one, and
the offset when the text names one (`+05:00`, `GMT+1`, or a zone abbreviation: `EST` is a fixed
-05:00, `ET` is New York time on that date). Nothing is invented: a text without a time has
`time=None`, one without a zone has `offset=None`.

Month names: English, Portuguese, Spanish, French, German, Italian, Dutch, the Scandinavian
languages, Indonesian, Turkish, Polish, Czech, Russian and Ukrainian (full, genitive and common
short forms). Written-out Chinese/Japanese `2019年11月18日` and Korean `2019년 11월 18일`.
Numeric dates: `2019-11-18`, `2019/11/18`, `2019.11.18`; `18.11.2019` and `18.11.19` (dots
are day first wherever they are used; a two-digit year only with two-digit day and month);
`18/11/2019`, `18-11-2019` and `11/18/2019` only when the day is unambiguous (above 12) or the
caller says which comes first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.html import HtmlElement

from scraper.parse.text import text_of

_MONTH_NAMES = {
    1: "january jan janeiro jan enero ene janvier janv januar jänner jän gennaio gen januari",
    2: "february feb fevereiro fev febrero février févr fevrier februar febbraio februari",
    3: "march mar março marco marzo mars märz maerz maart",
    4: "april apr abril abr avril aprile",
    5: "may maio mayo mai maggio mag mei",
    6: "june jun junho junio juin juni giugno giu",
    7: "july jul julho julio juillet juil juli luglio lug",
    8: "august aug agosto ago août aout augustus",
    9: "september sep sept setembro set septiembre septembre settembre sett",
    10: "october oct outubro out octubre octobre oktober okt ottobre ott",
    11: "november nov novembro noviembre novembre",
    12: "december dec dezembro dez diciembre dic décembre decembre dezember dicembre",
}
# More languages, by month: Scandinavian, Indonesian, Turkish, Polish, Czech, Russian, Ukrainian
# (nominative and genitive, as dates write them: "15 августа 2016", "3 marca 2020").
_MORE_MONTH_NAMES = {
    1: "januar januari ocak stycznia styczeń leden ledna январь января янв січень січня",
    2: "februar februari şubat subat lutego luty únor února февраль февраля фев лютий лютого",
    3: "mars maret mart marca marzec březen března март марта березень березня",
    4: "nisan kwietnia kwiecień duben dubna апрель апреля апр квітень квітня",
    5: "mei mayıs mayis maja maj květen května май мая травень травня",
    6: "haziran czerwca czerwiec červen června июнь июня червень червня",
    7: "temmuz lipca lipiec červenec července июль июля липень липня",
    8: "agustus ağustos agustos sierpnia sierpień srpen srpna август августа авг серпень серпня",
    9: "eylül eylul września wrzesień září сентябрь сентября сен вересень вересня",
    10: "ekim października październik říjen října октябрь октября окт жовтень жовтня",
    11: "kasım kasim listopada listopad listopadu ноябрь ноября ноя листопад листопада",
    12: "desember aralık aralik grudnia grudzień prosinec prosince декабрь декабря дек грудень грудня",
}
for _number, _names in _MORE_MONTH_NAMES.items():
    _MONTH_NAMES[_number] += " " + _names
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH = "(?P<{g}>" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th|º|\.)?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)"
_DE = r"(?:\s+de)?"  # "22 de janeiro de 2018"
_DATE_RE = re.compile(
    r"(?<![\w])(?:"
    + _MONTH.format(g="m1") + r"\s*" + _DAY.format(g="d1") + r",?\s+" + _YEAR.format(g="y1")
    + "|" + _DAY.format(g="d2") + _DE + r"\s*" + _MONTH.format(g="m2") + _DE + r",?\s+" + _YEAR.format(g="y2")
    + r"|(?P<y3>(?:19|20)\d\d)[-/.](?P<m3>[01]?\d)[-/.](?P<d3>[0-3]?\d)(?![\d:])"
    + r"|(?P<a4>[0-3]?\d)(?P<s4>[/.-])(?P<b4>[0-3]?\d)(?P=s4)(?P<y4>(?:19|20)\d\d)"
    + r"|(?P<y6>(?:19|20)\d\d)\s*[年년]\s*(?P<m6>[01]?\d)\s*[月월]\s*(?P<d6>[0-3]?\d)\s*[日일]?"
    + r"|(?<![\d.])(?P<a5>[0-3]\d)\.(?P<b5>[01]\d)\.(?P<y5>\d\d)(?![\d.]|\.\d)"
    + r")(?![\w])",
    re.IGNORECASE,
)  # fmt: skip
# Every alternative of _DATE_RE holds a four-digit year (19xx, 20xx) or a dotted dd.mm.yy: a text
# without either cannot hold a date, which this much simpler pattern tells fast.
_MAY_HOLD_DATE = re.compile(r"(?:19|20)\d\d|[0-3]\d\.[01]\d\.\d\d")


def _search_date(text: str) -> re.Match[str] | None:
    return _DATE_RE.search(text) if _MAY_HOLD_DATE.search(text) else None


_TIME_RE = re.compile(
    r"(?<![\d:.])(?P<h>[0-2]?\d)(?:[:h](?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d))?)?\s*"
    r"(?P<ampm>[ap]\.?\s?m\.?(?![a-z]))?",
    re.IGNORECASE,
)
# An offset after a time: `UTC+5`, `GMT -03:00`, `+0530`, `-05:00`, or a zone abbreviation. Without
# UTC/GMT before it the sign must touch a full `hh:mm`/`hhmm` ("10:32 - 5 min read" is no offset).
_OFFSET_RE = re.compile(
    r"^\s*\(?(?:(?P<utc>UTC|GMT|Z)(?![a-z])\s*(?:(?P<sign>[+\-−])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d\d))?)?"
    r"|(?P<sign2>[+\-−])(?P<oh2>\d\d):?(?P<om2>\d\d)(?!\d))"
    r"|^\s*\(?(?P<abbr>[A-Z]{1,5})\b\)?"
)
MAX_OFFSET = timedelta(hours=14)  # the widest offset in use (UTC+14:00); larger is not an offset
# Fixed offsets of common zone abbreviations (hours). Ambiguous ones (IST, CST in Asia) are
# read as the meaning most news sites use.
ZONE_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0, "BST": 1, "CET": 1, "WAT": 1, "MEZ": 1, "CEST": 2,
    "MESZ": 2, "EET": 2, "SAST": 2, "CAT": 2, "EEST": 3, "MSK": 3, "EAT": 3, "AST": 3, "GST": 4, "AMT": 4,
    "PKT": 5, "IST": 5.5, "NPT": 5.75, "ICT": 7, "WIB": 7, "HKT": 8, "SGT": 8, "AWST": 8, "PHT": 8,
    "JST": 9, "KST": 9, "ACST": 9.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "BRT": -3, "ART": -3,
}  # fmt: skip
# Abbreviations without a fixed offset: the zone's offset on the date read.
ZONE_NAMES = {
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles",
}  # fmt: skip
_URL_DATE = re.compile(
    r"/((?:19|20)\d\d)[/-]([01]?\d)[/-]([0-3]?\d)(?=/|$|[-_])|/((?:19|20)\d\d)([01]\d)([0-3]\d)(?=/)"
    r"|/([0-3]\d)-([0-3]\d)-((?:19|20)\d\d)(?=/|$|[-_.])"
)
# Words a dateline may hold besides the date ("Published on", "Updated at", "às").
_DATELINE_WORDS = re.compile(
    r"\b(?:published|updated|posted|modified|first|last|created|on|at|am|pm|a\.m|p\.m|date|time|"
    r"publicado|publicada|atualizado|actualizado|em|el|le|am|um|uhr|às|as|a\s+las|de|veröffentlicht|"
    r"mis\s+à\s+jour|publié|publiziert|aktualisiert|stand|기사입력|입력|수정|등록|作成日|更新日|公開日|投稿日|发布时间|发布|更新|"
    r"le|h|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira|sábado|domingo|"
    r"lunes|martes|miércoles|jueves|viernes|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|"
    r"sonntag|mo|di|mi|do|fr|sa|so|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunedì|martedì|"
    r"mercoledì|giovedì|venerdì|sabato|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    r"erstellt|geändert|zuletzt|den|kl|klo|godz|tarihi|от|в|г)\b\.?",
    re.IGNORECASE,
)
_ZONE_WORDS = re.compile(
    r"\b(?:" + "|".join([*ZONE_ABBREVIATIONS, *ZONE_NAMES]) + r")\b(?:\s*[+\-−]\s*\d{1,2}(?::?\d\d)?)?"
    r"|[+\-−]\d\d:?\d\d\b",
    re.IGNORECASE,
)
DATELINE_MAX_CHARS = 90


@dataclass(frozen=True)
class TextDate:
    day: date
    time: time | None = None
    offset: timedelta | None = None

    def to_datetime(self) -> datetime:
        """Aware when an offset was read, else naive; 00:00 when no time was read."""
        moment = datetime.combine(self.day, self.time or time(0, 0))
        return moment.replace(tzinfo=timezone(self.offset)) if self.offset is not None else moment


def _date_from(match: re.Match[str], day_first: bool | None) -> date | None:
    g = match.groupdict()
    try:
        if g["m1"]:
            return date(int(g["y1"]), MONTHS[g["m1"].lower()], int(g["d1"]))
        if g["m2"]:
            return date(int(g["y2"]), MONTHS[g["m2"].lower()], int(g["d2"]))
        if g["y3"]:
            return date(int(g["y3"]), int(g["m3"]), int(g["d3"]))
        if g["y6"]:
            return date(int(g["y6"]), int(g["m6"]), int(g["d6"]))
        if g["y5"]:  # 18.11.19: day first, the century the nearer one
            short = int(g["y5"])
            return date(2000 + short if short < 70 else 1900 + short, int(g["b5"]), int(g["a5"]))
        a, b = int(g["a4"]), int(g["b4"])
        if g["s4"] == ".":
            day_first = True  # dotted dates are day first wherever they are written
        if a > 12 or (day_first and b <= 12):
            return date(int(g["y4"]), b, a)
        if b > 12 or day_first is False:
            return date(int(g["y4"]), a, b)
    except ValueError:
        return None
    return None  # 05/10/2018 with nothing to say which is the day


def _time_from(text: str) -> tuple[time | None, re.Match[str] | None]:
    for match in _TIME_RE.finditer(text):
        hour, minute, ampm = int(match["h"]), match["mi"], match["ampm"]
        if minute is None and ampm is None:
            continue  # a bare number is not a time
        if ampm and hour > 12:
            ampm = None  # "17:19 PM"
        if ampm:
            if hour == 0:
                continue
            hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
        if hour > 23:
            continue
        return time(hour, int(minute or 0), int(match["s"] or 0)), match
    return None, None


def _offset_after(text: str, day: date, moment: time | None) -> timedelta | None:
    match = _OFFSET_RE.match(text)
    if match is None:
        return None
    sign, hours, minutes = (match["sign"], match["oh"], match["om"]) if match["sign"] else match.group(
        "sign2", "oh2", "om2"
    )
    if sign:
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset > MAX_OFFSET or int(minutes or 0) >= 60:
            return None
        return -offset if sign in "-−" else offset
    if match["utc"]:
        return timedelta(0)
    abbr = match["abbr"]
    if abbr in ZONE_ABBREVIATIONS:
        return timedelta(hours=ZONE_ABBREVIATIONS[abbr])
    if abbr in ZONE_NAMES:
        local = datetime.combine(day, moment or time(12, 0), tzinfo=ZoneInfo(ZONE_NAMES[abbr]))
        return local.utcoffset()
    return None


def read_text_date(text: str, *, day_first: bool | None = None) -> TextDate | None:
    """The first date written in the text, with the time and zone written next to it."""
    found = _search_date(text)
    if found is None:
        return None
    day = _date_from(found, day_first)
    if day is None:
        return None
    # The time is the first one after the date, else the one just before it ("3:04 PM ET, Mon Nov 18").
    after, match = _time_from(text[found.end() : found.end() + 40])
    rest = text[found.end() + match.end() :] if match else ""
    if after is None:
        before, match = _time_from(text[max(0, found.start() - 40) : found.start()])
        if before is not None and match is not None:
            after = before
            rest = text[max(0, found.start() - 40) + match.end() : found.start()]
    offset = _offset_after(rest, day, after) if after is not None else None
    return TextDate(day, after, offset)


def read_url_date(url: str) -> date | None:
    """A date in the URL's path (`/2019/11/18/`, `/2019-11-18-slug`, `/20191118/`, and
    `/18-11-2019` when the day is above 12 or the month is), else None."""
    match = _URL_DATE.search(url)
    if match is None:
        return None
    if match.group(7):
        a, b, y = match.group(7, 8, 9)
        d, m = (a, b) if int(a) > 12 else (b, a) if int(b) > 12 else ("", "")
        if not d:
            return None
    else:
        y, m, d = match.group(1, 2, 3) if match.group(1) else match.group(4, 5, 6)
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def has_date(text: str) -> bool:
    """True when the text holds a date (`read_text_date` may still find it ambiguous)."""
    return _search_date(text) is not None


def without_dates(text: str) -> str:
    """The text with every date in it replaced by a space."""
    return _DATE_RE.sub(" ", text)


def without_labels(text: str) -> str:
    """The text without the times, zone names and dateline words ("Published", "Uhr", "am") in it."""
    return _DATELINE_WORDS.sub(" ", _ZONE_WORDS.sub(" ", _TIME_RE.sub(" ", text)))


_LABEL = re.compile(r"updated|published|posted", re.I)


def is_dateline(text: str) -> bool:
    """True for a short line that is only a date or time ("Published 2:16 AM EST Nov 20, 2019",
    "Updated at 1:23 p.m.", "18 Nov 2019, 19:09"): what is left besides it is a few label words."""
    if len(text) > DATELINE_MAX_CHARS or not any(map(str.isdigit, text)):
        return False
    found = _search_date(text)
    rest = _DATE_RE.sub(" ", text) if found else text
    if found is None and (not _LABEL.search(text) or _time_from(rest)[0] is None):
        return False
    rest = _TIME_RE.sub(" ", rest)
    rest = _DATELINE_WORDS.sub(" ", _ZONE_WORDS.sub(" ", rest))
    return sum(ch.isalnum() for ch in rest) <= 2


# ---- datelines in a page -------------------------------------------------------------------------

def to_isos(text: str, day_first: bool | None = None) -> list[str]:
    """The date in a text as an ISO string for the date rankers ("2019-11-18" when no time)."""
    found = read_text_date(text, day_first=day_first)
    if found is None:
        return []
    return [found.day.isoformat() if found.time is None else found.to_datetime().isoformat()]


_NAMED = etree.XPath("descendant::*[@class or @id]")
# Class or id words of an element holding a date (`.date`, `.timestamp`, `#published`, `.byline`),
# matched after folding these capitals only (as the XPath translate() that this replaced did).
_HOLDER_NAME = re.compile("date|time|publish|posted|byline|meta")
_HOLDER_FOLD = str.maketrans("ADEIMPSTU", "adeimpstu")


@lru_cache(maxsize=8192)  # class strings repeat across elements and pages
def _names_holder(names: str) -> bool:
    return _HOLDER_NAME.search(names.translate(_HOLDER_FOLD)) is not None


def _date_holders(root: HtmlElement) -> list[HtmlElement]:
    """The elements under root named like a date holder, in document order. (The class and the
    id are matched apart: no name the pattern looks for holds a space.)"""
    return [
        element
        for element in _NAMED(root)
        if _names_holder(element.get("class", "")) or _HOLDER_NAME.search(element.get("id", "").translate(_HOLDER_FOLD))
    ]


_UPDATED = re.compile(r"updat|modif|edited|atualiz|actualiz|aktualisiert|mis à jour", re.I)
_PUBLISHED = re.compile(r"publi|pubblic|publik|posted|veröffentlicht|erstellt|erschienen|опублик|yayınlan", re.I)
_LINE_TAGS = frozenset(
    {"p", "span", "div", "li", "small", "em", "strong", "b", "i", "font", "td", "h4", "h5", "h6", "time"}
)
MAX_HOLDER_CHARS = 200
MAX_LINES_SCANNED = 400


def _kind(element: HtmlElement, text: str) -> str:
    """ "labelled" for a line that says it is the publication date ("Published", "Erstellt am"),
    "modified" for one that says it is an update, else "published"."""
    names = f"{element.get('class', '')} {element.get('id', '')}"
    head = text[:40]
    if _PUBLISHED.search(head):
        return "labelled"
    return "modified" if _UPDATED.search(head) or _UPDATED.search(names) else "published"


def _holder_line(element: HtmlElement, usable: Callable[[HtmlElement], bool]) -> str | None:
    """The text of a date holder (`.date`, `.byline`) when it is short and holds a digit, and is
    no wrapper around the headline (`.post-meta-wrapper` holding the <h1> and the dateline)."""
    text = text_of(element)
    if len(text) <= MAX_HOLDER_CHARS and any(map(str.isdigit, text)) and usable(element):
        if next(element.iterdescendants("h1", "h2", "h3"), None) is not None:
            return None
        return " ".join(text.split())
    return None


def _element_line(element: HtmlElement, usable: Callable[[HtmlElement], bool]) -> str | None:
    """The text of a line element (`p`, `span`, ...) when it is a dateline."""
    # Its UTF-8 bytes first: a text of more bytes than four times the limit (or ASCII beyond
    # the limit) has more characters than it too, and is not decoded (a wrapper of the page).
    raw = etree.tostring(element, method="text", encoding="utf-8", with_tail=False)
    if len(raw) > 2 * DATELINE_MAX_CHARS and (len(raw) > 8 * DATELINE_MAX_CHARS or raw.isascii()):
        return None
    text = raw.decode("utf-8")
    if len(text) > 2 * DATELINE_MAX_CHARS:
        return None
    line = " ".join(text.split())
    return line if is_dateline(line) and usable(element) else None


def _tail_line(element: HtmlElement, usable: Callable[[HtmlElement], bool]) -> str | None:
    """The loose text after an element when it is a dateline ("</dl> 기사입력 :[ 2018-08-25 15:24 ]")."""
    tail = element.tail
    if not tail or len(tail) > 2 * DATELINE_MAX_CHARS or not tail.strip():
        return None
    parent = element.getparent()
    if parent is None:
        return None
    line = " ".join(tail.split())
    return line if is_dateline(line) and usable(parent) else None


def text_dates(
    doc: Any,
    scope: HtmlElement,
    usable: Callable[[HtmlElement], bool],
    day_first: bool | None,
    content: tuple[HtmlElement, ...] = (),
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(published, modified) (ISO, "text") candidates from datelines shown on the page: first
    elements named like a date (`.date`, `.timestamp`, `.byline`, `#published`...), then short
    lines that are nothing but a date, in the article scope, then in the content containers
    (a page whose menus hold hundreds of lines before the article), then the whole page. Lines
    labelled as the publication date ("Published", "Erstellt am") come first."""
    found: dict[str, list[tuple[str, str]]] = {"labelled": [], "published": [], "modified": []}
    seen: set[str] = set()
    # The roots nest (scope, content, its parents, body): each element is read once.
    holders: dict[HtmlElement, str | None] = {}
    lines: dict[HtmlElement, str | None] = {}
    tails: dict[HtmlElement, str | None] = {}

    def add(element: HtmlElement, text: str) -> None:
        if text in seen:
            return
        seen.add(text)
        for iso in to_isos(text, day_first):
            found[_kind(element, text)].append((iso, "text"))

    for root in dict.fromkeys((scope, *content, doc.body)):
        for element in _date_holders(root):
            if element not in holders:
                holders[element] = _holder_line(element, usable)
            if holders[element] is not None:
                add(element, holders[element])
        if found["labelled"] or found["published"]:
            break
        count = 0
        for element in root.iter(etree.Element):  # elements only (not comments)
            if element.tag in _LINE_TAGS:
                count += 1
                if count > MAX_LINES_SCANNED:
                    break
                if element not in lines:
                    lines[element] = _element_line(element, usable)
                if lines[element] is not None:
                    add(element, lines[element])
            tail = element.tail
            if not tail or tail.isspace():  # most tails: no text, no dateline
                continue
            if element not in tails:
                tails[element] = _tail_line(element, usable)
            if tails[element] is not None:
                add(element.getparent(), tails[element])
        if found["labelled"] or found["published"]:
            break
    return found["labelled"] + found["published"], found["modified"]
