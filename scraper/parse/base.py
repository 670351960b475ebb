"""The Parser base class: selectors as class attributes, one small typed method per field.

A parser is built for one `Document`; `build()` calls the field methods, assembles the `Article`
and says what the page lacks (scraper.parse decides what the archive takes). Subclasses override
selectors and field methods, calling `super()` for the fallbacks. `matches(doc)` decides from
markers in the page whether a parser applies; the registry in `scraper.parse` asks the most
specific parser first.
"""

from __future__ import annotations

import copy
from datetime import datetime
from functools import cached_property
from typing import ClassVar, Self
from zoneinfo import ZoneInfo

from lxml.html import HtmlElement

from scraper.errors import NotAnArticle, ParseError
from scraper.models import Article, join_authors, split_authors
from scraper.parse import jsonld
from scraper.parse.body import element_text, paragraphs, plain_text
from scraper.parse.boilerplate import TagsOnly
from scraper.parse.content import find_content
from scraper.parse.dates import first_datetime
from scraper.parse.document import Document, JsonObject
from scraper.parse.embedded import embedded_paragraphs, jsonld_body
from scraper.parse.text import clean_inline
from scraper.urls import site_host

Selectors = tuple[str, ...]
_METADATA_HOMES = frozenset({"header", "footer", "figure"})
# A body from the markup shorter than this is checked against the one in the page's data.
EMBEDDED_SHORT = 500


def is_ancestor(ancestor: HtmlElement, element: HtmlElement) -> bool:
    return any(node is ancestor for node in element.iterancestors())


def precedes(first: HtmlElement, second: HtmlElement) -> bool:
    """True when `first` starts before `second` in document order."""
    if first is second:
        return False
    chain = [first, *first.iterancestors()]
    positions = {id(node): i for i, node in enumerate(chain)}
    child = second
    for node in second.iterancestors():
        if id(node) in positions:  # the lowest common ancestor
            if node is first:
                return True
            below = chain[positions[id(node)] - 1]
            return node.index(below) < node.index(child)
        child = node
    return False


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def unique(items: list[str]) -> tuple[str, ...]:
    """Items without repeats (first one kept) or empties, in order."""
    return tuple(dict.fromkeys(item for item in items if item))


def without_repeats(found: list[str], *, lede: str, title: str, authors: tuple[str, ...]) -> list[str]:
    """Body paragraphs without the lede repeated as the first one (unless it is the only one), and
    without the headline or an author's name repeated inside the content container (they are not
    body text)."""
    if len(found) > 1 and lede and found[0] == lede:
        found = found[1:]
    repeated = {_fold(title), *(_fold(name) for name in authors)} - {""}
    return [p for p in found if _fold(p) not in repeated] if repeated else found


