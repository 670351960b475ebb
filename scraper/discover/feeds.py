"""parse_feed: the entries of an RSS 2.0 / 0.9x, RSS 1.0 (RDF) or Atom document, newest first."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import datetime

from lxml import etree
from lxml import html as lxml_html

from scraper.dates import parse_timestamp, sort_key
from scraper.discover.htmldoc import clean_text, is_local, resolve
from scraper.discover.model import Link
from scraper.discover.sniff import is_feed
from scraper.discover.xmlsafe import element_text, local_name, parse_xml
from scraper.errors import FeedError
from scraper.urls import url_key

DC_NS = "http://purl.org/dc/elements/1.1/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS1_NS = "http://purl.org/rss/1.0/"
RSS09_NS = "http://my.netscape.com/rdf/simple/0.9/"

NOT_A_FEED = "not an RSS or Atom feed"

Element = etree._Element


def parse_feed(content: bytes, base_url: str, skipped: list[str] | None = None) -> tuple[Link, ...]:
    """The feed's entries that have an http(s) link, deduplicated, newest first (entries without
    a date keep their place). Raises FeedError for empty content, HTML, malformed XML, or a
    document that declares XML entities (see _parse_xml).

    An entry whose only links are not http(s) (file:, ftp:, data:, javascript:, ...) is left out;
    pass a list as `skipped` to get those links, to report them."""
    root = _parse_xml(content, base_url)
    kind = _local(root)
    rejected: list[str] = [] if skipped is None else skipped
    if kind == "feed":
        links = [_atom_link(entry, base_url, rejected) for entry in _children(root, "entry")]
    elif kind in ("rss", "RDF"):
        links = [_rss_link(item, base_url, rejected) for item in _rss_items(root)]
    else:
        raise FeedError(base_url, NOT_A_FEED)
    return _newest_first(_dedup(link for link in links if link is not None))


# ------------------------------------------------------------------------------ XML parsing


def _parse_xml(content: bytes, base_url: str) -> Element:
    if not is_feed(content):
        raise FeedError(base_url, NOT_A_FEED)
    return parse_xml(content, base_url, "feed")


_local = local_name


def _namespace(element: Element) -> str | None:
    return etree.QName(element).namespace


def _children(parent: Element, local: str, namespaces: Iterable[str | None] | None = None) -> list[Element]:
    """Child elements with this local name (and, if given, one of these namespaces)."""
    allowed = None if namespaces is None else set(namespaces)
    return [
        child
        for child in parent
        if isinstance(child.tag, str) and _local(child) == local and (allowed is None or _namespace(child) in allowed)
    ]


_text = element_text


def _first_text(parent: Element, local: str, namespaces: Iterable[str | None] | None = None) -> str:
    for child in _children(parent, local, namespaces):
        text = _text(child).strip()
        if text:
            return text
    return ""


def _base(element: Element, fallback: str) -> str:
    """The element's base URL (honours xml:base), or the feed URL."""
    try:
        return element.base or fallback
    except ValueError:
        return fallback


# ------------------------------------------------------------------------------- RSS and RDF


def _rss_items(root: Element) -> Iterator[Element]:
    if _local(root) == "RDF":
        yield from _children(root, "item")
        return
    for channel in _children(root, "channel"):
        yield from _children(channel, "item")
    yield from _children(root, "item")  # misplaced items in sloppy feeds


def _rss_link(item: Element, base_url: str, rejected: list[str]) -> Link | None:
    vocab = (None, _namespace(item), RSS1_NS, RSS09_NS)
    base = _base(item, base_url)
    url = _first_url(_rss_url_candidates(item, vocab), base, local=is_local(base_url), rejected=rejected)
    if url is None:
        return None
    published = _timestamp(_first_text(item, "pubDate", vocab)) or _timestamp(_first_text(item, "date", (DC_NS,)))
    title = _first_text(item, "title", vocab) or _first_text(item, "title", (DC_NS,))
    return Link(url=url, published=published, title=clean_text(title))


