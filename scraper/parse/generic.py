"""GenericParser: any news page, metadata by a chain of fallbacks (as trafilatura's
extract_metadata): JSON-LD, then OpenGraph and `article:*` meta, then microdata, then
`<time datetime>`, then `<h1>`/`<title>`. The body comes from the page's declared structure
(`[itemprop=articleBody]`, `.article-body`, `article`, ...) or, failing that, from scoring
containers by paragraph text.

Title: the headline shown (`[itemprop=headline]`, the first <h1>) when the markup's first title
is a variant of it, else JSON-LD/OpenGraph/<title>, without a site-name suffix (`og:site_name`,
the application name, the JSON-LD publisher or the host name). Author: the markup's names,
unless the byline shown beats them (they are the site's name, a login or "staff", or the byline
names more people); names are cleaned by `byline.split_names`. Language: see `language.py`.

Lede policy: the lede is a standfirst element shown under the title (`.standfirst`, `.dek`,
`[itemprop=description]`, a class word such as `p-dek`/`articleDek`/`strapline`, a heading right
after the <h1>, or the element after the headline and outside the body whose text is the page's
description: standfirst.py) or "". The meta/OpenGraph description itself is never the lede: many
sites fill it with the start of the first paragraph, and it need not be shown on the page; it only
names the element that is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import cached_property
from itertools import islice
from typing import ClassVar
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from scraper.errors import NotAnArticle
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
    looks_like_slug,
    split_names,
)
from scraper.parse.dates import Dated, best_dated, rank
from scraper.parse.document import Document, jsonld_types
from scraper.parse.jsonld import ARTICLE_TYPES
from scraper.parse.paywall import is_paywalled, paywall_reason
from scraper.parse.standfirst import described_element
from scraper.parse.text import clean_inline
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
    """All of an element's text on one line, pieces separated (metadata boxes the body skips)."""
    return clean_inline(" ".join(" ".join(element.itertext()).split()))


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
    published_fallback: ClassVar[Selectors] = ("[itemprop=datePublished]", "time[datetime]")
    modified_fallback: ClassVar[Selectors] = ("[itemprop=dateModified]",)
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

    def teaser_headlines(self) -> int:
        """Linked headlines (`<h2><a>`) outside boilerplate: the cards of a listing page."""
        return sum(1 for h in self.doc.select(TEASER_SELECTOR) if self.usable(h))

    def check(self) -> None:
        if self.has_article_signals():
            return
        types = {t for obj in self.doc.jsonld for t in jsonld_types(obj)}
        listing = types & self.listing_types
        if listing and types <= self.listing_types | _NEUTRAL_TYPES:
            raise NotAnArticle(self.page_url, f"{'/'.join(sorted(listing))} page, not an article")
        og_type = self.doc.meta_first("og:type").lower()
        if og_type and og_type != "article":
            raise NotAnArticle(self.page_url, f"og:type {og_type!r} page without article markup")
        if self.teaser_headlines() >= MIN_TEASERS:
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
        first <h1> outside boilerplate (the article scope's first)."""
        for selectors in (self.title_selectors, self.title_fallback):
            for scope in (self.scope, None):
                for selector in selectors:
                    for element in self.doc.select(selector, scope):
                        if element.tag not in ("meta", "link") and self.usable(element) and element_text(element):
                            return element
        return None

    def title(self) -> str:
        return self._title

    @cached_property
    def _title(self) -> str:
        """The title, worked out once (the body's filter asks for it too)."""
        metas = self.meta_titles()
        visible = element_text(self.headline_element) if self.headline_element is not None else ""
        # The headline shown wins when the markup's first title is a variant of it (an SEO title,
        # a shortened social title, one cut short); a different text there means the <h1> is
        # something else (the site's logo, another story's card).
        if visible and (super().title() or not metas or similar(visible, metas[0])):
            return strip_site_name(visible, self.site_names)
        for candidate in metas:
            title = strip_site_name(candidate, self.site_names)
            if title:
                return title
        return visible

    def meta_titles(self) -> list[str]:
        """Titles from JSON-LD, OpenGraph/Twitter meta and <title>, in that order."""
        found = [jsonld.first_text(v) for v in self.ld_values("headline")]
        found += self.doc.meta_all("og:title", "twitter:title")
        title = self.doc.root.find(".//title")
        if title is not None:
            found.append(clean_inline(title.text_content()))
        return [text for text in found if text]

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
            for element in self.doc.select(selector, self.scope):
                value = clean_inline(element.get("datetime") or element.get("content") or element_text(element))
                if not value:
                    continue
                source = "time" if element.tag == "time" else "microdata" if element.get("itemprop") else "text"
                if source == "text" or (source == "microdata" and rank(value) is None):
                    found += [(iso, "text") for iso in _text_isos(value, self.day_first)]
                else:
                    found.append((value, source))
        return found

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
        return values + self.structured(self.ld_page_values("datePublished"), "json-ld")

    def modified_candidates(self) -> list[tuple[str, str]]:
        values = self.sourced_time_values(self.modified_selectors)
        values += self.structured([jsonld.first_text(v) for v in self.ld_values("dateModified")], "json-ld")
        values += self.structured(self.doc.meta_all(*self.modified_meta), "meta")
        values += self.sourced_time_values(self.modified_fallback)
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
        return text_dates(self.doc, self.scope, self.usable, self.day_first, tuple(near))

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

    @cached_property
    def dated(self) -> dict[str, Dated | None]:
        return {
            "published": self._choose(self.published_candidates(), lambda: self.text_dates[0], url=True),
            "modified": self._choose(self.modified_candidates(), lambda: self.text_dates[1], url=False),
        }

    def published(self) -> datetime | None:
        found = self.dated["published"]
        return found.moment if found else None

    def modified(self) -> datetime | None:
        found = self.dated["modified"]
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
            names = [n for n in self.doc.meta_all("author", "article:author", "parsely-author", "sailthru.author")
                     if "://" not in n]
        names = names or self.texts(self.author_fallback, self.scope)
        return self.clean_names(names)

    def clean_names(self, texts: list[str]) -> list[str]:
        found: list[str] = []
        for text in texts:
            found += split_names(text, self.site_names) or ([clean_inline(text)] if len(text) <= 60 else [])
        return list(unique(found))

    def suspect_author(self, name: str) -> bool:
        """A name that is likely not the writer's: the site's own name, a login, "... staff"."""
        return fold_name(name) in self.site_names or looks_like_slug(name) or "staff" in name.casefold().split()

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
                text = element.text_content()  # cheap (libxml2); the walker only for a byline
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
        return ", ".join(names)

    def prefer_visible(self, names: list[str], visible: list[str]) -> bool:
        """Whether the byline shown beats the markup's names: no names or a doubtful one (the site's
        name, a login, "staff"); the same names spelt as shown (not in capitals); more people."""
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
        if not MIN_LEDE_CHARS <= len(element.text_content().strip()) <= 2 * MAX_LEDE_CHARS:
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
            before += len(node.text_content())
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