class Parser:
    """Base parser. Selector tuples list alternatives: the first that finds anything wins."""

    name: ClassVar[str] = "base"
    scope_selectors: ClassVar[Selectors] = ()
    content_selectors: ClassVar[Selectors] = ()
    title_selectors: ClassVar[Selectors] = ()
    lede_selectors: ClassVar[Selectors] = ()
    published_selectors: ClassVar[Selectors] = ()
    modified_selectors: ClassVar[Selectors] = ()
    category_selectors: ClassVar[Selectors] = ()
    tag_selectors: ClassVar[Selectors] = ()
    author_selectors: ClassVar[Selectors] = ()
    # Cached properties that depend on the zone times are read in: `in_zone` works them out again.
    zoned: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        doc: Document,
        *,
        timezone: ZoneInfo | None = None,
        source: str | None = None,
        fetched_at: datetime | None = None,
    ) -> None:
        self.doc = doc
        self.timezone = timezone
        self._source = source
        self.fetched_at = fetched_at

    def in_zone(self, zone: ZoneInfo | None) -> Self:
        """This parser reading times in `zone`, keeping what it has worked out that no zone changes
        (the content container, the body, the title, the authors): a page whose times lack an
        offset is read again for its dates only."""
        other = copy.copy(self)  # cached properties live in __dict__: shared, not recomputed
        other.timezone = zone
        for name in self.zoned:
            other.__dict__.pop(name, None)
        return other

    @classmethod
    def matches(cls, doc: Document) -> bool:
        """True when this parser applies to the page (decided from markers in it)."""
        raise NotImplementedError

    # ---- helpers -------------------------------------------------------------------------

    @cached_property
    def scope(self) -> HtmlElement:
        """The element holding the article (its <article>, say), else <body>."""
        for selector in self.scope_selectors:
            for element in self.doc.select(selector):
                if not self.doc.boilerplate.inside(element):
                    return element
        return self.doc.body

    @cached_property
    def ld(self) -> list[JsonObject]:
        """The page's JSON-LD article objects."""
        return jsonld.article_objects(self.doc)

    def ld_values(self, key: str) -> list[object]:
        return jsonld.values(self.ld, key)

    def texts(self, selectors: Selectors, scope: HtmlElement | None = None) -> list[str]:
        """Texts of the first selector that matches non-boilerplate elements, in page order."""
        for selector in selectors:
            found = [element_text(el) for el in self.doc.select(selector, scope) if self.usable(el)]
            if any(found):
                return [text for text in found if text]
        return []

    def usable(self, element: HtmlElement) -> bool:
        """Not inside boilerplate (an article's own <header>/<footer> are fine for metadata)."""
        return not self.doc.boilerplate.inside(element, allow=_METADATA_HOMES)

    def first_text(self, selectors: Selectors) -> str:
        """The first text the selectors find inside the article scope, else anywhere in the page."""
        found = self.texts(selectors, self.scope) or self.texts(selectors)
        return found[0] if found else ""

    def first_element(self, selectors: Selectors) -> HtmlElement | None:
        """The first element the selectors find inside the article scope, else anywhere."""
        for scope in (self.scope, None):
            for selector in selectors:
                found = [el for el in self.doc.select(selector, scope) if self.usable(el)]
                if found:
                    return found[0]
        return None

    def time_values(self, selectors: Selectors) -> list[str]:
        """`datetime` attributes (else `content`, else text) of the elements matching selectors."""
        found: list[str] = []
        for selector in selectors:
            for element in self.doc.select(selector, self.scope):
                value = element.get("datetime") or element.get("content") or element_text(element)
                found.append(clean_inline(value))
        return [value for value in found if value]

    def datetime_from(self, values: list[str]) -> datetime | None:
        return first_datetime(values, self.timezone, url=self.page_url)

    @property
    def page_url(self) -> str:
        return self.doc.url

    # ---- content -------------------------------------------------------------------------

    @cached_property
    def content(self) -> list[HtmlElement]:
        """The content container(s) the body is read from."""
        return find_content(
            self.doc.body, self.content_selectors, self.doc.boilerplate, self.doc.select, self.headline_element
        )

    @cached_property
    def headline_element(self) -> HtmlElement | None:
        """The headline shown on the page, when the parser knows it (see GenericParser)."""
        return None

    @cached_property
    def lede_element(self) -> HtmlElement | None:
        """The standfirst: one paragraph, above the body or at its start, not in boilerplate."""
        for selector in self.lede_selectors:
            for element in self.doc.select(selector, self.scope):
                if self.usable(element) and self.is_lede(element):
                    return element
        return None

    def is_lede(self, element: HtmlElement) -> bool:
        if len(paragraphs([element], (), self.doc.boilerplate)) != 1:
            return False
        first = self.content[0] if self.content else None
        return first is None or not precedes(first, element) or is_ancestor(first, element)

    @cached_property
    def body_paragraphs(self) -> list[str]:
        exclude = {self.lede_element} if self.lede_element is not None else set()
        found = paragraphs(self.content, exclude, self.doc.boilerplate)
        if not found and self.lede():
            # The only text is the standfirst's (a short article, or its text shown twice): the
            # body is never left empty for the lede's sake.
            found = paragraphs(self.content, (), self.doc.boilerplate) or self.lede().split("\n\n")
        found = self._or_embedded(found)
        if not found:
            # Nothing the rules keep: the text of the containers (or of the page) as it stands, so
            # that a page with any text never comes out empty.
            found = plain_text(self.content, self.doc.boilerplate) or plain_text([self.doc.body], self.doc.boilerplate)
        if not found:
            found = self._leniently()
        return without_repeats(found, lede=self.lede(), title=self.title(), authors=self.authors())

    def _leniently(self) -> list[str]:
        """The last resort, where every text of the page is in what the boilerplate rules skip:
        the container found and read again as if only scripts, forms and menus were boilerplate
        (boilerplate.TagsOnly). A page with text is never left with an empty body."""
        judge = TagsOnly(self.doc.root)
        found = find_content(self.doc.body, self.content_selectors, judge, self.doc.select, self.headline_element)
        exclude = {self.lede_element} if self.lede_element is not None else set()
        return paragraphs(found, exclude, judge) or plain_text(found, judge)

    def _or_embedded(self, found: list[str]) -> list[str]:
        """The body from the markup, or the one the page carries as data (see embedded.py) when the
        markup holds little of it: under EMBEDDED_SHORT characters, or under a quarter of the
        JSON-LD articleBody."""
        chars = sum(map(len, found))
        if chars >= EMBEDDED_SHORT and 4 * chars >= len(jsonld_body(self.doc)):
            return found
        embedded = embedded_paragraphs(self.doc)
        return embedded if sum(map(len, embedded)) >= 2 * chars else found

    # ---- fields --------------------------------------------------------------------------

    def url(self) -> str:
        """The canonical URL, else og:url, else the page's final URL (all absolute)."""
        return self.doc.canonical or self.doc.absolute(self.doc.meta_first("og:url")) or self.doc.url

    def source(self) -> str:
        return self._source or site_host(self.url())

    def title(self) -> str:
        return self.first_text(self.title_selectors)

    def lede(self) -> str:
        if self.lede_element is None:
            return ""
        return "\n\n".join(paragraphs([self.lede_element], (), self.doc.boilerplate))

    def body(self) -> str:
        return "\n\n".join(self.body_paragraphs)

    def published(self) -> datetime | None:
        return self.datetime_from(self.time_values(self.published_selectors))

    def modified(self) -> datetime | None:
        return self.datetime_from(self.time_values(self.modified_selectors))

    def number(self) -> int | str:
        raise NotImplementedError

    def categories(self) -> tuple[str, ...]:
        return unique(self.texts(self.category_selectors, self.scope))

    def tags(self) -> tuple[str, ...]:
        return unique(self.texts(self.tag_selectors, self.scope))

    def authors(self) -> tuple[str, ...]:
        """Every author, in byline order. A parser that gives only `author()` (the display form)
        has it split at ", " (the names it joined)."""
        if type(self).author is not Parser.author:
            return split_authors(self.author())
        return unique(self.texts(self.author_selectors, self.scope))

    def author(self) -> str:
        """The authors' display form: their names joined with ", "."""
        return join_authors(self.authors())

    def image(self) -> str:
        return ""

    def language(self) -> str:
        return self.doc.lang

    def provenance(self) -> dict[str, object]:
        """Where published/modified came from (`published_from`, ...); see GenericParser."""
        return {}

    def extra(self) -> dict[str, object]:
        return {"parser": self.name, **self.provenance()}

    # ---- assembly ------------------------------------------------------------------------

    def check(self) -> None:
        """Raise NotAnArticle when the page is a listing, tag, about or error page."""

    def build(self) -> tuple[Article, dict[str, str]]:
        """Everything the page gives, never refusing, and what it lacks: `not_article`, `no_title`,
        `no_body` (which keep it out of the archive), `no_date`, `naive_time` (a time without an
        offset and no zone; see scraper.parse.build), each with the reason."""
        problems: dict[str, str] = {}
        try:
            self.check()
        except NotAnArticle as error:
            problems["not_article"] = error.reason
        title = self.title()
        if not title:
            problems["no_title"] = "no title found"
        body = self.body()
        if not body:
            problems["no_body"] = "no body text found"
        published = modified = None
        try:
            published = self.published()
            modified = self.modified()
        except ParseError as error:
            problems["naive_time"] = error.reason
        if published is None and "naive_time" not in problems:
            problems["no_date"] = "no publication date found"
        try:
            extra = self.extra()
        except ParseError as error:  # the dates' provenance needs the zone too
            problems.setdefault("naive_time", error.reason)
            extra = {"parser": self.name}
        categories = self.categories()
        article = Article(
            source=self.source(),
            number=self.number(),
            url=self.url(),
            title=title,
            lede=self.lede(),
            body=body,
            published=published,
            modified=modified,
            category=categories[0] if categories else "",
            categories=categories,
            tags=self.tags(),
            authors=self.authors(),
            language=self.language(),
            image=self.image(),
            fetched_at=self.fetched_at,
            extra=extra,
        )
        return article, problems
