"""GenericParser: any news page, metadata by a chain of fallbacks (as trafilatura's
extract_metadata): JSON-LD, then OpenGraph and `article:*` meta, then microdata, then
`<time datetime>`, then `<h1>`/`<title>`. The body comes from the page's declared structure
(`[itemprop=articleBody]`, `.article-body`, `article`, ...) or, failing that, from scoring
containers by paragraph text.

Title: the JSON-LD headline when og:title says the same (an <h1> without its kicker loses to
them); else the headline shown (`[itemprop=headline]`, the first <h1>) when the markup's first
title or most of its titles are variants of it and it is not another story's, else
JSON-LD/Dublin Core/OpenGraph/<title>; without a site-name suffix (`og:site_name`, the
application name, the JSON-LD publisher or the host name); entities a page encoded twice decoded.
Author: the markup's names, unless the byline shown beats them (they are the site's name, a
shared account, a login or "staff", or the byline names more people), else a bold credit opening
the body; never script text or a numeric id; names are cleaned by `byline.split_names`.
Dates: see `_choose` and `fallback_published` (the last resorts are in `pagedates.py`).
Language: see `language.py`.

Lede policy: the lede is a standfirst element shown under the title (`.standfirst`, `.dek`,
`[itemprop=description]`, a class word such as `p-dek`/`articleDek`/`strapline`, a heading right
after the <h1>, or the element after the headline and outside the body whose text is the page's
description: standfirst.py) or "". The meta/OpenGraph description itself is never the lede: many
sites fill it with the start of the first paragraph, and it need not be shown on the page; it only
names the element that is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import cached_property
from itertools import islice
from typing import ClassVar
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from scraper.errors import NotAnArticle, ParseError
from scraper.parse import jsonld
from scraper.parse import language as languages
from scraper.parse.base import Parser, Selectors, is_ancestor, precedes, unique
from scraper.parse.body import element_text, is_byline, paragraphs
from scraper.parse.boilerplate import inside_strong
from scraper.parse.byline import (
    class_words,
    drop_affiliations,
    fold_name,
    is_person_name,
    looks_like_code,
    looks_like_slug,
    split_names,
)
from scraper.parse.dates import Dated, best_dated, rank
from scraper.parse.document import Document, jsonld_types
from scraper.parse.jsonld import ARTICLE_TYPES
from scraper.parse.metadates import meta_dates
from scraper.parse.pagedates import attribute_dates, first_text_date, in_comments, loose_datelines
from scraper.parse.paywall import is_paywalled, paywall_reason
from scraper.parse.standfirst import described_element
from scraper.parse.teasers import in_teaser, is_teaser_link, outweighs_teasers, own_urls
from scraper.parse.text import clean_inline, text_of
from scraper.parse.textdates import is_dateline, read_url_date, text_dates
from scraper.parse.textdates import to_isos as _text_isos
from scraper.urls import derive_number

# A run of 4+ digits in a URL path; hex hashes and UUIDs in the path are not ids.
_DIGITS = re.compile(r"(?<!\d)\d{4,}(?!\d)")
_HEX_HASH = re.compile(
    r"(?<![0-9a-z])(?=[0-9a-f]*[a-f])[0-9a-f]{16,}(?![0-9a-z])|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.I
)
_DATE_PATH = re.compile(r"/(?:19|20)\d\d(?:[/-]\d{1,2}){1,2}(?=/|$|-)")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NUMERIC_ID = re.compile(r"^\s*[A-Za-z_-]{0,3}(\d+)\s*$")
# JSON-LD types that say nothing about whether a page is an article.
_NEUTRAL_TYPES = frozenset({"Organization", "NewsMediaOrganization", "BreadcrumbList", "WebPage", "Person"})
# A page without article markup showing this many linked headlines is a listing.
MIN_TEASERS = 3
TEASER_SELECTOR = "h2 a, h3 a"
MAX_KICKER_WORDS = 6  # a kicker before the headline ("Neue Leipziger Schule: ...") is a short label
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")
# The visible headline wins over the meta titles when it shares this share of words with one.
HEADLINE_OVERLAP = 0.4
# Class/id words of a standfirst under the headline (`p-dek`, `articleDek`, `article-lead-text`).
LEDE_WORDS = frozenset({"dek", "deck", "standfirst", "strapline", "subheadline", "subhead", "subheading",
                        "subtitle", "lede", "leadtext", "lead", "summary", "excerpt", "sapo"})
_LEDE_WORD_IN = re.compile("|".join(sorted(LEDE_WORDS)))  # a LEDE_WORDS word anywhere in a class
_NOT_LEDE_WORDS = frozenset({"title", "headline", "list", "item", "widget", "card", "more", "related", "byline",
                             "author", "date", "time", "meta", "caption", "video", "ad", "box"})
MIN_LEDE_CHARS = 30
MAX_LEDE_CHARS = 600
# Class/id words of a byline element, and of author boxes that are not the byline.
_BYLINE_WORDS = frozenset({"byline", "author", "authors", "writer"})
_NOT_BYLINE_WORDS = frozenset({"bio", "box", "avatar", "image", "img", "photo", "description", "desc", "about",
                               "comment", "comments", "twitter", "follow", "profile", "more", "social", "info"})
MAX_BYLINE_CHARS = 200
BYLINE_WINDOW = 400  # elements after the headline searched for a byline
_BY_LINE = re.compile(r"^(?:(?:written|posted|reported)\s+by|by|von|por|par|door)\s+\S", re.IGNORECASE)
_AUTHOR_META = ("dc:creator", "dc.creator", "dcterms.creator", "author", "article:author", "parsely-author",
                "sailthru.author")
_SITE_TYPES = frozenset({"Organization", "NewsMediaOrganization", "WebSite"})
_SECTION_META = ("og:section", "section", "article-section")
_LANGUAGE_META = ("og:locale", "og:language", "content-language", "dc.language", "language", "itemprop:inlanguage",
                  "inlanguage")


def number_from_url(url: str) -> int | None:
    """The last run of 4+ digits in the URL's path that is not a date part or a year."""
    path = _DATE_PATH.sub("/", _HEX_HASH.sub("", urlsplit(url).path))
    runs = [run for run in _DIGITS.findall(path) if not _YEAR.match(run)]
    return int(runs[-1]) if runs else None