def _rss_url_candidates(item: Element, vocab: tuple[str | None, ...]) -> Iterator[str]:
    for link in _children(item, "link", vocab):
        yield _text(link).strip()
    for guid in _children(item, "guid", vocab):
        if (guid.get("isPermaLink") or "true").strip().lower() == "true":
            yield _text(guid).strip()
    yield (item.get(f"{{{RDF_NS}}}about") or "").strip()


def _first_url(candidates: Iterable[str], base: str, *, local: bool, rejected: list[str]) -> str | None:
    """The first candidate that resolves to an http(s) URL; when none does, the first non-empty
    candidate goes to `rejected`."""
    first = ""
    for candidate in candidates:
        url = resolve(candidate, base, local=local)
        if url:
            return url
        first = first or candidate
    if first:
        rejected.append(first)
    return None


# ------------------------------------------------------------------------------------- Atom

ATOM_DATES = ("published", "updated", "issued", "modified", "created")  # 1.0 first, then 0.3


def _atom_link(entry: Element, base_url: str, rejected: list[str]) -> Link | None:
    vocab = (_namespace(entry),)
    url = _atom_url(entry, vocab, base_url, rejected)
    if url is None:
        return None
    return Link(url=url, published=_atom_date(entry, vocab), title=_atom_title(entry, vocab))


def _atom_url(entry: Element, vocab: tuple[str | None, ...], base_url: str, rejected: list[str]) -> str | None:
    first = ""
    for link in _atom_alternates(entry, vocab):
        href = link.get("href")
        url = resolve(href, _base(link, base_url), local=is_local(base_url))
        if url:
            return url
        first = first or (href or "").strip()
    if first:
        rejected.append(first)
    return None


def _atom_alternates(entry: Element, vocab: tuple[str | None, ...]) -> list[Element]:
    """rel="alternate" links (rel defaults to alternate), text/html ones first."""
    links = [
        link
        for link in _children(entry, "link", vocab)
        if (link.get("rel") or "alternate").strip().lower() == "alternate"
    ]
    return sorted(links, key=lambda link: (link.get("type") or "text/html").lower() != "text/html")


def _timestamp(text: str | None) -> datetime | None:
    """The date a feed gives, or None when unreadable, or when it cannot be placed in time at all
    (9999-12-31T23:59:59-12:00 is past the last day Python can represent in UTC)."""
    moment = parse_timestamp(text) if text else None
    if moment is None:
        return None
    try:
        sort_key(moment)
    except OverflowError:
        return None
    return moment


def _atom_date(entry: Element, vocab: tuple[str | None, ...]) -> datetime | None:
    for name in ATOM_DATES:
        value = _timestamp(_first_text(entry, name, vocab))
        if value is not None:
            return value
    return None


def _atom_title(entry: Element, vocab: tuple[str | None, ...]) -> str:
    titles = _children(entry, "title", vocab)
    if not titles:
        return ""
    title = titles[0]
    text = _text(title)
    if (title.get("type") or "").lower() in ("html", "text/html") and "<" in text:
        with contextlib.suppress(etree.ParserError, ValueError):
            text = lxml_html.fragment_fromstring(text, create_parent="div").text_content()
    return clean_text(text)


# -------------------------------------------------------------------------- dedup and order


def _dedup(links: Iterable[Link]) -> list[Link]:
    seen: dict[str, Link] = {}
    for link in links:
        seen.setdefault(url_key(link.url), link)
    return list(seen.values())


def _newest_first(links: list[Link]) -> tuple[Link, ...]:
    """Dated entries sorted newest first into the slots dated entries held; undated entries stay
    where the feed put them. Ties keep feed order."""
    slots = [i for i, link in enumerate(links) if link.published is not None]
    dated = sorted(
        (links[i] for i in slots),
        key=lambda link: sort_key(link.published),  # type: ignore[arg-type]
        reverse=True,
    )
    ordered = list(links)
    for slot, link in zip(slots, dated, strict=True):
        ordered[slot] = link
    return tuple(ordered)
