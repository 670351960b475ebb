"""GenericParser: any news page, metadata by a chain of fallbacks (as trafilatura's
extract_metadata): JSON-LD, then OpenGraph and `article:*` meta, then microdata, then
`<time datetime>`, then `<h1>`/`<title>`. The body comes from the page's declared structure
(`[itemprop=articleBody]`, `.article-body`, `article`, ...) or, failing that, from scoring
containers by paragraph text.

Lede policy: the lede is a standfirst element shown under the title (`.standfirst`, `.dek`,
`[itemprop=description]`, ...) or "". Meta/OpenGraph/JSON-LD descriptions are never used: many
sites fill them with the start of the first paragraph, and they are not shown on the page.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cached_property
from typing import ClassVar
from urllib.parse import urlsplit

from scraper.errors import NotAnArticle
from scraper.parse import jsonld
from scraper.parse.base import Parser, Selectors, unique
from scraper.parse.body import element_text
from scraper.parse.dates import Dated, best_dated, rank
from scraper.parse.document import Document, jsonld_types
from scraper.parse.jsonld import ARTICLE_TYPES
from scraper.parse.paywall import is_paywalled, paywall_reason
from scraper.parse.text import clean_inline
from scraper.parse.textdates import read_url_date, text_dates
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


def strip_site_name(title: str, site_name: str) -> str:
    """`Title | Site` -> `Title` (also `Site | Title`) when the site name is known."""
    if not site_name:
        return title
    for sep in _TITLE_SEPARATORS:
        if title.endswith(sep + site_name):
            return title[: -len(sep + site_name)].strip(" ")
        if title.startswith(site_name + sep):
            return title[len(site_name + sep) :].strip(" ")
    return title


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

    def title(self) -> str:
        site = self.doc.meta_first("og:site_name")
        for candidate in self.title_candidates():
            title = strip_site_name(candidate, site)
            if title:
                return title
        return ""

    def title_candidates(self) -> list[str]:
        found = [super().title()]
        found += [jsonld.first_text(v) for v in self.ld_values("headline")]
        found += self.doc.meta_all("og:title", "twitter:title")
        found.append(self.first_text(self.title_fallback))
        title = self.doc.root.find(".//title")
        if title is not None:
            found.append(clean_inline(title.text_content()))
        return [text for text in found if text]

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

    def published_candidates(self) -> list[tuple[str, str]]:
        values = self.sourced_time_values(self.published_selectors)
        values += [(jsonld.first_text(v), "json-ld") for v in self.ld_values("datePublished")]
        values += [(v, "meta") for v in self.doc.meta_all(*self.published_meta)]
        values += self.sourced_time_values(self.published_fallback)
        return values + [(v, "json-ld") for v in self.ld_page_values("datePublished")]

    def modified_candidates(self) -> list[tuple[str, str]]:
        values = self.sourced_time_values(self.modified_selectors)
        values += [(jsonld.first_text(v), "json-ld") for v in self.ld_values("dateModified")]
        values += [(v, "meta") for v in self.doc.meta_all(*self.modified_meta)]
        values += self.sourced_time_values(self.modified_fallback)
        return values + [(v, "json-ld") for v in self.ld_page_values("dateModified")]

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
        return text_dates(self.doc, self.scope, self.usable, self.day_first)

    def _choose(self, structured: list[tuple[str, str]], texts: list[tuple[str, str]], url: bool) -> Dated | None:
        ranked = [r for value, _ in structured if (r := rank(value)) is not None]
        best = min(ranked, key=lambda r: r[0]) if ranked else None
        candidates = list(structured)
        if best is None or best[0] > 0:
            # Text dates fill in what the markup lacks (an offset, a time), on the same day only.
            day = best[1].date() if best else None
            candidates += [(v, s) for v, s in texts if day is None or ((r := rank(v)) and r[1].date() == day)]
            if best is None and url:
                found = read_url_date(self.url()) or read_url_date(self.page_url)
                candidates += [(found.isoformat(), "url")] if found else []
        return best_dated(candidates, self.timezone, url=self.page_url, fallback_offset=self.page_offset)

    @cached_property
    def page_offset(self) -> timedelta | None:
        """The offset of the first date on the page that has one (for a date-only value)."""
        every = self.published_candidates() + self.modified_candidates()
        for value, _ in every + self.text_dates[0] + self.text_dates[1]:
            r = rank(value)
            if r and r[0] == 0:
                return r[1].utcoffset()
        return None

    @cached_property
    def dated(self) -> dict[str, Dated | None]:
        published, modified = self.text_dates
        return {
            "published": self._choose(self.published_candidates(), published, url=True),
            "modified": self._choose(self.modified_candidates(), modified, url=False),
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
        sections = [s for v in self.ld_values("articleSection") for s in jsonld.texts(v)]
        return super().categories() or unique(sections or self.doc.meta_all("article:section"))

    def tags(self) -> tuple[str, ...]:
        words = [k for v in self.ld_values("keywords") for k in jsonld.keywords(v)]
        return super().tags() or unique(words or self.doc.meta_all("article:tag"))

    def author(self) -> str:
        names = [name for v in self.ld_values("author") for name in jsonld.texts(v)]
        if not names:
            names = [n for n in self.doc.meta_all("author", "article:author") if "://" not in n]
        names = names or self.texts(self.author_fallback, self.scope)
        return super().author() or ", ".join(unique(names))

    def image(self) -> str:
        found = self.doc.meta_first("og:image", "og:image:url", "og:image:secure_url")
        found = found or next((jsonld.image_url(v) for v in self.ld_values("image")), "")
        found = found or self.doc.meta_first("twitter:image", "twitter:image:src")
        return self.doc.absolute(found)

    def language(self) -> str:
        found = self.doc.lang or next((jsonld.first_text(v) for v in self.ld_values("inLanguage")), "")
        found = found or self.doc.meta_first("og:locale", "content-language", "language")
        return found.replace("_", "-")
