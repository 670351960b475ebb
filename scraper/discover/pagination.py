"""The next (older) page of a listing.

Tried in order, first acceptable URL wins: <link rel="next">, <a rel="next">, the classes themes
put on the older-posts link (a.next, .nav-previous a, .pagination-next a,
a.wp-block-query-pagination-next, ...), link text ("Older posts", "Next page", "Next »", and
"Next", "›", "»" inside a pagination block), and finally the /page/N/ or ?page=N / ?paged=N link
with N = current + 1. Never the current page, another site, or a lower page number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scraper.discover.htmldoc import (
    HtmlElement,
    element_text,
    is_element,
    is_local,
    resolve,
    tokens,
)
from scraper.urls import same_site, url_key, without_session_ids

NEXT_LINK_CLASSES = frozenset(
    {"next", "nextpostslink", "next-page", "older-posts", "pagination-next",
     "wp-block-query-pagination-next"}
)  # fmt: skip
NEXT_PARENT_CLASSES = frozenset({"nav-previous", "pagination-next", "next", "older", "older-posts"})
STRONG_TEXTS = frozenset(
    {"older posts", "older entries", "older articles", "older stories", "older news", "older",
     "next page", "next posts", "next entries"}
)  # fmt: skip
ARROWS = "«»‹›←→<>…"
PAGE_PATH_RE = re.compile(r"^(.*/)page/(\d+)/?$", re.IGNORECASE)
PAGE_PARAM_RE = re.compile(r"^(?:page|paged|query-\d+-page)$", re.IGNORECASE)
INDEX_FILE_RE = re.compile(r"/index\.(?:html?|php)$", re.IGNORECASE)


class PagePosition(NamedTuple):
    family: str  # the listing the page belongs to: its URL key without the page number
    number: int  # 1 when the URL has no page number
    explicit: bool  # whether the URL carries a page number


def page_position(url: str) -> PagePosition:
    parts = urlsplit(without_session_ids(url))
    path = INDEX_FILE_RE.sub("/", parts.path or "/")
    number, explicit = 1, False
    match = PAGE_PATH_RE.match(path)
    if match:
        path, number, explicit = match.group(1), int(match.group(2)), True
    kept = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if not explicit and PAGE_PARAM_RE.match(name) and value.strip().isdigit():
            number, explicit = int(value), True
        else:
            kept.append((name, value))
    family = url_key(urlunsplit((parts.scheme, parts.netloc, path, urlencode(kept), "")))
    return PagePosition(family, number, explicit)


def find_next(root: HtmlElement, base: str, page_url: str) -> str | None:
    current = page_position(page_url)
    anchors = [a for a in root.iter("a") if is_element(a) and a.get("href")]
    strategies: tuple[Callable[[], Iterable[HtmlElement]], ...] = (
        lambda: _rel_next(root.iter("link")),
        lambda: _rel_next(anchors),
        lambda: _by_class(anchors),
        lambda: _by_text(anchors),
    )
    for strategy in strategies:
        for element in strategy():
            url = _accept(element.get("href"), base, page_url, current)
            if url:
                return url
    return _numbered(anchors, base, page_url, current)


def _accept(href: str | None, base: str, page_url: str, current: PagePosition) -> str | None:
    url = resolve(href, base, local=is_local(page_url))
    if url is None or not same_site(url, page_url) or url_key(url) == url_key(page_url):
        return None
    position = page_position(url)
    if position.family == current.family and position.number <= current.number:
        return None  # the current page again, or a newer one
    return url


def _rel_next(elements: Iterable[HtmlElement]) -> Iterator[HtmlElement]:
    return (el for el in elements if is_element(el) and "next" in tokens(el, "rel"))


def _by_class(anchors: list[HtmlElement]) -> Iterator[HtmlElement]:
    for anchor in anchors:
        if tokens(anchor) & NEXT_LINK_CLASSES or any(
            tokens(parent) & NEXT_PARENT_CLASSES for parent in _ancestors(anchor, 2)
        ):
            yield anchor


def _by_text(anchors: list[HtmlElement]) -> Iterator[HtmlElement]:
    """Strong phrases anywhere, then "Next »" anywhere or "Next" in a pagination block, then
    "›"/"→", then "»" in a pagination block ("»" is sometimes "last page")."""
    labelled = [(anchor, element_text(anchor)) for anchor in anchors]
    yield from (a for a, text in labelled if _words(text) in STRONG_TEXTS or _aria_next(a))
    yield from (a for a, text in labelled if _is_next_word(a, text))
    for arrows in ("›→", "»"):
        yield from (a for a, text in labelled if text and text in arrows and _in_pagination(a))


def _aria_next(anchor: HtmlElement) -> bool:
    """aria-label="Next" / title="Next page" on an icon-only link (Bootstrap pagination)."""
    label = anchor.get("aria-label") or anchor.get("title") or ""
    return _words(label) in STRONG_TEXTS or _words(label) == "next"


def _words(text: str) -> str:
    return " ".join(text.strip(ARROWS + " ").lower().split())


def _is_next_word(anchor: HtmlElement, text: str) -> bool:
    if _words(text) != "next":
        return False
    return any(ch in text for ch in ARROWS) or _in_pagination(anchor)


def _in_pagination(anchor: HtmlElement) -> bool:
    for element in _ancestors(anchor, 4):
        if element.tag == "nav" or (element.get("role") or "").lower() == "navigation":
            return True
        names = tokens(element) | tokens(element, "id")
        if any("pag" in name or "nav" in name for name in names):
            return True
    return False


def _ancestors(element: HtmlElement, depth: int) -> Iterator[HtmlElement]:
    parent = element.getparent()
    while parent is not None and depth > 0:
        yield parent
        parent = parent.getparent()
        depth -= 1


def _numbered(anchors: list[HtmlElement], base: str, page_url: str, current: PagePosition) -> str | None:
    """The link to page current + 1 of the same listing."""
    for anchor in anchors:
        url = resolve(anchor.get("href"), base, local=is_local(page_url))
        if url is None or not same_site(url, page_url):
            continue
        position = page_position(url)
        if position.explicit and position.family == current.family and position.number == current.number + 1:
            return url
    return None
