"""find_feeds: the feeds an HTML page advertises with <link rel="alternate">."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scraper.discover.htmldoc import HtmlElement, document_base, is_local, parse_html, resolve, tokens
from scraper.urls import url_key

FEED_LINK_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})

# WordPress: "Site » Comments Feed", "Site » Post title Comments Feed", /comments/feed/,
# /post-slug/feed/ on a single post, ?feed=comments-rss2.
_COMMENTS_TITLE_RE = re.compile(r"\bcomments?\b", re.IGNORECASE)
_COMMENTS_PATH_RE = re.compile(r"(?:^|/)comments/feed(?:/|$)", re.IGNORECASE)
_COMMENTS_QUERY_RE = re.compile(r"(?:^|&)feed=comments-", re.IGNORECASE)


def find_feeds(html: str, base_url: str) -> tuple[str, ...]:
    """Feed URLs advertised by the page (RSS, Atom, RDF), in page order, without comment feeds."""
    root = parse_html(html)
    if root is None:
        return ()
    return feeds_in(root, document_base(root, base_url), base_url)


def feeds_in(root: HtmlElement, base: str, page_url: str) -> tuple[str, ...]:
    found: dict[str, str] = {}
    local = is_local(page_url)
    for link in root.iter("link"):
        if "alternate" not in tokens(link, "rel"):
            continue
        kind = (link.get("type") or "").split(";", 1)[0].strip().lower()
        if kind not in FEED_LINK_TYPES:
            continue
        url = resolve(link.get("href"), base, local=local)
        if url and not _is_comments_feed(link, url):
            found.setdefault(url_key(url), url)
    return tuple(found.values())


def _is_comments_feed(link: HtmlElement, url: str) -> bool:
    if _COMMENTS_TITLE_RE.search(link.get("title") or ""):
        return True
    parts = urlsplit(url)
    return bool(_COMMENTS_PATH_RE.search(parts.path) or _COMMENTS_QUERY_RE.search(parts.query))