def numeric_id(value: object) -> int | None:
    """An int from an identifier that is numeric-ish ("48213", 48213, "a48213")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _NUMERIC_ID.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def strip_site_name(title: str, site_name: str | frozenset[str]) -> str:
    """`Title | Site` -> `Title` (also `Site | Title`) when the site name is known: `site_name` is
    one name, or a set of names folded by `fold_name` (letters and digits, lower case)."""
    if not site_name:
        return title
    names = frozenset({fold_name(site_name)}) if isinstance(site_name, str) else site_name
    for sep in _TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if head and fold_name(tail) in names:
            return head.strip(" ")
        first, _, rest = title.partition(sep)
        if rest and fold_name(first) in names:
            return rest.strip(" ")
    return title


def _plain_text(element: HtmlElement) -> str:
    """All of an element's text on one line, pieces separated (metadata boxes the body skips);
    not the text of scripts and styles inside it."""
    pieces = element.itertext() if not element.xpath(".//script|.//style") else _text_outside_scripts(element)
    return clean_inline(" ".join(" ".join(pieces).split()))


def _text_outside_scripts(element: HtmlElement) -> Iterator[str]:
    if element.tag in ("script", "style"):
        yield element.tail or ""
        return
    yield element.text or ""
    for child in element:
        if isinstance(child.tag, str):
            yield from _text_outside_scripts(child)
        else:
            yield child.tail or ""
    yield element.tail or ""


_ACCOUNT_PATH = re.compile(r"/(?:admin|administrator|editor|editors|redaktion|redaction|redaccion|webmaster|staff"
                           r"|user|newsroom|desk)/?$", re.IGNORECASE)


def _is_account_url(url: object) -> bool:
    """An author page of a shared account (`/author/admin/`), not of a person."""
    return isinstance(url, str) and bool(_ACCOUNT_PATH.search(urlsplit(url).path))


_ENTITY = re.compile(r"&(?:#\d{2,7}|#[xX][0-9a-fA-F]{2,6}|[a-zA-Z][a-zA-Z0-9]{1,9});")


def decode_entities(text: str) -> str:
    """Text whose HTML entities were encoded twice (`R&uuml;ckbau`, `&#163;5`), decoded again."""
    return html.unescape(text) if _ENTITY.search(text) else text


# Class words of the site's logo or name, which themes often set as an <h1>.
# ("brand" is also a colour or font word, "blog-title" a post's title: neither counts.)
_SITE_HEADING_WORDS = frozenset({"logo", "masthead", "sitename", "sitetitle"})
_SITE_HEADING_PAIRS = (("site", "title"), ("site", "name"))


def _names_site(element: HtmlElement) -> bool:
    """A heading that is the site's logo or name: it, or an element just above it, is named so."""
    for node in [element, *islice(element.iterancestors(), 2)]:
        words = class_words(node)
        if words & _SITE_HEADING_WORDS or any(a in words and b in words for a, b in _SITE_HEADING_PAIRS):
            return True
    return False


def _starts_with(title: str, headline: str) -> bool:
    """`title` is `headline` followed by a separator and more (`Headline - Site Name`)."""
    if not title.startswith(headline) or len(title) == len(headline):
        return False
    return any(title[len(headline):].startswith(sep) for sep in (*_TITLE_SEPARATORS, " – ", "  "))


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def similar(a: str, b: str) -> bool:
    """Two titles that are the same or share most of their words (a headline and its SEO variant)."""
    if fold_name(a) == fold_name(b):
        return True
    wa, wb = _words(a), _words(b)
    shared = len(wa & wb)
    return shared >= 2 and shared >= HEADLINE_OVERLAP * max(len(wa), len(wb))


