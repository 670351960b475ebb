"""Whose an article is, and whether an archived row may take it: pure decisions on Articles.

    owned(article, served, source=..., listings=...)   the article as the site that served it may claim it
    same_story(old, new, served)                        whether a row's article and a newcomer are one story
    renumbered(old, new, served)                        the newcomer of a collision, with a number of its own
    refused(old, new)                                   why a newcomer may not replace a row (much less text)
    real_edit(old, new)                                 whether the title, the lede or the body's sentences changed

An article belongs to the site that served it. Its canonical URL (or og:url) is believed only when
it is on that site and is not a page every article could share: the site's home page, or a
listing page the run walked. A number the parser read from a canonical that is not believed is
read again from the served URL; a number from the page's own data (JSON-LD) stays, and the
archive checks it names one story (same_story) before a row is replaced.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container
from dataclasses import replace

from scraper.models import Article
from scraper.parse.generic import number_from_url
from scraper.urls import derive_number, is_http_url, main_version, origin_of, same_site, site_host, url_key

# A story is the same when this share of the shorter body's word triples is in the other (an
# edit keeps most of them; two stories of one site share only their phrases), or when the
# headline is the same and a good part of the body is.
SAME_BODY = 0.5
SAME_BODY_SAME_TITLE = 0.2
# A replacement with less than a third of the archived text (an archived text of this many
# characters at least) is a page served instead of the article, not an edit.
SHRINK = 3
SHRINK_FROM = 500
# A paragraph this short that holds a clock or "N minutes ago" is a ticker, not the article; a
# paragraph this short replaced in place by one sharing under half its words is a rotating line.
VOLATILE_WORDS = 25
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?", re.IGNORECASE)
_COUNTER = re.compile(r"\b\d[\d,.\u00a0]*\s*(?:views?|comments?|times read)\b", re.IGNORECASE)
_AGO = re.compile(
    r"\b(?:\d+|an?|one|few)\s+(?:sec(?:ond)?|min(?:ute)?|hour|hr|day|week)s?\s+ago\b|\bjust now\b|\bmoments? ago\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
# Articles of one site with the same text under different titles are one page served in place of
# articles (a wall, an error page), when the text is this short: a wall's, not a press release's.
SAME_TEXT_UNDER = 2000


def owned(article: Article, served: str, *, source: str | None, listings: Container[str]) -> Article:
    """The article as the site that served it (`served`: the page's final URL, or the API post's
    link) may claim it. `source`: the name to archive under (None: the served site's host);
    `listings`: the url_keys of the listing pages, feeds and sitemaps the run read. A print, AMP
    or mobile view keeps the article's number but its own URL, and is marked `extra.variant`. A
    saved page read from a file (no site) keeps what it claims: its canonical is all it says of
    where it is from."""
    if not is_http_url(served):
        return article
    main = main_version(served)
    own = main or served
    claimed = article.url
    believed = _believable(claimed, served, own, listings)
    url = claimed if believed else own
    number = article.number
    if url != claimed and number in _url_numbers(claimed):
        number = _url_number(url)
    extra = article.extra
    if main is not None:  # a view of the article: numbered as it, but under its own URL, so that the
        url = served  # article's own URL is not taken for archived and is fetched when it is found
        extra = {**article.extra, "variant": True}
    name = source or site_host(url)
    if (url, number, name) == (claimed, article.number, article.source) and extra is article.extra:
        return article
    return replace(article, url=url, number=number, source=name, extra=extra)


_INDEX_PAGES = frozenset(
    {"index.html", "index.htm", "index.php", "index.shtml", "index.asp", "default.aspx", "default.asp"}
)


def _believable(claimed: str, served: str, own: str, listings: Container[str]) -> bool:
    if not claimed or not (same_site(claimed, served) or same_site(claimed, own)):
        return False
    key = url_key(claimed)
    head, _, last = key.rpartition("/")
    if last.lower() in _INDEX_PAGES and "/" not in head:  # /index.html: the home page
        key = head
    return key not in (url_key(origin_of(served)), url_key(origin_of(own))) and key not in listings



def _url_numbers(url: str) -> set[int | str]:
    found = number_from_url(url)
    numbers: set[int | str] = {derive_number(url)}
    return numbers | {found} if found is not None else numbers


def _url_number(url: str) -> int:
    found = number_from_url(url)
    return found if found is not None else derive_number(url)


def same_story(old: Article, new: Article, served: str) -> bool:
    """Whether the archived `old` and the newcomer `new` (same source and number) are one story.
    Never when the row is another site's; yes when the newcomer was served at the row's URL (or a
    view of it); else when their text overlaps strongly (an edit, a moved slug)."""
    if is_http_url(served) and is_http_url(old.url) and not same_site(old.url, served):
        return False
    own = main_version(served) or served
    if url_key(old.url) == url_key(new.url) == url_key(own):
        return True
    if not is_http_url(served) and url_key(old.url) == url_key(new.url):
        return True  # a saved page: its canonical is its address
    if old.title == new.title and old.body == new.body:
        return True
    overlap = _overlap(old.body, new.body)
    return overlap >= SAME_BODY or (_fold(old.title) == _fold(new.title) and overlap >= SAME_BODY_SAME_TITLE)


def renumbered(old: Article, new: Article, served: str) -> Article:
    """The newcomer of a collision (its number names another story in the row `old`), with a
    derived number of its own: from its own URL, or, if it claims the row's, from where it was served."""
    url = new.url
    if url_key(url) == url_key(old.url) and is_http_url(served):
        url = main_version(served) or served
    return replace(new, url=url, number=derive_number(url), extra={**new.extra, "collided_with": old.number})


def refused(old: Article, new: Article) -> str | None:
    """Why `new` may not replace the archived `old` of the same story: much less text (a page
    served in place of the article, a teaser), unless the row holds a print or mobile view."""
    if old.extra.get("variant"):
        return None
    before, after = _text_size(old), _text_size(new)
    if before >= SHRINK_FROM and after * SHRINK < before:
        return f"it now holds {after} characters of text where the archived article has {before}"
    return None


def _text_size(article: Article) -> int:
    return len(article.lede) + len(article.body)


def real_edit(old: Article, new: Article) -> bool:
    """Whether `new` edits `old`: its title, its lede or its body's sentences changed. Clocks,
    "updated N minutes ago" and counters ("1,204 views") are not part of a sentence, a short
    paragraph holding one is a ticker, and one short paragraph replaced in place by another
    sharing under half of its words is a rotating line (a promotion); none of these is an edit.
    The other fields change records as they always did, but for `modified` alone (some sites
    stamp every view)."""
    if _steady(old.title) != _steady(new.title) or _steady(old.lede) != _steady(new.lede):
        return True
    before, after = _paragraphs(old.body), _paragraphs(new.body)
    if before != after and not _rotated(before, after):
        return True
    record_old, record_new = old.to_record(), new.to_record()
    skip = {"title", "lede", "body", "modified", "fetched_at", "source", "number"}
    return any(record_old[f] != record_new[f] for f in record_old if f not in skip)


def _steady(text: str) -> str:
    return " ".join(_COUNTER.sub("", _AGO.sub("", _CLOCK.sub("", text))).split())


def _paragraphs(body: str) -> list[str]:
    """The body's paragraphs without their volatile parts; a short one that holds a clock or a
    "minutes ago" is left out whole (a ticker, its date changing with the day)."""
    kept = []
    for paragraph in body.split("\n\n"):
        steady = _steady(paragraph)
        if steady != " ".join(paragraph.split()) and len(paragraph.split()) <= VOLATILE_WORDS:
            continue
        if steady:
            kept.append(steady)
    return kept


def _rotated(before: list[str], after: list[str]) -> bool:
    if len(before) != len(after) or len(before) < 2:
        return False
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    if len(changed) != 1:
        return False
    a, b = changed[0]
    if max(len(a.split()), len(b.split())) > VOLATILE_WORDS:
        return False
    words_a, words_b = set(_WORD.findall(a.casefold())), set(_WORD.findall(b.casefold()))
    return len(words_a & words_b) * 2 < min(len(words_a), len(words_b))


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _overlap(a: str, b: str) -> float:
    """The share of the shorter text's word triples that the other holds too."""
    first, second = _triples(a), _triples(b)
    if not first or not second:
        return 1.0 if _fold(a) == _fold(b) else 0.0
    return len(first & second) / min(len(first), len(second))


def _triples(text: str) -> set[tuple[str, str, str]]:
    words = _WORD.findall(text.casefold())
    return set(zip(words, words[1:], words[2:], strict=False))


def same_text(article: Article) -> str:
    """A key for an article's text, to tell a page served at many URLs (a wall) from articles."""
    return hashlib.sha256(_fold(article.body).encode()).hexdigest()
