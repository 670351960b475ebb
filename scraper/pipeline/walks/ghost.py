"""The Ghost Content API (the public key every Ghost page carries): `/ghost/api/content/posts/`,
newest first, 100 posts with their tags, authors and HTML per request; the records are built from
the API's data (parse/ghostpost.py), so no article page is fetched.

- A first run reads every page of posts: a 300-post site costs the start page and 3 requests.
- A backfill bounds `published_at` by the window (read on the source's calendar: its `timezone`,
  else the site's own, from the API's settings).
- A cron run after a good one asks once for what was published or updated since that run (less a
  margin): nothing new costs one request, and an older post that was edited becomes an update.
  Without an earlier good run it walks the newest posts until it meets archived ones.

The API's instants carry the site's offset already; the source's `timezone`, when set, is used.

**robots.txt.** Ghost writes `Disallow: /ghost/` into every site's robots.txt, for its admin app,
which the API lives under. The walk declares the API as the site publishes it (`ctx.publish`, with
the key the page carries): a Disallow of the admin app's prefix alone is then set aside for the
API's GET requests with that key, by the robots.txt layer (fetch/robots.py), unless the source says
`published_apis = false`; a rule that names the API, or `Disallow: /`, is obeyed. Where the API
stays off limits the next method reads the site (its sitemaps or listing pages).

**Where the API is.** The page names it (`data-api`, `data-sodo-search`). On the site's own host it
is read there. Named on another host (Ghost(Pro)'s admin domain), the site's own origin is asked
first (a custom domain answers the API too); where it does not, exactly the API's root on the host
the page names, and nothing else there. Either way the records are the site's: a post whose URL is
not on the site is skipped and counted.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Generator, Mapping
from concurrent.futures import Future
from datetime import datetime, timedelta, tzinfo
from typing import Any, ClassVar

from scraper.discover.ghostapi import (
    API_PATH,
    MAX_LIMIT,
    GhostSite,
    PostsPage,
    api_time,
    parse_posts,
    parse_settings,
    posts_url,
    published_api,
    settings_url,
    site_from_html,
    site_zone,
)
from scraper.errors import FeedError, FetchError
from scraper.models import Article, Page
from scraper.parse.ghostpost import article_from_post
from scraper.pipeline.ports import Mode
from scraper.pipeline.walks.base import Batch, Candidate, Cost, NotHere, Offer, WalkContext
from scraper.urls import origin_of

MAX_API_PAGES = 1000
MAX_UPDATE_PAGES = 10  # of 100 posts published or updated since the last run, per cron run
UPDATES_MARGIN = timedelta(hours=1)  # clock skew, and posts saved while the last run was going
_HTML_LANG = re.compile(r"<html[^>]*\slang=[\"']?([A-Za-z0-9-]+)", re.IGNORECASE)


class GhostWalk:
    name: ClassVar[str] = "ghost"

    def offer(self, home: Page, mode: Mode) -> Offer | None:
        if site_from_html(home.text, home.final_url) is None:
            return None
        if mode is Mode.INCREMENTAL:
            why = "the Content API: one request for what was published or updated"
            return Offer(Cost(1, 0), True, why, updates=True)
        return Offer(Cost(2, 1 / MAX_LIMIT), True, f"the Content API: {MAX_LIMIT} posts a request, no article pages",
                     updates=True)  # fmt: skip

    def walk(self, ctx: WalkContext, home: Page) -> Generator[Batch, None, None]:
        named = site_from_html(home.text, home.final_url)
        if named is None:
            raise NotHere("the page carries no Content API key")
        sites = [named]
        if not ctx.on_site(named.api_url):  # the admin host (Ghost(Pro)): a custom domain serves the API too
            own = GhostSite(origin_of(ctx.start_url) + "/" + API_PATH, named.key, named.site_url, named.version)
            sites = [own, named]
        language = _page_language(home.text)
        reasons = []
        for site in sites:
            clearance = ctx.publish(published_api(site))
            if not clearance.open:
                reasons.append(clearance.why)
                continue
            batches = self._read(ctx, site, language)
            try:
                first = next(batches)
            except NotHere as why:
                reasons.append(str(why))
                continue
            except StopIteration:
                return
            yield first
            yield from batches
            return
        raise NotHere("; ".join(reasons))

    def _read(self, ctx: WalkContext, site: GhostSite, language: str) -> Generator[Batch, None, None]:
        """The walk over one API root: NotHere before the first batch when it does not answer."""
        zone = ctx.zone
        if zone is None and (ctx.window.since is not None or ctx.window.until is not None):
            zone = self._site_zone(ctx, site)  # the window's dates are on the site's calendar
        since = ctx.last_success() if ctx.mode is Mode.INCREMENTAL else None
        if since is not None:
            yield from self._changed(ctx, site, since - UPDATES_MARGIN, language, zone)
        else:
            yield from self._posts(ctx, site, language, zone)

    def _site_zone(self, ctx: WalkContext, site: GhostSite) -> tzinfo | None:
        page = ctx.page(settings_url(site), quiet=True)
        try:
            return site_zone(parse_settings(page.content, page.final_url)) if page else None
        except FeedError:
            return None

    def _first(self, ctx: WalkContext, url: str, *, conditional: bool) -> tuple[PostsPage | None, Page]:
        """The first page of an answer (None for a 304) and the page it came in, or NotHere: the
        API is not there, refuses the key, or is off limits."""
        fetched = ctx.page(url, conditional=conditional, quiet=True)
        if fetched is None:
            raise NotHere(f"{url.split('?')[0]} could not be read")
        if fetched.status == 304:
            return None, fetched
        try:
            return parse_posts(fetched.content, url), fetched
        except FeedError as error:
            raise NotHere(str(error)) from None

    def _posts(
        self, ctx: WalkContext, site: GhostSite, language: str, zone: tzinfo | None
    ) -> Generator[Batch, None, None]:
        """Every post (in the window), newest first; a backfill asks for the next page while it
        handles this one."""
        after, before = ctx.window.instants(zone)
        ahead: Future[Page | FetchError] | None = None
        page: int | None = 1
        while page is not None and page <= MAX_API_PAGES:
            url = posts_url(site, since=after, until=before, page=page)
            first: Page | None = None
            if page == 1:
                posts, first = self._first(ctx, url, conditional=True)
                if posts is None:
                    ctx.detail(f"{ctx.name}: the newest posts are as they were at the last run")
                    return
            else:
                fetched = ctx.result(url, ahead) if ahead is not None else ctx.page(url)
                try:
                    posts = parse_posts(fetched.content, url) if fetched else None
                except FeedError as error:
                    ctx.fail(url, str(error))
                    return
                if posts is None:
                    return
            following = posts.next_page
            ahead = None
            if following is not None and ctx.mode is not Mode.INCREMENTAL and not ctx.limited:
                ahead = ctx.prefetch(posts_url(site, since=after, until=before, page=following))
            batch = Batch(_candidates(posts, language, zone))
            yield batch
            if first is not None:  # what the first page covers is walked: a cron run may ask "changed?"
                ctx.keep_validators(first)
            if batch.ended is not None:
                return
            page = following

    def _changed(
        self, ctx: WalkContext, site: GhostSite, since: datetime, language: str, zone: tzinfo | None
    ) -> Generator[Batch, None, None]:
        """What was published or updated since `since`, newest first."""
        for page in range(1, MAX_UPDATE_PAGES + 1):
            url = posts_url(site, changed_since=since, page=page)
            posts = self._first(ctx, url, conditional=False)[0] if page == 1 else self._more(ctx, url)
            if posts is None or not posts.posts:
                if page == 1:
                    ctx.detail(f"{ctx.name}: nothing published or updated since {since:%Y-%m-%d %H:%M %z}")
                return
            ctx.detail(f"{ctx.name}: {posts.pagination.total or len(posts.posts)} posts published or updated "
                       f"since {since:%Y-%m-%d %H:%M %z}")  # fmt: skip
            batch = Batch(_candidates(posts, language, zone))
            yield batch
            if batch.ended is not None or ctx.limit_reached or posts.next_page is None:
                return

    def _more(self, ctx: WalkContext, url: str) -> PostsPage | None:
        fetched = ctx.page(url)
        try:
            return parse_posts(fetched.content, url) if fetched else None
        except FeedError as error:
            ctx.fail(url, str(error))
            return None


def _candidates(posts: PostsPage, language: str, zone: tzinfo | None) -> list[Candidate]:
    found = []
    for post in posts.posts:
        published = api_time(post.get("published_at"))
        updated = api_time(post.get("updated_at"))
        record = functools.partial(_record, post, language, zone)
        found.append(Candidate(post["url"], published, max(filter(None, (published, updated)), default=None), record))
    return found


def _record(post: Mapping[str, Any], language: str, zone: tzinfo | None) -> Article:
    return article_from_post(post, timezone=zone, language=language)


def _page_language(html: str) -> str:
    """The start page's <html lang> (Ghost writes the site's locale there)."""
    match = _HTML_LANG.search(html[:5000])
    return match.group(1) if match else ""
