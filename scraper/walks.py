"""The ways a run discovers a site's articles, newest first, each stopping early at --since:
listing pages, feeds, XML sitemaps and the WordPress REST API. A mixin of pipeline.Run: the walks
decide *what* to look at; Run's article machinery (triage, fetch pool, store) does the rest.

`auto` picks, for a cron run (no window), the listing page or feed: one conditional request when
nothing is new. For a backfill (--since/--until/--refetch) it prefers the WordPress REST API
(100 posts with their content per request), then the XML sitemaps (dates before fetching), then
listing pages; each falls back to the next when the site does not offer it or refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from concurrent.futures import Future
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from scraper.discover import (
    Link,
    Sitemap,
    api_root_from_html,
    api_root_guess,
    article_from_post,
    candidate_sitemaps,
    find_feeds,
    order_children,
    parse_posts,
    parse_sitemap,
    parse_terms,
    post_times,
    posts_url,
    sitemaps_from_robots,
)
from scraper.discover.wpapi import WpPost, parse_api_index, terms_url
from scraper.errors import FeedError, FetchError, ParseError
from scraper.models import Page, Parsed
from scraper.urls import origin_of, same_site, url_key

if TYPE_CHECKING:
    from scraper.pipeline import Run, Target

METHODS = ("auto", "wordpress", "sitemap", "feed", "listing")
MAX_API_PAGES = 1000
MAX_SITEMAPS = 500
API_PER_PAGE = 100  # posts per REST request (WordPress's maximum)
MAX_UPDATE_PAGES = 10  # of 100 posts modified since the last run, per cron run
UPDATES_MARGIN = timedelta(hours=1)  # clock skew, and posts saved while the last run was going
NOT_MODIFIED = Sitemap((), ())  # a sitemap a cron run's conditional GET found unchanged (compared by identity)
Terms = dict[str, dict[int, str]]  # "categories" | "tags" | "users" -> id -> name
_EARLIEST = timezone(timedelta(hours=14))  # the first zone to start a calendar day


class Walks:
    # -- choosing ---------------------------------------------------------------------------
    def _discover(self: Run, target: Target, home: Page, cursor: str | None) -> None:
        for method in self._methods(target, home):
            self.reporter.detail(f"{target.source}: discovery via {method}")
            if self._walk_with(method, target, home, cursor):
                return
            self.reporter.detail(f"{target.source}: {method} is not available here; trying the next method")

    def _methods(self: Run, target: Target, home: Page) -> list[str]:
        chosen: list[str] = []
        for method in target.settings.discovery:
            chosen.extend(self._auto(home) if method == "auto" else [method])
        return list(dict.fromkeys(chosen))

    def _auto(self: Run, home: Page) -> list[str]:
        if self.options.incremental:
            return ["listing", "feed", "sitemap"]
        wordpress = ["wordpress"] if api_root_from_html(home.text, home.final_url) else []
        return [*wordpress, "sitemap", "listing", "feed"]

    def _walk_with(self: Run, method: str, target: Target, home: Page, cursor: str | None) -> bool:
        if method == "wordpress":
            return self._wordpress(target, home)
        if method == "sitemap":
            return self._sitemaps(target, home)
        if method == "feed":
            return self._feeds(target, home)
        ended = self._walk(target, home)
        if ended == "known" and cursor and not self.limit_reached:
            self._resume_walk(target, cursor)
        return True

    # -- feeds ------------------------------------------------------------------------------
    def _feeds(self: Run, target: Target, home: Page) -> bool:
        feeds = find_feeds(home.text, home.final_url)
        if not feeds:
            return False
        feed = self._conditional(target, feeds[0])
        if feed is None:
            return False
        if feed.status == 304:
            return True  # nothing new since the last run
        try:
            links = self._feed_links(target, feed)
        except FeedError as error:
            self._fail(target, feed.final_url, str(error), article=False)
            return False
        self._process(target, links)
        self._keep_validators(feed)
        return True

    # -- sitemaps ---------------------------------------------------------------------------
    def _sitemaps(self: Run, target: Target, home: Page) -> bool:
        origin = origin_of(home.final_url)
        self._walked_sitemaps.clear()
        for url in self._sitemap_urls(target, origin):
            sitemap = self._sitemap(target, url, quiet=True) if same_site(url, target.start_url) else None
            if sitemap is NOT_MODIFIED:
                return True  # nothing new since the last run
            if sitemap is not None and self._on_site(target, sitemap):
                self._walk_sitemap(target, sitemap, budget=[MAX_SITEMAPS])
                for page in self._walked_sitemaps:  # walked to the end (or to known articles)
                    self._keep_validators(page)
                return True
        return False

    def _sitemap_urls(self: Run, target: Target, origin: str) -> list[str]:
        declared = list(target.fetcher.sitemaps_for(origin))
        if not declared:
            robots = self._quiet_fetch(target, origin + "/robots.txt")
            declared = list(sitemaps_from_robots(robots.text, origin)) if robots else []
        return list(dict.fromkeys([*declared, *candidate_sitemaps(origin)]))

    def _sitemap(self: Run, target: Target, url: str, *, quiet: bool = False) -> Sitemap | None:
        """The sitemap at `url`; NOT_MODIFIED when a cron run's conditional GET says it has not
        changed. Its validators are kept once its entries (or children) have been walked."""
        page = self._conditional(target, url, quiet=quiet)
        if page is None:
            return None
        if page.status == 304:
            return NOT_MODIFIED
        try:
            found = parse_sitemap(page.content, page.final_url)
        except FeedError as error:
            if not quiet:
                self._fail(target, url, str(error), article=False)
            return None
        self._walked_sitemaps.append(page)
        return found

    def _walk_sitemap(self: Run, target: Target, sitemap: Sitemap, budget: list[int]) -> bool:
        """Newest child first; stops once a child (or the entries) give no reason to go on."""
        if not sitemap.children:
            for entry in sitemap.entries:
                if entry.lastmod is not None:
                    self._lastmod[url_key(entry.url)] = entry.lastmod
            links = [Link(entry.url, entry.published, entry.title) for entry in sitemap.entries]
            return self._process(target, self._wanted(target, links))
        for child in order_children(sitemap.children, self._since_instant()):
            if self.limit_reached or budget[0] <= 0:
                return False
            if not same_site(child.url, target.start_url):
                self.reporter.detail(f"skipped sitemap {child.url}: not on the site")
                continue
            budget[0] -= 1
            nested = self._sitemap(target, child.url)
            if nested is NOT_MODIFIED:  # newest first: what is older has not changed either
                return False
            if nested is not None and not self._walk_sitemap(target, nested, budget):
                return False
        return True

    @staticmethod
    def _on_site(target: Target, sitemap: Sitemap) -> bool:
        """Whether a sitemap lists anything on the target's site (a saved copy served from elsewhere
        still names the original host in its sitemaps: then they are no use here)."""
        return any(same_site(e.url, target.start_url) for e in (*sitemap.children, *sitemap.entries))

    def _since_instant(self: Run) -> datetime | None:
        """--since as the earliest instant it can mean (a date: its start in the first zone)."""
        since = self.options.window.since
        if since is None:
            return None
        if isinstance(since, datetime):
            return since if since.tzinfo else since.replace(tzinfo=_EARLIEST)
        return datetime.combine(since, time.min, tzinfo=_EARLIEST)

    def _quiet_fetch(self: Run, target: Target, url: str, headers: Mapping[str, str] | None = None) -> Page | None:
        """A page that may well not exist (a sitemap guess, robots.txt): no error if it does not.
        Never a page off the target's site. A 304 comes back only to a conditional request."""
        if not same_site(url, target.start_url):
            return None
        try:
            page = target.fetcher.fetch(url, headers or None)
        except FetchError:
            return None
        return page if page.status == 200 or (page.status == 304 and headers) else None

    def _conditional(self: Run, target: Target, url: str, *, quiet: bool = False) -> Page | None:
        """A feed, sitemap or API page: on a cron run, asked for with the validators the archive
        kept from the last run (If-None-Match / If-Modified-Since), so an unchanged one is a 304."""
        headers: dict[str, str] = {}
        if self.options.incremental:
            validators = self.store.validators(url)
            headers = validators.headers() if validators else {}
        return self._quiet_fetch(target, url, headers) if quiet else self._fetch_listing_or_fail(target, url, headers)

    # -- the WordPress REST API ---------------------------------------------------------------
    def _wordpress(self: Run, target: Target, home: Page) -> bool:
        root = api_root_from_html(home.text, home.final_url)
        if root is None:
            return False
        if not same_site(root, target.start_url):  # a saved copy served from elsewhere
            root = api_root_guess(origin_of(target.start_url))
        index = self._quiet_fetch(target, root)
        try:
            api = parse_api_index(index.content, root) if index and root else None
        except FeedError:
            api = None
        if api is None or not api.has_posts or root is None:
            return False
        zone = target.zone or _api_zone(api.timezone_string, api.gmt_offset)
        terms = self._terms(target, root)
        if terms is None:
            return False
        language = _page_language(home.text)
        available = self._api_posts(target, root, terms, language, zone)
        if available and self.options.incremental and not self.limit_reached:
            self._api_updates(target, root, terms, language, zone)
        return available

    def _api_updates(self: Run, target: Target, root: str, terms: Terms, language: str, zone: tzinfo | None) -> None:
        """A cron run also asks for the posts modified since this source's last good run
        (`modified_after`, WordPress 5.7+), so an older article that was changed becomes an update
        with a revision. Only changed ones are fetched; a page with nothing changed (or an older
        WordPress, which ignores the parameter and lists the newest posts) ends it."""
        since = self.store.last_success(target.text)
        if since is None:
            return
        since -= UPDATES_MARGIN
        for page_number in range(1, MAX_UPDATE_PAGES + 1):
            url = posts_url(root, modified_after=since.astimezone(zone) if zone else since, page=page_number)
            fetched = self._quiet_fetch(target, url)
            try:
                posts = parse_posts(fetched.content, fetched.headers, url) if fetched else None
            except FeedError:
                return
            if posts is None or not posts.posts:
                return
            self.reporter.detail(f"{target.source}: {len(posts.posts)} posts modified since {since:%Y-%m-%d %H:%M} UTC")
            if not self._process_posts(target, posts.posts, terms, language) or self.limit_reached:
                return
            if posts.total_pages is not None and page_number >= posts.total_pages:
                return

    def _api_posts(self: Run, target: Target, root: str, terms: Terms, language: str, zone: tzinfo | None) -> bool:
        """The posts, newest first, within the window; False if the API turns out unusable. A
        backfill asks for the next page while it handles this one (the window is the API's own
        `after`/`before`, so every page it lists is wanted); a cron run, which usually stops at
        the first page, does not."""
        after = _bound(self.options.window.since, zone, time.min)
        before = _bound(self.options.window.until, zone, time.max)
        ahead: Future[Page | FetchError] | None = None
        for page_number in range(1, MAX_API_PAGES + 1):
            url = posts_url(root, after=after, before=before, page=page_number, per_page=API_PER_PAGE)
            if page_number == 1:
                fetched = self._conditional(target, url, quiet=True)
            elif ahead is not None:
                fetched = self._listing_result(target, url, ahead.result())
            else:
                fetched = self._fetch_listing_or_fail(target, url)
            if fetched is not None and fetched.status == 304:
                return True  # nothing new since the last run
            try:
                posts = parse_posts(fetched.content, fetched.headers, url) if fetched else None
            except FeedError as error:
                if page_number == 1:
                    return False
                self._fail(target, url, str(error), article=False)
                return True
            if posts is None:
                return page_number > 1
            more = bool(posts.posts) and (posts.total_pages is None or page_number < posts.total_pages)
            ahead = None
            if more and posts.total_pages is not None and not self.options.incremental and self.options.limit is None:
                following = posts_url(root, after=after, before=before, page=page_number + 1, per_page=API_PER_PAGE)
                ahead = self._pool.submit(self._fetch_quietly, target, following)
            go_on = self._process_posts(target, posts.posts, terms, language)
            if page_number == 1 and fetched is not None:
                self._keep_validators(fetched)
            if not go_on or self.limit_reached or not more:
                return True
        return True

    def _terms(self: Run, target: Target, root: str) -> Terms | None:
        found: dict[str, dict[int, str]] = {}
        for kind in ("categories", "tags", "users"):
            page = self._quiet_fetch(target, terms_url(root, kind))
            try:
                found[kind] = parse_terms(page.content, page.final_url) if page else {}
            except FeedError:
                if kind == "categories":
                    return None
                found[kind] = {}
        return found

    def _process_posts(self: Run, target: Target, posts: tuple[WpPost, ...], terms: Terms, language: str) -> bool:
        """One page of REST posts: build records straight from the API data; fall back to the HTML
        page only where the REST data lacks something (an empty title or body)."""
        go_on = False
        results: list[tuple[str, Parsed]] = []
        to_fetch: list[str] = []
        for post in posts:
            key = url_key(post.link)
            if key in self._seen:
                continue
            self._seen.add(key)
            self.counts.discovered += 1
            published, modified = post_times(post)
            self._lastmod[key] = modified or published
            state = self._triage(target, Link(post.link, published))
            if state != "fetch":
                go_on = go_on or state == "go-on"
                continue
            try:
                article = article_from_post(
                    post, categories=terms["categories"], tags=terms["tags"], authors=terms["users"],
                    source=target.settings.archive_as, fetched_at=None, language=language,
                )  # fmt: skip
            except ParseError:
                to_fetch.append(post.link)
                continue
            results.append((post.link, Parsed(None, article)))
        for url, result in results:
            go_on = self._store_result(target, url, result) == "go-on" or go_on
        for url, result in self._fetch_all(target, to_fetch):
            go_on = self._store_result(target, url, result) == "go-on" or go_on
        return go_on


_HTML_LANG = re.compile(r"<html[^>]*\slang=[\"']?([A-Za-z0-9-]+)", re.IGNORECASE)


def _page_language(html: str) -> str:
    """The home page's <html lang>, for records built from the API (which does not say)."""
    match = _HTML_LANG.search(html[:5000])
    return match.group(1) if match else ""


def _api_zone(name: str, offset_hours: float | None) -> tzinfo | None:
    if name:
        try:
            return ZoneInfo(name)
        except (KeyError, ValueError):
            pass
    return timezone(timedelta(hours=offset_hours)) if offset_hours is not None else None


def _bound(value: date | datetime | None, zone: tzinfo | None, clock: time) -> datetime | None:
    """A window bound as an instant for the API: dates and wall-clock times in the site's zone."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, clock.replace(microsecond=0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or UTC)
    return value
