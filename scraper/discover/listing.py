"""parse_listing: what a home, section, category or tag page points to."""

from __future__ import annotations

from scraper.discover.articles import article_links
from scraper.discover.feedlinks import feeds_in
from scraper.discover.htmldoc import document_base, parse_html
from scraper.discover.itemlist import itemlist_links
from scraper.discover.model import Listing
from scraper.discover.pagination import find_next
from scraper.urls import url_key


def parse_listing(html: str, base_url: str) -> Listing:
    """Candidate article links in page order, then those only its JSON-LD ItemList names, the
    next (older) page, and advertised feeds. An empty document gives an empty Listing."""
    root = parse_html(html)
    if root is None:
        return Listing(links=(), next_url=None, feeds=())
    base = document_base(root, base_url)
    links = article_links(root, base, base_url)
    known = {url_key(link.url) for link in links}
    listed = tuple(link for link in itemlist_links(root, base, base_url) if url_key(link.url) not in known)
    return Listing(
        links=links + listed,
        next_url=find_next(root, base, base_url),
        feeds=feeds_in(root, base, base_url),
    )
