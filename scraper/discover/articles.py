"""Candidate article links on a listing page (home, section, category, tag).

One pass over the tree marks each link with its context: inside page furniture (navigation,
site header/footer, sidebars, widgets, comments), inside an article container (<article>,
WordPress .hentry/.type-post/.wp-block-post, #post-N), under a heading or title element, inside
the main content area. A container contributes its title link(s); outside containers, links in
the main area count when they are WordPress post titles (.entry-title, rel="bookmark") or
heading links that look like article URLs. A WordPress password-protected post's container
(`post-password-required`) gives none: its page is a password form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from scraper.dates import parse_timestamp
from scraper.discover.htmldoc import (
    HtmlElement,
    clean_text,
    element_text,
    fragment,
    is_element,
    is_local,
    resolve,
    tokens,
)
from scraper.discover.model import Link
from scraper.discover.urlfilter import is_excluded, looks_like_article
from scraper.urls import same_site, url_key

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
TITLE_CLASSES = frozenset(
    {
        "entry-title",
        "post-title",
        "wp-block-post-title",
        "wp-block-latest-posts__post-title",
        "article-title",
        "story-title",
        "card-title",
        "headline",
        "title",
    }
)
# Titles only WordPress-style post loops use: trusted even outside a container.
POST_TITLE_CLASSES = frozenset(
    {"entry-title", "post-title", "wp-block-post-title", "wp-block-latest-posts__post-title"}
)
CONTAINER_CLASSES = frozenset({"hentry", "type-post", "wp-block-post", "post"})
# WordPress's post class for a password-protected post: its page is a password form, never the
# text, so its container contributes no link.
PROTECTED_CLASS = "post-password-required"
_POST_ID_RE = re.compile(r"^post-\d+$")

# Page furniture. header/footer (tags and ARIA roles) only count outside an article container,
# because WordPress themes put the entry title in <header class="entry-header">.
NOISE_TAGS = frozenset({"nav", "aside"})
SITE_TAGS = frozenset({"header", "footer"})
NOISE_ROLES = frozenset({"navigation", "complementary", "search"})
SITE_ROLES = frozenset({"banner", "contentinfo"})
NOISE_IDS = frozenset(
    {"secondary", "sidebar", "comments", "respond", "masthead", "colophon", "header", "footer",
     "site-navigation", "site-header", "site-footer", "wpadminbar"}
)  # fmt: skip
NOISE_CLASSES = frozenset(
    {"widget", "widget-area", "sidebar", "menu", "nav-menu", "sub-menu", "menu-item",
     "comments-area", "comment-respond", "comment-list", "breadcrumb", "breadcrumbs",
     "site-header", "site-footer", "main-navigation", "wp-block-navigation", "pagination",
     "nav-links", "posts-navigation", "post-navigation", "screen-reader-text", "sharedaddy",
     "share", "social", "jp-relatedposts", "related-posts", "yarpp-related"}
)  # fmt: skip
MAIN_IDS = frozenset({"main", "primary", "content", "main-content"})
MAIN_CLASSES = frozenset({"site-main", "content-area", "main-content"})

COMMENT_FRAGMENT_RE = re.compile(r"^(?:respond|comments|comment-\d+)$")


class _Ctx(NamedTuple):
    noise: bool = False
    container: HtmlElement | None = None
    heading: bool = False
    post_title: bool = False
    main: bool = False


@dataclass
class _Scan:
    """What one pass over the page collected."""

    containers: dict[HtmlElement, int] = field(default_factory=dict)  # -> document position
    anchors: dict[HtmlElement, list[tuple[HtmlElement, _Ctx]]] = field(default_factory=dict)
    times: dict[HtmlElement, list[HtmlElement]] = field(default_factory=dict)
    loose: list[tuple[int, HtmlElement, _Ctx]] = field(default_factory=list)


Accept = Callable[[HtmlElement], str | None]


def article_links(root: HtmlElement, base: str, page_url: str) -> tuple[Link, ...]:
    """Candidate article links in page order, deduplicated (first position wins)."""
    scan = _scan(root)
    page_key = url_key(page_url)

    def accept(anchor: HtmlElement) -> str | None:
        return _candidate_url(anchor, base, page_url, page_key)

    units: list[tuple[int, list[Link]]] = []
    for container, anchors in scan.anchors.items():
        if PROTECTED_CLASS in tokens(container):
            continue
        links = _container_links(anchors, accept)
        if len({url_key(link.url) for link in links}) == 1:
            published = _container_date(scan.times.get(container, []))
            links = [Link(link.url, published, link.title) for link in links]
        units.append((scan.containers[container], links))
    for index, anchor, ctx in scan.loose:
        link = _loose_link(anchor, ctx, accept)
        if link is not None:
            units.append((index, [link]))
    return _merge(links for _, links in sorted(units, key=lambda unit: unit[0]))


def _scan(root: HtmlElement) -> _Scan:
    scan = _Scan()
    for index, element, ctx in _walk(root, main=not _find_main(root)):
        container = ctx.container
        if container is element:
            scan.containers[element] = index
        if ctx.noise:
            continue
        if element.tag == "time" and container is not None:
            scan.times.setdefault(container, []).append(element)
        elif element.tag == "a" and element.get("href"):
            if container is not None:
                scan.anchors.setdefault(container, []).append((element, ctx))
            elif ctx.main:
                scan.loose.append((index, element, ctx))
    return scan


def _walk(root: HtmlElement, *, main: bool) -> list[tuple[int, HtmlElement, _Ctx]]:
    """Every element in document order with its context (iterative: pages can nest deeply)."""
    out: list[tuple[int, HtmlElement, _Ctx]] = []
    stack: list[tuple[HtmlElement, _Ctx]] = [(root, _Ctx(main=main))]
    while stack:
        element, parent = stack.pop()
        if not is_element(element):
            continue
        ctx = _context(element, parent)
        out.append((len(out), element, ctx))
        stack.extend((child, ctx) for child in reversed(element))
    return out


def _context(element: HtmlElement, parent: _Ctx) -> _Ctx:
    classes = tokens(element)
    inside = parent.container is not None
    return _Ctx(
        noise=parent.noise or _is_noise(element, classes, inside),
        container=element if _is_container(element, classes) else parent.container,
        heading=parent.heading or element.tag in HEADING_TAGS or bool(classes & TITLE_CLASSES),
        post_title=parent.post_title or bool(classes & POST_TITLE_CLASSES),
        main=parent.main or _is_main(element, classes),
    )


def _is_noise(element: HtmlElement, classes: frozenset[str], inside_container: bool) -> bool:
    role = (element.get("role") or "").strip().lower()
    if element.tag in NOISE_TAGS or role in NOISE_ROLES:
        return True
    if not inside_container and (element.tag in SITE_TAGS or role in SITE_ROLES):
        return True
    return (element.get("id") or "").strip().lower() in NOISE_IDS or bool(classes & NOISE_CLASSES)


def _is_container(element: HtmlElement, classes: frozenset[str]) -> bool:
    if element.tag in ("html", "body"):
        return False
    if element.tag == "article" or classes & CONTAINER_CLASSES:
        return True
    return bool(_POST_ID_RE.match((element.get("id") or "").strip()))


def _is_main(element: HtmlElement, classes: frozenset[str]) -> bool:
    if element.tag == "main" or (element.get("role") or "").strip().lower() == "main":
        return True
    return (element.get("id") or "").strip().lower() in MAIN_IDS or bool(classes & MAIN_CLASSES)


def _find_main(root: HtmlElement) -> bool:
    return any(_is_main(el, tokens(el)) for el in root.iter() if is_element(el))


def _container_links(anchors: list[tuple[HtmlElement, _Ctx]], accept: Accept) -> list[Link]:
    """A container's title links (under a heading or wrapping one); else its rel="bookmark"
    links; else its first acceptable link (a thumbnail-only card)."""
    ranked = [(_rank(anchor, ctx), anchor) for anchor, ctx in anchors]
    for wanted in (0, 1):
        links = [_link(anchor, url) for rank, anchor in ranked if rank == wanted and (url := accept(anchor))]
        if links:
            return links
    for _, anchor in ranked:
        url = accept(anchor)
        if url:
            return [_link(anchor, url)]
    return []


def _rank(anchor: HtmlElement, ctx: _Ctx) -> int:
    if ctx.heading or _contains_heading(anchor):
        return 0
    return 1 if "bookmark" in tokens(anchor, "rel") else 2


def _loose_link(anchor: HtmlElement, ctx: _Ctx, accept: Accept) -> Link | None:
    """Outside containers: WordPress post-title and rel="bookmark" links, and heading links
    whose URL looks like an article."""
    trusted = ctx.post_title or "bookmark" in tokens(anchor, "rel")
    if not (trusted or ctx.heading or _contains_heading(anchor)):
        return None
    url = accept(anchor)
    if url is None or not (trusted or looks_like_article(url)):
        return None
    return _link(anchor, url)


def _link(anchor: HtmlElement, url: str) -> Link:
    return Link(url=url, title=_anchor_title(anchor))


def _merge(groups: Iterable[list[Link]]) -> tuple[Link, ...]:
    """First position wins; a later duplicate only fills in a missing date or title."""
    merged: dict[str, Link] = {}
    for links in groups:
        for link in links:
            key = url_key(link.url)
            old = merged.get(key)
            if old is None:
                merged[key] = link
            else:
                merged[key] = Link(old.url, old.published or link.published, old.title or link.title)
    return tuple(merged.values())


# ------------------------------------------------------------------------ per-link helpers


def _candidate_url(anchor: HtmlElement, base: str, page_url: str, page_key: str) -> str | None:
    href = anchor.get("href")
    if COMMENT_FRAGMENT_RE.match(fragment(href)):
        return None
    url = resolve(href, base, local=is_local(page_url))
    if url is None or not same_site(url, page_url) or is_excluded(url):
        return None
    return None if url_key(url) == page_key else url


def _contains_heading(anchor: HtmlElement) -> bool:
    return any(
        is_element(el) and (el.tag in HEADING_TAGS or tokens(el) & TITLE_CLASSES) for el in anchor.iterdescendants()
    )


def _anchor_title(anchor: HtmlElement) -> str:
    """The link text, or "" when the link only wraps a date (the WordPress "posted on" link)."""
    text = element_text(anchor)
    stamps = list(anchor.iter("time"))
    if stamps and text == clean_text(" ".join(element_text(t) for t in stamps)):
        text = ""
    return text or clean_text(anchor.get("title") or "")


def _container_date(stamps: list[HtmlElement]) -> datetime | None:
    """The container's publication date: <time class="published|entry-date"> first, "updated"
    last, otherwise the first <time datetime>."""

    def preference(stamp: HtmlElement) -> int:
        classes = tokens(stamp)
        if classes & {"published", "entry-date"} and "updated" not in classes:
            return 0
        return 2 if "updated" in classes else 1

    for stamp in sorted(stamps, key=preference):
        value = parse_timestamp(stamp.get("datetime") or "")
        if value is not None:
            return value
    return None
