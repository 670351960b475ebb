"""One page's HTML parsed once: the tree plus the metadata every parser reads.

Parsers never re-parse: they read the lxml tree, the meta tags, the flattened JSON-LD objects
and the canonical/shortlink links held here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction

from scraper.errors import ParseError
from scraper.parse.boilerplate import Boilerplate
from scraper.parse.mojibake import repair as repair_mojibake
from scraper.parse.selectors import ClassIndex
from scraper.parse.text import clean_inline, collapse

JsonObject = dict[str, Any]
_COMMENT_WRAP = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
# The opening half of it alone: a stripped text that does not end as a wrapper's close can hold
# nothing else it matches, and is not searched position by position to its end.
_COMMENT_OPEN = re.compile(r"\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)")
_COMMENT_CLOSES = ("-->", "]]>")


@dataclass(frozen=True)
class Document:
    """A parsed page. `url` is the page's final URL; `root` the <html> element."""

    url: str
    root: HtmlElement
    meta: Mapping[str, tuple[str, ...]]
    jsonld: tuple[JsonObject, ...]

    @classmethod
    def parse(cls, html: str, url: str) -> Document:
        root = _parse_tree(repair_mojibake(html), url)
        return cls(url=url, root=root, meta=_meta_tags(root), jsonld=tuple(_jsonld_objects(root)))

    @cached_property
    def body(self) -> HtmlElement:
        found = self.root.find("body")
        return found if found is not None else self.root

    @cached_property
    def boilerplate(self) -> Boilerplate:
        """The page's boilerplate judge (cached per element)."""
        return Boilerplate(self.root)

    @cached_property
    def lang(self) -> str:
        return collapse(self.root.get("lang") or self.root.get("xml:lang") or "")

    @cached_property
    def body_classes(self) -> tuple[str, ...]:
        return tuple((self.body.get("class") or "").split())

    @cached_property
    def canonical(self) -> str:
        """The absolute canonical URL, or "" when the page names none."""
        return self.link("canonical")

    @cached_property
    def shortlink(self) -> str:
        return self.link("shortlink")

    def link(self, rel: str) -> str:
        """The absolute href of the first <link rel=REL>, resolved against the page URL."""
        for element in self.root.iter("link"):
            if rel in (element.get("rel") or "").lower().split() and element.get("href"):
                return self.absolute(element.get("href", ""))
        return ""

    def absolute(self, href: str) -> str:
        return _resolved(self.url, href) if href else ""

    def meta_all(self, *names: str) -> list[str]:
        """Non-empty contents of the meta tags with these names/properties, in the order asked."""
        return [value for name in names for value in self.meta.get(name.lower(), ()) if value]

    def meta_first(self, *names: str) -> str:
        """The first of meta_all(*names), without reading the rest."""
        for name in names:
            for value in self.meta.get(name.lower(), ()):
                if value:
                    return value
        return ""

    @cached_property
    def index(self) -> ClassIndex:
        return ClassIndex(self.root)

    def select(self, selector: str, scope: HtmlElement | None = None) -> list[HtmlElement]:
        """Descendants of `scope` (default: the whole page) matching a CSS selector, in order."""
        return self.index.select(selector, scope)

    def select_first(self, selector: str, scope: HtmlElement | None = None) -> HtmlElement | None:
        found = self.select(selector, scope)
        return found[0] if found else None

    def has_jsonld_type(self, *types: str) -> bool:
        return any(jsonld_types(obj) & set(types) for obj in self.jsonld)


# lxml.html's own parser chooses each element's Python class in a Python callback (form controls
# get classes of their own), which is most of the cost of every element the parsers touch. This
# lookup runs in C and gives every element the plain HtmlElement class (nothing here needs the
# form classes); comments, processing instructions and entities keep their lxml.html classes.
_CLASS_LOOKUP = etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
)


def _html_parser(**options: str) -> etree.HTMLParser:
    """A fresh parser (its error log is read after parsing) with the fast class lookup."""
    parser = etree.HTMLParser(**options)
    parser.set_element_class_lookup(_CLASS_LOOKUP)
    return parser


@lru_cache(maxsize=1024)  # the parsers resolve a page's links again and again (urljoin is slow)
def _resolved(url: str, href: str) -> str:
    href = collapse(href)
    return _plainly_resolved(url, href) or urljoin(url, href)


def _plainly_resolved(url: str, href: str) -> str:
    """What urljoin(url, href) gives for the common plain links, worked out without it; "" for
    any other. Plain: ASCII without a query, fragment, parameters or brackets, and either an
    absolute http(s) URL with a host (urljoin gives it back as it is) or a path from the root
    without "." or ".." segments under an http(s) page (the page's scheme and host before it)."""
    if not href.isascii() or any(mark in href for mark in "?#;[]"):
        return ""
    if href.startswith(("http://", "https://")):
        host = href.partition("://")[2]
        return href if host and not host.startswith("/") else ""
    if href.startswith("/") and not href.startswith("//") and "/." not in href:
        base = urlsplit(url)
        if base.scheme in ("http", "https"):
            return f"{base.scheme}://{base.netloc}{href}"
    return ""


def _parse_tree(html: str, url: str) -> HtmlElement:
    parser = _html_parser()
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except ValueError:  # a str with an XML encoding declaration
        parser = _html_parser(encoding="utf-8")
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except etree.ParserError as exc:
        raise ParseError(url, f"cannot parse HTML ({exc})") from exc
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        # libxml2 stops building the tree at 256 levels and would silently drop the rest
        raise ParseError(url, "the page is nested too deeply to read (over 256 levels)")
    return root


def _meta_tags(root: HtmlElement) -> Mapping[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for element in root.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("http-equiv")
        if element.get("itemprop") and not key:
            key = "itemprop:" + element.get("itemprop", "")
        content = element.get("content")
        if key and content is not None:
            # RDFa lets one tag give several properties: property="og:title twitter:title".
            for name in collapse(key).lower().split(" ") if element.get("property") else [collapse(key).lower()]:
                found.setdefault(name, []).append(clean_inline(content))
    return MappingProxyType({key: tuple(values) for key, values in found.items()})


def _load_jsonld(text: str) -> Any:
    text = text.strip()
    if text.endswith(_COMMENT_CLOSES):
        text = _COMMENT_WRAP.sub("", text)
    elif (opening := _COMMENT_OPEN.match(text)) is not None:
        text = text[opening.end():]
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):  # invalid, or nested deeper than Python's stack
        return None


def _flatten(value: Any) -> Iterator[JsonObject]:
    """Typed objects at the top level, inside lists, `@graph` and `mainEntity`."""
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, dict):
        if "@type" in value:
            yield value
        for key in ("@graph", "mainEntity"):
            if isinstance(value.get(key), list | dict):
                yield from _flatten(value[key])


def _jsonld_objects(root: HtmlElement) -> Iterator[JsonObject]:
    for script in root.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        if kind == "application/ld+json" and script.text:
            yield from _flatten(_load_jsonld(script.text))


def jsonld_types(obj: JsonObject) -> set[str]:
    """The schema.org type names of a JSON-LD object, without any `schema:` or URL prefix."""
    raw = obj.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {str(name).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for name in names if name}