class GenericParser(Parser):
    """The fallback parser: every page matches."""

    name = "generic"
    zoned = ("dated_published", "dated_modified")
    content_selectors: ClassVar[Selectors] = (
        "[itemprop=articleBody]",
        "article .story-body",
        ".article-body",
        ".entry-content",
        ".post-content",
        "main article",
        "article",
        "main",
    )
    lede_selectors: ClassVar[Selectors] = (
        ".standfirst", ".article-standfirst", ".dek", ".deck", ".article-dek", ".subtitle",
        ".article-subtitle", ".subheadline", ".sub-headline", ".article-summary", ".summary-lead",
        "[itemprop=description]", ".lede", ".article-lede", ".article__lede", ".article__dek",
    )  # fmt: skip
    # Fallbacks after JSON-LD and meta tags (the plain `*_selectors` are tried before them).
    title_fallback: ClassVar[Selectors] = ("[itemprop=headline]", "h1")
    # hAtom microformat: `<abbr class="published" title="2011-03-30T21:05:00-07:00">`.
    published_fallback: ClassVar[Selectors] = (
        "[itemprop=datePublished]", "time[datetime]", "abbr.published[title]", ".hentry .published[title]",
    )  # fmt: skip
    modified_fallback: ClassVar[Selectors] = (
        "[itemprop=dateModified]", "abbr.updated[title]", ".hentry .updated[title]",
    )  # fmt: skip
    author_fallback: ClassVar[Selectors] = ("[itemprop=author] [itemprop=name]", "[rel=author]")
    published_meta: ClassVar[Selectors] = (
        "article:published_time", "og:article:published_time", "datePublished", "pubdate",
        "publishdate", "date", "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date",
        "parsely-pub-date", "itemprop:datepublished",
    )  # fmt: skip
    modified_meta: ClassVar[Selectors] = (
        "article:modified_time", "og:updated_time", "og:article:modified_time", "dateModified",
        "dcterms.modified", "last-modified", "itemprop:datemodified",
    )  # fmt: skip
    listing_types: ClassVar[frozenset[str]] = jsonld.LISTING_TYPES

    @classmethod
    def matches(cls, doc: Document) -> bool:
        return True

    # ---- not an article ------------------------------------------------------------------

    def has_article_signals(self) -> bool:
        """Markup only article pages carry: JSON-LD or microdata article, og:type article, ..."""
        doc = self.doc
        return bool(
            self.ld
            or doc.meta_first("og:type").lower() == "article"
            or doc.meta_first("article:published_time")
            or doc.select_first("[itemprop=articleBody]") is not None
            or any("Article" in t or "BlogPosting" in t for t in doc.root.xpath("//@itemtype"))
        )

    def teaser_headlines(self, scope: HtmlElement | None = None) -> int:
        """Linked headlines (`<h2><a>`) outside boilerplate: the cards of a listing page."""
        return sum(1 for a in self.doc.select(TEASER_SELECTOR, scope) if self.usable(a) and is_teaser_link(a))

    def shows_an_article(self) -> bool:
        """Without article markup, whether the page shows one: a headline over a substantial body
        with few teaser cards inside it (see teasers.py), not at the site's root."""
        url = urlsplit(self.page_url)
        if self.headline_element is None or (url.netloc and url.path in ("", "/") and not url.query):
            return False  # no headline, or the site's home page
        inside = sum(self.teaser_headlines(container) for container in self.content)
        return outweighs_teasers(self.body_paragraphs, inside)

    def check(self) -> None:
        if self.has_article_signals():
            return
        types = {t for obj in self.doc.jsonld for t in jsonld_types(obj)}
        listing = types & self.listing_types
        if listing and types <= self.listing_types | _NEUTRAL_TYPES:
            raise NotAnArticle(self.page_url, f"{'/'.join(sorted(listing))} page, not an article")
        og_type = self.doc.meta_first("og:type").lower()
        if og_type and og_type != "article" and not self.shows_an_article():
            raise NotAnArticle(self.page_url, f"og:type {og_type!r} page without article markup or body")
        if self.teaser_headlines() >= MIN_TEASERS and not self.shows_an_article():
            raise NotAnArticle(self.page_url, "listing page (linked headlines, no article markup)")

    # ---- fields --------------------------------------------------------------------------

    @cached_property
    def site_names(self) -> frozenset[str]:
        """The site's names, folded: og:site_name, application names, JSON-LD publisher, host."""
        names = self.doc.meta_all("og:site_name", "application-name", "apple-mobile-web-app-title")
        names += [n for obj in self.doc.jsonld for n in jsonld.texts(obj.get("publisher"))]
        names += [n for obj in self.doc.jsonld if jsonld_types(obj) & _SITE_TYPES
                  for n in jsonld.texts(obj.get("name"))]
        host = (urlsplit(self.doc.canonical or self.doc.url).hostname or "").removeprefix("www.")
        if host:
            names += [host, host.split(".")[0]]
        return frozenset(folded for folded in map(fold_name, names) if len(folded) >= 3)

    @cached_property
    def headline_element(self) -> HtmlElement | None:
        """The headline shown on the page: the theme's title element, `[itemprop=headline]`, or the
        first <h1> outside boilerplate (the article scope's first); not the site's logo or name
        (`<h1 class="site-title">`, an <h1> inside `.logo`)."""
        for selectors in (self.title_selectors, self.title_fallback):
            for scope in (self.scope, None):
                for selector in selectors:
                    for element in self.doc.select(selector, scope):
                        if element.tag in ("meta", "link") or not self.usable(element) or _names_site(element):
                            continue
                        if element_text(element):
                            return element
        # The <h1> whose text is one of the markup's titles (the only one set in a breadcrumb or a
        # top bar; or the one of several whose story the page is: the next story of an endless
        # page has an <h1> of its own), when exactly one is.
        headings = [h for h in self.doc.root.iter("h1") if not _names_site(h)]
        if not headings:
            return None
        metas = {fold_name(strip_site_name(m, self.site_names)) for m in self.meta_titles()}
        titled = [h for h in headings if (text := element_text(h)) and fold_name(text) in metas]
        return titled[0] if len(titled) == 1 else None

    def title(self) -> str:
        return self._title

    @cached_property
    def _title(self) -> str:
        """The title, worked out once (the body's filter asks for it too)."""
        metas = self.meta_titles()
        visible = self.without_kicker(self.visible_title(metas), metas)
        # The headline shown wins when the markup's first title, or most of its different titles,
        # are variants of it (an SEO title, a shortened social title, one cut short, one with the
        # site's name after it); else it is something else (the site's logo, another story's
        # card), and so is one unlike every title of the markup when those agree with each other.
        distinct = list(unique(metas))  # twitter:title mostly repeats og:title
        variants = [m for m in distinct if similar(visible, m) or _starts_with(m, visible)] if visible else []
        agreed = self.agreed_title()
        if agreed and visible and fold_name(agreed) != fold_name(visible):
            return strip_site_name(agreed, self.site_names)
        if visible and not self.another_headline(visible, metas) and (
            super().title() or not metas or metas[0] in variants or len(variants) > len(distinct) / 2
        ):
            return strip_site_name(visible, self.site_names)
        for candidate in metas:
            title = strip_site_name(candidate, self.site_names)
            if title:
                return title
        return visible

    def without_kicker(self, visible: str, metas: list[str]) -> str:
        """The headline shown without the kicker set before it (`Kicker: Headline`, the label
        over a story that news sites print in the <h1>), when the markup's own title is the
        headline alone; else as shown."""
        kicker, _, rest = visible.partition(": ")
        if not rest or len(kicker.split()) > MAX_KICKER_WORDS or len(rest.split()) < 3:
            return visible
        folded = fold_name(rest)
        if any(fold_name(strip_site_name(meta, self.site_names)) == folded for meta in metas):
            return rest
        return visible

    def agreed_title(self) -> str:
        """The title when the JSON-LD headline and og:title, written apart, say the same (it then
        beats an <h1> without the kicker, or a rewritten one), else ""."""
        headline = next((t for v in self.ld_values("headline") if (t := decode_entities(jsonld.first_text(v)))), "")
        social = decode_entities(self.doc.meta_first("og:title"))
        return social if headline and fold_name(headline) == fold_name(social) else ""  # og's spelling

    def visible_title(self, metas: list[str]) -> str:
        """The headline shown; spelt as a title of the markup when it is that title with the
        separators lost between its pieces (`<h1><span>Kicker</span><span>Headline</span></h1>`
        read as "KickerHeadline" where og:title has "Kicker: Headline")."""
        if self.headline_element is None:
            return ""
        visible = decode_entities(element_text(self.headline_element))
        pieces = [piece for piece in (clean_inline(t) for t in self.headline_element.itertext()) if piece]
        if len(pieces) > 1:
            folded = fold_name(visible)
            for meta in metas:
                title = strip_site_name(meta, self.site_names)
                if fold_name(title) == folded and title != visible:
                    return title
        return visible

    def another_headline(self, visible: str, metas: list[str]) -> bool:
        """The headline found is unlike every title of the markup, and two of those agree (the
        <h1> is another story's)."""
        titles = [strip_site_name(m, self.site_names) for m in metas]
        if any(similar(visible, t) or _starts_with(t, visible) for t in titles):
            return False
        return any(similar(a, b) for i, a in enumerate(titles) for b in titles[i + 1:])

    def meta_titles(self) -> list[str]:
        """Titles from JSON-LD, Dublin Core, OpenGraph/Twitter meta and <title>, in that order
        (entities a page encoded twice decoded)."""
        found = [jsonld.first_text(v) for v in self.ld_values("headline")]
        found += self.doc.meta_all("dc:title", "dc.title", "dcterms.title", "og:title", "twitter:title")
        title = self.doc.root.find(".//title")
        if title is not None:
            found.append(clean_inline(text_of(title)))
        return [decode_entities(text) for text in found if text]

    def title_candidates(self) -> list[str]:
        visible = element_text(self.headline_element) if self.headline_element is not None else ""
        return [text for text in [visible, *self.meta_titles()] if text]

    def ld_page_values(self, key: str) -> list[str]:
        """`key` of the page's other JSON-LD objects (a WebPage's datePublished, say)."""
        others = [obj for obj in self.doc.jsonld if not jsonld_types(obj) & (self.listing_types | ARTICLE_TYPES)]
        return [jsonld.first_text(v) for v in jsonld.values(others, key)]

    def sourced_time_values(self, selectors: Selectors) -> list[tuple[str, str]]:
        """Like `time_values`, each with its provenance: "time" for <time>, "microdata" for an
        `itemprop` element, else "text"."""
        found: list[tuple[str, str]] = []
        for selector in selectors:
            # Those outside teaser cards, then outside boilerplate, first (a sidebar's <time> is
            # another story's).
            # A comment's time is never the article's.
            found_here = [element for element in self.doc.select(selector, self.scope) if not self.in_comments(element)]
            if len(found_here) > 1:  # (one needs no order: its teaser and boilerplate checks cost)
                found_here.sort(key=lambda element: (self.in_teaser(element), not self.usable(element)))
            for element in found_here:
                value = element.get("datetime") or element.get("content")
                if not value and rank(element.get("title") or "") is not None:  # hAtom keeps it in title
                    value = element.get("title")
                value = clean_inline(value or element_text(element))
                if not value:
                    continue
                source = "time" if element.tag == "time" else "microdata" if element.get("itemprop") else "text"
                if source == "text" or (source == "microdata" and rank(value) is None):
                    found += [(iso, "text") for iso in _text_isos(value, self.day_first)]
                else:
                    found.append((value, source))
        return found

    def in_comments(self, element: HtmlElement) -> bool:
        """Inside the comments (see pagedates.in_comments), remembered for the page's tree."""
        return in_comments(element, self._comments_memo)

    @cached_property
    def _comments_memo(self) -> dict[HtmlElement, bool]:
        return {}

    def in_teaser(self, element: HtmlElement) -> bool:
        """Inside a card that links to another story (see teasers.in_teaser)."""
        return in_teaser(element, self._own_urls, self.doc.absolute)

    @cached_property
    def _own_urls(self) -> frozenset[str]:
        return own_urls(self.doc.url, self.doc.canonical, self.doc.absolute(self.doc.meta_first("og:url")))

    def structured(self, values: list[str], source: str) -> list[tuple[str, str]]:
        """(value, source) pairs; a value that is not ISO 8601 ("01:38 PM IST Nov 20, 2019") is
        read as a written date."""
        found: list[tuple[str, str]] = []
        for value in values:
            if not value:
                continue
            if rank(value) is None:
                found += [(iso, source) for iso in _text_isos(value, self.day_first)]
            else:
                found.append((value, source))
        return found

    def published_candidates(self) -> list[tuple[str, str]]:
        values = self.sourced_time_values(self.published_selectors)
        values += self.structured([jsonld.first_text(v) for v in self.ld_values("datePublished")], "json-ld")
        values += self.structured(self.doc.meta_all(*self.published_meta), "meta")
        values += self.sourced_time_values(self.published_fallback)
        values += self.structured(meta_dates(self.doc.meta, "published"), "meta")
        return values + self.structured(self.ld_page_values("datePublished"), "json-ld")

    def modified_candidates(self) -> list[tuple[str, str]]:
        values = self.sourced_time_values(self.modified_selectors)
        values += self.structured([jsonld.first_text(v) for v in self.ld_values("dateModified")], "json-ld")
        values += self.structured(self.doc.meta_all(*self.modified_meta), "meta")
        values += self.sourced_time_values(self.modified_fallback)
        values += self.structured(meta_dates(self.doc.meta, "modified"), "meta")
        return values + self.structured(self.ld_page_values("dateModified"), "json-ld")

    def published_values(self) -> list[str]:
        return [value for value, _ in self.published_candidates()]

    def modified_values(self) -> list[str]:
        return [value for value, _ in self.modified_candidates()]

    @property
    def day_first(self) -> bool | None:
        """Whether a numeric date `05/10/2018` is day first, from the page language."""
        lang = self.language().lower()
        if lang.startswith("en-us"):
            return False
        return True if lang and lang != "en" else None

    @cached_property
    def text_dates(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(published, modified) candidates read from visible datelines, as ISO strings."""
        # The content containers, then their parents and grandparents (the article's header).
        near = [a for c in self.content for a in [c, *c.iterancestors()][:3] if a.tag not in ("body", "html")]
        return text_dates(self.doc, self.scope, self.usable_outside_comments, self.day_first, tuple(near))

    def usable_outside_comments(self, element: HtmlElement) -> bool:
        """Usable, and not in the comments (a comment's dateline is the comment's)."""
        return self.usable(element) and not self.in_comments(element)

    def _choose(
        self, structured: list[tuple[str, str]], texts: Callable[[], list[tuple[str, str]]], url: bool
    ) -> Dated | None:
        """The best of the structured candidates; `texts()` (the datelines shown, costly to read) is
        asked only when the markup gives no date with an offset."""
        ranked = [r for value, _ in structured if (r := rank(value)) is not None]
        best = min(ranked, key=lambda r: r[0]) if ranked else None
        candidates = list(structured)
        if best is None or best[0] > 0:
            # Text dates fill in what the markup lacks (an offset, a time), on the same day only.
            day = best[1].date() if best else None
            candidates += [(v, s) for v, s in texts() if day is None or ((r := rank(v)) and r[1].date() == day)]
            if best is None and url:
                found = read_url_date(self.url()) or read_url_date(self.page_url)
                candidates += [(found.isoformat(), "url")] if found else []
        return best_dated(candidates, self.timezone, url=self.page_url, fallback_offset=lambda: self.page_offset)

    @cached_property
    def page_offset(self) -> timedelta | None:
        """The offset of the first date on the page that has one (for a date-only value)."""
        structured = self.published_candidates() + self.modified_candidates()
        for value, _ in structured:
            r = rank(value)
            if r and r[0] == 0:
                return r[1].utcoffset()
        for value, _ in self.text_dates[0] + self.text_dates[1]:
            r = rank(value)
            if r and r[0] == 0:
                return r[1].utcoffset()
        return None

    @property
    def dated(self) -> dict[str, Dated | None]:
        return {"published": self.dated_published, "modified": self.dated_modified}

    @cached_property
    def dated_modified(self) -> Dated | None:
        return self._choose(self.modified_candidates(), lambda: self.text_dates[1], url=False)

    @cached_property
    def dated_published(self) -> Dated | None:
        """Worked out apart from the modification time, so that a wall-clock update time without
        a zone (a ParseError) leaves the publication date as it is."""
        found = self._choose(self.published_candidates(), lambda: self.text_dates[0], url=True)
        if found is None:
            try:
                modified = self.dated_modified
            except ParseError:  # an update time without a zone is no bound to stand in for it
                modified = None
            found = self.fallback_published(modified)
        return found

    def fallback_published(self, modified: Dated | None) -> Dated | None:
        """When the markup, the datelines and the URL give no publication date: the time the page
        says it was updated (the nearest bound known), then a date kept in an attribute, then a
        loose dateline, then the first date written in the page's text (see pagedates.py), then
        a date in the path of the page's image (`/uploads/2016/05/04/...`)."""
        body = self.doc.body
        groups: tuple[Callable[[], list[tuple[str, str]]], ...] = (
            lambda: [(modified.moment.isoformat(), f"{modified.source} (updated)")] if modified else [],
            lambda: attribute_dates(self.doc.root),
            lambda: loose_datelines(body, self.usable, self.day_first),
            lambda: first_text_date(body, self.usable, self.day_first),
            lambda: [(found.isoformat(), "image-url")] if (found := read_url_date(self.image())) else [],
        )
        for group in groups:
            found = best_dated(group(), self.timezone, url=self.page_url, fallback_offset=lambda: self.page_offset)
            if found is not None:
                if modified is not None and found.moment == modified.moment:
                    return Dated(found.moment, found.source, modified.precision)
                return found
        return None

    def published(self) -> datetime | None:
        found = self.dated_published
        return found.moment if found else None

    def modified(self) -> datetime | None:
        found = self.dated_modified
        return found.moment if found else None

    def extra(self) -> dict[str, object]:
        found = super().extra()
        reason = self.partial_reason()
        if reason:
            found.update(partial=True, partial_reason=reason)
        if is_paywalled(self.ld):
            found["paywalled"] = True
        return found

    def partial_reason(self) -> str:
        """Why the page holds only part of the article (paywall, truncation), else ""."""
        return paywall_reason(self.doc, self.ld, self.body())

    def provenance(self) -> dict[str, object]:
        extra: dict[str, object] = {}
        for field, found in self.dated.items():
            if found is not None:
                extra[f"{field}_from"] = found.source
                if found.precision == "date":
                    extra[f"{field}_precision"] = "date"
        return extra

    def number(self) -> int | str:
        for value in self.ld_values("identifier"):
            number = numeric_id(value.get("value") if isinstance(value, dict) else value)
            if number is not None:
                return number
        url = self.url()
        found = number_from_url(url)
        return found if found is not None else derive_number(url)

    def categories(self) -> tuple[str, ...]:
        # JSON-LD articleSection is often one comma-joined string of all the categories (Yoast).
        sections = [p for v in self.ld_values("articleSection") for s in jsonld.texts(v) for p in s.split(",")]
        sections = [clean_inline(p) for p in sections]
        meta = self.doc.meta_all("article:section") or self.doc.meta_all(*_SECTION_META)
        return super().categories() or unique(sections or meta)

    def tags(self) -> tuple[str, ...]:
        words = [k for v in self.ld_values("keywords") for k in jsonld.keywords(v)]
        return super().tags() or unique(words or self.doc.meta_all("article:tag"))

    # ---- authors -------------------------------------------------------------------------

    def structured_authors(self) -> list[str]:
        """Author names from JSON-LD (references resolved), else meta tags, else microdata."""
        names = [n for v in self.ld_values("author") for n in jsonld.texts(jsonld.resolve(self.doc.jsonld, v))]
        names = names or self.ld_page_values("author")
        if not names:
            # The first kind of author tag the page has (one tag per author), not all kinds mixed.
            names = next((found for key in _AUTHOR_META
                          if (found := [n for n in self.doc.meta_all(key) if "://" not in n])), [])
        names = names or self.own_texts(self.author_fallback) or self.microdata_authors()
        return self.clean_names(names)

    def own_texts(self, selectors: Selectors) -> list[str]:
        """Like `texts` in the article scope, without what sits in another story's card (a
        teaser's `rel=author` link is that story's writer)."""
        for selector in selectors:
            found = [element_text(el) for el in self.doc.select(selector, self.scope)
                     if self.usable(el) and not self.in_teaser(el)]
            if any(found):
                return [text for text in found if text]
        return []

    def microdata_authors(self) -> list[str]:
        """`[itemprop=author] [itemprop=name]` anywhere but the comments (an author box in an
        <aside> is the article's)."""
        found = [el for el in self.doc.select(self.author_fallback[0]) if not self.in_comments(el)]
        return [text for el in found if (text := element_text(el))]

    def clean_names(self, texts: list[str]) -> list[str]:
        found: list[str] = []
        for text in texts:
            if looks_like_code(text) or not any(ch.isalpha() for ch in text):  # script text, a numeric id
                continue
            found += split_names(text, self.site_names) or ([clean_inline(text)] if len(text) <= 60 else [])
        return self.distinct_names(found)

    def distinct_names(self, names: list[str]) -> list[str]:
        """Names once each, however spelt ("Emma Mackenzie", "emma-mackenzie": the first that is not
        a login), and without the site's name when people are named too."""
        by_fold: dict[str, str] = {}
        for name in names:
            key = fold_name(name)
            if key and (key not in by_fold or (looks_like_slug(by_fold[key]) and not looks_like_slug(name))):
                by_fold[key] = name
        people = [name for key, name in by_fold.items() if key not in self.site_names]
        return people or list(by_fold.values())

    def suspect_author(self, name: str) -> bool:
        """A name that is likely not the writer's: the site's own name, a login (also one whose
        author page is a shared account's, `/author/admin/`), "... staff"."""
        folded = fold_name(name)
        return (folded in self.site_names or folded in self.account_names or looks_like_slug(name)
                or "staff" in name.casefold().split())

    @cached_property
    def account_names(self) -> frozenset[str]:
        """Folded names whose author page (JSON-LD `url`/`@id`, `rel=author` link) is a shared
        account's: admin, editor, webmaster, ..."""
        found: list[str] = []
        for value in self.ld_values("author"):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and any(_is_account_url(item.get(k)) for k in ("url", "@id")):
                    found += jsonld.texts(item)
        found += [element_text(a) for a in self.doc.select("a[rel=author]") if _is_account_url(a.get("href"))]
        return frozenset(fold_name(name) for name in found if name)

    @cached_property
    def visible_authors(self) -> list[str]:
        """Names from the byline shown with the headline: an element named like a byline
        (`.byline`, `.author-name`, `.c-byline__author-name`), else a "By ..." line right after it."""
        for element in self._byline_window(BYLINE_WINDOW):
            if self._is_byline_element(element):
                names = self._byline_names(element)
                if names:
                    return names
        for element in self._byline_window(40):
            if isinstance(element.tag, str) and element.tag in ("p", "div", "span", "h3", "h4", "h5", "h6", "address"):
                text = text_of(element)  # cheap (libxml2); the walker only for a byline
                if len(text) > 2 * MAX_BYLINE_CHARS or not _BY_LINE.match(text.strip()):
                    continue
                text = _plain_text(element)
                if len(text) <= MAX_BYLINE_CHARS and not inside_strong(element):
                    names = split_names(text, self.site_names)
                    if names:
                        return names
        return []

    def _byline_window(self, size: int) -> Iterator[HtmlElement]:
        """The first `size` elements near the headline (see `_near`), else of the article scope."""
        start = self.headline_element
        return islice(self._near(start) if start is not None else self.scope.iter(), size)

    def _near(self, start: HtmlElement):
        """The headline's earlier siblings (a byline above it), then the elements after it."""
        for sibling in start.itersiblings(preceding=True):
            yield sibling
            yield from sibling.iterdescendants()
        yield from self._after(start)

    def _after(self, start: HtmlElement):
        """Elements after `start` in document order (its descendants first)."""
        yield from start.iterdescendants()
        for node in [start, *start.iterancestors()]:
            for sibling in node.itersiblings():
                yield sibling
                yield from sibling.iterdescendants()

    def _is_byline_element(self, element: HtmlElement) -> bool:
        if not isinstance(element.tag, str) or element.tag in ("img", "script", "style", "meta", "link"):
            return False
        raw = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        if "author" not in raw and "byline" not in raw and "writer" not in raw:
            return False
        words = class_words(element)
        if not words & _BYLINE_WORDS or words & _NOT_BYLINE_WORDS:
            return False
        return not inside_strong(element)

    def _byline_names(self, element: HtmlElement) -> list[str]:
        text = _plain_text(element)
        if not text or len(text) > MAX_BYLINE_CHARS:
            return []
        marked = [el for el in element.iterdescendants() if self._is_byline_element(el)]
        holders = {id(a) for el in marked for a in el.iterancestors()}
        leaves = [el for el in marked if id(el) not in holders]
        names: list[str] = []
        for leaf in leaves:
            names += split_names(_plain_text(leaf), self.site_names)
        return drop_affiliations(names or split_names(text, self.site_names), self.site_names)

    def author(self) -> str:
        return self._author

    @cached_property
    def _author(self) -> str:
        """The authors, worked out once (the body's filter asks for them too)."""
        names = list(unique([n for t in self.texts(self.author_selectors, self.scope) for n in self.clean_names([t])]))
        names = names or self.structured_authors()
        visible = self.visible_authors
        if visible and self.prefer_visible(names, visible):
            names = visible
        if not names or all(self.suspect_author(n) for n in names):
            names = self.body_byline() or names
        return ", ".join(names)

    def body_byline(self) -> list[str]:
        """Names standing alone in bold as one of the body's first paragraphs
        (`<p><strong>Jane Doe/John Roe</strong></p>`), as some sites credit their writers."""
        for container in self.content[:1]:
            for count, element in enumerate(container.iter("p")):
                if count >= 3:
                    break
                text = element_text(element)
                bold = [child for child in element if child.tag in ("strong", "b")]
                if not text or len(bold) != 1 or element_text(bold[0]) != text or (element.text or "").strip():
                    continue
                names = split_names(text.replace("/", ", "), self.site_names)
                if names and all(is_person_name(n) for n in names):
                    return names
        return []

    def prefer_visible(self, names: list[str], visible: list[str]) -> bool:
        """Whether the byline shown beats the markup's names: no names or a doubtful one (the site's
        name, a login, "staff"); the same names spelt as shown (not in capitals); more people."""
        if all(self.suspect_author(n) for n in visible):
            return False  # a login or the site's name shown is no better
        if not names or any(self.suspect_author(n) for n in names):
            return True
        folded = {fold_name(n) for n in names}
        shown = {fold_name(n) for n in visible}
        if folded == shown:
            return not any(n.isupper() for n in visible) or all(n.isupper() for n in names)
        extra = [n for n in visible if fold_name(n) not in folded]
        return folded < shown and all(is_person_name(n) for n in extra)

    # ---- standfirst ----------------------------------------------------------------------

    @cached_property
    def lede_element(self) -> HtmlElement | None:
        found = self._described_lede()
        if found is None:
            found = super().lede_element
        if found is not None:
            return found
        headline = self.headline_element
        if headline is None:
            return None
        # A heading right after the headline (`<h1>..</h1><h3>standfirst</h3>`).
        sibling = headline.getnext()
        while sibling is not None and not isinstance(sibling.tag, str):
            sibling = sibling.getnext()
        if sibling is not None and sibling.tag in ("h2", "h3", "h4") and self._lede_text_ok(sibling):
            return sibling
        # An element named like a standfirst (`p-dek`, `articleDek`, `article-lead-text`) near it.
        for count, element in enumerate(self._after(headline)):
            if count > BYLINE_WINDOW:
                break
            if not isinstance(element.tag, str) or element.tag in ("img", "a", "script", "style", "meta", "li"):
                continue
            raw = (element.get("class") or "").lower()
            if not raw or not _LEDE_WORD_IN.search(raw):
                continue
            words = class_words(element, with_id=False)
            if words & LEDE_WORDS and not words & _NOT_LEDE_WORDS and self._lede_text_ok(element):
                return element
        return None

    def _described_lede(self) -> HtmlElement | None:
        """The element after the headline and outside the body's containers whose text is the
        page's description (standfirst.py). Inside the containers such an element is left to the
        body: there it is as often the first paragraph, which sites copy into the description."""
        headline = self.headline_element
        description = self.doc.meta_first("og:description", "description", "twitter:description")
        if headline is None or not description:
            return None
        def after_headline(element: HtmlElement) -> bool:
            return precedes(headline, element) and not is_ancestor(element, headline)

        found = described_element(self.doc.root, description, after_headline)
        if found is None or any(is_ancestor(c, found) or c is found for c in self.content):
            return None
        return found if self._lede_text_ok(found) else None

    def _lede_text_ok(self, element: HtmlElement) -> bool:
        """A standfirst found by position or class: above the body or at its start but not one of
        its run of paragraphs, one short paragraph, not a byline or dateline, little link text."""
        if not MIN_LEDE_CHARS <= len(text_of(element).strip()) <= 2 * MAX_LEDE_CHARS:
            return False
        if inside_strong(element) or not self.is_lede(element):
            return False
        if any(is_ancestor(c, element) for c in self.content):
            # Inside the body container it must stand apart from the run of body paragraphs.
            following = element.getnext()
            while following is not None and not isinstance(following.tag, str):
                following = following.getnext()
            if following is not None and following.tag == "p" and len(element_text(following)) >= MIN_LEDE_CHARS:
                return False
        text = element_text(element)
        if not MIN_LEDE_CHARS <= len(text) <= MAX_LEDE_CHARS or is_dateline(text) or is_byline(text):
            return False
        if len(paragraphs([element], (), self.doc.boilerplate)) != 1:
            return False
        links = sum(len(element_text(a)) for a in element.iter("a"))
        return links < 0.5 * len(text)

    def is_lede(self, element: HtmlElement) -> bool:
        """Above the body, or at its very start (little body text before it)."""
        if not super().is_lede(element):
            return False
        first = self.content[0] if self.content else None
        if first is None or not is_ancestor(first, element):
            return True
        before = 0
        for node in first.iter("p"):
            if node is element or is_ancestor(node, element) or not precedes(node, element):
                break
            before += len(text_of(node))
        return before < MIN_LEDE_CHARS * 3

    def image(self) -> str:
        found = self.doc.meta_first("og:image", "og:image:url", "og:image:secure_url")
        found = found or next((jsonld.image_url(v) for v in self.ld_values("image")), "")
        found = found or self.doc.meta_first("twitter:image", "twitter:image:src")
        return self.doc.absolute(found)

    def declared_language(self) -> str:
        found = languages.valid_tag(self.doc.lang)
        found = found or next((t for obj in self.doc.jsonld for v in jsonld.texts(obj.get("inLanguage"))
                               if (t := languages.valid_tag(v))), "")
        return found or next((t for v in self.doc.meta_all(*_LANGUAGE_META) if (t := languages.valid_tag(v))), "")

    @cached_property
    def _language(self) -> str:
        return languages.choose(self.declared_language(), self.body())

    def language(self) -> str:
        return self._language
