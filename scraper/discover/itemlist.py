"""itemlist_links: the articles a page lists in its JSON-LD as an `ItemList` (a home page that
lists its articles only there, for search engines)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from scraper.dates import parse_timestamp
from scraper.discover.htmldoc import HtmlElement, is_local, resolve
from scraper.discover.model import Link
from scraper.urls import url_key

MAX_ITEMS = 1000  # items read from one page's lists
_ARTICLE_TYPES = frozenset({"Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
                            "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "Report"})  # fmt: skip


def itemlist_links(root: HtmlElement, base: str, page_url: str) -> tuple[Link, ...]:
    """The URLs of the items of every JSON-LD `ItemList` on the page (`itemListElement`: a
    ListItem's `url` or `item`, an article object's `url` or `@id`), in list order, with the
    article's `datePublished` when it gives one. Items of another kind than an article (a
    breadcrumb's, a product's) are left out; an item with no type is taken."""
    local = is_local(page_url)
    found: dict[str, Link] = {}
    for data in _jsonld(root):
        for listing in _lists(data):
            for item in _items(listing):
                url = resolve(item[0], base, local=local)
                if url and url_key(url) != url_key(page_url):
                    found.setdefault(url_key(url), Link(url, item[1]))
                if len(found) >= MAX_ITEMS:
                    return tuple(found.values())
    return tuple(found.values())


def _jsonld(root: HtmlElement) -> Iterator[object]:
    for script in root.iter("script"):
        if (script.get("type") or "").split(";", 1)[0].strip().lower() != "application/ld+json":
            continue
        try:
            yield json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue


def _types(node: dict[str, object]) -> set[str]:
    kind = node.get("@type")
    names = kind if isinstance(kind, list) else [kind]
    return {name.rsplit("/", 1)[-1] for name in names if isinstance(name, str)}


def _lists(data: object, depth: int = 0) -> Iterator[dict[str, object]]:
    """Every ItemList in the data: at the top, in an array or @graph, or as a page's mainEntity."""
    if depth > 6:
        return
    if isinstance(data, list):
        for node in data:
            yield from _lists(node, depth + 1)
    elif isinstance(data, dict):
        if "ItemList" in _types(data) and not _types(data) & {"BreadcrumbList"}:
            yield data
        for key in ("@graph", "mainEntity", "hasPart"):
            if key in data:
                yield from _lists(data[key], depth + 1)


def _items(listing: dict[str, object]) -> Iterator[tuple[str, datetime | None]]:
    elements = listing.get("itemListElement")
    for element in elements if isinstance(elements, list) else []:
        if isinstance(element, str):
            yield element, None
            continue
        if not isinstance(element, dict):
            continue
        item = element.get("item", element)
        if isinstance(item, str):
            yield item, None
            continue
        if not isinstance(item, dict):
            continue
        kinds = _types(item)
        if kinds and not kinds & _ARTICLE_TYPES and "ListItem" not in kinds:
            continue
        url = item.get("url") or item.get("@id") or (element.get("url") if item is not element else None)
        if isinstance(url, str):
            published = item.get("datePublished")
            yield url, parse_timestamp(published) if isinstance(published, str) else None
