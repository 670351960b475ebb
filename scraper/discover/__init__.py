"""Discovery: what a fetched feed or listing page points to. Pure: it parses bytes or text that
someone else fetched and returns plain data; it never fetches.

    is_feed(content)                 -> bool
    guess_kind(content, content_type) -> "feed" | "html" | "other"
    parse_feed(content, base_url)    -> tuple[Link, ...]   newest first
    find_feeds(html, base_url)       -> tuple[str, ...]    advertised feeds, no comment feeds
    parse_listing(html, base_url)    -> Listing(links, next_url, feeds)

Only http(s) URLs ever come out, absolute and without fragments.
"""

from __future__ import annotations

from scraper.discover.feedlinks import find_feeds
from scraper.discover.feeds import parse_feed
from scraper.discover.listing import parse_listing
from scraper.discover.model import Link, Listing
from scraper.discover.sniff import guess_kind, is_feed

__all__ = ["Link", "Listing", "find_feeds", "guess_kind", "is_feed", "parse_feed", "parse_listing"]
