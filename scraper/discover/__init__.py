"""Discovery: what a fetched feed or listing page points to. Pure: it parses bytes or text that
someone else fetched and returns plain data; it never fetches.

    is_feed(content)                 -> bool
    guess_kind(content, content_type) -> "feed" | "html" | "other"
    parse_feed(content, base_url)    -> tuple[Link, ...]   newest first
    find_feeds(html, base_url)       -> tuple[str, ...]    advertised feeds, no comment feeds
    parse_listing(html, base_url)    -> Listing(links, next_url, feeds)
    is_sitemap(content), is_gzip(content) -> bool

    sitemaps: parse_sitemap(content, base_url) -> Sitemap(entries, children); order_children,
              sitemaps_from_robots, candidate_sitemaps
    wpapi:    api_root_from_html, api_root_guess, archive_params, posts_url, terms_url, parse_posts,
              parse_terms, parse_api_index (the REST API; see wpapi's docstring; the records: parse.wpjson)
    ghostapi: site_from_html, posts_url, settings_url, parse_posts, parse_settings, site_zone,
              candidates (the Ghost Content API; the record is scraper.parse.ghostpost's)
    robots:   Robots.from_response(status, text, user_agent, base_url) / Robots.parse(...):
              allowed(url), crawl_delay(), sitemaps(), partition(urls)

Only http(s) URLs ever come out, absolute and without fragments.
"""

from __future__ import annotations

from scraper.discover.feedlinks import find_feeds
from scraper.discover.feeds import parse_feed
from scraper.discover.listing import parse_listing
from scraper.discover.model import Link, Listing
from scraper.discover.sitemaps import (
    Sitemap,
    SitemapEntry,
    candidate_sitemaps,
    order_children,
    parse_sitemap,
    sitemaps_from_robots,
)
from scraper.discover.sniff import guess_kind, is_feed, is_gzip, is_sitemap
from scraper.discover.wpapi import (
    PostsPage,
    WpPost,
    api_root_from_html,
    api_root_guess,
    archive_params,
    parse_posts,
    parse_terms,
    posts_url,
)
from scraper.posts import post_times
from scraper.robotstxt import Robots

__all__ = [
    "Link",
    "Listing",
    "PostsPage",
    "Robots",
    "Sitemap",
    "SitemapEntry",
    "WpPost",
    "api_root_from_html",
    "api_root_guess",
    "archive_params",
    "candidate_sitemaps",
    "find_feeds",
    "guess_kind",
    "is_feed",
    "is_gzip",
    "is_sitemap",
    "order_children",
    "parse_feed",
    "parse_listing",
    "parse_posts",
    "parse_sitemap",
    "parse_terms",
    "post_times",
    "posts_url",
    "sitemaps_from_robots",
]
