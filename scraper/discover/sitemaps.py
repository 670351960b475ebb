"""XML sitemaps: urlsets, sitemap indexes, gzipped sitemaps and Google News sitemaps. Pure.

    parse_sitemap(content, base_url)        -> Sitemap(entries, children)
    sitemaps_from_robots(robots_txt, base)  -> tuple[str, ...]   `Sitemap:` lines
    candidate_sitemaps(origin)              -> tuple[str, ...]   well-known places to try
    order_children(children, since)         -> list[SitemapEntry]  which child sitemap to read first

How discovery walks a site's sitemaps, newest first, stopping early at --since:

1. Sitemap URLs come from robots.txt `Sitemap:` lines, else `candidate_sitemaps(origin)`.
2. An index lists child sitemaps. `order_children` puts the newest child first and drops the
   children whose `lastmod` proves them older than --since, and children that only list archive
   pages (WordPress core `wp-sitemap-taxonomies-*`/`wp-sitemap-users-*`, Yoast
   `category-`/`post_tag-`/`author-sitemap*.xml`), which never hold articles.

   **WordPress core sitemaps** (`/wp-sitemap.xml`, WordPress 5.5+) give their children no
   `lastmod`, and each child (`wp-sitemap-posts-post-1.xml`, `-2.xml`, ...) lists up to 2000 posts
   in ascending id order, oldest first. So the LAST child holds the newest posts: when children
   carry no `lastmod`, `order_children` sorts each family of children (same name up to the page
   number) by page number, highest first. Yoast's `post-sitemap.xml`, `post-sitemap2.xml`, ... are
   also oldest first, but they carry `lastmod`, which already puts the last one first.
3. Entries come out newest first by (news publication date, else lastmod), undated last. The
   run triages them against the window and the archive before any download (a lastmod later
   than the archived version means the article changed).

`lastmod` is the time the page last changed, so it is an upper bound on the publication time:
an entry whose lastmod is before --since was also published before it. An entry whose time has
no offset (`2021-02-18`, `2021-02-18T10:00`) could be in any zone: against --since it counts as
late as it could be (scraper.window.latest_instant), so naive dates never cause a wrong skip.

Security: content is parsed with entity expansion, DTD loading and network access off; gzip
content is decompressed in a stream and refused past MAX_SITEMAP_BYTES (a gzip bomb is a
FeedError, raised after decompressing at most that much). Only http(s) URLs come out.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import etree

from scraper.dates import parse_timestamp, sort_key
from scraper.discover.htmldoc import clean_text, is_local, resolve
from scraper.discover.sniff import is_feed, is_gzip, is_html
from scraper.discover.xmlsafe import element_text, local_name, parse_xml, strip_leading_space
from scraper.errors import FeedError
from scraper.robotstxt import Robots
from scraper.urls import url_key
from scraper.window import latest_instant

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
_CHUNK = 256 * 1024

# Well-known sitemap locations, most useful first (WordPress core, the usual name, Yoast/Rank
# Math's index, the common news sitemap name).
CANDIDATE_PATHS = ("/wp-sitemap.xml", "/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml")

# Children that list archive pages (categories, tags, authors), never articles; Ghost's
# sitemap-tags.xml, sitemap-authors.xml and sitemap-pages.xml (its static pages) too.
_ARCHIVE_CHILD = re.compile(
    r"(?:^|/)(?:wp-sitemap-(?:taxonomies|users)-[^/]*"
    r"|(?:category|post_tag|tag|author|product_cat|product_tag)-sitemap\d*\.xml(?:\.gz)?"
    r"|sitemap-(?:tags|authors|pages)\d*\.xml(?:\.gz)?)$",
    re.IGNORECASE,
)
# The page number at the end of a child's file name: wp-sitemap-posts-post-3.xml, post-sitemap2.xml.
_PAGE_NUMBER = re.compile(r"^(?P<stem>.*?)(?P<number>\d*)(?P<ext>\.xml(?:\.gz)?)?$", re.IGNORECASE)

# How late a time without an offset can be, as an instant (UTC+14 is the earliest zone).

Element = etree._Element


@dataclass(frozen=True)
class SitemapEntry:
    """One `<url>` of a urlset, or one `<sitemap>` of an index (`published`/`title` then empty).

    `lastmod` and `published` (a news sitemap's `news:publication_date`) are aware when the
    sitemap gives an offset, naive otherwise (a date alone is midnight)."""

    url: str
    lastmod: datetime | None
    published: datetime | None = None
    title: str = ""


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: `entries` (page URLs, newest first, undated last) for a urlset,
    `children` (child sitemaps with their lastmod, in document order) for a sitemap index."""

    entries: tuple[SitemapEntry, ...]
    children: tuple[SitemapEntry, ...]

    @property
    def is_index(self) -> bool:
        return bool(self.children)


# ------------------------------------------------------------------------------------ parsing


def parse_sitemap(content: bytes, base_url: str) -> Sitemap:
    """Parse a `<urlset>` or `<sitemapindex>` (gzip-compressed or not). Raises FeedError for
    empty content, HTML, a feed, malformed XML, or more than MAX_SITEMAP_BYTES uncompressed."""
    if is_gzip(content):
        content = gunzip_capped(content, base_url)
    elif len(content) > MAX_SITEMAP_BYTES:
        raise FeedError(base_url, f"sitemap larger than {MAX_SITEMAP_BYTES // 2**20} MB")
    root = _parse_xml(content, base_url)
    kind = _local(root)
    local = is_local(base_url)
    if kind == "urlset":
        entries = [_url_entry(node, base_url, local) for node in _children(root, "url")]
        return Sitemap(entries=_newest_first(_dedup(e for e in entries if e is not None)), children=())
    if kind == "sitemapindex":
        children = [_child_entry(node, base_url, local) for node in _children(root, "sitemap")]
        return Sitemap(entries=(), children=tuple(_dedup(c for c in children if c is not None)))
    raise FeedError(base_url, f"not an XML sitemap (root element <{kind}>)")


def gunzip_capped(content: bytes, url: str, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress gzip content (several members allowed) in a stream, refusing more than `limit`
    bytes of output: a gzip bomb costs at most `limit` bytes of memory and a FeedError."""
    out = bytearray()
    data = content
    try:
        while data:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            chunk = inflater.decompress(data, _CHUNK)
            while True:
                out += chunk
                if len(out) > limit:
                    raise FeedError(url, f"gzip sitemap expands past {limit // 2**20} MB")
                if inflater.eof or not inflater.unconsumed_tail:
                    break
                chunk = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
            if not inflater.eof:
                raise FeedError(url, "truncated gzip data")
            data = inflater.unused_data.lstrip(b"\x00")
    except zlib.error as exc:
        raise FeedError(url, f"bad gzip data: {exc}") from None
    return bytes(out)


def _parse_xml(content: bytes, base_url: str) -> Element:
    content = strip_leading_space(content)
    if not content:
        raise FeedError(base_url, "empty sitemap")
    if is_feed(content):
        raise FeedError(base_url, "not an XML sitemap (an RSS/Atom feed)")
    if is_html(content):
        raise FeedError(base_url, "not an XML sitemap (an HTML page)")
    return parse_xml(content, base_url, "sitemap")


_local = local_name


def _children(parent: Element, local: str, namespace: str | None = None) -> list[Element]:
    """Child elements with this local name (any namespace unless one is given: sitemaps in the
    wild use the 0.9 namespace, old Google ones, or none at all)."""
    return [
        child
        for child in parent
        if isinstance(child.tag, str)
        and _local(child) == local
        and (namespace is None or etree.QName(child).namespace == namespace)
    ]


_text = element_text


def _first_text(parent: Element, local: str, namespace: str | None = None) -> str:
    for child in _children(parent, local, namespace):
        text = _text(child).strip()
        if text:
            return text
    return ""


def _timestamp(text: str) -> datetime | None:
    return parse_timestamp(text) if text else None


def _loc(node: Element, base_url: str, local: bool) -> str | None:
    return resolve(_first_text(node, "loc"), base_url, local=local)


def _url_entry(node: Element, base_url: str, local: bool) -> SitemapEntry | None:
    url = _loc(node, base_url, local)
    if url is None:
        return None
    published, title = None, ""
    for news in _children(node, "news", NEWS_NS):
        published = published or _timestamp(_first_text(news, "publication_date", NEWS_NS))
        title = title or clean_text(_first_text(news, "title", NEWS_NS))
    return SitemapEntry(url=url, lastmod=_timestamp(_first_text(node, "lastmod")), published=published, title=title)


def _child_entry(node: Element, base_url: str, local: bool) -> SitemapEntry | None:
    url = _loc(node, base_url, local)
    return None if url is None else SitemapEntry(url=url, lastmod=_timestamp(_first_text(node, "lastmod")))


def _dedup(entries: Iterable[SitemapEntry]) -> list[SitemapEntry]:
    """One entry per URL key; the first keeps its place, a later duplicate fills in missing dates."""
    seen: dict[str, SitemapEntry] = {}
    for entry in entries:
        key = url_key(entry.url)
        old = seen.get(key)
        if old is None:
            seen[key] = entry
        else:
            seen[key] = SitemapEntry(
                old.url, old.lastmod or entry.lastmod, old.published or entry.published, old.title or entry.title
            )
    return list(seen.values())


def _entry_time(entry: SitemapEntry) -> datetime | None:
    return entry.published or entry.lastmod


def _newest_first(entries: list[SitemapEntry]) -> tuple[SitemapEntry, ...]:
    """Dated entries newest first (ties keep document order), then undated ones in document order."""
    dated = [e for e in entries if _entry_time(e) is not None]
    undated = [e for e in entries if _entry_time(e) is None]
    dated.sort(key=lambda e: sort_key(_entry_time(e)), reverse=True)  # type: ignore[arg-type]
    return tuple(dated + undated)


# ------------------------------------------------------------------------ finding sitemaps


def sitemaps_from_robots(robots_txt: str, base_url: str) -> tuple[str, ...]:
    """The `Sitemap:` URLs of a robots.txt (anywhere in the file, any case), absolute (relative
    ones resolved against `base_url`, the robots.txt URL), http(s), deduplicated, in file order."""
    return Robots.parse(robots_txt, "*", base_url).sitemaps()


def candidate_sitemaps(origin: str) -> tuple[str, ...]:
    """Where sitemaps usually are when robots.txt names none: `origin` is `https://host[:port]`
    (a trailing slash or path is ignored)."""
    parts = urlsplit(origin)
    root = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else origin.rstrip("/")
    return tuple(urljoin(root + "/", path.lstrip("/")) for path in CANDIDATE_PATHS)


# --------------------------------------------------------------------- ordering and windows


def is_archive_sitemap(url: str) -> bool:
    """A child sitemap listing category, tag or author archives (never articles)."""
    parts = urlsplit(url)
    if _ARCHIVE_CHILD.search(parts.path):
        return True
    query = parse_qs(parts.query)  # WordPress core with plain permalinks: /?sitemap=taxonomies
    return bool({"taxonomies", "users"} & set(query.get("sitemap", [])))


def _family_and_page(url: str) -> tuple[str, int]:
    """("wp-sitemap-posts-post-", 3) for …/wp-sitemap-posts-post-3.xml; ("post-sitemap", 1) for
    …/post-sitemap.xml; the `paged` parameter for WordPress core's plain-permalink form."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if "sitemap" in query:
        paged = (query.get("paged") or ["1"])[0]
        family = "?" + "&".join(f"{k}={v[0]}" for k, v in sorted(query.items()) if k != "paged")
        return parts.path + family, int(paged) if paged.isdigit() else 1
    match = _PAGE_NUMBER.match(parts.path)
    if match is None:  # pragma: no cover - the pattern matches every string
        return parts.path, 1
    number = match.group("number")
    return match.group("stem"), int(number) if number else 1


def order_children(children: Sequence[SitemapEntry], since: datetime | None) -> list[SitemapEntry]:
    """The children of a sitemap index in the order to read them, newest first.

    - Archive children (`is_archive_sitemap`) are dropped.
    - Children with a lastmod come first, newest first; with `since`, those whose lastmod proves
      them older than `since` are dropped (a child's lastmod is its newest entry's).
    - Children without a lastmod follow. Each family (same URL up to the trailing page number)
      keeps its first place in the index, and its pages go highest number first: WordPress core
      (`wp-sitemap-posts-post-N.xml`) lists posts oldest first, so its last page is the newest.
    """
    kept = [child for child in children if not is_archive_sitemap(child.url)]
    dated = [child for child in kept if child.lastmod is not None]
    if since is not None:
        dated = [child for child in dated if not _before(child.lastmod, since)]  # type: ignore[arg-type]
    dated.sort(key=lambda child: sort_key(child.lastmod), reverse=True)  # type: ignore[arg-type]
    undated = [child for child in kept if child.lastmod is None]
    families: dict[str, int] = {}
    keyed = []
    for index, child in enumerate(undated):
        family, page = _family_and_page(child.url)
        rank = families.setdefault(family, len(families))
        keyed.append(((rank, -page, index), child))
    keyed.sort(key=lambda item: item[0])
    return dated + [child for _, child in keyed]


def _before(value: datetime, since: datetime) -> bool:
    """True when `value` is surely before `since` (`since` naive = UTC)."""
    bound = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
    return latest_instant(value) < bound
